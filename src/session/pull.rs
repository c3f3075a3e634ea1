//! Pull consumers: `js.consumers.get(stream, name)` (CONSUMER.INFO; a push consumer is
//! `WRONG_CONSUMER_KIND`), a bound [`Consumer`]'s `info`/`delete`, and `fetch`/`next`/`consume`
//! driven by the one [`ConsumerRun`] over the [`PullConsumer`] machine; and the acks of a delivered
//! `JsMsg` (`ack`, `nak`, `working`, `term`, `ackAck`) with the final-ack rule of
//! [`AckState`](crate::jetstream::ack::AckState).

use std::cell::RefCell;
use std::rc::Rc;

use super::consumer::{ConsumerRun, RunEvent, RunSink};
use super::{Client, Done, JetStream};
use crate::error::{ErrorCode, NatsError};
use crate::jetstream::ack::{AckKind, AckState, JsMsg};
use crate::jetstream::api::ApiRequest;
use crate::jetstream::config::validate_name;
use crate::jetstream::error::ErrorContext;
use crate::jetstream::pull::{PullArgs, PullConsumer, PullItem, PullOptions};
use crate::jetstream::ConsumerMachine;
use crate::proto::json::Json;

/// A running `fetch()` or `consume()`.
pub type PullRun = ConsumerRun<PullConsumer>;

/// A bound pull consumer (cheap to clone).
#[derive(Clone)]
pub struct Consumer {
    js: JetStream,
    stream: Rc<str>,
    name: Rc<str>,
    info: Rc<RefCell<Json>>,
}

/// Whether a ConsumerInfo is of a push consumer (it has a `deliver_subject`).
fn is_push(info: &Json) -> bool {
    info.get("config")
        .and_then(|c| c.get("deliver_subject"))
        .and_then(Json::as_str)
        .is_some_and(|s| !s.is_empty())
}

fn wrong_kind(stream: &str, name: &str) -> NatsError {
    NatsError::new(
        ErrorCode::WrongConsumerKind,
        format!("consumer {name} of stream {stream} is a push consumer, not a pull consumer"),
    )
}

impl JetStream {
    /// `js.consumers.get(stream, name)`: the existing pull consumer `name` (names checked before
    /// anything is sent; `CONSUMER_NOT_FOUND`, `STREAM_NOT_FOUND`, `WRONG_CONSUMER_KIND`).
    pub fn pull_consumer(&self, stream: String, name: String, done: Done<Consumer>) {
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
                    if is_push(&info) {
                        return Err(wrong_kind(&stream, &name));
                    }
                    Ok(Consumer {
                        js,
                        stream: stream.into(),
                        name: name.into(),
                        info: Rc::new(RefCell::new(info)),
                    })
                }))
            }),
        );
    }
}

impl Consumer {
    /// The stream's name.
    pub fn stream(&self) -> &str {
        &self.stream
    }
    /// The consumer's name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The connection (acks are sent on it).
    pub fn client(&self) -> &Client {
        &self.js.client
    }
    /// The JetStream call timeout, ms (`ackAck()`'s default).
    pub fn timeout_ms(&self) -> f64 {
        self.js.timeout_ms
    }
    /// Whether its `ack_policy` is `none` (acks send nothing), per the last info.
    pub fn no_ack(&self) -> bool {
        self.info
            .borrow()
            .get("config")
            .and_then(|c| c.get("ack_policy"))
            .and_then(Json::as_str)
            == Some("none")
    }

    /// `info(cached)`: the last ConsumerInfo, or a fresh one (which then becomes the cached one).
    pub fn info(&self, cached: bool, done: Done<Json>) {
        if cached {
            return done(Ok(self.info.borrow().clone()));
        }
        let me = self.clone();
        self.js.call(
            ApiRequest::empty(self.js.api.consumer_info(&self.stream, &self.name)),
            ErrorContext::General,
            Box::new(move |r| {
                if let Ok(info) = &r {
                    *me.info.borrow_mut() = info.clone();
                }
                done(r)
            }),
        );
    }

    /// `delete()`: CONSUMER.DELETE → `true`.
    pub fn delete(&self, done: Done<bool>) {
        self.js.call(
            ApiRequest::empty(self.js.api.consumer_delete(&self.stream, &self.name)),
            ErrorContext::General,
            Box::new(move |r| {
                done(r.map(|json| json.get("success").and_then(Json::as_bool).unwrap_or(false)))
            }),
        );
    }

    fn run(&self, opts: PullOptions, sink: RunSink<PullItem>) -> PullRun {
        let client = &self.js.client;
        let inbox = format!("{}.{}", client.inbox_prefix(), client.next_nuid());
        let mut machine = PullConsumer::new(
            self.js.api.clone(),
            &self.stream,
            &self.name,
            inbox,
            opts,
            self.no_ack(),
        );
        // Started while reconnecting: the first pull waits for the reconnect (a publish buffered
        // now would go out next to the reconnect's pull).
        if !client.is_connected() {
            machine.on_disconnect();
        }
        ConsumerRun::start(client, machine, self.js.timeout_ms, sink)
    }

    /// `fetch(opts)`: one batch; `sink` gets `Started`, the messages and statuses, then the end
    /// (`INVALID_ARGUMENT` at once for bad options, before anything is sent).
    pub fn fetch(&self, args: &PullArgs, sink: RunSink<PullItem>) -> Result<PullRun, NatsError> {
        Ok(self.run(PullOptions::fetch(args)?, sink))
    }

    /// `consume(opts)`: pulls until stopped; with `args.buffered` (a `for await`), the caller reports
    /// what the application took with [`PullRun::handed_out`].
    pub fn consume(&self, args: &PullArgs, sink: RunSink<PullItem>) -> Result<PullRun, NatsError> {
        Ok(self.run(PullOptions::consume(args)?, sink))
    }

    /// `next({expires})`: a fetch of one; `None` when nothing came within `expires`.
    pub fn next(&self, expires: Option<f64>, done: Done<Option<JsMsg>>) {
        let opts = match PullOptions::next(expires) {
            Ok(o) => o,
            Err(e) => return done(Err(e)),
        };
        let mut got: Option<JsMsg> = None;
        let mut done = Some(done);
        // The run lives until it ends: its sink holds it (the run drops its sink at the end).
        let keep: Rc<RefCell<Option<PullRun>>> = Rc::default();
        let kept = keep.clone();
        let sink: RunSink<PullItem> = Box::new(move |ev| match ev {
            RunEvent::Items(items) => {
                for item in items {
                    if let PullItem::Msg(m) = item {
                        got.get_or_insert(m);
                    }
                }
            }
            RunEvent::Ended(end) => {
                kept.borrow_mut().take();
                if let Some(done) = done.take() {
                    done(match end {
                        None => Ok(got.take()),
                        Some(e) => Err(e),
                    });
                }
            }
            RunEvent::Started | RunEvent::Initialized => {}
        });
        let run = self.run(opts, sink);
        if !run.with_machine(|m| m.is_done()) {
            *keep.borrow_mut() = Some(run);
        }
    }
}

/// `ack()`, `nak(ms)`, `working()`, `term(reason)` of a message in ack state `state`: sends what the
/// final-ack rule allows (buffered while disconnected) and returns the new state. Throws
/// `CONNECTION_CLOSED` after `close()`.
pub fn ack(
    client: &Client,
    ack_subject: &str,
    state: AckState,
    kind: &AckKind,
) -> Result<AckState, NatsError> {
    if client.is_closed() {
        return Err(NatsError::connection_closed("the connection is closed"));
    }
    let (payload, next) = state.apply(kind);
    if let Some(p) = payload {
        client.publish(ack_subject, None, None, &p)?;
    }
    Ok(next)
}

/// `ackAck({timeout})`: acks with a reply; `true` once the server confirms, `false` if a final ack
/// was sent before (or the consumer acks nothing), `TIMEOUT` if unconfirmed. Returns the new state
/// at once (the ack is final from now on).
pub fn ack_ack(
    client: &Client,
    ack_subject: &str,
    state: AckState,
    timeout_ms: f64,
    done: Done<bool>,
) -> AckState {
    if state != AckState::Open {
        done(Ok(false));
        return state;
    }
    client.request(
        ack_subject,
        &AckKind::Ack.payload(),
        None,
        timeout_ms,
        Box::new(move |r| done(r.map(|_| true))),
    );
    AckState::Settled
}
