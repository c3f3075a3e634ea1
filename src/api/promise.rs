//! The one path from a Rust result to a settled JS promise, and the one error conversion.
//!
//! Every asynchronous export takes the `settle` function of a promise made by `settled()` in
//! `js/guard.js` as its last argument and hands [`done`] of it to the session layer, which calls it
//! once, straight from the event handler that decoded the last reply. An argument error is thrown
//! (`?` converts a [`NatsError`] into the JS `NatsError`), and `settled()` rejects with it.

use std::cell::RefCell;

use js_sys::{Array, Float64Array, Function, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;

use crate::error::NatsError;
use crate::session::batch::Batch;
use crate::session::Done;

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

impl From<NatsError> for JsValue {
    fn from(e: NatsError) -> JsValue {
        to_js(&e)
    }
}

/// The three JS values of a packed batch: strings, numbers, payloads.
pub fn batch_values(b: &Batch) -> (JsValue, JsValue, JsValue) {
    (
        JsValue::from_str(&b.text),
        Float64Array::from(b.nums.as_slice()).into(),
        Uint8Array::from(b.data.as_slice()).into(),
    )
}

/// The `settle(ok, value, nums?, data?, kind?)` function of a promise made by `settled()`.
pub struct Settle(pub Function);

impl Settle {
    /// Resolves with `v`.
    pub fn resolve(self, v: &JsValue) {
        let _ = self.0.call2(&JsValue::UNDEFINED, &JsValue::TRUE, v);
    }

    /// Resolves with what the JS twin unpacks from `b`: its records, or with `one` the first (or
    /// `null`).
    pub fn resolve_batch(self, b: &Batch, one: bool) {
        let (text, nums, data) = batch_values(b);
        let kind = JsValue::from(b.kind as u32 | if one { ONE } else { 0 });
        let _ = self.0.call5(
            &JsValue::UNDEFINED,
            &JsValue::TRUE,
            &text,
            &nums,
            &data,
            &kind,
        );
    }

    /// Rejects with the JS error for `e`.
    pub fn reject(self, e: &NatsError) {
        let _ = self
            .0
            .call2(&JsValue::UNDEFINED, &JsValue::FALSE, &to_js(e));
    }

    /// Settles with `r`.
    pub fn finish<T: ToJs>(self, r: Result<T, NatsError>) {
        match r {
            Ok(v) => v.settle(self),
            Err(e) => self.reject(&e),
        }
    }
}

/// Added to a batch kind: the promise wants the first record (or `null`), not the array.
pub const ONE: u32 = 0x100;

/// A result value a promise can settle with.
pub trait ToJs {
    /// Settles `s` with this value.
    fn settle(self, s: Settle);
}

/// The session layer's callback for a promise: `settle` once with the result.
pub fn done<T: ToJs + 'static>(settle: Function) -> Done<T> {
    Box::new(move |r| Settle(settle).finish(r))
}

impl ToJs for () {
    fn settle(self, s: Settle) {
        s.resolve(&JsValue::UNDEFINED)
    }
}

impl ToJs for bool {
    fn settle(self, s: Settle) {
        s.resolve(&JsValue::from_bool(self))
    }
}

impl ToJs for u64 {
    fn settle(self, s: Settle) {
        s.resolve(&JsValue::from_f64(self as f64))
    }
}

impl ToJs for f64 {
    fn settle(self, s: Settle) {
        s.resolve(&JsValue::from_f64(self))
    }
}

impl ToJs for JsValue {
    fn settle(self, s: Settle) {
        s.resolve(&self)
    }
}

impl ToJs for Vec<String> {
    fn settle(self, s: Settle) {
        let a: Array = self.iter().map(|k| JsValue::from_str(k)).collect();
        s.resolve(&a)
    }
}
