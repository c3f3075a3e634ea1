//! The pull consumer (ADR-37, JETSTREAM-SPEC.md §4) as a sans-IO state machine: `fetch()`, `next()`
//! and `consume()` of a named consumer.
//!
//! One inbox subscription per call; pull requests are published to `CONSUMER.MSG.NEXT.<s>.<c>` with
//! the inbox as reply, and the messages and statuses of every request arrive there. The machine
//! counts what it asked for (`requested`: messages and bytes not received yet) and, for `consume()`,
//! what it handed to an application that did not take it yet (`held`): the window is the sum of both,
//! so a slow `for await` holds at most `max_messages` (`max_bytes`). It pulls again when the window
//! is half empty, subtracts the `Nats-Pending-Messages`/`-Bytes` of every status that has them,
//! watches idle heartbeats (two missed: a fetch fails, a consume checks the consumer and pulls
//! again), pauses while disconnected and pulls again after a reconnect. Every status of §4.2 is
//! handled as API.md "Behaviour details" and "Deliberate differences" say.
//!
//! Messages and status notifications come out as [`PullItem`]s, in the order they arrived.

use std::collections::VecDeque;

use crate::error::{ErrorCode, NatsError};
use crate::proto::json::Json;
use crate::proto::num::f64_text;
use crate::proto::Msg;
use crate::time::{Mono, MAX_TIMER_MS};

use super::ack::{msg_size, JsMsg};
use super::api::JsApi;
use super::error::{api_reply, ErrorContext};
use super::headers as hdr;
use super::machine::{ConsumerMachine, Step};
use super::ordered::Command;

/// `fetch()`/`consume()`'s default `max_messages` when neither limit is given.
pub const DEFAULT_MAX_MESSAGES: u64 = 100;
/// The `batch` of a pull limited by bytes alone (ADR-37: no message cap).
pub const BYTES_ONLY_BATCH: u64 = 1_000_000;
/// Default `expires`, ms.
pub const DEFAULT_EXPIRES_MS: u64 = 30_000;
/// Smallest `expires`, ms.
pub const MIN_EXPIRES_MS: u64 = 1_000;
/// The default idle heartbeat is `expires / 2` within these bounds, ms.
pub const HEARTBEAT_BOUNDS_MS: (u64, u64) = (500, 30_000);
/// How long after its `expires` a fetch ends at the latest when the server's status never comes.
pub const FETCH_GRACE_MS: u64 = 1_000;
/// `Nats-Pending-Messages` of a status: messages of the request that will not come.
pub const PENDING_MESSAGES: &str = "Nats-Pending-Messages";
/// `Nats-Pending-Bytes` of a status: bytes of the request that will not come.
pub const PENDING_BYTES: &str = "Nats-Pending-Bytes";

/// The options of `fetch()`, `next()` and `consume()` as JavaScript gives them (numbers in ms).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PullArgs {
    /// `max_messages`.
    pub max_messages: Option<f64>,
    /// `max_bytes`.
    pub max_bytes: Option<f64>,
    /// `expires`, ms.
    pub expires: Option<f64>,
    /// `idle_heartbeat`, ms.
    pub idle_heartbeat: Option<f64>,
    /// `no_wait` (fetch only).
    pub no_wait: bool,
    /// `threshold_messages` (consume only).
    pub threshold_messages: Option<f64>,
    /// `threshold_bytes` (consume only).
    pub threshold_bytes: Option<f64>,
    /// `abort_on_missing_resource` (consume only).
    pub abort_on_missing_resource: bool,
    /// `consume()` without a callback: items stay held until handed out (see
    /// [`ConsumerMachine::on_handed_out`]).
    pub buffered: bool,
}

/// What the call is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PullMode {
    /// `fetch()` (`next()` is a fetch of 1): one batch, then the end.
    Fetch,
    /// `consume()`: pulls until stopped.
    Consume,
}

/// Validated options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullOptions {
    /// Fetch or consume.
    pub mode: PullMode,
    /// Messages per batch / window (`BYTES_ONLY_BATCH` when limited by bytes alone).
    pub max_messages: u64,
    /// Bytes per batch / window, if limited by bytes.
    pub max_bytes: Option<u64>,
    /// Each pull request's `expires`, ms.
    pub expires_ms: u64,
    /// Each pull request's `idle_heartbeat`, ms (0: none, for `no_wait`).
    pub heartbeat_ms: u64,
    /// Take what is pending now (fetch).
    pub no_wait: bool,
    /// Pull again when the window holds at most this many messages (consume).
    pub threshold_messages: u64,
    /// Pull again when the window holds at most this many bytes (consume, bytes mode).
    pub threshold_bytes: u64,
    /// End on a missing consumer or stream instead of retrying (consume).
    pub abort_on_missing_resource: bool,
    /// Items are held until handed out (consume without a callback).
    pub buffered: bool,
}

fn invalid(what: &str) -> NatsError {
    NatsError::invalid_argument(format!("invalid pull option: {what}"))
}

/// A whole number of 1..=`max` (an `INVALID_ARGUMENT` naming `name` otherwise).
fn whole(v: Option<f64>, name: &str, min: f64, max: f64) -> Result<Option<u64>, NatsError> {
    match v {
        None => Ok(None),
        Some(x) if x.is_finite() && x.fract() == 0.0 && x >= min && x <= max => Ok(Some(x as u64)),
        // `f64_text`, not `{}`: float formatting would pull core's float printer into the .wasm.
        Some(_) => Err(invalid(&format!(
            "{name} must be a whole number of {}..{}",
            f64_text(min),
            f64_text(max)
        ))),
    }
}

impl PullOptions {
    /// `fetch()`'s options.
    pub fn fetch(args: &PullArgs) -> Result<PullOptions, NatsError> {
        if args.threshold_messages.is_some() || args.threshold_bytes.is_some() {
            return Err(invalid("thresholds are consume() options"));
        }
        if args.abort_on_missing_resource {
            return Err(invalid("abort_on_missing_resource is a consume() option"));
        }
        Self::validate(args, PullMode::Fetch)
    }

    /// `next()`'s options: a fetch of one message.
    pub fn next(expires: Option<f64>) -> Result<PullOptions, NatsError> {
        Self::fetch(&PullArgs {
            max_messages: Some(1.0),
            expires,
            ..PullArgs::default()
        })
    }

    /// `consume()`'s options.
    pub fn consume(args: &PullArgs) -> Result<PullOptions, NatsError> {
        if args.no_wait {
            return Err(invalid("no_wait is a fetch() option"));
        }
        Self::validate(args, PullMode::Consume)
    }

    fn validate(args: &PullArgs, mode: PullMode) -> Result<PullOptions, NatsError> {
        let safe = crate::time::MAX_SAFE_INTEGER;
        let max_messages = whole(
            args.max_messages,
            "max_messages",
            1.0,
            BYTES_ONLY_BATCH as f64,
        )?;
        let max_bytes = whole(args.max_bytes, "max_bytes", 1.0, safe)?;
        if max_messages.is_some() && max_bytes.is_some() {
            return Err(invalid("max_messages and max_bytes exclude each other"));
        }
        let expires_ms = whole(args.expires, "expires", MIN_EXPIRES_MS as f64, MAX_TIMER_MS)?
            .unwrap_or(DEFAULT_EXPIRES_MS);
        let heartbeat_ms = match whole(args.idle_heartbeat, "idle_heartbeat", 1.0, MAX_TIMER_MS)? {
            Some(hb) if hb.saturating_mul(2) > expires_ms => {
                return Err(invalid("idle_heartbeat must be at most expires / 2"))
            }
            Some(hb) => hb,
            None => (expires_ms / 2).clamp(HEARTBEAT_BOUNDS_MS.0, HEARTBEAT_BOUNDS_MS.1),
        };
        let (max_messages, bytes_mode) = match (max_messages, max_bytes) {
            (Some(m), _) => (m, false),
            (None, Some(_)) => (BYTES_ONLY_BATCH, true),
            (None, None) => (DEFAULT_MAX_MESSAGES, false),
        };
        let threshold_messages = whole(args.threshold_messages, "threshold_messages", 0.0, safe)?;
        let threshold_bytes = whole(args.threshold_bytes, "threshold_bytes", 0.0, safe)?;
        if bytes_mode && threshold_messages.is_some() {
            return Err(invalid("threshold_messages goes with max_messages"));
        }
        if !bytes_mode && threshold_bytes.is_some() {
            return Err(invalid("threshold_bytes goes with max_bytes"));
        }
        if threshold_messages.is_some_and(|t| t > max_messages)
            || threshold_bytes.is_some_and(|t| max_bytes.is_some_and(|m| t > m))
        {
            return Err(invalid("a threshold above its maximum"));
        }
        Ok(PullOptions {
            mode,
            max_messages,
            max_bytes,
            expires_ms,
            heartbeat_ms: if args.no_wait { 0 } else { heartbeat_ms },
            no_wait: args.no_wait,
            threshold_messages: threshold_messages.unwrap_or(max_messages / 2),
            threshold_bytes: threshold_bytes.unwrap_or(max_bytes.unwrap_or(0) / 2),
            abort_on_missing_resource: args.abort_on_missing_resource,
            buffered: args.buffered && mode == PullMode::Consume,
        })
    }
}

/// A `status()` event of `ConsumerMessages` (nats.js's `ConsumerNotification`s).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notification {
    /// `heartbeats_missed {count}`.
    HeartbeatsMissed {
        /// Heartbeats missed in a row.
        count: u32,
    },
    /// `heartbeat {lastConsumerSequence, lastStreamSequence}`.
    Heartbeat {
        /// `Nats-Last-Consumer`.
        last_consumer_seq: u64,
        /// `Nats-Last-Stream`.
        last_stream_seq: u64,
    },
    /// `next {options}`: a pull request went out.
    Next {
        /// Its `batch`.
        batch: u64,
        /// Its `max_bytes` (0: none).
        max_bytes: u64,
        /// Its `expires`, ms.
        expires_ms: u64,
    },
    /// `discard {messagesLeft, bytesLeft}`: a status said this much of a request will not come.
    Discard {
        /// Messages that will not come.
        messages_left: u64,
        /// Bytes that will not come.
        bytes_left: u64,
    },
    /// `exceeded_limits {code, description}`: a `409 Exceeded …` or a message over `max_bytes`.
    ExceededLimits {
        /// The status code.
        code: u16,
        /// The server's text.
        description: String,
    },
    /// `consumer_deleted {code, description}`.
    ConsumerDeleted {
        /// The status code.
        code: u16,
        /// The server's text.
        description: String,
    },
    /// `debug {code, description}`: a status with no other meaning here.
    Debug {
        /// The status code.
        code: u16,
        /// The server's text.
        description: String,
    },
    /// `no_responders {code}`.
    NoResponders {
        /// The status code (503).
        code: u16,
    },
    /// `consumer_not_found {name, stream, count}`.
    ConsumerNotFound {
        /// The consumer.
        name: String,
        /// Its stream.
        stream: String,
        /// Checks that found it missing, in a row.
        count: u32,
    },
    /// `stream_not_found {name}`.
    StreamNotFound {
        /// The stream.
        name: String,
    },
    /// `flow_control`.
    FlowControl,
}

impl Notification {
    /// As `ConsumerMessages.status()` yields it: `{"type":…, …fields}` with nats.js's names.
    pub fn to_json(&self) -> Json {
        let int = |n: u64| Json::Int(i64::try_from(n).unwrap_or(i64::MAX));
        let text = |s: &str| Json::Str(s.to_owned());
        let (kind, mut fields): (&str, Vec<(&str, Json)>) = match self {
            Notification::HeartbeatsMissed { count } => {
                ("heartbeats_missed", vec![("count", int(u64::from(*count)))])
            }
            Notification::Heartbeat {
                last_consumer_seq,
                last_stream_seq,
            } => (
                "heartbeat",
                vec![
                    ("lastConsumerSequence", int(*last_consumer_seq)),
                    ("lastStreamSequence", int(*last_stream_seq)),
                ],
            ),
            Notification::Next {
                batch,
                max_bytes,
                expires_ms,
            } => {
                let options = Json::Obj(vec![
                    ("batch".into(), int(*batch)),
                    ("max_bytes".into(), int(*max_bytes)),
                    ("expires".into(), int(*expires_ms)),
                ]);
                ("next", vec![("options", options)])
            }
            Notification::Discard {
                messages_left,
                bytes_left,
            } => (
                "discard",
                vec![
                    ("messagesLeft", int(*messages_left)),
                    ("bytesLeft", int(*bytes_left)),
                ],
            ),
            Notification::ExceededLimits { code, description }
            | Notification::ConsumerDeleted { code, description }
            | Notification::Debug { code, description } => {
                let kind = match self {
                    Notification::ExceededLimits { .. } => "exceeded_limits",
                    Notification::ConsumerDeleted { .. } => "consumer_deleted",
                    _ => "debug",
                };
                (
                    kind,
                    vec![
                        ("code", int(u64::from(*code))),
                        ("description", text(description)),
                    ],
                )
            }
            Notification::NoResponders { code } => {
                ("no_responders", vec![("code", int(u64::from(*code)))])
            }
            Notification::ConsumerNotFound {
                name,
                stream,
                count,
            } => (
                "consumer_not_found",
                vec![
                    ("name", text(name)),
                    ("stream", text(stream)),
                    ("count", int(u64::from(*count))),
                ],
            ),
            Notification::StreamNotFound { name } => {
                ("stream_not_found", vec![("name", text(name))])
            }
            Notification::FlowControl => ("flow_control", Vec::new()),
        };
        let mut obj = vec![("type".to_owned(), text(kind))];
        obj.extend(fields.drain(..).map(|(k, v)| (k.to_owned(), v)));
        Json::Obj(obj)
    }
}

/// What a pull consumer hands out, in order.
// Mostly `Msg`s: boxing them would cost an allocation each.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum PullItem {
    /// A message.
    Msg(JsMsg),
    /// A status notification.
    Status(Notification),
}

/// A pull consumer's step.
pub type PullStep = Step<PullItem>;

/// What a status message on the inbox means (JETSTREAM-SPEC.md §4.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PullStatus {
    /// `100 Idle Heartbeat`.
    Heartbeat,
    /// `100 FlowControl Request` (with a reply subject).
    FlowControl,
    /// `404 No Messages`.
    NoMessages,
    /// `408 Request Timeout`, `408 Interest Expired`, `408 Requests Pending`.
    Expired,
    /// `409 Message Size Exceeds MaxBytes`.
    SizeExceedsMaxBytes,
    /// `409 Batch Completed`.
    BatchCompleted,
    /// `409 Exceeded MaxWaiting`, `MaxRequestBatch of n`, `MaxRequestExpires of d`,
    /// `MaxRequestMaxBytes of n`.
    Exceeded,
    /// `409 Consumer Deleted`.
    ConsumerDeleted,
    /// `409 Consumer is push based`.
    PushBased,
    /// `409 Leadership Change`.
    LeadershipChange,
    /// `409 Server Shutdown`.
    ServerShutdown,
    /// `400 Bad Request …`.
    BadRequest,
    /// `503`: nobody answers the pull subject.
    NoResponders,
    /// Anything else (`423` pin statuses, unknown codes).
    Other,
}

impl PullStatus {
    /// Classifies a status `code` and description.
    pub fn classify(code: u16, description: &str, has_reply: bool) -> PullStatus {
        let d = description.to_ascii_lowercase();
        match code {
            100 if has_reply || d.contains("flow") => PullStatus::FlowControl,
            100 => PullStatus::Heartbeat,
            404 => PullStatus::NoMessages,
            408 => PullStatus::Expired,
            409 if d.contains("message size exceeds maxbytes") => PullStatus::SizeExceedsMaxBytes,
            409 if d.contains("batch completed") => PullStatus::BatchCompleted,
            409 if d.contains("exceeded max") => PullStatus::Exceeded,
            409 if d.contains("consumer deleted") => PullStatus::ConsumerDeleted,
            409 if d.contains("push based") => PullStatus::PushBased,
            409 if d.contains("leadership change") => PullStatus::LeadershipChange,
            409 if d.contains("server shutdown") => PullStatus::ServerShutdown,
            400 => PullStatus::BadRequest,
            503 => PullStatus::NoResponders,
            _ => PullStatus::Other,
        }
    }
}

/// Where the machine stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Pulling (or waiting for room in the window).
    Pulling,
    /// A CONSUMER.INFO check is under way (its serial).
    Checking(u64),
    /// Waiting until `retry_at` to check the consumer again.
    Waiting,
    /// Ended.
    Done,
}

/// Why a check was started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CheckCause {
    /// Missed heartbeats or a retry: pull again if it exists.
    Recover,
    /// A fetch's pull found no responders: the check says why.
    NoResponders,
}

/// The pull consumer state machine.
#[derive(Debug, Clone)]
pub struct PullConsumer {
    api: JsApi,
    stream: String,
    consumer: String,
    inbox: String,
    opts: PullOptions,
    no_ack: bool,
    phase: Phase,
    check_cause: CheckCause,
    started: bool,
    connected: bool,
    serial: u64,
    /// Requested and not received (or discarded) yet.
    req_msgs: u64,
    req_bytes: u64,
    /// The sizes of the messages received and not handed out yet (buffered consume), oldest first.
    held: VecDeque<u64>,
    held_bytes: u64,
    /// Received in all.
    received_msgs: u64,
    received_bytes: u64,
    /// Handed out in all.
    processed: u64,
    /// The last pull request's (batch, max_bytes).
    last_pull: (u64, u64),
    /// The heartbeat interval of the outstanding requests.
    heartbeat_ms: u64,
    heartbeat_deadline: Option<Mono>,
    /// No pull before this (after `409 Exceeded …`, a message over `max_bytes`).
    hold_until: Option<Mono>,
    /// The next consumer check (phase `Waiting`).
    retry_at: Option<Mono>,
    /// A fetch ends at the latest here.
    fetch_end: Option<Mono>,
    /// Consecutive checks that found the consumer missing.
    missing: u32,
}

impl PullConsumer {
    /// A pull on consumer `consumer` of `stream` (names already validated) delivering to `inbox`;
    /// `no_ack`: the consumer's `ack_policy` is `none`.
    pub fn new(
        api: JsApi,
        stream: &str,
        consumer: &str,
        inbox: String,
        opts: PullOptions,
        no_ack: bool,
    ) -> PullConsumer {
        PullConsumer {
            api,
            stream: stream.to_owned(),
            consumer: consumer.to_owned(),
            inbox,
            heartbeat_ms: opts.heartbeat_ms,
            opts,
            no_ack,
            phase: Phase::Pulling,
            check_cause: CheckCause::Recover,
            started: false,
            connected: true,
            serial: 0,
            req_msgs: 0,
            req_bytes: 0,
            held: VecDeque::new(),
            held_bytes: 0,
            received_msgs: 0,
            received_bytes: 0,
            processed: 0,
            last_pull: (0, 0),
            heartbeat_deadline: None,
            hold_until: None,
            retry_at: None,
            fetch_end: None,
            missing: 0,
        }
    }

    /// The inbox the messages arrive on.
    pub fn inbox(&self) -> &str {
        &self.inbox
    }
    /// Messages requested and not received yet (`getPending()`).
    pub fn pending(&self) -> u64 {
        self.req_msgs
    }
    /// Bytes requested and not received yet.
    pub fn pending_bytes(&self) -> u64 {
        self.req_bytes
    }
    /// Messages received (`getReceived()`).
    pub fn received(&self) -> u64 {
        self.received_msgs
    }
    /// Messages handed out to the application (`getProcessed()`).
    pub fn processed(&self) -> u64 {
        self.processed
    }
    /// Messages received and not handed out yet.
    pub fn held(&self) -> u64 {
        self.held.len() as u64
    }
    /// Whether it ended.
    pub fn is_done(&self) -> bool {
        self.phase == Phase::Done
    }
    /// The validated options.
    pub fn options(&self) -> &PullOptions {
        &self.opts
    }

    fn bytes_mode(&self) -> bool {
        self.opts.max_bytes.is_some()
    }

    /// The request body: `{"batch","max_bytes"?,"expires","idle_heartbeat"}` or, for `no_wait`,
    /// `{"batch","max_bytes"?,"no_wait":true}`.
    fn body(&self, batch: u64, max_bytes: u64, expires_ms: u64, heartbeat_ms: u64) -> String {
        let int = |n: u64| Json::Int(i64::try_from(n).unwrap_or(i64::MAX));
        let ns = |ms: u64| int(ms.saturating_mul(1_000_000));
        let mut m = vec![("batch".to_owned(), int(batch))];
        if max_bytes > 0 {
            m.push(("max_bytes".into(), int(max_bytes)));
        }
        if self.opts.no_wait {
            m.push(("no_wait".into(), Json::Bool(true)));
        } else {
            m.push(("expires".into(), ns(expires_ms)));
            if heartbeat_ms > 0 {
                m.push(("idle_heartbeat".into(), ns(heartbeat_ms)));
            }
        }
        Json::Obj(m).to_json_string()
    }

    /// Sends a pull request for `batch` messages (`max_bytes`: 0 = no byte limit).
    fn pull(
        &mut self,
        batch: u64,
        max_bytes: u64,
        expires_ms: u64,
        now: Mono,
        out: &mut Vec<PullStep>,
    ) {
        let heartbeat_ms = if self.opts.heartbeat_ms == 0 {
            0
        } else {
            self.opts.heartbeat_ms.min(expires_ms / 2).max(1)
        };
        let body = self.body(batch, max_bytes, expires_ms, heartbeat_ms);
        self.req_msgs = self.req_msgs.saturating_add(batch);
        self.req_bytes = self.req_bytes.saturating_add(max_bytes);
        self.last_pull = (batch, max_bytes);
        self.heartbeat_ms = heartbeat_ms;
        self.arm_heartbeat(now);
        out.push(Step::Command(Command::Publish {
            subject: self.api.consumer_msg_next(&self.stream, &self.consumer),
            reply: self.inbox.clone(),
            body,
        }));
        out.push(Step::Item(PullItem::Status(Notification::Next {
            batch,
            max_bytes,
            expires_ms,
        })));
    }

    fn arm_heartbeat(&mut self, now: Mono) {
        self.heartbeat_deadline = (self.heartbeat_ms > 0 && self.connected && self.req_msgs > 0)
            .then(|| now.plus(2.0 * self.heartbeat_ms as f64));
    }

    /// A fetch pulls what it lacks, within what is left of its `expires`; it ends if too little is.
    fn fetch_pull(&mut self, now: Mono, out: &mut Vec<PullStep>) {
        if !self.connected {
            return;
        }
        let lack = self.opts.max_messages.saturating_sub(self.received_msgs);
        let lack_bytes = self
            .opts
            .max_bytes
            .map_or(0, |m| m.saturating_sub(self.received_bytes));
        let left = self.fetch_end.map_or(self.opts.expires_ms as f64, |end| {
            end.since(now) - FETCH_GRACE_MS as f64
        });
        if lack == 0 || (self.bytes_mode() && lack_bytes == 0) {
            return self.finish(out);
        }
        if left < MIN_EXPIRES_MS as f64 && self.started {
            return self.finish(out);
        }
        let expires = (left.max(0.0) as u64).min(self.opts.expires_ms);
        self.pull(lack, lack_bytes, expires, now, out);
    }

    /// A consume pulls when the window (requested + held) is at or below its threshold.
    fn consume_pull(&mut self, now: Mono, out: &mut Vec<PullStep>) {
        if self.phase != Phase::Pulling || !self.connected {
            return;
        }
        if self.hold_until.is_some_and(|t| t > now) {
            return;
        }
        self.hold_until = None;
        if let Some(max_bytes) = self.opts.max_bytes {
            let in_window = self.req_bytes.saturating_add(self.held_bytes);
            if in_window <= self.opts.threshold_bytes && in_window < max_bytes {
                self.pull(
                    BYTES_ONLY_BATCH,
                    max_bytes - in_window,
                    self.opts.expires_ms,
                    now,
                    out,
                );
            }
        } else {
            let in_window = self.req_msgs.saturating_add(self.held());
            let max = self.opts.max_messages;
            if in_window <= self.opts.threshold_messages && in_window < max {
                self.pull(max - in_window, 0, self.opts.expires_ms, now, out);
            }
        }
    }

    /// Pulls if there is room (consume) — the one place a consume decides to pull.
    fn maybe_pull(&mut self, now: Mono, out: &mut Vec<PullStep>) {
        if self.opts.mode == PullMode::Consume {
            self.consume_pull(now, out);
        }
    }

    fn stop_timers(&mut self) {
        self.heartbeat_deadline = None;
        self.retry_at = None;
        self.hold_until = None;
        self.fetch_end = None;
    }

    fn unsubscribe(&mut self, out: &mut Vec<PullStep>) {
        self.phase = Phase::Done;
        self.stop_timers();
        out.push(Step::Command(Command::Unsubscribe {
            subject: self.inbox.clone(),
        }));
    }

    /// Ends normally.
    fn finish(&mut self, out: &mut Vec<PullStep>) {
        if self.phase != Phase::Done {
            self.unsubscribe(out);
            out.push(Step::Finished);
        }
    }

    /// Ends with `e`.
    fn fail(&mut self, e: NatsError, out: &mut Vec<PullStep>) {
        if self.phase != Phase::Done {
            self.unsubscribe(out);
            out.push(Step::Failed(e));
        }
    }

    fn notify(out: &mut Vec<PullStep>, n: Notification) {
        out.push(Step::Item(PullItem::Status(n)));
    }

    /// Forgets every outstanding request (they are gone: a reconnect, a lost consumer).
    fn reset_requested(&mut self) {
        self.req_msgs = 0;
        self.req_bytes = 0;
        self.heartbeat_deadline = None;
    }

    /// The last pull request will bring nothing (it was refused, or is over).
    fn write_off_last_pull(&mut self) {
        self.req_msgs = self.req_msgs.saturating_sub(self.last_pull.0);
        self.req_bytes = self.req_bytes.saturating_sub(self.last_pull.1);
    }

    /// `exceeded_limits`, and no pull for `expires`.
    fn exceeded(&mut self, code: u16, description: String, now: Mono, out: &mut Vec<PullStep>) {
        Self::notify(out, Notification::ExceededLimits { code, description });
        self.hold_until = Some(now.plus(self.opts.expires_ms as f64));
    }

    /// Subtracts a status's pending headers from what is requested.
    fn discard(&mut self, msg: &Msg, out: &mut Vec<PullStep>) -> (u64, u64) {
        let h = msg.headers.as_ref();
        let num = |name: &str| {
            h.and_then(|h| h.get(name))
                .and_then(|v| v.trim().parse::<u64>().ok())
                .unwrap_or(0)
        };
        let (msgs, bytes) = (num(PENDING_MESSAGES), num(PENDING_BYTES));
        if msgs > 0 || bytes > 0 {
            self.req_msgs = self.req_msgs.saturating_sub(msgs);
            self.req_bytes = self.req_bytes.saturating_sub(bytes);
            Self::notify(
                out,
                Notification::Discard {
                    messages_left: msgs,
                    bytes_left: bytes,
                },
            );
        }
        (msgs, bytes)
    }

    /// Starts a CONSUMER.INFO check.
    fn check(&mut self, cause: CheckCause, out: &mut Vec<PullStep>) {
        self.serial += 1;
        self.phase = Phase::Checking(self.serial);
        self.check_cause = cause;
        self.heartbeat_deadline = None;
        self.retry_at = None;
        out.push(Step::Command(Command::CreateConsumer {
            serial: self.serial,
            subject: self.api.consumer_info(&self.stream, &self.consumer),
            body: String::new(),
        }));
    }

    /// Consume: check again after `expires`.
    fn wait_and_check(&mut self, now: Mono) {
        self.phase = Phase::Waiting;
        self.reset_requested();
        self.retry_at = Some(now.plus(self.opts.expires_ms as f64));
    }

    /// A missing consumer or stream (consume): a status, then the end (with
    /// `abort_on_missing_resource`) or a check after `expires`.
    fn missing_resource(&mut self, e: NatsError, now: Mono, out: &mut Vec<PullStep>) {
        self.missing = self.missing.saturating_add(1);
        let n = match e.code {
            ErrorCode::StreamNotFound => Notification::StreamNotFound {
                name: self.stream.clone(),
            },
            _ => Notification::ConsumerNotFound {
                name: self.consumer.clone(),
                stream: self.stream.clone(),
                count: self.missing,
            },
        };
        Self::notify(out, n);
        if self.opts.abort_on_missing_resource {
            self.fail(e, out);
        } else {
            self.wait_and_check(now);
        }
    }

    fn status_error(code: ErrorCode, status: u16, description: &str) -> NatsError {
        let message = if description.is_empty() {
            format!("status {status}")
        } else {
            format!("{status} {description}")
        };
        NatsError::api(code, message, status, None)
    }

    /// One status message on the inbox.
    fn on_status(&mut self, msg: &Msg, now: Mono, out: &mut Vec<PullStep>) {
        let (code, description) = msg
            .headers
            .as_ref()
            .map_or((0, ""), |h| (h.code, h.description.as_str()));
        let fetch = self.opts.mode == PullMode::Fetch;
        let has_reply = msg.reply.as_deref().is_some_and(|r| !r.is_empty());
        let status = PullStatus::classify(code, description, has_reply);
        let d = description.to_owned();
        match status {
            PullStatus::Heartbeat => {
                let h = msg.headers.as_ref();
                let num = |name: &str| {
                    h.and_then(|h| h.get(name))
                        .and_then(|v| v.parse::<u64>().ok())
                        .unwrap_or(0)
                };
                Self::notify(
                    out,
                    Notification::Heartbeat {
                        last_consumer_seq: num(hdr::LAST_CONSUMER),
                        last_stream_seq: num("Nats-Last-Stream"),
                    },
                );
            }
            PullStatus::FlowControl => {
                if let Some(reply) = msg.reply.clone().filter(|r| !r.is_empty()) {
                    out.push(Step::Command(Command::PublishEmpty { subject: reply }));
                }
                Self::notify(out, Notification::FlowControl);
            }
            PullStatus::NoMessages | PullStatus::Expired | PullStatus::BatchCompleted => {
                self.discard(msg, out);
                if fetch {
                    return self.finish(out);
                }
                if status == PullStatus::NoMessages {
                    // Only `no_wait` pulls get it; a consume's request is over all the same.
                    self.write_off_last_pull();
                }
            }
            PullStatus::ServerShutdown => {
                self.discard(msg, out);
                if fetch {
                    self.finish(out);
                }
            }
            PullStatus::LeadershipChange => {
                if fetch {
                    return self.finish(out);
                }
                // nats.go: the waiting requests are gone with the old leader.
                Self::notify(
                    out,
                    Notification::Debug {
                        code,
                        description: d,
                    },
                );
                self.reset_requested();
            }
            PullStatus::SizeExceedsMaxBytes => {
                let (_, bytes) = self.discard(msg, out);
                if fetch {
                    return self.finish(out);
                }
                // Nothing of a full-size request fits: the next message is larger than max_bytes,
                // and pulling again at once would loop (nats-server#5888).
                if self.opts.max_bytes.is_some_and(|m| bytes >= m) || self.opts.max_bytes.is_none()
                {
                    self.exceeded(code, d, now, out);
                }
            }
            PullStatus::Exceeded | PullStatus::Other
                if code == 409 || status == PullStatus::Exceeded =>
            {
                if fetch {
                    return self.fail(Self::status_error(ErrorCode::JetStreamApi, code, &d), out);
                }
                // The request was refused whole: what it asked for will not come.
                self.write_off_last_pull();
                self.exceeded(code, d, now, out);
            }
            PullStatus::ConsumerDeleted => {
                let e = Self::status_error(ErrorCode::ConsumerDeleted, code, &d);
                if fetch {
                    return self.fail(e, out);
                }
                Self::notify(
                    out,
                    Notification::ConsumerDeleted {
                        code,
                        description: d,
                    },
                );
                if self.opts.abort_on_missing_resource {
                    return self.fail(e, out);
                }
                self.wait_and_check(now);
            }
            PullStatus::PushBased => {
                let e = Self::status_error(ErrorCode::WrongConsumerKind, code, &d);
                self.fail(e, out);
            }
            PullStatus::BadRequest => {
                let e = Self::status_error(ErrorCode::JetStreamApi, code, &d);
                self.fail(e, out);
            }
            PullStatus::NoResponders => {
                Self::notify(out, Notification::NoResponders { code });
                self.reset_requested();
                let cause = if fetch {
                    CheckCause::NoResponders
                } else {
                    CheckCause::Recover
                };
                self.check(cause, out);
            }
            PullStatus::Exceeded | PullStatus::Other => {
                Self::notify(
                    out,
                    Notification::Debug {
                        code,
                        description: d,
                    },
                );
            }
        }
    }

    /// One data message on the inbox.
    fn on_data(&mut self, msg: Msg, out: &mut Vec<PullStep>) {
        let size = msg_size(&msg);
        let Some(m) = JsMsg::from_msg(msg, self.no_ack) else {
            // Not a consumer delivery (no `$JS.ACK` reply): nothing to account for.
            return;
        };
        self.req_msgs = self.req_msgs.saturating_sub(1);
        self.req_bytes = self.req_bytes.saturating_sub(size);
        self.received_msgs += 1;
        self.received_bytes = self.received_bytes.saturating_add(size);
        if self.opts.buffered {
            self.held.push_back(size);
            self.held_bytes = self.held_bytes.saturating_add(size);
        } else {
            self.processed += 1;
        }
        out.push(Step::Item(PullItem::Msg(m)));
    }

    fn input_messages(&mut self, subscription: &str, msgs: Vec<Msg>, now: Mono) -> Vec<PullStep> {
        let mut out = Vec::new();
        if subscription != self.inbox || self.phase == Phase::Done {
            return out;
        }
        for msg in msgs {
            if self.phase == Phase::Done {
                break;
            }
            let is_status = msg.headers.as_ref().is_some_and(|h| h.code != 0);
            if is_status {
                self.on_status(&msg, now, &mut out);
            } else {
                self.on_data(msg, &mut out);
                if self.opts.mode == PullMode::Fetch {
                    let full = self.received_msgs >= self.opts.max_messages
                        || self
                            .opts
                            .max_bytes
                            .is_some_and(|m| self.received_bytes >= m);
                    if full {
                        self.finish(&mut out);
                    }
                }
            }
        }
        if self.phase == Phase::Pulling {
            self.missing = 0;
            self.arm_heartbeat(now);
            self.maybe_pull(now, &mut out);
        }
        out
    }

    fn input_check_reply(
        &mut self,
        serial: u64,
        result: Result<Msg, NatsError>,
        now: Mono,
    ) -> Vec<PullStep> {
        let mut out = Vec::new();
        if self.phase != Phase::Checking(serial) {
            return out;
        }
        let info = api_reply(result, ErrorContext::General);
        let fetch = self.opts.mode == PullMode::Fetch;
        match info {
            Ok(info)
                if info
                    .get("config")
                    .and_then(|c| c.get("deliver_subject"))
                    .is_some() =>
            {
                let e = NatsError::new(
                    ErrorCode::WrongConsumerKind,
                    format!("consumer {} is a push consumer", self.consumer),
                );
                self.fail(e, &mut out);
            }
            Ok(_) if fetch => {
                let e = NatsError::api(ErrorCode::NoResponders, "no responders", 503, None);
                self.fail(e, &mut out);
            }
            Ok(_) => {
                self.missing = 0;
                self.phase = Phase::Pulling;
                self.reset_requested();
                self.consume_pull(now, &mut out);
            }
            Err(e) if fetch => self.fail(e, &mut out),
            Err(e)
                if matches!(
                    e.code,
                    ErrorCode::ConsumerNotFound | ErrorCode::StreamNotFound
                ) =>
            {
                self.missing_resource(e, now, &mut out)
            }
            Err(_) => self.wait_and_check(now),
        }
        out
    }

    fn input_timeout(&mut self, now: Mono) -> Vec<PullStep> {
        let mut out = Vec::new();
        let due = |t: Option<Mono>| t.is_some_and(|t| t <= now);
        if self.phase == Phase::Done {
            return out;
        }
        if due(self.fetch_end) {
            self.finish(&mut out);
            return out;
        }
        if due(self.heartbeat_deadline) {
            self.heartbeat_deadline = None;
            Self::notify(&mut out, Notification::HeartbeatsMissed { count: 2 });
            if self.opts.mode == PullMode::Fetch {
                let e = NatsError::new(
                    ErrorCode::HeartbeatsMissed,
                    "two idle heartbeats missed while pulling",
                );
                self.fail(e, &mut out);
            } else {
                self.reset_requested();
                self.check(CheckCause::Recover, &mut out);
            }
            return out;
        }
        if self.phase == Phase::Waiting && due(self.retry_at) && self.connected {
            self.check(CheckCause::Recover, &mut out);
            return out;
        }
        if due(self.hold_until) {
            self.hold_until = None;
            self.maybe_pull(now, &mut out);
        }
        out
    }
}

impl ConsumerMachine for PullConsumer {
    type Item = PullItem;

    /// Subscribes to the inbox and sends the first pull.
    fn start(&mut self, now: Mono) -> Vec<PullStep> {
        let mut out = Vec::new();
        if self.started || self.phase == Phase::Done {
            return out;
        }
        out.push(Step::Command(Command::Subscribe {
            subject: self.inbox.clone(),
        }));
        match self.opts.mode {
            PullMode::Fetch => {
                let grace = if self.opts.no_wait { 0 } else { FETCH_GRACE_MS };
                self.fetch_end = Some(now.plus((self.opts.expires_ms + grace) as f64));
                self.fetch_pull(now, &mut out);
            }
            PullMode::Consume => self.consume_pull(now, &mut out),
        }
        self.started = true;
        out
    }

    fn on_create_reply(
        &mut self,
        serial: u64,
        result: Result<Msg, NatsError>,
        now: Mono,
    ) -> Vec<PullStep> {
        self.input_check_reply(serial, result, now)
    }

    fn on_messages(&mut self, subscription: &str, msgs: Vec<Msg>, now: Mono) -> Vec<PullStep> {
        self.input_messages(subscription, msgs, now)
    }

    fn poll_timeout(&self) -> Option<Mono> {
        if self.phase == Phase::Done {
            return None;
        }
        [
            self.fetch_end,
            self.heartbeat_deadline,
            self.retry_at.filter(|_| self.connected),
            self.hold_until,
        ]
        .into_iter()
        .flatten()
        .reduce(Mono::min)
    }

    fn handle_timeout(&mut self, now: Mono) -> Vec<PullStep> {
        self.input_timeout(now)
    }

    /// Heartbeats cannot come while disconnected; nothing is pulled until the reconnect.
    fn on_disconnect(&mut self) {
        self.connected = false;
        self.heartbeat_deadline = None;
    }

    /// The requests sent before are gone (the server lost our interest): pull again for what is
    /// lacking, without checking the consumer (ADR-37).
    fn on_reconnect(&mut self, now: Mono) -> Vec<PullStep> {
        let mut out = Vec::new();
        self.connected = true;
        if self.phase == Phase::Done || !self.started {
            return out;
        }
        match self.phase {
            Phase::Pulling => {
                self.reset_requested();
                match self.opts.mode {
                    PullMode::Fetch => self.fetch_pull(now, &mut out),
                    PullMode::Consume => self.consume_pull(now, &mut out),
                }
            }
            // A check in flight answers (or times out) on its own; a waiting retry is due anyway.
            Phase::Checking(_) | Phase::Waiting | Phase::Done => {}
        }
        out
    }

    /// The window is the backpressure: nothing to hold.
    fn set_paused(&mut self, _paused: bool) -> Vec<PullStep> {
        Vec::new()
    }

    /// No more pulls: unsubscribes the inbox (a named consumer is not deleted).
    fn stop(&mut self) -> Vec<PullStep> {
        let mut out = Vec::new();
        if self.phase != Phase::Done {
            self.unsubscribe(&mut out);
        }
        out
    }

    fn on_handed_out(&mut self, count: u64, now: Mono) -> Vec<PullStep> {
        let mut out = Vec::new();
        if !self.opts.buffered {
            return out;
        }
        for _ in 0..count.min(self.held()) {
            let size = self.held.pop_front().unwrap_or(0);
            self.held_bytes = self.held_bytes.saturating_sub(size);
            self.processed += 1;
        }
        if self.phase == Phase::Pulling {
            self.maybe_pull(now, &mut out);
        }
        out
    }

    fn is_started(&self) -> bool {
        self.started
    }
}
