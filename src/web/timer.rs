//! One re-armable `setTimeout` (works in windows and workers: it uses the global object).

use js_sys::{Function, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::clock::now_ms;
use super::panic::poisoned;
use crate::session::Alarm;
use crate::time::{Mono, MAX_TIMER_MS};

/// A single pending timeout whose callback is kept alive by this struct.
pub struct Timer {
    callback: Closure<dyn FnMut()>,
    handle: Option<JsValue>,
    deadline: Option<Mono>,
}

fn global_fn(name: &str) -> Option<Function> {
    Reflect::get(&js_sys::global(), &JsValue::from_str(name))
        .ok()?
        .dyn_into::<Function>()
        .ok()
}

thread_local! {
    /// `setTimeout` and `clearTimeout` of the global object, looked up once (not per arming).
    static TIMER_FNS: (Option<Function>, Option<Function>) =
        (global_fn("setTimeout"), global_fn("clearTimeout"));
}

impl Timer {
    /// A timer that calls `f` when it fires.
    pub fn new(mut f: impl FnMut() + 'static) -> Self {
        Timer {
            callback: Closure::new(move || {
                if !poisoned() {
                    f()
                }
            }),
            handle: None,
            deadline: None,
        }
    }

    /// Cancels a pending timeout.
    pub fn cancel(&mut self) {
        if let Some(h) = self.handle.take() {
            let _ = TIMER_FNS.try_with(|(_, clear)| {
                if let Some(clear) = clear {
                    let _ = clear.call1(&JsValue::UNDEFINED, &h);
                }
            });
        }
        self.deadline = None;
    }
}

impl Alarm for Timer {
    /// The deadline it is armed for (`None`: not armed).
    fn deadline(&self) -> Option<Mono> {
        self.handle.as_ref().and(self.deadline)
    }

    /// Arms the timer for the absolute time `deadline`, replacing any earlier
    /// arming; `None` disarms it. Re-arming for the same deadline is a no-op.
    fn arm(&mut self, deadline: Option<Mono>) {
        if deadline == self.deadline && self.handle.is_some() {
            return;
        }
        self.cancel();
        let Some(at) = deadline else { return };
        let delay = at.since(now_ms()).clamp(0.0, MAX_TIMER_MS);
        let cb: &Function = self.callback.as_ref().unchecked_ref();
        let h = TIMER_FNS
            .try_with(|(set_timeout, _)| {
                set_timeout.as_ref().and_then(|f| {
                    f.call2(&JsValue::UNDEFINED, cb, &JsValue::from_f64(delay.ceil()))
                        .ok()
                })
            })
            .ok()
            .flatten();
        if let Some(h) = h {
            self.handle = Some(h);
            self.deadline = deadline;
        }
    }

    /// Forgets the current arming (called from the callback itself, before re-arming).
    fn fired(&mut self) {
        self.handle = None;
        self.deadline = None;
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        self.cancel();
    }
}
