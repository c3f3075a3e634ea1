//! Panic containment.
//!
//! A panic is a bug; on wasm it ends in a trap, and after a trap the module's state (borrowed cells,
//! half-applied changes) can no longer be trusted. So the panic hook marks the module *poisoned*:
//! every open WebSocket is detached and closed, browser callbacks (socket events, timers) stop
//! entering the module, and the JS layer is told, so it fails every pending and later call with a
//! `NatsError` instead of hanging or trapping again.

use std::cell::{Cell, RefCell};

use js_sys::Function;
use wasm_bindgen::JsValue;
use web_sys::WebSocket;

// These are read with `try_with`, not `with` (here, in timer.rs and clock.rs): `with`'s panic formats
// `AccessError` with `Debug`, and a thread-local is never destroyed on wasm anyway.
thread_local! {
    static POISONED: Cell<bool> = const { Cell::new(false) };
    static SOCKETS: RefCell<Vec<WebSocket>> = const { RefCell::new(Vec::new()) };
    static HANDLER: RefCell<Option<Function>> = const { RefCell::new(None) };
}

/// Installs the panic hook; `handler(message)` is called once, on the first panic.
pub fn install(handler: Function) {
    let _ = HANDLER.try_with(|h| *h.borrow_mut() = Some(handler));
    std::panic::set_hook(Box::new(|info| {
        if POISONED.try_with(|p| p.replace(true)).unwrap_or(true) {
            return;
        }
        let message = info.to_string();
        // `try_borrow`: the panic may have struck while one of these was borrowed.
        let _ = SOCKETS.try_with(|s| {
            if let Ok(mut sockets) = s.try_borrow_mut() {
                for ws in sockets.drain(..) {
                    ws.set_onopen(None);
                    ws.set_onmessage(None);
                    ws.set_onclose(None);
                    let _ = ws.close();
                }
            }
        });
        let handler = HANDLER
            .try_with(|h| h.try_borrow().ok().and_then(|h| h.clone()))
            .ok()
            .flatten();
        if let Some(f) = handler {
            let _ = f.call1(&JsValue::UNDEFINED, &JsValue::from_str(&message));
        }
    }));
}

/// Whether a panic has happened: browser callbacks return at once when it has.
pub fn poisoned() -> bool {
    POISONED.try_with(Cell::get).unwrap_or(true)
}

/// Remembers an open socket so that a panic can close it.
pub fn track(ws: &WebSocket) {
    let _ = SOCKETS.try_with(|s| s.borrow_mut().push(ws.clone()));
}

/// Forgets a socket that is being dropped.
pub fn untrack(ws: &WebSocket) {
    let ws: &JsValue = ws;
    let _ = SOCKETS.try_with(|s| s.borrow_mut().retain(|w| JsValue::from(w.clone()) != *ws));
}
