//! Push consumers: `js.consumers.getPushConsumer(stream, name)` (CONSUMER.INFO; a pull consumer is
//! `WRONG_CONSUMER_KIND`) and its `consume()`, driven by the one [`ConsumerRun`] over the
//! [`PushConsumer`] machine; one `consume()` per object at a time (`CONSUMER_BUSY`). Its messages are
//! the same `JsMsg`s, acked as a pull consumer's.

use super::consumer::{ConsumerRun, RunSink};
use super::pull::{is_push, Consumer};
use super::{Done, JetStream};
use crate::error::{ErrorCode, NatsError};
use crate::jetstream::api::ApiRequest;
use crate::jetstream::config::validate_name;
use crate::jetstream::error::ErrorContext;
use crate::jetstream::pull::PullItem;
use crate::jetstream::push::PushConsumer;

/// A running push `consume()`.
pub type PushRun = ConsumerRun<PushConsumer>;

impl JetStream {
    /// `js.consumers.getPushConsumer(stream, name)`: the existing push consumer `name` (names
    /// checked before anything is sent; `CONSUMER_NOT_FOUND`, `STREAM_NOT_FOUND`,
    /// `WRONG_CONSUMER_KIND`).
    pub fn push_consumer(&self, stream: String, name: String, done: Done<Consumer>) {
        if let Err(e) =
            validate_name("stream", &stream).and_then(|()| validate_name("consumer", &name))
        {
            return done(Err(e));
        }
        let js = self.clone();
        self.call(
            ApiRequest::empty(self.api.consumer_info(&stream, &name)),
            ErrorContext::General,
            Box::new(move |r| {
                done(r.and_then(|info| {
                    if !is_push(&info) {
                        return Err(NatsError::new(
                            ErrorCode::WrongConsumerKind,
                            format!("consumer {name} of stream {stream} is a pull consumer, not a push consumer"),
                        ));
                    }
                    Ok(Consumer::named(js, stream, name, info, true))
                }))
            }),
        );
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
        let run = ConsumerRun::start(&self.js.client, machine, self.js.timeout_ms, sink);
        *slot.borrow_mut() = Some(run.clone());
        Ok(run)
    }
}
