//! Rust errors → the JS `NatsError` class (registered by the ES module, so `instanceof` holds).

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::error::NatsError;

thread_local! {
    static FACTORY: RefCell<Option<Function>> = const { RefCell::new(None) };
}

/// Registers `(code, message, apiCode?, errCode?) => NatsError`; called once by `js/index.js`.
#[wasm_bindgen(js_name = setErrorFactory)]
pub fn set_error_factory(factory: Function) {
    FACTORY.with(|f| *f.borrow_mut() = Some(factory));
}

/// The JS error for `e`.
pub fn to_js(e: &NatsError) -> JsValue {
    let code = JsValue::from_str(e.code.as_str());
    let message = JsValue::from_str(&e.message);
    let api = e.api_code.map_or(JsValue::UNDEFINED, JsValue::from);
    let err = e.err_code.map_or(JsValue::UNDEFINED, JsValue::from);
    let made = FACTORY.with(|f| {
        f.borrow().as_ref().and_then(|f| {
            f.call4(&JsValue::UNDEFINED, &code, &message, &api, &err)
                .ok()
        })
    });
    made.unwrap_or_else(|| {
        // Without the module's class (direct use of the wasm exports): an Error with the same fields.
        let js = js_sys::Error::new(&e.message);
        let _ = Reflect::set(&js, &JsValue::from_str("code"), &code);
        let _ = Reflect::set(
            &js,
            &JsValue::from_str("name"),
            &JsValue::from_str("NatsError"),
        );
        js.into()
    })
}

/// `Result<T, NatsError>` → `Result<T, JsValue>` for the exports.
pub fn js_err(e: NatsError) -> JsValue {
    to_js(&e)
}

/// The future behind every Promise-returning export, boxed so that `future_to_promise` (its
/// promise executor, task and resolve/reject glue) is instantiated once instead of once per export.
pub type JsResultFuture = Pin<Box<dyn Future<Output = Result<JsValue, JsValue>>>>;

thread_local! {
    /// Export calls whose work waits for its first executor turn (see [`settle_later`]).
    static QUEUED: Cell<u32> = const { Cell::new(0) };
}

fn queued(delta: i32) {
    QUEUED.with(|q| q.set(q.get().wrapping_add_signed(delta)));
}

/// `future_to_promise` for all exports (see [`JsResultFuture`]).
pub fn promise(f: JsResultFuture) -> Promise {
    queued(1);
    future_to_promise(Box::pin(async move {
        queued(-1);
        f.await
    }))
}

/// The `settle(ok, value)` function of a promise made by `settled` in `js/panic.js`: called once,
/// with a value or a `NatsError`.
pub struct Settle(Function);

impl Settle {
    /// Resolves with `v`.
    pub fn resolve(self, v: &JsValue) {
        let _ = self.0.call2(&JsValue::UNDEFINED, &JsValue::TRUE, v);
    }

    /// Rejects with the JS error for `e`.
    pub fn reject(self, e: &NatsError) {
        let _ = self
            .0
            .call2(&JsValue::UNDEFINED, &JsValue::FALSE, &to_js(e));
    }
}

/// For an operation that settles its JS promise itself: `start` sends its request and hands `settle`
/// to the reply's callback, which calls it from the event handler that decoded the reply — no task
/// wake-up, executor turn, future poll and promise chain between the reply and the caller.
/// `start` runs at once unless an earlier export call still waits for its executor turn; then it
/// runs as a task after it, so requests still go out in call order.
pub fn settle_later(settle: Function, start: impl FnOnce(Settle) + 'static) {
    let settle = Settle(settle);
    if QUEUED.with(Cell::get) == 0 {
        return start(settle);
    }
    queued(1);
    crate::web::spawn(Box::pin(async move {
        queued(-1);
        start(settle)
    }));
}

/// Registers `(message) => void`, called once if the module panics (see `web::panic`); called once
/// by `js/index.js`.
#[wasm_bindgen(js_name = setPanicHandler)]
pub fn set_panic_handler(handler: Function) {
    crate::web::panic::install(handler);
}

/// Panics on purpose, at once or in a spawned task (`inTask`): only for the containment test.
#[wasm_bindgen(js_name = __panicForTests)]
pub fn panic_for_tests(in_task: bool) {
    if in_task {
        crate::web::spawn(Box::pin(async {
            panic!("deliberate panic in a task (test)")
        }));
    } else {
        panic!("deliberate panic (test)");
    }
}
