//! Monotonic time in milliseconds, the input the sans-IO core takes.

/// `performance.now()` in ms (falls back to `Date.now()` where there is no `performance`).
pub fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or_else(js_sys::Date::now)
}
