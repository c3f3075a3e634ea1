//! [`Client`]: a connection's dispatch. Requests, flushes and subscriptions register a callback here;
//! the driver hands every event the connection produces to [`Client::deliver`], which calls them.

use std::cell::RefCell;
use std::rc::Rc;

use super::{Done, Link};
use crate::client::{Connection, Event, Status};
use crate::error::NatsError;
use crate::proto::{Headers, Msg};

/// What the driver hands to the session layer.
pub enum Delivery {
    /// Replies, status, subscription ends, …
    Event(Event),
    /// Consecutive messages for one subscription (usually all of one WebSocket frame's).
    Msgs(u64, Vec<Msg>),
}

/// Takes every event `conn` has queued, in order: what the platform does itself (`Open`: dial,
/// `CloseTransport`, `Sign`: a nonce) goes to `platform`, everything else to `client` (for
/// [`Client::deliver`]), a subscription's consecutive messages as one [`Delivery::Msgs`]. `conn` is
/// not borrowed while they run, so they may use the connection (what they queue is taken by this same
/// loop). The one pump loop of the web driver and of the native tests' fake platform.
pub fn drain_events(
    conn: &RefCell<Connection>,
    mut platform: impl FnMut(Event),
    mut client: impl FnMut(Delivery),
) {
    loop {
        let ev = conn.borrow_mut().poll_event();
        let Some(ev) = ev else { break };
        match ev {
            Event::Msg { sid, msg } => {
                let mut msgs = vec![msg];
                {
                    let mut c = conn.borrow_mut();
                    while let Some(m) = c.poll_msg(sid) {
                        msgs.push(m);
                    }
                }
                client(Delivery::Msgs(sid, msgs));
            }
            ev @ (Event::Open { .. } | Event::CloseTransport | Event::Sign { .. }) => platform(ev),
            other => client(Delivery::Event(other)),
        }
    }
}

/// What a subscription handler receives.
pub enum SubEvent {
    /// Consecutive messages (usually all of one WebSocket frame's), in order.
    Msgs(Vec<Msg>),
    /// The subscription ended (max reached, unsubscribed, drained, closed, or refused).
    Closed(Option<NatsError>),
}

/// Called for every event of one subscription.
pub type SubHandler = Box<dyn FnMut(SubEvent)>;
/// Called for every status change.
pub type StatusHandler = Rc<dyn Fn(&Status)>;
/// Called once with the connection's end: `None` when closed cleanly, else the error.
pub type ClosedFn = Box<dyn FnOnce(Option<NatsError>)>;

/// A pending callback that, dropped without a call (the connection state went away), is called with
/// `CONNECTION_CLOSED`, so no caller waits forever.
struct Pending<T>(Option<Done<T>>);

impl<T> Pending<T> {
    fn call(mut self, r: Result<T, NatsError>) {
        if let Some(f) = self.0.take() {
            f(r);
        }
    }
}

impl<T> Drop for Pending<T> {
    fn drop(&mut self) {
        if let Some(f) = self.0.take() {
            f(Err(closed_error()));
        }
    }
}

fn closed_error() -> NatsError {
    NatsError::connection_closed("connection closed")
}

/// A map by increasing id, smaller than a hash map: replies mostly come in request order, so the
/// one looked for is usually the oldest (found first). A `Vec`, not a `VecDeque` (binary size: its
/// `remove` links ring-buffer copy code per type); removing the oldest of n moves n − 1 small entries.
struct ById<T>(Vec<(u64, T)>);

impl<T> Default for ById<T> {
    fn default() -> Self {
        ById(Vec::new())
    }
}

impl<T> ById<T> {
    fn insert(&mut self, id: u64, v: T) {
        self.0.push((id, v));
    }
    fn remove(&mut self, id: u64) -> Option<T> {
        let i = self.0.iter().position(|(k, _)| *k == id)?;
        Some(self.0.remove(i).1)
    }
    fn get_mut(&mut self, id: u64) -> Option<&mut T> {
        self.0.iter_mut().find(|(k, _)| *k == id).map(|(_, v)| v)
    }
    fn take_all(&mut self) -> Vec<(u64, T)> {
        std::mem::take(&mut self.0)
    }
}

/// A subscription's handler and the `drain_subscription` calls waiting for its end.
struct SubEntry {
    handler: Rc<RefCell<SubHandler>>,
    drained: Vec<Done<()>>,
}

#[derive(Default)]
struct Dispatch {
    subs: RefCell<ById<SubEntry>>,
    requests: RefCell<ById<Pending<Msg>>>,
    flushes: RefCell<ById<Pending<f64>>>,
    status: RefCell<Vec<(u32, StatusHandler)>>,
    next_listener: RefCell<u32>,
    connected: RefCell<Option<Done<Client>>>,
    /// `Some(error)` once closed for good.
    closed: RefCell<Option<Option<NatsError>>>,
    closed_waiters: RefCell<Vec<ClosedFn>>,
}

/// A connection (cheap to clone).
#[derive(Clone)]
pub struct Client {
    link: Rc<dyn Link>,
    dispatch: Rc<Dispatch>,
}

impl Client {
    /// A client over `link`; `connected` gets it once CONNECT/PONG succeeded, or the error that
    /// closed the connection first. The driver hands its events to [`sink`](Self::sink).
    pub fn new(link: Rc<dyn Link>, connected: Done<Client>) -> Client {
        let dispatch = Rc::new(Dispatch::default());
        *dispatch.connected.borrow_mut() = Some(connected);
        Client { link, dispatch }
    }

    /// The platform this client runs on.
    pub fn link(&self) -> &Rc<dyn Link> {
        &self.link
    }

    /// Runs `f` on the connection (through the link), returning its result (`None` if the link
    /// did not run it). `f` is `FnMut` so that the link calls it directly, with no wrapper closure
    /// per call site.
    fn with<R>(
        &self,
        mut f: impl FnMut(&mut crate::client::Connection, crate::time::Mono) -> R,
    ) -> Option<R> {
        let mut out = None;
        self.link.with(&mut |c, now| out = Some(f(c, now)));
        out
    }

    /// Runs a fallible `f` on the connection.
    fn try_with<R>(
        &self,
        f: impl FnMut(&mut crate::client::Connection, crate::time::Mono) -> Result<R, NatsError>,
    ) -> Result<R, NatsError> {
        self.with(f).unwrap_or_else(|| Err(closed_error()))
    }

    /// Reads the connection.
    fn read<R: Default>(&self, mut f: impl FnMut(&crate::client::Connection) -> R) -> R {
        let mut out = R::default();
        self.link.read(&mut |c| out = f(c));
        out
    }

    /// The last INFO as JSON text.
    pub fn info_json(&self) -> Option<String> {
        self.read(|c| c.info_json().map(str::to_owned))
    }

    /// The server's `max_payload`.
    pub fn max_payload(&self) -> usize {
        self.read(|c| c.max_payload())
    }

    /// Whether the connection is closed for good.
    pub fn is_closed(&self) -> bool {
        self.read(|c| c.is_closed())
    }

    /// Whether the connection is up (CONNECT/PONG done, not reconnecting).
    pub fn is_connected(&self) -> bool {
        self.read(|c| c.is_connected())
    }

    /// The connection's `inboxPrefix`.
    pub fn inbox_prefix(&self) -> String {
        self.read(|c| c.options().inbox_prefix.clone())
    }

    /// A new 22-character unique token.
    pub fn next_nuid(&self) -> String {
        self.with(|c, _| c.next_nuid()).unwrap_or_default()
    }

    /// Publishes (validated before anything is written).
    pub fn publish(
        &self,
        subject: &str,
        reply: Option<&str>,
        headers: Option<&Headers>,
        payload: &[u8],
    ) -> Result<(), NatsError> {
        let mut r = Err(closed_error());
        self.link.with_untimed(&mut |c| {
            r = c.publish(subject, reply, headers, payload);
        });
        r
    }

    /// Subscribes; `handler` gets every message and, last, `Closed`. Returns the sid.
    pub fn subscribe(
        &self,
        subject: &str,
        queue: Option<&str>,
        max: Option<u64>,
        handler: SubHandler,
    ) -> Result<u64, NatsError> {
        let sid = self.try_with(|c, _| c.subscribe(subject, queue, max))?;
        self.dispatch.subs.borrow_mut().insert(
            sid,
            SubEntry {
                handler: Rc::new(RefCell::new(handler)),
                drained: Vec::new(),
            },
        );
        Ok(sid)
    }

    /// Unsubscribes now, or after `max` messages in all.
    pub fn unsubscribe(&self, sid: u64, max: Option<u64>) -> Result<(), NatsError> {
        self.try_with(|c, _| c.unsubscribe(sid, max))
    }

    /// Drains one subscription; `done` once it has ended.
    pub fn drain_subscription(&self, sid: u64, done: Done<()>) {
        match self.try_with(|c, _| c.drain_subscription(sid)) {
            Ok(true) => match self.dispatch.subs.borrow_mut().get_mut(sid) {
                Some(entry) => entry.drained.push(done),
                None => done(Ok(())),
            },
            Ok(false) => done(Ok(())),
            Err(e) => done(Err(e)),
        }
    }

    /// Request/reply over the muxed inbox: `done` gets the reply straight from the event handler
    /// that decoded it (or at once the error it could not be sent with).
    pub fn request(
        &self,
        subject: &str,
        payload: &[u8],
        headers: Option<&Headers>,
        timeout_ms: f64,
        done: Done<Msg>,
    ) {
        let sent = self.try_with(|c, now| c.request(subject, payload, headers, timeout_ms, now));
        self.await_reply(sent, done);
    }

    /// [`request`](Self::request) to a JetStream API subject that ends with a subject filter
    /// (`*`/`>` tokens allowed; see `Connection::api_request`).
    pub fn api_request(&self, subject: &str, payload: &[u8], timeout_ms: f64, done: Done<Msg>) {
        let sent = self.try_with(|c, now| c.api_request(subject, payload, None, timeout_ms, now));
        self.await_reply(sent, done);
    }

    fn await_reply(&self, sent: Result<u64, NatsError>, done: Done<Msg>) {
        match sent {
            Ok(id) => self
                .dispatch
                .requests
                .borrow_mut()
                .insert(id, Pending(Some(done))),
            Err(e) => done(Err(e)),
        }
    }

    /// PING → PONG; `done` gets the round trip in ms.
    pub fn flush(&self, done: Done<f64>) {
        match self.try_with(|c, now| c.flush(now)) {
            Ok(id) => self
                .dispatch
                .flushes
                .borrow_mut()
                .insert(id, Pending(Some(done))),
            Err(e) => done(Err(e)),
        }
    }

    /// Drains every subscription, flushes and closes; `done` with the error if it did not close cleanly.
    pub fn drain(&self, done: Done<()>) {
        if let Err(e) = self.try_with(|c, now| c.drain(now)) {
            return done(Err(e));
        }
        self.closed(Box::new(move |r| done(r.map_or(Ok(()), Err))));
    }

    /// Closes (a second call is harmless); `done` once closed.
    pub fn close(&self, done: Done<()>) {
        self.with(|c, now| c.close(now));
        self.closed(Box::new(move |_| done(Ok(()))));
    }

    /// `done` once the connection is closed for good: `None`, or the error that closed it.
    pub fn closed(&self, done: ClosedFn) {
        let closed = self.dispatch.closed.borrow().clone();
        match closed {
            Some(r) => done(r),
            None => self.dispatch.closed_waiters.borrow_mut().push(done),
        }
    }

    /// Adds a status listener; returns its id for [`remove_status_listener`](Self::remove_status_listener).
    pub fn on_status(&self, f: StatusHandler) -> u32 {
        let mut next = self.dispatch.next_listener.borrow_mut();
        *next += 1;
        self.dispatch.status.borrow_mut().push((*next, f));
        *next
    }

    /// Removes a status listener.
    pub fn remove_status_listener(&self, id: u32) {
        self.dispatch.status.borrow_mut().retain(|(i, _)| *i != id);
    }

    /// Where the driver hands the connection's events: [`deliver`](Self::deliver) without a strong
    /// reference to the link (the driver that holds this sink).
    pub fn sink(&self) -> Rc<dyn Fn(Delivery)> {
        let link = Rc::downgrade(&self.link);
        let dispatch = self.dispatch.clone();
        Rc::new(move |d| {
            if let Some(link) = link.upgrade() {
                let client = Client {
                    link,
                    dispatch: dispatch.clone(),
                };
                client.deliver(d);
            }
        })
    }

    /// Hands one event of the connection to whoever waits for it. The dispatch state is never
    /// borrowed while a callback runs (a callback may start another call).
    pub fn deliver(&self, d: Delivery) {
        let dispatch = &self.dispatch;
        match d {
            Delivery::Msgs(sid, msgs) => dispatch.msgs(sid, msgs),
            Delivery::Event(ev) => match ev {
                Event::Connected { .. } => {
                    let connected = dispatch.connected.borrow_mut().take();
                    if let Some(done) = connected {
                        done(Ok(self.clone()));
                    }
                }
                Event::Msg { sid, msg } => dispatch.msgs(sid, vec![msg]),
                Event::SubClosed { sid, error } => {
                    let entry = dispatch.subs.borrow_mut().remove(sid);
                    if let Some(entry) = entry {
                        (entry.handler.borrow_mut())(SubEvent::Closed(error));
                        entry.drained.into_iter().for_each(|d| d(Ok(())));
                    }
                }
                Event::Reply { id, result } => {
                    let pending = dispatch.requests.borrow_mut().remove(id);
                    if let Some(p) = pending {
                        p.call(result);
                    }
                }
                Event::Flushed { id, result } => {
                    let pending = dispatch.flushes.borrow_mut().remove(id);
                    if let Some(p) = pending {
                        p.call(result);
                    }
                }
                Event::Status(s) => {
                    let listeners: Vec<StatusHandler> = dispatch
                        .status
                        .borrow()
                        .iter()
                        .map(|(_, f)| f.clone())
                        .collect();
                    for f in listeners {
                        f(&s);
                    }
                }
                Event::Closed { error } => dispatch.finish(error),
                // Transport commands are the driver's.
                Event::Open { .. } | Event::CloseTransport | Event::Sign { .. } => {}
            },
        }
    }
}

impl Dispatch {
    fn msgs(&self, sid: u64, msgs: Vec<Msg>) {
        let h = self
            .subs
            .borrow_mut()
            .get_mut(sid)
            .map(|e| e.handler.clone());
        if let Some(h) = h {
            // A handler that is running (a re-entrant delivery) is skipped rather than a panic.
            if let Ok(mut h) = h.try_borrow_mut() {
                h(SubEvent::Msgs(msgs));
            }
        }
    }

    fn finish(&self, error: Option<NatsError>) {
        let connected = self.connected.borrow_mut().take();
        if let Some(done) = connected {
            done(Err(error.clone().unwrap_or_else(|| {
                NatsError::connection_closed("connection closed before it was established")
            })));
        }
        *self.closed.borrow_mut() = Some(error.clone());
        let waiters = std::mem::take(&mut *self.closed_waiters.borrow_mut());
        for w in waiters {
            w(error.clone());
        }
        // Dropped pending callbacks reject with CONNECTION_CLOSED (see `Pending`).
        let requests = self.requests.borrow_mut().take_all();
        drop(requests);
        let flushes = self.flushes.borrow_mut().take_all();
        drop(flushes);
    }
}
