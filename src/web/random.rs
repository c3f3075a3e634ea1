//! Random seeds from `crypto.getRandomValues` (the sans-IO core takes seeds as input).

use js_sys::{Function, Reflect, Uint32Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// 64 random bits from the browser's CSPRNG (falls back to `Math.random`).
pub fn seed() -> u64 {
    let arr = Uint32Array::new_with_length(2);
    let ok = Reflect::get(&js_sys::global(), &JsValue::from_str("crypto"))
        .ok()
        .and_then(|c| {
            let f = Reflect::get(&c, &JsValue::from_str("getRandomValues"))
                .ok()?
                .dyn_into::<Function>()
                .ok()?;
            f.call1(&c, &arr).ok()
        })
        .is_some();
    if ok {
        (u64::from(arr.get_index(0)) << 32) | u64::from(arr.get_index(1))
    } else {
        (js_sys::Math::random() * u64::MAX as f64) as u64 ^ js_sys::Date::now() as u64
    }
}
