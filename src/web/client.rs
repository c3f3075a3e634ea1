//! The async face of a connection in the browser: futures for requests and flushes, handlers for
//! subscriptions and status. The API layer (JS promises) and the KV layer (watchers) both use it.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use crate::client::{Connection, Event, Options, Status};
use crate::error::NatsError;
use crate::proto::{Headers, Msg};
use crate::web::clock::now_ms;
use crate::web::driver::{Delivery, Driver};
use crate::web::oneshot::{channel, Sender};
use crate::web::random;

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

type Handler = Rc<RefCell<SubHandler>>;

/// Called once with a request's reply (or its error), from the event handler that decoded it.
pub type ReplyFn = Box<dyn FnOnce(Result<Msg, NatsError>)>;

/// A pending request's [`ReplyFn`]; dropped without a reply (the connection state went away), it is
/// called with `CONNECTION_CLOSED`, so no caller waits forever.
struct OnReply(Option<ReplyFn>);

impl OnReply {
    fn call(mut self, r: Result<Msg, NatsError>) {
        if let Some(f) = self.0.take() {
            f(r);
        }
    }
}

impl Drop for OnReply {
    fn drop(&mut self) {
        if let Some(f) = self.0.take() {
            f(Err(NatsError::connection_closed("connection closed")));
        }
    }
}
/// A subscription's handler and the `drain_subscription` calls waiting for its end.
type SubEntry = (Handler, Vec<Sender<()>>);

#[derive(Default)]
struct Shared {
    subs: RefCell<HashMap<u64, SubEntry>>,
    requests: RefCell<HashMap<u64, OnReply>>,
    flushes: RefCell<HashMap<u64, Sender<Result<f64, NatsError>>>>,
    status: RefCell<Vec<(u32, StatusHandler)>>,
    next_listener: RefCell<u32>,
    connected: RefCell<Option<Sender<Result<(), NatsError>>>>,
    /// `Some(error)` once closed for good.
    closed: RefCell<Option<Option<NatsError>>>,
    closed_waiters: RefCell<Vec<Sender<Option<NatsError>>>>,
}

/// A connection in the browser (cheap to clone).
#[derive(Clone)]
pub struct WebClient {
    driver: Rc<Driver>,
    shared: Rc<Shared>,
}

impl WebClient {
    /// Connects; resolves once CONNECT/PONG succeeded, or to the error that closed it first.
    /// `seed` is the raw Ed25519 seed for nonce signing (nkey/creds auth).
    pub async fn connect(opts: Options, seed: Option<[u8; 32]>) -> Result<WebClient, NatsError> {
        let conn = Connection::new(opts, now_ms(), random::seed())?;
        let driver = Driver::new(conn, seed);
        let shared = Rc::new(Shared::default());
        let (tx, rx) = channel();
        *shared.connected.borrow_mut() = Some(tx);
        // The sink keeps the shared state alive while the connection is open; it is dropped on Closed.
        let sink_shared = shared.clone();
        driver.set_sink(Rc::new(move |d| match d {
            Delivery::Event(ev) => sink_shared.handle(ev),
            Delivery::Msgs(sid, msgs) => sink_shared.handle_msgs(sid, msgs),
        }));
        driver.start();
        let client = WebClient { driver, shared };
        match rx.await {
            Some(Ok(())) => Ok(client),
            Some(Err(e)) => Err(e),
            None => Err(NatsError::connection_closed(
                "connection closed before it was established",
            )),
        }
    }

    /// The last INFO as JSON text.
    pub fn info_json(&self) -> Option<String> {
        self.driver.read(|c| c.info_json().map(str::to_owned))
    }

    /// The server's `max_payload`.
    pub fn max_payload(&self) -> usize {
        self.driver.read(|c| c.max_payload())
    }

    /// Whether the connection is closed for good.
    pub fn is_closed(&self) -> bool {
        self.driver.read(|c| c.is_closed())
    }

    /// A new unique inbox subject.
    pub fn new_inbox(&self) -> String {
        self.driver.with_conn(|c| c.new_inbox())
    }

    /// The connection's `inboxPrefix`.
    pub fn inbox_prefix(&self) -> String {
        self.driver.read(|c| c.options().inbox_prefix.clone())
    }

    /// A new 22-character unique token.
    pub fn next_nuid(&self) -> String {
        self.driver.with_conn(|c| c.next_nuid())
    }

    /// Publishes (validated before anything is written).
    pub fn publish(
        &self,
        subject: &str,
        reply: Option<&str>,
        headers: Option<&Headers>,
        payload: &[u8],
    ) -> Result<(), NatsError> {
        self.driver
            .with_conn(|c| c.publish(subject, reply, headers, payload))
    }

    /// Subscribes; `handler` gets every message and, last, `Closed`. Returns the sid.
    pub fn subscribe(
        &self,
        subject: &str,
        queue: Option<&str>,
        max: Option<u64>,
        handler: SubHandler,
    ) -> Result<u64, NatsError> {
        let sid = self
            .driver
            .with_conn(|c| c.subscribe(subject, queue, max))?;
        self.shared
            .subs
            .borrow_mut()
            .insert(sid, (Rc::new(RefCell::new(handler)), Vec::new()));
        Ok(sid)
    }

    /// Unsubscribes now, or after `max` messages in all.
    pub fn unsubscribe(&self, sid: u64, max: Option<u64>) -> Result<(), NatsError> {
        self.driver.with_conn(|c| c.unsubscribe(sid, max))
    }

    /// Drains one subscription; resolves when it has ended.
    pub async fn drain_subscription(&self, sid: u64) -> Result<(), NatsError> {
        if !self.driver.with_conn(|c| c.drain_subscription(sid))? {
            return Ok(());
        }
        let (tx, rx) = channel();
        match self.shared.subs.borrow_mut().get_mut(&sid) {
            Some((_, waiters)) => waiters.push(tx),
            None => return Ok(()),
        }
        rx.await;
        Ok(())
    }

    /// Request/reply over the muxed inbox.
    pub async fn request(
        &self,
        subject: &str,
        payload: &[u8],
        headers: Option<&Headers>,
        timeout_ms: f64,
    ) -> Result<Msg, NatsError> {
        let id = self
            .driver
            .with(|c, now| c.request(subject, payload, headers, timeout_ms, now))?;
        self.reply(id).await
    }

    /// [`request`](Self::request) to a JetStream API subject that ends with a subject filter
    /// (`*`/`>` tokens allowed; see `Connection::api_request`).
    pub async fn api_request(
        &self,
        subject: &str,
        payload: &[u8],
        timeout_ms: f64,
    ) -> Result<Msg, NatsError> {
        let id = self
            .driver
            .with(|c, now| c.api_request(subject, payload, None, timeout_ms, now))?;
        self.reply(id).await
    }

    async fn reply(&self, id: u64) -> Result<Msg, NatsError> {
        let (tx, rx) = channel();
        self.shared
            .requests
            .borrow_mut()
            .insert(id, OnReply(Some(Box::new(move |r| tx.send(r)))));
        rx.await
            .unwrap_or_else(|| Err(NatsError::connection_closed("connection closed")))
    }

    /// [`request`](Self::request) without a future: `done` is called with the reply straight from
    /// the event handler that decoded it (or at once with an error the request could not be sent
    /// with). A caller that settles a JS promise in `done` skips the executor's task wake-up and poll.
    pub fn request_then(
        &self,
        subject: &str,
        payload: &[u8],
        headers: Option<&Headers>,
        timeout_ms: f64,
        done: ReplyFn,
    ) {
        let sent = self
            .driver
            .with(|c, now| c.request(subject, payload, headers, timeout_ms, now));
        match sent {
            Ok(id) => {
                self.shared
                    .requests
                    .borrow_mut()
                    .insert(id, OnReply(Some(done)));
            }
            Err(e) => done(Err(e)),
        }
    }

    /// PING → PONG; the round trip in ms.
    pub async fn flush(&self) -> Result<f64, NatsError> {
        let id = self.driver.with(|c, now| c.flush(now))?;
        let (tx, rx) = channel();
        self.shared.flushes.borrow_mut().insert(id, tx);
        rx.await
            .unwrap_or_else(|| Err(NatsError::connection_closed("connection closed")))
    }

    /// Drains every subscription, flushes and closes; the error if it did not close cleanly.
    pub async fn drain(&self) -> Result<(), NatsError> {
        self.driver.with(|c, now| c.drain(now))?;
        match self.closed().await {
            None => Ok(()),
            Some(e) => Err(e),
        }
    }

    /// Closes (a second call is harmless) and waits until closed.
    pub async fn close(&self) {
        self.driver.with(|c, now| c.close(now));
        self.closed().await;
    }

    /// Resolves when the connection is closed for good: `None`, or the error that closed it.
    pub async fn closed(&self) -> Option<NatsError> {
        if let Some(r) = self.shared.closed.borrow().clone() {
            return r;
        }
        let (tx, rx) = channel();
        self.shared.closed_waiters.borrow_mut().push(tx);
        rx.await.flatten()
    }

    /// Adds a status listener; returns its id for [`remove_status_listener`](Self::remove_status_listener).
    pub fn on_status(&self, f: StatusHandler) -> u32 {
        let mut next = self.shared.next_listener.borrow_mut();
        *next += 1;
        self.shared.status.borrow_mut().push((*next, f));
        *next
    }

    /// Removes a status listener.
    pub fn remove_status_listener(&self, id: u32) {
        self.shared.status.borrow_mut().retain(|(i, _)| *i != id);
    }
}

impl Shared {
    fn handle_msgs(&self, sid: u64, msgs: Vec<Msg>) {
        let h = self.subs.borrow().get(&sid).map(|(h, _)| h.clone());
        if let Some(h) = h {
            (h.borrow_mut())(SubEvent::Msgs(msgs));
        }
    }

    fn handle(&self, ev: Event) {
        match ev {
            Event::Connected { .. } => {
                if let Some(tx) = self.connected.borrow_mut().take() {
                    tx.send(Ok(()));
                }
            }
            Event::Msg { sid, msg } => self.handle_msgs(sid, vec![msg]),
            Event::SubClosed { sid, error } => {
                let entry = self.subs.borrow_mut().remove(&sid);
                if let Some((h, waiters)) = entry {
                    (h.borrow_mut())(SubEvent::Closed(error));
                    waiters.into_iter().for_each(|w| w.send(()));
                }
            }
            Event::Reply { id, result } => {
                // Released before the call: the callee may start another request.
                let pending = self.requests.borrow_mut().remove(&id);
                if let Some(r) = pending {
                    r.call(result);
                }
            }
            Event::Flushed { id, result } => {
                if let Some(tx) = self.flushes.borrow_mut().remove(&id) {
                    tx.send(result);
                }
            }
            Event::Status(s) => {
                let listeners: Vec<StatusHandler> = self
                    .status
                    .borrow()
                    .iter()
                    .map(|(_, f)| f.clone())
                    .collect();
                for f in listeners {
                    f(&s);
                }
            }
            Event::Closed { error } => self.finish(error),
            // Transport commands are handled by the driver.
            Event::Open { .. } | Event::CloseTransport | Event::Sign { .. } => {}
        }
    }

    fn finish(&self, error: Option<NatsError>) {
        if let Some(tx) = self.connected.borrow_mut().take() {
            tx.send(Err(error.clone().unwrap_or_else(|| {
                NatsError::connection_closed("connection closed before it was established")
            })));
        }
        *self.closed.borrow_mut() = Some(error.clone());
        for w in self.closed_waiters.borrow_mut().drain(..) {
            w.send(error.clone());
        }
        let closed = || NatsError::connection_closed("connection closed");
        let requests = std::mem::take(&mut *self.requests.borrow_mut());
        for (_, r) in requests {
            r.call(Err(closed()));
        }
        for (_, tx) in self.flushes.borrow_mut().drain() {
            tx.send(Err(closed()));
        }
    }
}
