//! Time in milliseconds, the input the sans-IO core takes.

use crate::time::{Mono, Wall};

/// Monotonic time: `performance.now()` in ms (falls back to `Date.now()` where there is no
/// `performance`). For timers and deadlines; not comparable with the server's timestamps.
pub fn now_ms() -> Mono {
    // Looked up once: `window()` + `.performance` cost three boundary crossings per call, and the
    // driver asks for the time on every frame, publish and pump.
    // `try_with`, not `with`: `with`'s panic formats `AccessError` with `Debug`.
    Mono(
        PERFORMANCE
            .try_with(|p| p.as_ref().map(|p| p.now()))
            .ok()
            .flatten()
            .unwrap_or_else(js_sys::Date::now),
    )
}

thread_local! {
    static PERFORMANCE: Option<web_sys::Performance> =
        web_sys::window().and_then(|w| w.performance());
}

/// Wall-clock time: `Date.now()`, ms since the Unix epoch, as the server's timestamps (an entry's
/// `created`) are.
pub fn wall_clock_ms() -> Wall {
    Wall(js_sys::Date::now())
}
