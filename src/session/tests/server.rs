//! The scripted server's JetStream side for bucket `b`: replies in nats-server's formats (PubAcks,
//! API errors, direct-get replies) and the server end of an ordered consumer (its create request and
//! reply, deliveries with `$JS.ACK` reply subjects, idle heartbeats, flow-control requests).

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use super::{slot, take, Op, H};
use crate::error::NatsError;
use crate::jetstream::JsApi;
use crate::kv::tests::stream_info_json;
use crate::kv::{KvEntry, Operation};
use crate::proto::json::Json;
use crate::session::{JetStream, Kv, RunEvent, RunSink};

/// When every delivered message was stored, ms since the epoch.
pub(crate) const STORED_AT_MS: u64 = 1_742_465_472_123;
/// The same in ns, as in a delivery's ack subject.
const TS_NS: u64 = STORED_AT_MS * 1_000_000 + 456_789;

/// A JetStream context on the harness's connection.
pub(crate) fn js(h: &H) -> JetStream {
    JetStream::new(h.client.clone(), JsApi::default(), None, None)
}

/// `Kvm.open("b")` answered with bucket `b`'s stream info.
pub(crate) fn open(h: &mut H) -> Kv {
    open_in(h, &js(h))
}

/// `Kvm.open("b")` in the context `js`, answered with bucket `b`'s stream info.
pub(crate) fn open_in(h: &mut H, js: &JetStream) -> Kv {
    let (r, done) = slot();
    js.kv_open("b".into(), None, done);
    let req = h.request_to("$JS.API.STREAM.INFO.KV_b");
    h.respond(&req, &stream_info_json(""));
    take(&r).unwrap()
}

/// A connected harness with bucket `b` bound.
pub(crate) fn bound() -> (H, Kv) {
    let mut h = H::connected();
    let kv = open(&mut h);
    (h, kv)
}

/// The PubAck of a write stored at `seq`.
pub(crate) fn pub_ack(seq: u64) -> String {
    format!(r#"{{"stream":"KV_b","seq":{seq}}}"#)
}

/// A JetStream API error reply.
pub(crate) fn api_error(code: u16, err_code: u32, description: &str) -> String {
    format!(r#"{{"error":{{"code":{code},"err_code":{err_code},"description":"{description}"}}}}"#)
}

/// The PubAck error of a failed `Nats-Expected-Last-Subject-Sequence` check.
pub(crate) fn wrong_last_sequence(last: u64) -> String {
    api_error(400, 10071, &format!("wrong last sequence: {last}"))
}

/// The header lines that record `op` in a stored message (none for a PUT).
fn op_lines(op: Operation) -> String {
    match op {
        Operation::Put => String::new(),
        other => format!("KV-Operation: {}\r\n", other.as_str()),
    }
}

/// The value the scripted server stores for a PUT at `rev`.
pub(crate) fn value_at(rev: u64) -> String {
    format!("v{rev}")
}

impl H {
    /// Answers a get (DIRECT.GET) with `key`'s message at `rev` recording `op` (a PUT holds
    /// [`value_at`]`(rev)`).
    pub(crate) fn respond_stored(&self, req: &Op, key: &str, rev: u64, op: Operation) {
        let headers = format!(
            "NATS/1.0\r\n{}Nats-Stream: KV_b\r\nNats-Subject: $KV.b.{key}\r\nNats-Sequence: {rev}\r\nNats-Time-Stamp: 2025-03-20T10:11:12.5Z\r\n\r\n",
            op_lines(op)
        );
        let value = if op == Operation::Put {
            value_at(rev)
        } else {
            String::new()
        };
        self.deliver(req.reply(), None, Some(&headers), &value);
    }

    /// Answers a get: no such message.
    pub(crate) fn respond_not_found(&self, req: &Op) {
        self.respond_status(req, "404 Message Not Found");
    }

    /// The one request the client wrote since the last call, checked to go to `subject`.
    pub(crate) fn request_to(&mut self, subject: &str) -> Op {
        let req = self.one_pub();
        assert_eq!(req.subject(), subject, "{req:?}");
        req
    }

    /// The ordered consumer the client asked for since the last call (see [`consumer_in`]).
    pub(crate) fn consumer(&mut self) -> Consumer {
        consumer_in(&self.ops())
    }

    /// The sid of `c`'s deliver subscription.
    pub(crate) fn deliver_sid(&self, c: &Consumer) -> u64 {
        self.sid_for(&c.deliver)
    }

    /// Answers `c`'s create request: it exists, with `num_pending` messages to deliver.
    pub(crate) fn created(&self, c: &Consumer, num_pending: u64) {
        let name = &c.name;
        self.respond(
            &c.req,
            &format!(
                r#"{{"type":"io.nats.jetstream.api.v1.consumer_create_response","stream_name":"KV_b","name":"{name}","created":"2025-03-20T10:11:12.5Z","config":{{"name":"{name}","ack_policy":"none"}},"delivered":{{"consumer_seq":0,"stream_seq":0}},"ack_floor":{{"consumer_seq":0,"stream_seq":0}},"num_ack_pending":0,"num_redelivered":0,"num_waiting":0,"num_pending":{num_pending},"ts":"2025-03-20T10:11:12.5Z"}}"#
            ),
        );
    }

    /// The bytes of `c`'s next delivery: `key` at revision `rev` recording `op`, `pending` more to
    /// come (headers only, with `Nats-Msg-Size`, when `c` asked for that). `h.feed(&h.delivery(…))`
    /// delivers it in a frame of its own; concatenated, several share one frame.
    pub(crate) fn delivery(
        &self,
        c: &Consumer,
        key: &str,
        rev: u64,
        op: Operation,
        pending: u64,
    ) -> String {
        let dseq = c.delivered.get() + 1;
        c.delivered.set(dseq);
        let reply = format!("$JS.ACK.KV_b.{}.1.{rev}.{dseq}.{TS_NS}.{pending}", c.name);
        let value = if op == Operation::Put {
            value_at(rev)
        } else {
            String::new()
        };
        let mut lines = op_lines(op);
        let payload = if c.headers_only() {
            lines.push_str(&format!("Nats-Msg-Size: {}\r\n", value.len()));
            ""
        } else {
            &value
        };
        let headers = (!lines.is_empty()).then(|| format!("NATS/1.0\r\n{lines}\r\n"));
        self.msg_on(
            &c.deliver,
            &format!("$KV.b.{key}"),
            Some(&reply),
            headers.as_deref(),
            payload,
        )
    }

    /// Delivers PUTs of `(key, rev)` one frame each, the last one with pending 0.
    pub(crate) fn deliver_puts(&self, c: &Consumer, puts: &[(&str, u64)]) {
        for (i, (key, rev)) in puts.iter().enumerate() {
            let pending = (puts.len() - 1 - i) as u64;
            self.feed(&self.delivery(c, key, *rev, Operation::Put, pending));
        }
    }

    /// An idle heartbeat of `c` saying it has delivered `last_delivered` messages.
    pub(crate) fn heartbeat(&self, c: &Consumer, last_delivered: u64) {
        let headers = format!(
            "NATS/1.0 100 Idle Heartbeat\r\nNats-Last-Consumer: {last_delivered}\r\nNats-Last-Stream: 0\r\n\r\n"
        );
        let bytes = self.msg_on(&c.deliver, &c.deliver, None, Some(&headers), "");
        self.feed(&bytes);
    }

    /// The bytes of a flow-control request of `c` to be answered on `reply`.
    pub(crate) fn flow_control_request(&self, c: &Consumer, reply: &str) -> String {
        let headers = "NATS/1.0 100 FlowControl Request\r\n\r\n";
        self.msg_on(&c.deliver, &c.deliver, Some(reply), Some(headers), "")
    }

    /// Sends a flow-control request of `c` (see [`flow_control_request`](Self::flow_control_request)).
    pub(crate) fn flow_control(&self, c: &Consumer, reply: &str) {
        let bytes = self.flow_control_request(c, reply);
        self.feed(&bytes);
    }
}

/// An ordered consumer the client asked for: its create request and what the request says.
pub(crate) struct Consumer {
    pub req: Op,
    pub name: String,
    pub deliver: String,
    pub config: Json,
    /// Messages delivered so far (the consumer sequence of the last one).
    delivered: Cell<u64>,
}

impl Consumer {
    /// `deliver_policy` and `opt_start_seq`.
    pub(crate) fn policy(&self) -> (&str, Option<i64>) {
        (
            self.config
                .get("deliver_policy")
                .and_then(Json::as_str)
                .unwrap_or(""),
            self.config.get("opt_start_seq").and_then(Json::as_i64),
        )
    }
    /// Whether it delivers headers only.
    pub(crate) fn headers_only(&self) -> bool {
        self.config.get("headers_only").and_then(Json::as_bool) == Some(true)
    }
    /// The `CONSUMER.DELETE` subject of this consumer.
    pub(crate) fn delete_subject(&self) -> String {
        format!("$JS.API.CONSUMER.DELETE.KV_b.{}", self.name)
    }
}

/// The one consumer create request among `ops`, preceded by the SUB to its deliver subject.
pub(crate) fn consumer_in(ops: &[Op]) -> Consumer {
    let creates: Vec<(usize, &Op)> = ops
        .iter()
        .enumerate()
        .filter(|(_, o)| o.subject().starts_with("$JS.API.CONSUMER.CREATE.KV_b"))
        .collect();
    let [(at, req)] = creates.as_slice() else {
        panic!("one consumer create expected: {ops:?}")
    };
    let body = Json::parse(req.payload()).expect("the create body is JSON");
    let config = body.get("config").expect("a config").clone();
    let text = |k: &str| {
        config
            .get(k)
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let (name, deliver) = (text("name"), text("deliver_subject"));
    assert!(
        ops[..*at]
            .iter()
            .any(|o| matches!(o, Op::Sub { subject, .. } if *subject == deliver)),
        "SUB {deliver} before the create: {ops:?}"
    );
    Consumer {
        req: (*req).clone(),
        name,
        deliver,
        config,
        delivered: Cell::new(0),
    }
}

/// Asserts that `ops` drop consumer `c`: UNSUB of its subscription `sid` and a CONSUMER.DELETE.
pub(crate) fn assert_dropped(ops: &[Op], c: &Consumer, sid: u64) {
    assert!(
        unsubs(ops).contains(&sid),
        "UNSUB {sid} of {}: {ops:?}",
        c.deliver
    );
    let delete = c.delete_subject();
    assert!(
        pub_subjects(ops).contains(&delete.as_str()),
        "{delete}: {ops:?}"
    );
}

/// The sids unsubscribed among `ops`.
pub(crate) fn unsubs(ops: &[Op]) -> Vec<u64> {
    ops.iter()
        .filter_map(|o| match o {
            Op::Unsub { sid, max: None } => Some(*sid),
            _ => None,
        })
        .collect()
}

/// The subjects of the `PUB`s among `ops`.
pub(crate) fn pub_subjects(ops: &[Op]) -> Vec<&str> {
    ops.iter()
        .filter(|o| matches!(o, Op::Pub { .. }))
        .map(Op::subject)
        .collect()
}

/// A run's events as a compact trace: `started`, `<key>@<rev>` per entry (`:DEL`/`:PURGE` for
/// markers, `+` for an update), `initialized`, `ended` / `ended:<code>`.
pub(crate) type Trace = Rc<RefCell<Vec<String>>>;

/// A sink that records a run's events as a [`Trace`].
pub(crate) fn recorder() -> (Trace, RunSink<KvEntry>) {
    let trace: Trace = Rc::default();
    let t = trace.clone();
    let sink: RunSink<KvEntry> = Box::new(move |ev| {
        let mut t = t.borrow_mut();
        match ev {
            RunEvent::Started => t.push("started".into()),
            RunEvent::Items(es) => t.extend(es.iter().map(entry_trace)),
            RunEvent::Initialized => t.push("initialized".into()),
            RunEvent::Ended(e) => t.push(ended_trace(e.as_ref())),
        }
    });
    (trace, sink)
}

/// `<key>@<rev>`, `:DEL`/`:PURGE` for markers, `+` for an update.
pub(crate) fn entry_trace(e: &KvEntry) -> String {
    let op = match e.operation {
        Operation::Put => String::new(),
        other => format!(":{}", other.as_str()),
    };
    let update = if e.is_update { "+" } else { "" };
    format!("{}@{}{op}{update}", e.key, e.revision)
}

/// `ended` or `ended:<code>`.
pub(crate) fn ended_trace(e: Option<&NatsError>) -> String {
    match e {
        None => "ended".into(),
        Some(e) => format!("ended:{:?}", e.code),
    }
}

/// Takes what a trace recorded so far.
pub(crate) fn drain(trace: &Trace) -> Vec<String> {
    std::mem::take(&mut *trace.borrow_mut())
}

/// The value of header `name` in a request's header block.
pub(crate) fn header<'a>(op: &'a Op, name: &str) -> Option<&'a str> {
    op.headers()
        .split("\r\n")
        .skip(1)
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(':'))
        .map(str::trim)
}

/// The `Nats-Expected-Last-Subject-Sequence` of a write.
pub(crate) fn expected_last(op: &Op) -> Option<&str> {
    header(op, "Nats-Expected-Last-Subject-Sequence")
}
