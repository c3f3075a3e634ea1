//! Push consumers: `js.consumers.getPushConsumer(stream, name)` (CONSUMER.INFO; a pull consumer is
//! `WRONG_CONSUMER_KIND`) and its `consume()`, driven by the one [`ConsumerRun`] over the
//! [`PushConsumer`] machine; one `consume()` per object at a time (`CONSUMER_BUSY`). Its messages are
//! the same `JsMsg`s, acked as a pull consumer's.

use super::consumer::{ConsumerRun, RunSink};
use super::pull::Consumer;
use super::{Done, JetStream};
use crate::error::{ErrorCode, NatsError};
use crate::jetstream::pull::PullItem;
use crate::jetstream::push::{JsConsumer, PushConsumer};

/// A running push `consume()` (the pull run's type: one consumer run for both).
pub type PushRun = super::pull::PullRun;

impl JetStream {
    /// `js.consumers.getPushConsumer(stream, name)`: the existing push consumer `name` (names
    /// checked before anything is sent; `CONSUMER_NOT_FOUND`, `STREAM_NOT_FOUND`,
    /// `WRONG_CONSUMER_KIND`).
    pub fn push_consumer(&self, stream: String, name: String, done: Done<Consumer>) {
        self.named_consumer(stream, name, true, done)
    }
}

impl Consumer {
    /// Whether it is a push consumer.
    pub fn is_push(&self) -> bool {
        self.push.is_some()
    }

    /// A push consumer's `consume()`: checks the consumer, subscribes (in its `deliver_group`), and
    /// delivers until stopped; `buffered` (a `for await`): report what the application took with
    /// [`PushRun::handed_out`]. `CONSUMER_BUSY` while this object's last `consume()` runs.
    pub fn push_consume(
        &self,
        abort_on_missing_resource: bool,
        buffered: bool,
        sink: RunSink<PullItem>,
    ) -> Result<PushRun, NatsError> {
        let Some(slot) = &self.push else {
            return Err(NatsError::new(
                ErrorCode::WrongConsumerKind,
                "a pull consumer has no push consume()",
            ));
        };
        if slot.borrow().as_ref().is_some_and(|r| !r.is_ended()) {
            return Err(NatsError::new(
                ErrorCode::ConsumerBusy,
                "this push consumer is consuming already",
            ));
        }
        let machine = PushConsumer::new(
            self.js.api.clone(),
            &self.stream,
            &self.name,
            abort_on_missing_resource,
            buffered,
        );
        let run = ConsumerRun::start(
            &self.js.client,
            JsConsumer::Push(machine),
            self.js.timeout_ms,
            sink,
        );
        *slot.borrow_mut() = Some(run.clone());
        Ok(run)
    }
}
