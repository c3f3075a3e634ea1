//! Native tests of the session layer: the real [`Connection`] fed by a scripted server, a fake clock,
//! fake timers and deferred calls ([`Fake`], the test twin of the web layer's driver).

mod batch;
mod client;
mod consumer;
mod kv;
mod manage;
mod obj;
mod ordered;
mod pull;
mod push;
mod scan;
mod server;
mod view;
mod watch;

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::{Rc, Weak};

use super::{drain_events, Alarm, Client, Done, Link};
use crate::client::{Connection, Options};
use crate::error::NatsError;
use crate::time::{Mono, Wall};

const INFO: &str = "INFO {\"server_id\":\"S1\",\"version\":\"2.11.4\",\"proto\":1,\"headers\":true,\"max_payload\":1048576}\r\n";

/// The fake platform: the connection, a fake clock, timers that fire when the test advances the
/// clock, and deferred calls run by the test.
pub(crate) struct Fake {
    conn: RefCell<Connection>,
    now: Cell<f64>,
    wall: Cell<f64>,
    client: RefCell<Option<Client>>,
    pumping: Cell<bool>,
    alarms: RefCell<Vec<Weak<AlarmSlot>>>,
    deferred: RefCell<VecDeque<Box<dyn FnOnce()>>>,
}

struct AlarmSlot {
    at: Cell<Option<Mono>>,
    fire: Box<dyn Fn()>,
}

struct FakeAlarm(Rc<AlarmSlot>);

impl Alarm for FakeAlarm {
    fn arm(&mut self, at: Option<Mono>) {
        self.0.at.set(at);
    }
    fn deadline(&self) -> Option<Mono> {
        self.0.at.get()
    }
    fn fired(&mut self) {
        self.0.at.set(None);
    }
}

impl Link for Fake {
    fn with(&self, f: &mut dyn FnMut(&mut Connection, Mono)) {
        f(&mut self.conn.borrow_mut(), Mono(self.now.get()));
        self.pump();
    }
    fn read(&self, f: &mut dyn FnMut(&Connection)) {
        f(&self.conn.borrow());
    }
    fn now(&self) -> Mono {
        Mono(self.now.get())
    }
    fn wall_clock(&self) -> Wall {
        Wall(self.wall.get())
    }
    fn timer(&self, fire: Box<dyn Fn()>) -> Box<dyn Alarm> {
        let slot = Rc::new(AlarmSlot {
            at: Cell::new(None),
            fire,
        });
        self.alarms.borrow_mut().push(Rc::downgrade(&slot));
        Box::new(FakeAlarm(slot))
    }
    fn defer(&self, f: Box<dyn FnOnce()>) {
        self.deferred.borrow_mut().push_back(f);
    }
}

impl Fake {
    /// What the web driver's pump does: every queued event to the client, a subscription's
    /// consecutive messages as one delivery.
    fn pump(&self) {
        if self.pumping.replace(true) {
            return;
        }
        drain_events(
            &self.conn,
            |_| {},
            |d| {
                let client = self.client.borrow().clone();
                if let Some(client) = client {
                    client.deliver(d);
                }
            },
        );
        self.pumping.set(false);
    }
}

/// An operation the client wrote.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Op {
    /// `PUB`/`HPUB`.
    Pub {
        subject: String,
        reply: Option<String>,
        headers: Option<String>,
        payload: String,
    },
    /// `SUB subject [queue] sid`.
    Sub {
        subject: String,
        queue: Option<String>,
        sid: u64,
    },
    /// `UNSUB sid [max]`.
    Unsub { sid: u64, max: Option<u64> },
    /// `PING`, `PONG`, `CONNECT`.
    Other(String),
}

impl Op {
    /// The subject of a `PUB`.
    pub(crate) fn subject(&self) -> &str {
        match self {
            Op::Pub { subject, .. } | Op::Sub { subject, .. } => subject,
            _ => "",
        }
    }
    /// The payload of a `PUB` ("" otherwise).
    pub(crate) fn payload(&self) -> &str {
        match self {
            Op::Pub { payload, .. } => payload,
            _ => "",
        }
    }
    /// The reply subject of a request.
    pub(crate) fn reply(&self) -> &str {
        match self {
            Op::Pub { reply: Some(r), .. } => r,
            _ => panic!("not a request: {self:?}"),
        }
    }
    /// The header block of an `HPUB`.
    pub(crate) fn headers(&self) -> &str {
        match self {
            Op::Pub {
                headers: Some(h), ..
            } => h,
            _ => "",
        }
    }
}

/// Splits outbound text into ops.
fn parse_ops(mut s: &str) -> Vec<Op> {
    let mut ops = Vec::new();
    while let Some(end) = s.find("\r\n") {
        let line = &s[..end];
        s = &s[end + 2..];
        let t: Vec<&str> = line.split(' ').collect();
        match t[0] {
            "PUB" | "HPUB" => {
                let hpub = t[0] == "HPUB";
                let (subject, reply) = match (hpub, t.len()) {
                    (false, 3) | (true, 4) => (t[1], None),
                    _ => (t[1], Some(t[2].to_owned())),
                };
                let total: usize = t[t.len() - 1].parse().unwrap();
                let hlen: usize = if hpub {
                    t[t.len() - 2].parse().unwrap()
                } else {
                    0
                };
                let body = &s[..total];
                s = &s[total + 2..];
                ops.push(Op::Pub {
                    subject: subject.to_owned(),
                    reply,
                    headers: hpub.then(|| body[..hlen].to_owned()),
                    payload: body[hlen..].to_owned(),
                });
            }
            "SUB" => ops.push(Op::Sub {
                subject: t[1].to_owned(),
                queue: (t.len() == 4).then(|| t[2].to_owned()),
                sid: t[t.len() - 1].parse().unwrap(),
            }),
            "UNSUB" => ops.push(Op::Unsub {
                sid: t[1].parse().unwrap(),
                max: t.get(2).map(|m| m.parse().unwrap()),
            }),
            _ => ops.push(Op::Other(line.to_owned())),
        }
    }
    ops
}

/// Whether `subject` matches the subscription `pattern` (`*`, `>`).
fn matches(pattern: &str, subject: &str) -> bool {
    let mut p = pattern.split('.');
    let mut s = subject.split('.');
    loop {
        match (p.next(), s.next()) {
            (Some(">"), Some(_)) => return true,
            (Some("*"), Some(_)) => {}
            (Some(a), Some(b)) if a == b => {}
            (None, None) => return true,
            _ => return false,
        }
    }
}

/// A connected client on the fake platform, and the scripted server's side of it.
pub(crate) struct H {
    pub fake: Rc<Fake>,
    pub client: Client,
    /// Subscriptions the client made: subject → sid (unsubscribed ones removed).
    pub subs: Vec<(String, u64)>,
}

impl H {
    /// Connected: INFO, CONNECT/PING, PONG.
    pub(crate) fn connected() -> H {
        let (h, connected) = H::handshaking();
        h.feed("PONG\r\n");
        take(&connected).expect("connected after PONG");
        h
    }

    /// The handshake under way: the socket is open, INFO came and CONNECT/PING went out (taken);
    /// the slot gets the client's `connected` callback.
    pub(crate) fn handshaking() -> (H, Slot<()>) {
        let opts = Options {
            no_randomize: true,
            ..Options::with_servers(["ws://127.0.0.1:4222"])
        };
        let conn = Connection::new(opts, Mono(0.0), 1).unwrap();
        let fake = Rc::new(Fake {
            conn: RefCell::new(conn),
            now: Cell::new(0.0),
            wall: Cell::new(1_742_465_472_000.0),
            client: RefCell::new(None),
            pumping: Cell::new(false),
            alarms: RefCell::new(Vec::new()),
            deferred: RefCell::new(VecDeque::new()),
        });
        let (connected, done) = slot();
        let client = Client::new(fake.clone(), Box::new(move |r| done(r.map(|_| ()))));
        *fake.client.borrow_mut() = Some(client.clone());
        fake.pump();
        let mut h = H {
            fake,
            client,
            subs: Vec::new(),
        };
        h.fake.conn.borrow_mut().on_open(Mono(0.0));
        h.feed(INFO);
        let hello = h.ops();
        assert!(
            matches!(&hello[0], Op::Other(l) if l.starts_with("CONNECT ")),
            "{hello:?}"
        );
        assert!(waiting(&connected));
        (h, connected)
    }

    /// Server bytes in.
    pub(crate) fn feed(&self, s: &str) {
        let now = Mono(self.fake.now.get());
        self.fake.conn.borrow_mut().on_bytes(s.as_bytes(), now);
        self.fake.pump();
    }

    /// What the client wrote since the last call (subscriptions are remembered for delivery).
    pub(crate) fn ops(&mut self) -> Vec<Op> {
        let bytes = self.fake.conn.borrow_mut().take_outbound();
        let text = bytes
            .map(|b| String::from_utf8(b).unwrap())
            .unwrap_or_default();
        let ops = parse_ops(&text);
        for op in &ops {
            match op {
                Op::Sub { subject, sid, .. } => self.subs.push((subject.clone(), *sid)),
                Op::Unsub { sid, max: None } => self.subs.retain(|(_, s)| s != sid),
                _ => {}
            }
        }
        ops
    }

    /// The `PUB`s written since the last call.
    pub(crate) fn pubs(&mut self) -> Vec<Op> {
        self.ops()
            .into_iter()
            .filter(|o| matches!(o, Op::Pub { .. }))
            .collect()
    }

    /// The one `PUB` written since the last call.
    pub(crate) fn one_pub(&mut self) -> Op {
        let mut p = self.pubs();
        assert_eq!(p.len(), 1, "one request expected: {p:?}");
        p.remove(0)
    }

    /// The sid of the subscription that receives `subject`.
    pub(crate) fn sid_for(&self, subject: &str) -> u64 {
        self.subs
            .iter()
            .find(|(p, _)| matches(p, subject))
            .map(|(_, sid)| *sid)
            .unwrap_or_else(|| panic!("no subscription receives {subject}: {:?}", self.subs))
    }

    /// A message as the server sends it: `MSG`, or `HMSG` with a header block.
    pub(crate) fn msg_bytes(
        &self,
        subject: &str,
        reply: Option<&str>,
        headers: Option<&str>,
        payload: &str,
    ) -> String {
        self.msg_on(subject, subject, reply, headers, payload)
    }

    /// A message for the subscription that receives `sub_subject`, with the subject `subject` (a
    /// consumer's delivery carries the stored subject, not its deliver subject).
    pub(crate) fn msg_on(
        &self,
        sub_subject: &str,
        subject: &str,
        reply: Option<&str>,
        headers: Option<&str>,
        payload: &str,
    ) -> String {
        let sid = self.sid_for(sub_subject);
        let reply = reply.map(|r| format!(" {r}")).unwrap_or_default();
        match headers {
            None => format!(
                "MSG {subject} {sid}{reply} {}\r\n{payload}\r\n",
                payload.len()
            ),
            Some(h) => format!(
                "HMSG {subject} {sid}{reply} {} {}\r\n{h}{payload}\r\n",
                h.len(),
                h.len() + payload.len()
            ),
        }
    }

    /// Delivers one message.
    pub(crate) fn deliver(
        &self,
        subject: &str,
        reply: Option<&str>,
        headers: Option<&str>,
        payload: &str,
    ) {
        let bytes = self.msg_bytes(subject, reply, headers, payload);
        self.feed(&bytes);
    }

    /// Answers request `req` with `payload`.
    pub(crate) fn respond(&self, req: &Op, payload: &str) {
        self.deliver(req.reply(), None, None, payload);
    }

    /// Answers request `req` with a header-only status (`503`, …).
    pub(crate) fn respond_status(&self, req: &Op, status: &str) {
        let headers = format!("NATS/1.0 {status}\r\n\r\n");
        self.deliver(req.reply(), None, Some(&headers), "");
    }

    /// Moves the fake clock on by `ms`, firing the connection's and the alarms' due deadlines, and
    /// runs deferred calls.
    pub(crate) fn advance(&self, ms: f64) {
        let now = self.fake.now.get() + ms;
        self.fake.now.set(now);
        self.fake.conn.borrow_mut().handle_timeout(Mono(now));
        self.fake.pump();
        let due: Vec<Rc<AlarmSlot>> = self
            .fake
            .alarms
            .borrow()
            .iter()
            .filter_map(Weak::upgrade)
            .filter(|a| a.at.get().is_some_and(|at| at.0 <= now))
            .collect();
        for a in due {
            a.at.set(None);
            (a.fire)();
        }
        self.run_deferred();
    }

    /// Runs the deferred calls (and those they defer).
    pub(crate) fn run_deferred(&self) {
        loop {
            let f = self.fake.deferred.borrow_mut().pop_front();
            match f {
                Some(f) => f(),
                None => break,
            }
        }
    }

    /// The connection drops; status listeners see `disconnect`.
    pub(crate) fn drop_connection(&self) {
        let now = Mono(self.fake.now.get());
        self.fake.conn.borrow_mut().on_closed(now);
        self.fake.pump();
    }

    /// After [`drop_connection`](Self::drop_connection): the reconnect timer fires, the socket
    /// opens and the handshake completes; status listeners see `reconnect`.
    pub(crate) fn reconnect(&mut self) {
        // The reconnect wait (2 s + jitter by default).
        self.advance(5_000.0);
        let now = Mono(self.fake.now.get());
        self.fake.conn.borrow_mut().on_open(now);
        self.feed(INFO);
        self.feed("PONG\r\n");
    }

    /// The wall clock, ms since the epoch.
    pub(crate) fn set_wall(&self, ms: f64) {
        self.fake.wall.set(ms);
    }
}

/// Where a [`Done`] made by [`slot`] stores its result.
pub(crate) type Slot<T> = Rc<RefCell<Option<Result<T, NatsError>>>>;

/// A [`Done`] that stores its result in the returned slot.
pub(crate) fn slot<T: 'static>() -> (Slot<T>, Done<T>) {
    let s = Rc::new(RefCell::new(None));
    let t = s.clone();
    (
        s,
        Box::new(move |r| {
            assert!(t.borrow().is_none(), "called twice");
            *t.borrow_mut() = Some(r)
        }),
    )
}

/// The result in a slot (panics when not called yet).
pub(crate) fn take<T>(s: &Slot<T>) -> Result<T, NatsError> {
    s.borrow_mut().take().expect("the callback was called")
}

/// The error in a slot (panics when not called yet, or called with a success).
pub(crate) fn failed<T>(s: &Slot<T>) -> NatsError {
    match take(s) {
        Err(e) => e,
        Ok(_) => panic!("expected an error, got a success"),
    }
}

/// Whether the slot's callback has not been called yet.
pub(crate) fn waiting<T>(s: &Slot<T>) -> bool {
    s.borrow().is_none()
}
