//! Time in milliseconds, the input the sans-IO core takes.

/// Monotonic time: `performance.now()` in ms (falls back to `Date.now()` where there is no
/// `performance`). For timers and deadlines; not comparable with the server's timestamps.
pub fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or_else(js_sys::Date::now)
}

/// Wall-clock time: `Date.now()`, ms since the Unix epoch, as the server's timestamps (an entry's
/// `created`) are.
pub fn wall_clock_ms() -> f64 {
    js_sys::Date::now()
}
