//! The interface every consumer state machine offers to the session layer's consumer run: inputs
//! (start, deliveries, create replies, time, connection changes, backpressure, stop) and the steps
//! they produce. The KV watcher, the JetStream consumers (pull, ordered and push: one enum machine)
//! and the Object Store reader implement it; the session layer's one consumer run drives each of them
//! as a trait object.

use super::ordered::Command;
use crate::error::NatsError;
use crate::proto::Msg;
use crate::time::Mono;

/// What a consumer machine produces, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Step<T> {
    /// A transport action (see [`Command`]).
    Command(Command),
    /// The next item for the application, in order.
    Item(T),
    /// The initial values were delivered (exactly once; only machines that have initial values).
    Initialized,
    /// The machine failed for good (it already unsubscribed).
    Failed(NatsError),
    /// The machine ended normally, e.g. a complete fetch (it already unsubscribed).
    Finished,
}

/// A consumer state machine the session layer's consumer run can drive.
pub trait ConsumerMachine {
    /// What it delivers to the application.
    type Item;
    /// Starts: subscribes and creates the consumer.
    fn start(&mut self, now: Mono) -> Vec<Step<Self::Item>>;
    /// The outcome of the `CreateConsumer` request `serial`.
    fn on_create_reply(
        &mut self,
        serial: u64,
        result: Result<Msg, NatsError>,
        now: Mono,
    ) -> Vec<Step<Self::Item>>;
    /// Consecutive messages of the subscription to `subscription`.
    fn on_messages(
        &mut self,
        subscription: &str,
        msgs: Vec<Msg>,
        now: Mono,
    ) -> Vec<Step<Self::Item>>;
    /// When [`handle_timeout`](Self::handle_timeout) is due.
    fn poll_timeout(&self) -> Option<Mono>;
    /// Heartbeats, retries, anything due at `now` (an early call does nothing).
    fn handle_timeout(&mut self, now: Mono) -> Vec<Step<Self::Item>>;
    /// The connection dropped.
    fn on_disconnect(&mut self);
    /// The connection is back.
    fn on_reconnect(&mut self, now: Mono) -> Vec<Step<Self::Item>>;
    /// Backpressure from the application: hold (or resume) what keeps the server sending.
    fn set_paused(&mut self, paused: bool) -> Vec<Step<Self::Item>>;
    /// Stops: unsubscribes and deletes the consumer.
    fn stop(&mut self) -> Vec<Step<Self::Item>>;
    /// The application took its `count` oldest items out of its buffer: room for more (a pull
    /// consumer's window). Machines that pull nothing ignore it.
    fn on_handed_out(&mut self, _count: u64, _now: Mono) -> Vec<Step<Self::Item>> {
        Vec::new()
    }
    /// Whether the first consumer exists (the application's call can resolve).
    fn is_started(&self) -> bool;
}
