//! The push consumer (`getPushConsumer(stream, name).consume()`, JETSTREAM-SPEC.md §6) as a sans-IO
//! state machine.
//!
//! It first checks the consumer (CONSUMER.INFO): it must have a `deliver_subject`
//! (`WRONG_CONSUMER_KIND`), and one without a `deliver_group` must not be bound to another
//! subscriber (`push_bound`: `CONSUMER_BUSY`). It then subscribes to the deliver subject, in the
//! queue group `deliver_group` if there is one, so that every subscriber of the group shares the work.
//! The server paces it: `max_ack_pending`, and flow-control requests that are answered only while
//! the application keeps up (a `for await` holding [`PUSH_HIGH_WATER`] messages pauses; the held
//! answer goes out once it took them down to [`PUSH_LOW_WATER`]). Idle heartbeats are watched: two
//! missed are a `heartbeats_missed` status and a consumer check. `409 Consumer Deleted`, or a check
//! that finds the consumer or stream gone, is a status and a check every [`PUSH_RETRY_MS`] (with
//! `abort_on_missing_resource`: the end). The connection re-sends the SUB after a reconnect; the
//! machine then checks the consumer. Stopping unsubscribes; the durable consumer stays.

use crate::error::{ErrorCode, NatsError};
use crate::proto::json::Json;
use crate::proto::Msg;
use crate::time::Mono;

use super::ack::JsMsg;
use super::api::JsApi;
use super::error::{api_reply, ErrorContext};
use super::headers as hdr;
use super::machine::{ConsumerMachine, Step};
use super::ordered::Command;
use super::pull::{Notification, OrderedPosition, PullConsumer, PullItem, PullStatus};

/// A `for await` holding this many messages pauses the consumer (flow control held back).
pub const PUSH_HIGH_WATER: u64 = 256;
/// …and resumes once it holds this many.
pub const PUSH_LOW_WATER: u64 = 64;
/// How often a missing consumer is checked again, ms.
pub const PUSH_RETRY_MS: f64 = 5_000.0;

/// A push consumer's step.
pub type PushStep = Step<PullItem>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// The CONSUMER.INFO check (its serial) before subscribing, or a later one.
    Checking(u64),
    /// Subscribed and delivering.
    Running,
    /// Waiting to check a missing consumer again.
    Waiting,
    /// Ended.
    Done,
}

/// The push consumer state machine.
#[derive(Debug, Clone)]
pub struct PushConsumer {
    api: JsApi,
    stream: String,
    consumer: String,
    abort_on_missing_resource: bool,
    buffered: bool,
    phase: Phase,
    serial: u64,
    /// Deliver subject and queue group, once checked.
    subject: Option<String>,
    group: Option<String>,
    no_ack: bool,
    heartbeat_ms: u64,
    heartbeat_deadline: Option<Mono>,
    retry_at: Option<Mono>,
    connected: bool,
    subscribed: bool,
    missing: u32,
    received: u64,
    processed: u64,
    paused: bool,
    held_fc: Option<String>,
}

fn config_str<'a>(info: &'a Json, key: &str) -> Option<&'a str> {
    info.get("config")?
        .get(key)?
        .as_str()
        .filter(|s| !s.is_empty())
}

impl PushConsumer {
    /// A consume of push consumer `consumer` of `stream` (names already validated); `buffered`: a
    /// `for await` reports what it took with [`ConsumerMachine::on_handed_out`].
    pub fn new(
        api: JsApi,
        stream: &str,
        consumer: &str,
        abort_on_missing_resource: bool,
        buffered: bool,
    ) -> PushConsumer {
        PushConsumer {
            api,
            stream: stream.to_owned(),
            consumer: consumer.to_owned(),
            abort_on_missing_resource,
            buffered,
            phase: Phase::Checking(0),
            serial: 0,
            subject: None,
            group: None,
            no_ack: false,
            heartbeat_ms: 0,
            heartbeat_deadline: None,
            retry_at: None,
            connected: true,
            subscribed: false,
            missing: 0,
            received: 0,
            processed: 0,
            paused: false,
            held_fc: None,
        }
    }

    /// Messages received.
    pub fn received(&self) -> u64 {
        self.received
    }
    /// Messages handed out to the application.
    pub fn processed(&self) -> u64 {
        self.processed
    }
    /// Messages received and not handed out yet.
    pub fn held(&self) -> u64 {
        self.received.saturating_sub(self.processed)
    }
    /// Whether flow control is held back (the application lags).
    pub fn is_paused(&self) -> bool {
        self.paused
    }
    /// Whether it ended.
    pub fn is_done(&self) -> bool {
        self.phase == Phase::Done
    }

    fn check(&mut self, out: &mut Vec<PushStep>) {
        self.serial += 1;
        self.phase = Phase::Checking(self.serial);
        self.retry_at = None;
        self.heartbeat_deadline = None;
        out.push(Step::Command(Command::CreateConsumer {
            serial: self.serial,
            subject: self.api.consumer_info(&self.stream, &self.consumer),
            body: String::new(),
        }));
    }

    /// Ends: timers off, the subscription dropped (once).
    fn halt(&mut self, out: &mut Vec<PushStep>) -> bool {
        if self.phase == Phase::Done {
            return false;
        }
        self.phase = Phase::Done;
        self.heartbeat_deadline = None;
        self.retry_at = None;
        if let (Some(subject), true) = (&self.subject, self.subscribed) {
            out.push(Step::Command(Command::Unsubscribe {
                subject: subject.clone(),
            }));
        }
        true
    }

    fn end(&mut self, error: Option<NatsError>, out: &mut Vec<PushStep>) {
        if !self.halt(out) {
            return;
        }
        out.push(match error {
            Some(e) => Step::Failed(e),
            None => Step::Finished,
        });
    }

    fn arm_heartbeat(&mut self, now: Mono) {
        self.heartbeat_deadline = (self.heartbeat_ms > 0 && self.connected && self.subscribed)
            .then(|| now.plus(2.0 * self.heartbeat_ms as f64));
    }

    fn notify(out: &mut Vec<PushStep>, n: Notification) {
        out.push(Step::Item(PullItem::Status(n)));
    }

    /// Answers a flow-control subject now, or holds it while paused.
    fn flow_control(&mut self, subject: String, out: &mut Vec<PushStep>) {
        if self.paused {
            self.held_fc = Some(subject);
        } else {
            out.push(Step::Command(Command::PublishEmpty { subject }));
        }
    }

    fn set_pause(&mut self, paused: bool, out: &mut Vec<PushStep>) {
        self.paused = paused;
        if !paused {
            if let Some(subject) = self.held_fc.take() {
                out.push(Step::Command(Command::PublishEmpty { subject }));
            }
        }
    }

    /// A missing consumer or stream: a status, then the end or a check later.
    fn missing_resource(&mut self, e: NatsError, now: Mono, out: &mut Vec<PushStep>) {
        self.missing = self.missing.saturating_add(1);
        let n = Notification::missing(e.code, &self.stream, &self.consumer, self.missing);
        Self::notify(out, n);
        if self.abort_on_missing_resource {
            return self.end(Some(e), out);
        }
        self.phase = Phase::Waiting;
        self.retry_at = Some(now.plus(PUSH_RETRY_MS));
    }

    fn on_info(&mut self, info: Json, now: Mono, out: &mut Vec<PushStep>) {
        let Some(subject) = config_str(&info, "deliver_subject").map(str::to_owned) else {
            let e = NatsError::new(
                ErrorCode::WrongConsumerKind,
                format!(
                    "consumer {} is a pull consumer, not a push consumer",
                    self.consumer
                ),
            );
            return self.end(Some(e), out);
        };
        let group = config_str(&info, "deliver_group").map(str::to_owned);
        let bound = info.get("push_bound").and_then(Json::as_bool) == Some(true);
        if !self.subscribed && group.is_none() && bound {
            let e = NatsError::new(
                ErrorCode::ConsumerBusy,
                format!(
                    "push consumer {} is bound to another subscriber",
                    self.consumer
                ),
            );
            return self.end(Some(e), out);
        }
        self.no_ack = config_str(&info, "ack_policy") == Some("none");
        self.heartbeat_ms = info
            .get("config")
            .and_then(|c| c.get("idle_heartbeat"))
            .and_then(Json::as_u64)
            .map_or(0, |ns| ns / 1_000_000);
        self.missing = 0;
        self.phase = Phase::Running;
        if !self.subscribed {
            out.push(Step::Command(Command::QueueSubscribe {
                subject: subject.clone(),
                queue: group.clone(),
            }));
            self.subject = Some(subject);
            self.group = group;
            self.subscribed = true;
        }
        self.arm_heartbeat(now);
    }

    fn on_status(&mut self, msg: Msg, now: Mono, out: &mut Vec<PushStep>) {
        let Some(h) = msg.headers.as_ref() else {
            return;
        };
        let has_reply = msg.reply.as_deref().is_some_and(|r| !r.is_empty());
        // The pull machine's classification: one reading of every status.
        match PullStatus::classify(h.code, &h.description, has_reply) {
            PullStatus::FlowControl => {
                if let Some(reply) = msg.reply.clone().filter(|r| !r.is_empty()) {
                    self.flow_control(reply, out);
                }
                Self::notify(out, Notification::FlowControl);
            }
            PullStatus::Heartbeat => {
                let n = Notification::heartbeat(Some(h));
                if let Some(stalled) = h.get(hdr::CONSUMER_STALLED).filter(|s| !s.is_empty()) {
                    let stalled = stalled.to_owned();
                    self.flow_control(stalled, out);
                }
                Self::notify(out, n);
            }
            PullStatus::ConsumerDeleted => {
                let description = h.description.clone();
                Self::notify(
                    out,
                    Notification::ConsumerDeleted {
                        code: 409,
                        description: description.clone(),
                    },
                );
                let e = NatsError::api(
                    ErrorCode::ConsumerDeleted,
                    format!("409 {description}"),
                    409,
                    None,
                );
                if self.abort_on_missing_resource {
                    return self.end(Some(e), out);
                }
                self.phase = Phase::Waiting;
                self.heartbeat_deadline = None;
                self.retry_at = Some(now.plus(PUSH_RETRY_MS));
            }
            _ => Self::notify(
                out,
                Notification::Debug {
                    code: h.code,
                    description: h.description.clone(),
                },
            ),
        }
    }
}

impl ConsumerMachine for PushConsumer {
    type Item = PullItem;

    /// Checks the consumer before subscribing.
    fn start(&mut self, _now: Mono) -> Vec<PushStep> {
        let mut out = Vec::new();
        if self.serial == 0 && self.phase != Phase::Done {
            self.check(&mut out);
        }
        out
    }

    fn on_create_reply(
        &mut self,
        serial: u64,
        result: Result<Msg, NatsError>,
        now: Mono,
    ) -> Vec<PushStep> {
        let mut out = Vec::new();
        if self.phase != Phase::Checking(serial) {
            return out;
        }
        match api_reply(result, ErrorContext::General) {
            Ok(info) => self.on_info(info, now, &mut out),
            // At the start, the consumer must be there: the call fails.
            Err(e) if !self.subscribed => self.end(Some(e), &mut out),
            Err(e)
                if matches!(
                    e.code,
                    ErrorCode::ConsumerNotFound | ErrorCode::StreamNotFound
                ) =>
            {
                self.missing_resource(e, now, &mut out)
            }
            Err(_) => {
                self.phase = Phase::Waiting;
                self.retry_at = Some(now.plus(PUSH_RETRY_MS));
            }
        }
        out
    }

    fn on_messages(&mut self, subscription: &str, msgs: Vec<Msg>, now: Mono) -> Vec<PushStep> {
        let mut out = Vec::new();
        if self.phase == Phase::Done || self.subject.as_deref() != Some(subscription) {
            return out;
        }
        for msg in msgs {
            if self.phase == Phase::Done {
                break;
            }
            if msg.headers.as_ref().is_some_and(|h| h.code != 0) {
                self.on_status(msg, now, &mut out);
                continue;
            }
            let Some(m) = JsMsg::from_msg(msg, self.no_ack) else {
                continue;
            };
            self.received += 1;
            if !self.buffered {
                self.processed += 1;
            }
            out.push(Step::Item(PullItem::Msg(m)));
        }
        if self.buffered && !self.paused && self.held() >= PUSH_HIGH_WATER {
            self.set_pause(true, &mut out);
        }
        if self.phase == Phase::Running {
            self.arm_heartbeat(now);
        }
        out
    }

    fn poll_timeout(&self) -> Option<Mono> {
        if self.phase == Phase::Done {
            return None;
        }
        [
            self.heartbeat_deadline,
            self.retry_at.filter(|_| self.connected),
        ]
        .into_iter()
        .flatten()
        .reduce(Mono::min)
    }

    fn handle_timeout(&mut self, now: Mono) -> Vec<PushStep> {
        let mut out = Vec::new();
        let due = |t: Option<Mono>| t.is_some_and(|t| t <= now);
        if self.phase == Phase::Done {
            return out;
        }
        if due(self.heartbeat_deadline) && self.phase == Phase::Running {
            self.heartbeat_deadline = None;
            Self::notify(&mut out, Notification::HeartbeatsMissed { count: 2 });
            self.check(&mut out);
        } else if due(self.retry_at) && self.phase == Phase::Waiting && self.connected {
            self.check(&mut out);
        }
        out
    }

    fn on_disconnect(&mut self) {
        self.connected = false;
        self.heartbeat_deadline = None;
    }

    /// The connection re-sent the SUB: check that the consumer is still there.
    fn on_reconnect(&mut self, _now: Mono) -> Vec<PushStep> {
        let mut out = Vec::new();
        self.connected = true;
        if matches!(self.phase, Phase::Running | Phase::Waiting) {
            self.check(&mut out);
        }
        out
    }

    fn set_paused(&mut self, paused: bool) -> Vec<PushStep> {
        let mut out = Vec::new();
        self.set_pause(paused, &mut out);
        out
    }

    /// Unsubscribes (the durable consumer stays).
    fn stop(&mut self) -> Vec<PushStep> {
        let mut out = Vec::new();
        self.halt(&mut out);
        out
    }

    fn on_handed_out(&mut self, count: u64, _now: Mono) -> Vec<PushStep> {
        let mut out = Vec::new();
        if self.buffered {
            self.processed = self.processed.saturating_add(count.min(self.held()));
            if self.paused && self.held() <= PUSH_LOW_WATER {
                self.set_pause(false, &mut out);
            }
        }
        out
    }

    fn is_started(&self) -> bool {
        self.subscribed
    }
}

/// A pull (named or ordered) or push consumer: the one machine type the consumer run drives for
/// `JsMsg` deliveries (one copy of the run in the .wasm, not one per machine).
// One per running call; boxing would cost an allocation per call for nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum JsConsumer {
    /// `fetch`/`next`/`consume` of a pull consumer.
    Pull(PullConsumer),
    /// `consume` of a push consumer.
    Push(PushConsumer),
}

macro_rules! each {
    ($self:expr, $m:ident => $e:expr) => {
        match $self {
            JsConsumer::Pull($m) => $e,
            JsConsumer::Push($m) => $e,
        }
    };
}

impl JsConsumer {
    /// Messages received.
    pub fn received(&self) -> u64 {
        each!(self, m => m.received())
    }
    /// Messages handed out to the application.
    pub fn processed(&self) -> u64 {
        each!(self, m => m.processed())
    }
    /// `getPending()`: a pull's messages requested and not received; a push's held ones.
    pub fn pending(&self) -> u64 {
        match self {
            JsConsumer::Pull(m) => m.pending(),
            JsConsumer::Push(m) => m.held(),
        }
    }
    /// Whether it ended.
    pub fn is_done(&self) -> bool {
        each!(self, m => m.is_done())
    }
    /// An ordered consumer's position (see [`PullConsumer::ordered_position`]).
    pub fn ordered_position(&self) -> Option<OrderedPosition> {
        match self {
            JsConsumer::Pull(m) => m.ordered_position(),
            JsConsumer::Push(_) => None,
        }
    }
}

impl ConsumerMachine for JsConsumer {
    type Item = PullItem;
    fn start(&mut self, now: Mono) -> Vec<PushStep> {
        each!(self, m => m.start(now))
    }
    fn on_create_reply(
        &mut self,
        serial: u64,
        result: Result<Msg, NatsError>,
        now: Mono,
    ) -> Vec<PushStep> {
        each!(self, m => m.on_create_reply(serial, result, now))
    }
    fn on_messages(&mut self, subscription: &str, msgs: Vec<Msg>, now: Mono) -> Vec<PushStep> {
        each!(self, m => m.on_messages(subscription, msgs, now))
    }
    fn poll_timeout(&self) -> Option<Mono> {
        each!(self, m => m.poll_timeout())
    }
    fn handle_timeout(&mut self, now: Mono) -> Vec<PushStep> {
        each!(self, m => m.handle_timeout(now))
    }
    fn on_disconnect(&mut self) {
        each!(self, m => m.on_disconnect())
    }
    fn on_reconnect(&mut self, now: Mono) -> Vec<PushStep> {
        each!(self, m => m.on_reconnect(now))
    }
    fn set_paused(&mut self, paused: bool) -> Vec<PushStep> {
        each!(self, m => m.set_paused(paused))
    }
    fn stop(&mut self) -> Vec<PushStep> {
        each!(self, m => m.stop())
    }
    fn on_handed_out(&mut self, count: u64, now: Mono) -> Vec<PushStep> {
        each!(self, m => m.on_handed_out(count, now))
    }
    fn is_started(&self) -> bool {
        each!(self, m => m.is_started())
    }
}
