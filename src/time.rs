//! Time as distinct types, so a deadline is never compared with a timestamp. Durations (timeouts,
//! intervals) stay plain `f64` milliseconds.
#![warn(missing_docs)]

/// Monotonic milliseconds (`performance.now()` in the browser, a fake clock in tests): deadlines and timers only.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Default)]
pub struct Mono(pub f64);

/// Wall-clock milliseconds since the Unix epoch (`Date.now()`), comparable with the server's timestamps.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Default)]
pub struct Wall(pub f64);

/// The longest delay a browser timer takes (2^31 − 1 ms); longer ones are clamped.
pub const MAX_TIMER_MS: f64 = 2_147_483_647.0;

/// The largest integer a JS number holds exactly (2^53 − 1).
pub const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

impl Mono {
    /// The instant `ms` milliseconds later.
    pub fn plus(self, ms: f64) -> Mono {
        Mono(self.0 + ms)
    }

    /// Milliseconds from `earlier` to `self`.
    pub fn since(self, earlier: Mono) -> f64 {
        self.0 - earlier.0
    }

    /// The earlier of two instants.
    pub fn min(self, other: Mono) -> Mono {
        Mono(self.0.min(other.0))
    }
}
