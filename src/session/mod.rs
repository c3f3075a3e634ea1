//! The session layer: orchestration above the sans-IO machines, with no web-sys, js-sys or
//! wasm-bindgen in it, compiled and tested natively.
//!
//! It holds the connection's dispatch ([`Client`]: replies, subscriptions, status), the JetStream
//! context ([`JetStream`]: API calls, error mapping, paging), the KV operations ([`Kv`]: create-or-bind,
//! create's retry over a marker, multi-key delete, keys/history scans, `modify()`), `view()`'s state
//! ([`View`]) and one consumer run ([`ConsumerRun`]) that drives any consumer machine through delivery,
//! flow control, heartbeats, pause/resume and reconnect.
//!
//! Everything is driven by events and callbacks, sans-IO style: an operation takes a [`Done`] that
//! is called once, straight from the event handler that decoded its last reply. The platform below
//! is the small [`Link`] interface: the web layer implements it with the real driver (WebSocket,
//! timers), native tests with a scripted server and a fake clock.

pub mod batch;
pub mod client;
pub mod consumer;
pub mod jetstream;
pub mod kv;
pub mod manage;
pub mod obj;
pub mod pull;
pub mod push;
pub mod view;

#[cfg(test)]
mod tests;

use crate::client::Connection;
use crate::error::NatsError;
use crate::time::{Mono, Wall};

pub use client::{drain_events, Client, Delivery, SubEvent, SubHandler};
pub use consumer::{ConsumerRun, RunEvent, RunSink};
pub use jetstream::JetStream;
pub use kv::Kv;
pub use view::View;

/// Called once with the result of an operation.
pub type Done<T> = Box<dyn FnOnce(Result<T, NatsError>)>;

/// What the session layer needs from the platform: the connection (run with the current time and
/// then pumped), the wall clock, re-armable timers and deferred calls.
pub trait Link {
    /// Runs `f` on the connection with the current monotonic time, then processes what it queued
    /// (events are handed to the [`Client`], outbound bytes are scheduled, the timer re-armed).
    fn with(&self, f: &mut dyn FnMut(&mut Connection, Mono));
    /// [`with`](Self::with) for calls that do not need the time (publish): the web driver then
    /// skips its clock read (a call into JS) per publish.
    fn with_untimed(&self, f: &mut dyn FnMut(&mut Connection)) {
        self.with(&mut |c, _| f(c));
    }
    /// Reads the connection without changing it.
    fn read(&self, f: &mut dyn FnMut(&Connection));
    /// The current monotonic time.
    fn now(&self) -> Mono;
    /// The current wall-clock time.
    fn wall_clock(&self) -> Wall;
    /// A re-armable timer that calls `fire` when it expires.
    fn timer(&self, fire: Box<dyn Fn()>) -> Box<dyn Alarm>;
    /// Runs `f` after the current turn (never from inside the caller).
    fn defer(&self, f: Box<dyn FnOnce()>);
}

/// One re-armable timer of a [`Link`].
pub trait Alarm {
    /// Arms for the absolute time `at`, replacing an earlier arming; `None` disarms.
    fn arm(&mut self, at: Option<Mono>);
    /// The time it is armed for.
    fn deadline(&self) -> Option<Mono>;
    /// Forgets the arming (called when it has fired, before the callback re-arms it).
    fn fired(&mut self);
}

/// Re-arms `alarm` for `deadline` unless it is armed for an earlier time already: rather than a
/// clear and a set per request or delivery, an earlier arming stays and fires early (the machine acts
/// only on what is due, and the alarm is then re-armed for the current deadline).
pub fn rearm(alarm: &mut dyn Alarm, deadline: Option<Mono>) {
    let keep = matches!((alarm.deadline(), deadline), (Some(armed), Some(d)) if armed <= d);
    if !keep {
        alarm.arm(deadline);
    }
}
