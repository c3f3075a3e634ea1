//! Dialling, failed attempts, lost connections, reconnect policy and closing.

use std::mem;

use crate::error::NatsError;
use crate::time::Mono;

use super::super::events::{Event, Status};
use super::super::pool::next_attempt_at;
use super::{Connection, Phase, PongWaiter};

impl Connection {
    /// Picks the next server and dials it now or when its reconnect wait has passed.
    pub(super) fn dial_next(&mut self, now: Mono) {
        let Some(last) = self.pool.select().map(|s| s.last_attempt) else {
            let e = self.exhausted_error();
            self.close_with(Some(e), true);
            return;
        };
        let at = next_attempt_at(
            last,
            now,
            self.opts.reconnect_time_wait_ms,
            self.opts.reconnect_jitter_ms,
            &mut self.rng,
        );
        if at <= now {
            self.dial(now);
        } else {
            self.phase = Phase::Waiting;
            self.redial_at = Some(at);
        }
    }

    pub(super) fn dial(&mut self, now: Mono) {
        let url = self.pool.current_url();
        if let Some(s) = self.pool.current_mut() {
            s.last_attempt = Some(now);
        }
        self.reset_transport_state();
        self.redial_at = None;
        self.phase = Phase::Dialing;
        self.connect_deadline = Some(now.plus(self.opts.timeout_ms));
        if self.ever_connected {
            self.status(Status::Reconnecting {
                server: url.clone(),
            });
        }
        self.emit(Event::Open { url });
    }

    /// Forgets everything tied to the current transport. In-flight flushes fail; subscription drains
    /// waiting for a PONG complete (the server forgot those subscriptions anyway).
    pub(super) fn reset_transport_state(&mut self) {
        self.transport_gen += 1;
        self.out.clear();
        self.decoder.reset();
        self.connect_deadline = None;
        self.next_ping = None;
        self.pings_out = 0;
        for w in mem::take(&mut self.pongs) {
            match w {
                PongWaiter::Flush { id, .. } => self.emit(Event::Flushed {
                    id,
                    result: Err(NatsError::connection_closed(
                        "disconnected before the flush completed",
                    )),
                }),
                PongWaiter::DrainSub(sid) => {
                    if self.subs.remove(sid).is_some() {
                        self.emit(Event::SubClosed { sid, error: None });
                    }
                }
                PongWaiter::Handshake | PongWaiter::KeepAlive | PongWaiter::Drain => {}
            }
        }
    }

    pub(super) fn exhausted_error(&self) -> NatsError {
        if !self.ever_connected {
            if let Some(e) = &self.last_error {
                return e.clone();
            }
        }
        let last = self
            .last_error
            .as_ref()
            .map(|e| format!(" (last error: {e})"))
            .unwrap_or_default();
        NatsError::connection_closed(format!("no server left to connect to{last}"))
    }

    /// A connection attempt (before connected) failed.
    pub(super) fn attempt_failed(&mut self, err: NatsError, now: Mono, close_transport: bool) {
        if close_transport && self.has_transport() {
            self.emit(Event::CloseTransport);
        }
        self.reset_transport_state();
        self.phase = Phase::Waiting;
        if let Some(s) = self.pool.current_mut() {
            s.failures = s.failures.saturating_add(1);
        }
        if err.code.is_auth() {
            if !self.ever_connected || self.auth_streak == Some(err.code) {
                self.close_with(Some(err), false);
                return;
            }
            self.auth_streak = Some(err.code);
        }
        self.last_error = Some(err);
        let failures = self.pool.current().map_or(0, |s| s.failures);
        // First connect without waitOnFirstConnect: every server is tried once (nats.js).
        let fail_fast = !self.ever_connected && !self.opts.wait_on_first_connect;
        let max = self.opts.max_reconnect_attempts;
        if fail_fast || (max >= 0 && i64::from(failures) >= max) {
            self.pool.remove_current();
        }
        if self.pool.is_empty() {
            let e = self.exhausted_error();
            self.close_with(Some(e), false);
        } else {
            self.dial_next(now);
        }
    }

    /// An established connection was lost (transport closed, stale, protocol error).
    pub(super) fn lost_connection(
        &mut self,
        err: Option<NatsError>,
        now: Mono,
        close_transport: bool,
    ) {
        if close_transport && self.has_transport() {
            self.emit(Event::CloseTransport);
        }
        let url = self.pool.current_url();
        self.reset_transport_state();
        self.phase = Phase::Waiting;
        self.status(Status::Disconnect { server: url });
        if self.draining {
            self.close_with(
                Some(NatsError::connection_closed(
                    "connection lost while draining",
                )),
                false,
            );
            return;
        }
        if !self.opts.reconnect {
            let e = err.unwrap_or_else(|| {
                NatsError::connection_closed("connection lost (reconnect is disabled)")
            });
            self.close_with(Some(e), false);
            return;
        }
        self.dial_next(now);
    }

    /// Drops the transport after a protocol error or similar, in whichever phase.
    pub(super) fn fail_transport(&mut self, err: NatsError, now: Mono) {
        if self.phase == Phase::Connected {
            self.status(Status::Error(err.clone()));
            self.lost_connection(Some(err), now, true);
        } else if self.in_handshake() {
            if self.ever_connected {
                self.status(Status::Error(err.clone()));
            }
            self.attempt_failed(err, now, true);
        }
    }

    pub(super) fn close_with(&mut self, error: Option<NatsError>, close_transport: bool) {
        if self.phase == Phase::Closed {
            return;
        }
        let closed = || NatsError::connection_closed("connection closed");
        for id in self.requests.take_all() {
            self.emit(Event::Reply {
                id,
                result: Err(closed()),
            });
        }
        for w in mem::take(&mut self.pongs) {
            if let PongWaiter::Flush { id, .. } = w {
                self.emit(Event::Flushed {
                    id,
                    result: Err(closed()),
                });
            }
        }
        for (id, _) in mem::take(&mut self.deferred_flushes) {
            self.emit(Event::Flushed {
                id,
                result: Err(closed()),
            });
        }
        for sid in self.subs.user_sids() {
            self.emit(Event::SubClosed { sid, error: None });
        }
        self.subs.clear();
        self.requests.mux = None;
        if close_transport && self.has_transport() {
            self.emit(Event::CloseTransport);
        }
        self.phase = Phase::Closed;
        self.transport_gen += 1;
        self.decoder.release();
        self.pending_out = Vec::new();
        self.connect_deadline = None;
        self.redial_at = None;
        self.next_ping = None;
        self.drain_deadline = None;
        self.status(Status::Close);
        self.emit(Event::Closed { error });
    }
}
