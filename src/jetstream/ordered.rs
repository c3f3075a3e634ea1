//! The ordered push consumer (ADR-17, KV-SPEC.md §1.5) as a sans-IO state machine.
//!
//! It delivers the stream's messages in order, each once: it tracks the consumer and stream sequences of
//! every delivery, and on a gap (consumer sequence ≠ last + 1, or an idle heartbeat whose
//! `Nats-Last-Consumer` differs from ours), two missed heartbeats, a 409 (consumer deleted), a
//! reconnect, or a failed re-create, it *resets*: unsubscribes the old deliver subject, deletes the old
//! consumer, and creates a new one (new name `<prefix>_<serial>`, new deliver subject
//! `<inbox>.<serial>`) that starts at the last delivered stream sequence + 1. Messages on stale deliver
//! subjects are ignored. Flow-control requests are answered, stalled consumers nudged.
//!
//! Driving it: call [`start`](OrderedConsumer::start) and carry out the [`Command`]s it returns, in
//! order (SUB before the create request); hand the create request's reply to
//! [`on_create_reply`](OrderedConsumer::on_create_reply) with its serial, every message of the deliver
//! subscriptions to [`on_message`](OrderedConsumer::on_message) with the subject of the subscription
//! it arrived on, call
//! [`handle_timeout`](OrderedConsumer::handle_timeout) at [`poll_timeout`](OrderedConsumer::poll_timeout),
//! [`on_disconnect`](OrderedConsumer::on_disconnect)/[`on_reconnect`](OrderedConsumer::on_reconnect) on
//! connection status changes, and [`stop`](OrderedConsumer::stop) at the end. Time is a number of
//! milliseconds given by the caller.

use crate::error::{ErrorCode, NatsError};
use crate::proto::Msg;
use crate::time::Mono;

use super::ack::AckInfo;
use super::api::JsApi;
use super::consumer::{DeliverPolicy, OrderedConfig};
use super::error::api_reply;
use super::headers as hdr;
use super::types::ConsumerInfo;

/// A transport action for the driver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Subscribe to this deliver subject (before sending the create request that follows).
    Subscribe {
        /// The deliver subject.
        subject: String,
    },
    /// Unsubscribe from this deliver subject.
    Unsubscribe {
        /// The deliver subject.
        subject: String,
    },
    /// Send this API request; hand its outcome to `on_create_reply(serial, …)` (a consumer create, or
    /// a pull consumer's CONSUMER.INFO check).
    CreateConsumer {
        /// Which create this is (stale replies are ignored).
        serial: u64,
        /// The CONSUMER.CREATE API subject.
        subject: String,
        /// The consumer configuration JSON.
        body: String,
    },
    /// Send this API request (empty payload) and ignore its outcome.
    DeleteConsumer {
        /// The CONSUMER.DELETE API subject.
        subject: String,
    },
    /// Publish an empty message to this subject (flow-control response, stalled-consumer nudge).
    PublishEmpty {
        /// Where to publish.
        subject: String,
    },
    /// Publish `body` to `subject` with `reply` as the reply subject (a pull request: its messages and
    /// statuses arrive on the subscription to `reply`).
    Publish {
        /// Where to publish (`CONSUMER.MSG.NEXT.<stream>.<consumer>`).
        subject: String,
        /// The reply subject (the pull's inbox).
        reply: String,
        /// The JSON body.
        body: String,
    },
}

/// What the state machine produces, in order.
// Outputs are short-lived and mostly `Message`s: boxing the large variant would cost an allocation each.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    /// A transport action for the driver.
    Command(Command),
    /// The next message of the stream, in order, never twice. `caught_up`: this was the last message
    /// that was pending when the current consumer was created (`pending` reached 0, or as many
    /// messages as its `num_pending` were delivered).
    Message {
        /// The message as delivered.
        msg: Msg,
        /// Its metadata from the `$JS.ACK` reply subject.
        info: AckInfo,
        /// The last message pending at creation (see above).
        caught_up: bool,
    },
    /// A consumer was created (the first one, or one after a reset). `caught_up`: nothing that was
    /// pending at its creation is still to come.
    Created {
        /// The new consumer's info.
        info: ConsumerInfo,
        /// Nothing pending at creation is still to come.
        caught_up: bool,
    },
    /// The consumer failed for good (a first create failed, or a non-transient error); it is stopped
    /// (the `Unsubscribe` and `DeleteConsumer` commands precede this).
    Failed(NatsError),
    /// An idle heartbeat in step with us (same last consumer sequence, not stalled): the server has
    /// nothing more to deliver now. Pending messages that never came were removed before delivery
    /// (a TTL expired, a purge), so whoever waits to catch up is caught up.
    Idle,
}

/// Delay before re-creating after `failures` consecutive failed creates: 250 ms doubling, at most 5 s.
pub fn retry_delay_ms(failures: u32) -> f64 {
    let exp = failures.saturating_sub(1).min(5);
    (250.0 * f64::from(1u32 << exp)).min(5000.0)
}

/// Whether a failed re-create is worth retrying: timeouts, no responders / JetStream unavailable
/// (a restarting server), 5xx, and the consumer-name races of nats.deno#688.
pub fn is_transient(e: &NatsError) -> bool {
    match e.code {
        ErrorCode::Timeout
        | ErrorCode::NoResponders
        | ErrorCode::JetStreamNotEnabled
        | ErrorCode::ConsumerExists => true,
        ErrorCode::JetStreamApi => e.api_code.is_some_and(|c| c >= 500),
        _ => false,
    }
}

/// Whether a request failed before it was sent: the client refused it (its subject, e.g. a filter too
/// long for the control line; its size; its arguments; a draining connection). No server answer has
/// these codes.
pub fn refused_locally(e: &NatsError) -> bool {
    e.api_code.is_none()
        && matches!(
            e.code,
            ErrorCode::InvalidSubject
                | ErrorCode::InvalidArgument
                | ErrorCode::MaxPayloadExceeded
                | ErrorCode::Draining
        )
}

/// The consumer in use.
#[derive(Debug, Clone)]
struct Current {
    serial: u64,
    subject: String,
    name: String,
    /// Deliveries of this consumer so far (= its last consumer sequence).
    last_dseq: u64,
    /// `num_pending` of its create reply, once known.
    init_pending: Option<u64>,
}

/// The ordered push consumer state machine.
#[derive(Debug, Clone)]
pub struct OrderedConsumer {
    api: JsApi,
    cfg: OrderedConfig,
    name_prefix: String,
    deliver_prefix: String,
    serial: u64,
    current: Option<Current>,
    /// Last delivered stream sequence (0: none yet).
    last_sseq: u64,
    /// For a `new` consumer that delivered nothing yet: the stream's last sequence at creation.
    new_floor: Option<u64>,
    started: bool,
    stopped: bool,
    failures: u32,
    retry_at: Option<Mono>,
    heartbeat_deadline: Option<Mono>,
    /// The application is not keeping up: flow-control replies are held back, so the server stops
    /// delivering once its flow-control window is out (backpressure without loss).
    paused: bool,
    /// The flow-control reply held while paused (the latest request or stalled nudge).
    held_fc: Option<String>,
}

impl OrderedConsumer {
    /// A consumer named `oc_<nuid>_<serial>` delivering to `<inbox_prefix>.<nuid>.<serial>`; `nuid`
    /// must be unique (a fresh NUID).
    pub fn new(api: JsApi, cfg: OrderedConfig, nuid: &str, inbox_prefix: &str) -> Self {
        OrderedConsumer {
            api,
            cfg,
            name_prefix: format!("oc_{nuid}"),
            deliver_prefix: format!("{inbox_prefix}.{nuid}"),
            serial: 0,
            current: None,
            last_sseq: 0,
            new_floor: None,
            started: false,
            stopped: false,
            failures: 0,
            retry_at: None,
            heartbeat_deadline: None,
            paused: false,
            held_fc: None,
        }
    }

    /// Pauses or resumes delivery. While paused, flow-control requests and stalled nudges are not
    /// answered, so the server stops after its flow-control window; resuming answers the held one.
    pub fn set_paused(&mut self, paused: bool) -> Vec<Output> {
        self.paused = paused;
        match self.held_fc.take() {
            Some(subject) if !paused => vec![Output::Command(Command::PublishEmpty { subject })],
            held => {
                self.held_fc = held;
                Vec::new()
            }
        }
    }

    /// Answers a flow-control subject now, or holds it while paused.
    fn flow_control(&mut self, subject: String, out: &mut Vec<Output>) {
        if self.paused {
            self.held_fc = Some(subject);
        } else {
            out.push(Output::Command(Command::PublishEmpty { subject }));
        }
    }

    /// Creates the first consumer.
    pub fn start(&mut self, now: Mono) -> Vec<Output> {
        let mut out = Vec::new();
        if self.current.is_none() && !self.stopped {
            self.recreate(now, &mut out);
        }
        out
    }

    /// The current deliver subject.
    pub fn deliver_subject(&self) -> Option<&str> {
        self.current.as_ref().map(|c| c.subject.as_str())
    }
    /// The current consumer's name.
    pub fn consumer_name(&self) -> Option<&str> {
        self.current.as_ref().map(|c| c.name.as_str())
    }
    /// The last delivered stream sequence (0 if none).
    pub fn last_stream_seq(&self) -> u64 {
        self.last_sseq
    }
    /// Whether a consumer was created at least once.
    pub fn is_started(&self) -> bool {
        self.started
    }
    /// Whether it stopped (by `stop` or a failure).
    pub fn is_stopped(&self) -> bool {
        self.stopped
    }

    /// Where the next consumer starts: after the last delivery, else the original policy (a `new`
    /// consumer whose creation was seen continues after the stream's last sequence at that time).
    fn next_policy(&self) -> DeliverPolicy {
        if self.last_sseq > 0 {
            return DeliverPolicy::ByStartSequence(self.last_sseq.saturating_add(1));
        }
        match (self.cfg.deliver_policy, self.new_floor) {
            (DeliverPolicy::New, Some(floor)) => {
                DeliverPolicy::ByStartSequence(floor.saturating_add(1))
            }
            (policy, _) => policy,
        }
    }

    /// Unsubscribes from the current consumer (if any) and, when `delete`, deletes it on the server.
    fn drop_current(&mut self, delete: bool, out: &mut Vec<Output>) {
        self.held_fc = None;
        if let Some(old) = self.current.take() {
            out.push(Output::Command(Command::Unsubscribe {
                subject: old.subject,
            }));
            if delete {
                out.push(Output::Command(Command::DeleteConsumer {
                    subject: self.api.consumer_delete(&self.cfg.stream, &old.name),
                }));
            }
        }
    }

    /// Drops the current consumer (if any) and creates the next one.
    fn recreate(&mut self, _now: Mono, out: &mut Vec<Output>) {
        self.drop_current(true, out);
        self.serial += 1;
        self.retry_at = None;
        self.heartbeat_deadline = None;
        let name = format!("{}_{}", self.name_prefix, self.serial);
        let subject = format!("{}.{}", self.deliver_prefix, self.serial);
        let req = self
            .cfg
            .create_request(&self.api, &name, &subject, self.next_policy());
        out.push(Output::Command(Command::Subscribe {
            subject: subject.clone(),
        }));
        out.push(Output::Command(Command::CreateConsumer {
            serial: self.serial,
            subject: req.subject,
            body: req.body,
        }));
        self.current = Some(Current {
            serial: self.serial,
            subject,
            name,
            last_dseq: 0,
            init_pending: None,
        });
    }

    /// Stops after the create request of the current consumer failed with `e`: unsubscribes, and
    /// deletes the consumer unless the request was refused locally (it never reached the server).
    fn fail(&mut self, e: NatsError, out: &mut Vec<Output>) {
        self.stopped = true;
        self.retry_at = None;
        self.heartbeat_deadline = None;
        self.drop_current(!refused_locally(&e), out);
        out.push(Output::Failed(e));
    }

    fn arm_heartbeat(&mut self, now: Mono) {
        self.heartbeat_deadline = Some(now.plus(2.0 * self.cfg.idle_heartbeat_ms as f64));
    }

    /// The outcome of the create request `serial` (stale serials are ignored).
    pub fn on_create_reply(
        &mut self,
        serial: u64,
        result: Result<Msg, NatsError>,
        now: Mono,
    ) -> Vec<Output> {
        let mut out = Vec::new();
        let current = match &self.current {
            Some(c) if c.serial == serial && !self.stopped => c,
            _ => return out,
        };
        let info = api_reply(result, self.cfg.error_context)
            .and_then(|json| ConsumerInfo::from_json(&json));
        match info {
            Ok(info) => {
                let caught_up = info.num_pending == 0 || current.last_dseq >= info.num_pending;
                if self.last_sseq == 0 && self.cfg.deliver_policy == DeliverPolicy::New {
                    self.new_floor = Some(info.delivered_stream_seq);
                }
                if let Some(c) = self.current.as_mut() {
                    c.init_pending = Some(info.num_pending);
                    if !info.name.is_empty() {
                        c.name.clone_from(&info.name);
                    }
                }
                self.started = true;
                self.failures = 0;
                self.arm_heartbeat(now);
                out.push(Output::Created { info, caught_up });
            }
            Err(e) if self.started && is_transient(&e) => {
                self.failures = self.failures.saturating_add(1);
                self.retry_at = Some(now.plus(retry_delay_ms(self.failures)));
            }
            Err(e) => self.fail(e, &mut out),
        }
        out
    }

    /// A message that arrived on the subscription to deliver subject `subscription` (the driver maps
    /// the message's sid to the subject it subscribed for the `Subscribe` command). Data messages keep
    /// their stored subject (`$KV.b.key`), so routing is by subscription, not by `msg.subject`;
    /// messages of a stale subscription are ignored.
    pub fn on_message(&mut self, subscription: &str, msg: Msg, now: Mono) -> Vec<Output> {
        let mut out = Vec::new();
        if self.stopped {
            return out;
        }
        let Some(current) = self.current.as_ref() else {
            return out;
        };
        if subscription != current.subject {
            return out;
        }
        let last_dseq = current.last_dseq;
        // The consumer evidently exists (its create reply may have been lost): no retry needed.
        self.retry_at = None;
        self.arm_heartbeat(now);
        let status = msg.headers.as_ref().map_or(0, |h| h.code);
        match status {
            0 => {}
            100 => {
                if let Some(reply) = msg.reply.filter(|r| !r.is_empty()) {
                    // Flow-control request.
                    self.flow_control(reply, &mut out);
                    return out;
                }
                // Idle heartbeat.
                let Some(h) = msg.headers else {
                    return out;
                };
                let stalled = h.get(hdr::CONSUMER_STALLED).filter(|s| !s.is_empty());
                if let Some(stalled) = stalled {
                    self.flow_control(stalled.to_owned(), &mut out);
                }
                let last = h
                    .get(hdr::LAST_CONSUMER)
                    .and_then(|v| v.parse::<u64>().ok());
                match last {
                    Some(l) if l != last_dseq => self.recreate(now, &mut out),
                    Some(_) if stalled.is_none() => out.push(Output::Idle),
                    _ => {}
                }
                return out;
            }
            409 => {
                self.recreate(now, &mut out);
                return out;
            }
            _ => return out,
        }
        let Some(info) = msg.reply.as_deref().and_then(AckInfo::parse) else {
            return out;
        };
        if last_dseq.checked_add(1) != Some(info.consumer_seq) {
            self.recreate(now, &mut out);
            return out;
        }
        let Some(current) = self.current.as_mut() else {
            return out;
        };
        current.last_dseq = info.consumer_seq;
        if info.stream_seq <= self.last_sseq {
            return out;
        }
        self.last_sseq = info.stream_seq;
        let caught_up =
            info.pending == 0 || current.init_pending.is_some_and(|n| info.consumer_seq >= n);
        out.push(Output::Message {
            msg,
            info,
            caught_up,
        });
        out
    }

    /// When [`handle_timeout`](Self::handle_timeout) is due next.
    pub fn poll_timeout(&self) -> Option<Mono> {
        if self.stopped {
            return None;
        }
        match (self.retry_at, self.heartbeat_deadline) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Retries a failed create, or resets after two missed heartbeats.
    pub fn handle_timeout(&mut self, now: Mono) -> Vec<Output> {
        let mut out = Vec::new();
        if self.stopped {
            return out;
        }
        let due = |t: Option<Mono>| t.is_some_and(|t| t <= now);
        if due(self.retry_at) || due(self.heartbeat_deadline) {
            self.recreate(now, &mut out);
        }
        out
    }

    /// The connection dropped: heartbeats cannot arrive, so stop expecting them until reconnected.
    pub fn on_disconnect(&mut self) {
        self.heartbeat_deadline = None;
        self.retry_at = None;
    }

    /// The connection is back: the consumer may be gone (server restart) or have lost messages, so
    /// reset from the last delivered stream sequence + 1. Before the first create reply, nothing to do
    /// (the pending create request answers).
    pub fn on_reconnect(&mut self, now: Mono) -> Vec<Output> {
        let mut out = Vec::new();
        if !self.stopped && self.started {
            self.failures = 0;
            self.recreate(now, &mut out);
        }
        out
    }

    /// Stops: unsubscribes and deletes the current consumer.
    pub fn stop(&mut self) -> Vec<Output> {
        let mut out = Vec::new();
        if self.stopped {
            return out;
        }
        self.stopped = true;
        self.retry_at = None;
        self.heartbeat_deadline = None;
        self.drop_current(true, &mut out);
        out
    }
}
