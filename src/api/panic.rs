//! Panic containment exports (the hook itself is `web::panic`).

use js_sys::Function;
use wasm_bindgen::prelude::*;

/// Registers `(message) => void`, called once if the module panics; called once by `js/index.js`.
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
