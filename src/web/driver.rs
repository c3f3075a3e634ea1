//! Drives the sans-IO [`Connection`] in the browser: owns the WebSocket and the timer, feeds their
//! events in, sends outbound bytes once per turn, and hands every other event to the session layer's
//! [`Client`]. It is the session layer's [`Link`] in the browser.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::spawn;

use crate::client::{Connection, Event, Options};
use crate::session::{drain_events, Alarm, Client, Delivery, Done, Link};
use crate::time::{Mono, Wall};
use crate::web::clock::now_ms;
use crate::web::clock::wall_clock_ms;
use crate::web::random;
use crate::web::sign::sign_nonce;
use crate::web::timer::Timer;
use crate::web::transport::{TransportEvent, WsTransport};

/// Outbound bytes that are written at once rather than at the end of the turn.
const EARLY_SEND: usize = 32 * 1024;

/// Receives the events the session layer handles (messages, replies, status, …).
pub type EventSink = Rc<dyn Fn(Delivery)>;

/// A live connection in the browser.
pub struct Driver {
    conn: RefCell<Connection>,
    transport: RefCell<Option<WsTransport>>,
    timer: RefCell<Option<Timer>>,
    sink: RefCell<Option<EventSink>>,
    /// The raw Ed25519 seed for nonce signing (nkey / creds auth); never leaves this struct.
    seed: Option<[u8; 32]>,
    pumping: Cell<bool>,
    send_scheduled: Cell<bool>,
    /// The task that ends the current burst (see [`Driver::schedule_send`]); `None` if the global
    /// object has no `MessageChannel`.
    burst_end: Option<BurstEnd>,
    /// A frame went out in this task: later writes wait for `burst_end`.
    in_burst: Cell<bool>,
    me: Weak<Driver>,
}

/// A `MessageChannel` whose message runs a callback as a task of its own (no timer clamping).
struct BurstEnd {
    /// Where the callback listens.
    receiver: web_sys::MessagePort,
    /// Where [`BurstEnd::post`] sends.
    port: web_sys::MessagePort,
    _callback: Closure<dyn FnMut()>,
}

impl BurstEnd {
    fn new(mut f: impl FnMut() + 'static) -> Option<BurstEnd> {
        let channel = web_sys::MessageChannel::new().ok()?;
        let callback = Closure::<dyn FnMut()>::new(move || {
            if !super::panic::poisoned() {
                f()
            }
        });
        let receiver = channel.port1();
        receiver.set_onmessage(Some(callback.as_ref().unchecked_ref()));
        Some(BurstEnd {
            receiver,
            port: channel.port2(),
            _callback: callback,
        })
    }

    fn post(&self) {
        let _ = self.port.post_message(&JsValue::UNDEFINED);
    }
}

impl Drop for BurstEnd {
    /// A message posted before the drop may still be delivered (WebKit runs a socket's close task
    /// first): the receiver lets go of the callback before it is freed.
    fn drop(&mut self) {
        self.receiver.set_onmessage(None);
        self.receiver.close();
        self.port.close();
    }
}

impl Driver {
    /// Wraps `conn` (not started).
    pub fn new(conn: Connection, seed: Option<[u8; 32]>) -> Rc<Driver> {
        Rc::new_cyclic(|me: &Weak<Driver>| {
            let weak = me.clone();
            let timer = Timer::new(move || {
                if let Some(d) = weak.upgrade() {
                    if let Some(t) = d.timer.borrow_mut().as_mut() {
                        t.fired();
                    }
                    d.conn.borrow_mut().handle_timeout(now_ms());
                    d.pump();
                }
            });
            let weak = me.clone();
            let burst_end = BurstEnd::new(move || {
                if let Some(d) = weak.upgrade() {
                    d.end_burst();
                }
            });
            Driver {
                burst_end,
                in_burst: Cell::new(false),
                conn: RefCell::new(conn),
                transport: RefCell::new(None),
                timer: RefCell::new(Some(timer)),
                sink: RefCell::new(None),
                seed,
                pumping: Cell::new(false),
                send_scheduled: Cell::new(false),
                me: me.clone(),
            }
        })
    }

    /// Sets where events go, then processes what the connection has queued (the first `Open`).
    pub fn start(&self, sink: EventSink) {
        *self.sink.borrow_mut() = Some(sink);
        self.pump();
    }

    /// Connects: `done` gets the client once CONNECT/PONG succeeded, or the error that closed the
    /// connection first. `seed` is the raw Ed25519 seed for nonce signing (nkey/creds auth).
    pub fn connect(opts: Options, seed: Option<[u8; 32]>, done: Done<Client>) {
        let conn = match Connection::new(opts, now_ms(), random::seed()) {
            Ok(c) => c,
            Err(e) => return done(Err(e)),
        };
        let driver = Driver::new(conn, seed);
        // Until it settles, the pending `done` keeps the client (and this driver) alive.
        let keep: Rc<RefCell<Option<Client>>> = Rc::new(RefCell::new(None));
        let kept = keep.clone();
        let client = Client::new(
            driver.clone(),
            Box::new(move |r| {
                kept.borrow_mut().take();
                done(r)
            }),
        );
        *keep.borrow_mut() = Some(client.clone());
        driver.start(client.sink());
    }

    /// Handles queued events, schedules the outbound write and re-arms the timer. Re-entrant calls
    /// (a JS callback that publishes) return at once: the outer loop picks up what they queued.
    fn pump(&self) {
        if self.pumping.replace(true) {
            return;
        }
        drain_events(
            &self.conn,
            |ev| match ev {
                Event::Open { url } => self.open(&url),
                Event::CloseTransport => {
                    self.send_now();
                    self.bury_transport();
                }
                Event::Sign { nonce } => self.sign(nonce),
                _ => {}
            },
            |d| self.deliver(d),
        );
        self.pumping.set(false);
        if self.conn.borrow().has_outbound() {
            self.schedule_send();
        }
        let deadline = self.conn.borrow().poll_timeout();
        if let Some(t) = self.timer.borrow_mut().as_mut() {
            // Every request moves the earliest deadline (its own timeout, then the next one's, or
            // the ping): see `rearm`.
            crate::session::rearm(t, deadline);
        }
    }

    fn deliver(&self, d: Delivery) {
        let sink = self.sink.borrow().clone();
        if let Some(sink) = sink {
            sink(d);
        }
    }

    fn open(&self, url: &str) {
        self.bury_transport();
        let weak = self.me.clone();
        let opened = WsTransport::open(url, move |ev| {
            let Some(d) = weak.upgrade() else { return };
            let now = now_ms();
            match ev {
                TransportEvent::Open => d.conn.borrow_mut().on_open(now),
                TransportEvent::Data(bytes) => d.conn.borrow_mut().on_bytes(bytes, now),
                TransportEvent::Closed { .. } => {
                    d.bury_transport();
                    d.conn.borrow_mut().on_closed(now);
                }
            }
            d.pump();
        });
        match opened {
            Ok(t) => *self.transport.borrow_mut() = Some(t),
            Err(_) => {
                // A URL the browser refuses: report it as a failed dial, after this turn.
                let weak = self.me.clone();
                spawn(Box::pin(async move {
                    if let Some(d) = weak.upgrade() {
                        d.conn.borrow_mut().on_closed(now_ms());
                        d.pump();
                    }
                }));
            }
        }
    }

    /// Detaches the current socket and drops it after this turn (its closures may be running now).
    fn bury_transport(&self) {
        if let Some(t) = self.transport.borrow_mut().take() {
            t.close();
            spawn(Box::pin(async move { drop(t) }));
        }
    }

    fn sign(&self, nonce: String) {
        let weak = self.me.clone();
        let seed = self.seed;
        spawn(Box::pin(async move {
            let result = match seed {
                Some(seed) => sign_nonce(&seed, nonce.as_bytes()).await.ok(),
                None => None,
            };
            if let Some(d) = weak.upgrade() {
                let now = now_ms();
                match result {
                    Some(sig) => d.conn.borrow_mut().on_signature(&sig, now),
                    None => d.conn.borrow_mut().on_signature_failed(now),
                }
                d.pump();
            }
        }));
    }

    /// Sends what is queued at the end of this turn (a microtask). The first frame of a task goes out
    /// at once; what is written after it in the same task (an app acking each message of a batch in
    /// its own microtask) waits for the end-of-burst task and goes out as one frame, not a frame per
    /// write.
    fn schedule_send(&self) {
        if self.send_scheduled.replace(true) {
            return;
        }
        if let Some(end) = &self.burst_end {
            if self.in_burst.replace(true) {
                return;
            }
            end.post();
        }
        let weak = self.me.clone();
        spawn(Box::pin(async move {
            if let Some(d) = weak.upgrade() {
                d.send_scheduled.set(false);
                d.send_now();
            }
        }));
    }

    /// The burst's task: sends what waited for it; the next write starts a new burst.
    fn end_burst(&self) {
        self.in_burst.set(false);
        if self.send_scheduled.replace(false) {
            self.send_now();
        }
    }

    /// Writes everything the connection has queued as one frame.
    fn send_now(&self) {
        let bytes = self.conn.borrow_mut().take_outbound();
        if let Some(bytes) = bytes {
            if let Some(t) = self.transport.borrow().as_ref() {
                let _ = t.send(&bytes);
            }
            self.conn.borrow_mut().recycle_outbound(bytes);
        }
    }
}

impl Link for Driver {
    /// A burst of publishes goes out in frames of about [`EARLY_SEND`] bytes while it is being
    /// written, so the network and the server work in parallel with the publishing loop.
    fn with(&self, f: &mut dyn FnMut(&mut Connection, Mono)) {
        self.with_untimed(&mut |c| f(c, now_ms()));
    }

    fn with_untimed(&self, f: &mut dyn FnMut(&mut Connection)) {
        f(&mut self.conn.borrow_mut());
        if !self.pumping.get() && self.conn.borrow().outbound_len() >= EARLY_SEND {
            self.send_now();
        }
        self.pump();
    }

    fn read(&self, f: &mut dyn FnMut(&Connection)) {
        f(&self.conn.borrow());
    }

    fn now(&self) -> Mono {
        now_ms()
    }

    fn wall_clock(&self) -> Wall {
        wall_clock_ms()
    }

    fn timer(&self, fire: Box<dyn Fn()>) -> Box<dyn Alarm> {
        Box::new(Timer::new(fire))
    }

    fn defer(&self, f: Box<dyn FnOnce()>) {
        spawn(Box::pin(async move { f() }));
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        if let Some(t) = self.timer.get_mut().as_mut() {
            t.cancel();
        }
    }
}
