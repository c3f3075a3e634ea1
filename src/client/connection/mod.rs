//! The sans-IO connection state machine.
//!
//! Driving it (the web layer): after **every** call into a `Connection` (an input, a user command or
//! `handle_timeout`),
//! 1. send `take_outbound()` (if any) on the current WebSocket,
//! 2. handle every `poll_event()` in order (`Open` dials a new WebSocket, `CloseTransport` closes the
//!    current one, `Sign` signs the nonce asynchronously, the rest resolve promises and callbacks),
//! 3. arm one timer for `poll_timeout()` and call `handle_timeout(now)` when it fires.
//!
//! Time (`now`, a [`Mono`] instant) and randomness (the seed) are inputs; nothing here reads a clock or
//! the OS.
//!
//! Files: this one holds the state, the outputs and the transport inputs; `commands` the user
//! commands; `lifecycle` dialling, reconnecting and closing; `ops` the handling of server ops.

mod commands;
mod lifecycle;
mod ops;

use std::collections::VecDeque;
use std::mem;

use crate::error::{ErrorCode, NatsError};
use crate::proto::json::Json;
use crate::proto::num::f64_text;
use crate::proto::{Decoder, Msg};
use crate::time::Mono;

use super::events::{Event, Status};
use super::handshake::{decoder_bound, DEFAULT_MAX_PAYLOAD};
use super::nkeys::is_base64url;
use super::nuid::{Nuid, Prng};
use super::options::Options;
use super::pool::Pool;
use super::requests::Requests;
use super::subs::{Subs, Subscription};

/// Most flushes requested while disconnected that wait for the next connection.
pub const MAX_DEFERRED_FLUSHES: usize = 1024;

/// Where the connection is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// No transport; waiting for the reconnect timer.
    Waiting,
    /// `Event::Open` emitted; waiting for `on_open`.
    Dialing,
    /// Transport open; waiting for the server's first INFO.
    AwaitInfo,
    /// `Event::Sign` emitted; waiting for `on_signature`.
    AwaitSign,
    /// CONNECT + PING sent; waiting for the PONG.
    AwaitPong,
    /// Connected.
    Connected,
    /// Closed for good.
    Closed,
}

/// Who waits for the next PONG (PONGs answer PINGs in order).
#[derive(Debug, Clone, Copy, PartialEq)]
enum PongWaiter {
    Handshake,
    KeepAlive,
    Flush { id: u64, started: Mono },
    DrainSub(u64),
    Drain,
}

/// A NATS connection, sans IO. See the module documentation for how to drive it.
#[derive(Debug)]
pub struct Connection {
    opts: Options,
    rng: Prng,
    nuid: Nuid,
    pool: Pool,
    decoder: Decoder,
    phase: Phase,
    ever_connected: bool,
    /// Bumped whenever a transport is dropped or dialled: stops op processing for a dead transport.
    transport_gen: u64,
    info: Option<Json>,
    info_json: Option<String>,
    max_payload: usize,
    events: VecDeque<Event>,
    /// Bytes for the current transport.
    out: Vec<u8>,
    /// Publishes made while not connected (bounded by `reconnect_buf_size`).
    pending_out: Vec<u8>,
    subs: Subs,
    requests: Requests,
    next_request_id: u64,
    next_flush_id: u64,
    pongs: VecDeque<PongWaiter>,
    deferred_flushes: Vec<(u64, Mono)>,
    pings_out: u32,
    next_ping: Option<Mono>,
    connect_deadline: Option<Mono>,
    redial_at: Option<Mono>,
    draining: bool,
    drain_deadline: Option<Mono>,
    /// Last auth error kind without a successful connection since (two in a row stop reconnecting).
    auth_streak: Option<ErrorCode>,
    last_error: Option<NatsError>,
}

impl Connection {
    /// Validates `opts`, then starts dialling the first server (`Event::Open`). `seed` feeds every
    /// random choice (server shuffle, jitter, inbox names).
    pub fn new(opts: Options, now: Mono, seed: u64) -> Result<Connection, NatsError> {
        opts.validate()?;
        let mut rng = Prng::new(seed);
        let nuid = Nuid::new(rng.next_u64());
        let pool = Pool::new(
            &opts.servers,
            if opts.no_randomize {
                None
            } else {
                Some(&mut rng)
            },
        );
        let mut c = Connection {
            opts,
            rng,
            nuid,
            pool,
            decoder: Decoder::new(decoder_bound(DEFAULT_MAX_PAYLOAD)),
            phase: Phase::Waiting,
            ever_connected: false,
            transport_gen: 0,
            info: None,
            info_json: None,
            max_payload: DEFAULT_MAX_PAYLOAD,
            events: VecDeque::new(),
            out: Vec::new(),
            pending_out: Vec::new(),
            subs: Subs::default(),
            requests: Requests::default(),
            next_request_id: 1,
            next_flush_id: 1,
            pongs: VecDeque::new(),
            deferred_flushes: Vec::new(),
            pings_out: 0,
            next_ping: None,
            connect_deadline: None,
            redial_at: None,
            draining: false,
            drain_deadline: None,
            auth_streak: None,
            last_error: None,
        };
        c.dial_next(now);
        Ok(c)
    }

    // ----------------------------------------------------------------------------------------------
    // Outputs and state
    // ----------------------------------------------------------------------------------------------

    /// The next event, if any.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// The next event if it is a message for `sid` (lets the driver deliver a frame's consecutive
    /// messages for one subscription in one batch).
    pub fn poll_msg(&mut self, sid: u64) -> Option<Msg> {
        match self.events.front() {
            Some(Event::Msg { sid: s, .. }) if *s == sid => match self.events.pop_front() {
                Some(Event::Msg { msg, .. }) => Some(msg),
                _ => None,
            },
            _ => None,
        }
    }

    /// Every byte written since the last call, for one `send()` on the current transport.
    pub fn take_outbound(&mut self) -> Option<Vec<u8>> {
        if self.out.is_empty() {
            None
        } else {
            Some(mem::take(&mut self.out))
        }
    }

    /// Hands back a buffer from `take_outbound()` once written, so the next burst reuses its capacity
    /// (buffers above 1 MiB, and any once the connection is closed, are dropped rather than kept).
    pub fn recycle_outbound(&mut self, mut buf: Vec<u8>) {
        if self.out.is_empty() && buf.capacity() <= 1 << 20 && self.phase != Phase::Closed {
            buf.clear();
            self.out = buf;
        }
    }

    /// Bytes waiting for `take_outbound()`.
    pub fn outbound_len(&self) -> usize {
        self.out.len()
    }

    /// Whether `take_outbound()` has bytes.
    pub fn has_outbound(&self) -> bool {
        !self.out.is_empty()
    }

    /// The earliest time at which `handle_timeout` has something to do.
    pub fn poll_timeout(&self) -> Option<Mono> {
        if self.phase == Phase::Closed {
            return None;
        }
        let redial = if self.phase == Phase::Waiting {
            self.redial_at
        } else {
            None
        };
        let ping = if self.phase == Phase::Connected {
            self.next_ping
        } else {
            None
        };
        [
            self.connect_deadline,
            redial,
            ping,
            self.requests.next_deadline(),
            self.drain_deadline,
        ]
        .into_iter()
        .flatten()
        .reduce(Mono::min)
    }

    /// The phase of the state machine.
    pub fn phase(&self) -> Phase {
        self.phase
    }
    /// Closed for good.
    pub fn is_closed(&self) -> bool {
        self.phase == Phase::Closed
    }
    /// Connected (handshake complete, transport up).
    pub fn is_connected(&self) -> bool {
        self.phase == Phase::Connected
    }
    /// `drain()` is in progress.
    pub fn is_draining(&self) -> bool {
        self.draining && self.phase != Phase::Closed
    }
    /// The last INFO, parsed.
    pub fn info(&self) -> Option<&Json> {
        self.info.as_ref()
    }
    /// The last INFO, as the server sent it.
    pub fn info_json(&self) -> Option<&str> {
        self.info_json.as_deref()
    }
    /// The server's `max_payload` (1 MiB before any INFO).
    pub fn max_payload(&self) -> usize {
        self.max_payload
    }
    /// The server pool, in selection order.
    pub fn servers(&self) -> Vec<String> {
        self.pool.servers().iter().map(|s| s.url.clone()).collect()
    }
    /// A live subscription (user or internal).
    pub fn subscription(&self, sid: u64) -> Option<&Subscription> {
        self.subs.get(sid)
    }
    /// Requests waiting for a reply.
    pub fn pending_requests(&self) -> usize {
        self.requests.len()
    }
    /// Bytes of publishes buffered while not connected.
    pub fn buffered_bytes(&self) -> usize {
        self.pending_out.len()
    }
    /// The options in force.
    pub fn options(&self) -> &Options {
        &self.opts
    }
    /// A fresh NUID (22 base62 characters), e.g. for consumer names.
    pub fn next_nuid(&mut self) -> String {
        self.nuid.next_id()
    }
    /// A fresh inbox subject `<inboxPrefix>.<nuid>`.
    pub fn new_inbox(&mut self) -> String {
        format!("{}.{}", self.opts.inbox_prefix, self.nuid.next_id())
    }

    pub(super) fn has_transport(&self) -> bool {
        matches!(
            self.phase,
            Phase::Dialing
                | Phase::AwaitInfo
                | Phase::AwaitSign
                | Phase::AwaitPong
                | Phase::Connected
        )
    }

    pub(super) fn in_handshake(&self) -> bool {
        matches!(
            self.phase,
            Phase::Dialing | Phase::AwaitInfo | Phase::AwaitSign | Phase::AwaitPong
        )
    }

    pub(super) fn emit(&mut self, e: Event) {
        self.events.push_back(e);
    }

    pub(super) fn status(&mut self, s: Status) {
        self.events.push_back(Event::Status(s));
    }

    // ----------------------------------------------------------------------------------------------
    // Transport inputs
    // ----------------------------------------------------------------------------------------------

    /// The WebSocket of the last `Event::Open` is open.
    pub fn on_open(&mut self, _now: Mono) {
        if self.phase == Phase::Dialing {
            self.phase = Phase::AwaitInfo;
        }
    }

    /// Bytes received on the current WebSocket (any chunking).
    pub fn on_bytes(&mut self, data: &[u8], now: Mono) {
        if !self.has_transport() {
            return;
        }
        if self.phase == Phase::Dialing {
            self.phase = Phase::AwaitInfo;
        }
        self.decoder.push(data);
        let gen = self.transport_gen;
        while self.transport_gen == gen && self.has_transport() {
            match self.decoder.next_op() {
                Ok(Some(op)) => self.handle_op(op, now),
                Ok(None) => break,
                Err(e) => {
                    self.fail_transport(NatsError::protocol(e.to_string()), now);
                    break;
                }
            }
        }
    }

    /// The current WebSocket closed or failed (never called after `Event::CloseTransport`).
    pub fn on_closed(&mut self, now: Mono) {
        match self.phase {
            Phase::Dialing | Phase::AwaitInfo => {
                let url = self.pool.current_url();
                let e = NatsError::new(
                    ErrorCode::ConnectionRefused,
                    format!("could not connect to {url}"),
                );
                self.attempt_failed(e, now, false);
            }
            Phase::AwaitSign | Phase::AwaitPong => {
                let e = NatsError::connection_closed(
                    "the server closed the connection during the handshake",
                );
                self.attempt_failed(e, now, false);
            }
            Phase::Connected => self.lost_connection(None, now, false),
            Phase::Waiting | Phase::Closed => {}
        }
    }

    /// The base64url (no padding) Ed25519 signature of the nonce of `Event::Sign`.
    pub fn on_signature(&mut self, sig: &str, now: Mono) {
        if self.phase != Phase::AwaitSign {
            return;
        }
        if !is_base64url(sig) {
            let e = NatsError::invalid_argument("the nonce signature is not base64url");
            self.close_with(Some(e), true);
            return;
        }
        self.send_connect(Some(sig), now);
    }

    /// Signing the nonce failed (e.g. no Ed25519 in this browser, no seed): the connection closes with
    /// `INVALID_ARGUMENT`.
    pub fn on_signature_failed(&mut self, _now: Mono) {
        if self.phase != Phase::AwaitSign {
            return;
        }
        let e = NatsError::invalid_argument(
            "could not sign the server nonce (is Ed25519 available in this browser, and the seed valid?)",
        );
        self.close_with(Some(e), true);
    }

    /// Timers: connect timeout, reconnect wait, keep-alive PING, request timeouts, drain timeout.
    pub fn handle_timeout(&mut self, now: Mono) {
        if self.phase == Phase::Closed {
            return;
        }
        if self.in_handshake() && self.connect_deadline.is_some_and(|d| now >= d) {
            let e = NatsError::timeout(format!(
                "connect timed out after {} ms",
                f64_text(self.opts.timeout_ms)
            ));
            self.attempt_failed(e, now, true);
        }
        if self.phase == Phase::Waiting && self.redial_at.is_some_and(|t| now >= t) {
            self.dial(now);
        }
        if self.phase == Phase::Connected && self.next_ping.is_some_and(|t| now >= t) {
            self.keep_alive(now);
        }
        for id in self.requests.take_expired(now) {
            self.emit(Event::Reply {
                id,
                result: Err(NatsError::timeout("request timed out")),
            });
        }
        if self.phase != Phase::Closed && self.drain_deadline.is_some_and(|d| now >= d) {
            self.close_with(Some(NatsError::timeout("drain timed out")), true);
        }
    }
}
