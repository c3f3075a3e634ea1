//! User commands: publish, subscribe, unsubscribe, request, flush, drain, close.

use crate::error::{ErrorCode, NatsError};
use crate::proto::{encoder, subject, Headers};
use crate::time::Mono;

use super::super::events::Event;
use super::super::requests::Mux;
use super::{Connection, Phase, PongWaiter, MAX_DEFERRED_FLUSHES};

/// [`subject::validate_publish`] or [`subject::validate_subscribe`].
type SubjectCheck = fn(&str) -> Result<(), crate::proto::ProtoError>;

/// [`encoder::publish`] or [`encoder::publish_api`].
type PubEncoder = fn(
    &mut Vec<u8>,
    &str,
    Option<&str>,
    Option<&Headers>,
    &[u8],
) -> Result<(), crate::proto::ProtoError>;

impl Connection {
    pub(super) fn check_usable(&self) -> Result<(), NatsError> {
        if self.phase == Phase::Closed {
            Err(NatsError::connection_closed("connection closed"))
        } else if self.draining {
            Err(NatsError::draining())
        } else {
            Ok(())
        }
    }

    /// Publishes `payload` (with optional reply subject and headers). Errors: `INVALID_SUBJECT`,
    /// `INVALID_ARGUMENT` (headers), `MAX_PAYLOAD_EXCEEDED`, `CONNECTION_CLOSED` (closed, or not
    /// connected and the reconnect buffer is full), `DRAINING`.
    pub fn publish(
        &mut self,
        subject: &str,
        reply: Option<&str>,
        headers: Option<&Headers>,
        payload: &[u8],
    ) -> Result<(), NatsError> {
        self.check_usable()?;
        self.write_publish(subject, reply, headers, payload)
    }

    pub(super) fn write_publish(
        &mut self,
        subject: &str,
        reply: Option<&str>,
        headers: Option<&Headers>,
        payload: &[u8],
    ) -> Result<(), NatsError> {
        self.write_pub(encoder::publish, subject, reply, headers, payload)
    }

    fn write_pub(
        &mut self,
        encode: PubEncoder,
        subject: &str,
        reply: Option<&str>,
        headers: Option<&Headers>,
        payload: &[u8],
    ) -> Result<(), NatsError> {
        let size = encoder::message_size(headers, payload);
        if size > self.max_payload {
            return Err(NatsError::new(
                ErrorCode::MaxPayloadExceeded,
                format!(
                    "message of {size} bytes exceeds the server's max_payload of {} bytes",
                    self.max_payload
                ),
            ));
        }
        if self.phase == Phase::Connected {
            encode(&mut self.out, subject, reply, headers, payload)?;
            return Ok(());
        }
        let before = self.pending_out.len();
        encode(&mut self.pending_out, subject, reply, headers, payload)?;
        if self.pending_out.len() > self.opts.reconnect_buf_size {
            self.pending_out.truncate(before);
            return Err(NatsError::connection_closed(format!(
                "not connected and the reconnect buffer is full ({} bytes)",
                self.opts.reconnect_buf_size
            )));
        }
        Ok(())
    }

    /// Subscribes; `max` (0 = none) auto-unsubscribes after that many messages. Returns the sid.
    /// Errors: `INVALID_SUBJECT`, `CONNECTION_CLOSED`, `DRAINING`.
    pub fn subscribe(
        &mut self,
        subject: &str,
        queue: Option<&str>,
        max: Option<u64>,
    ) -> Result<u64, NatsError> {
        self.check_usable()?;
        subject::validate_subscribe(subject)?;
        if let Some(q) = queue {
            subject::validate_queue(q)?;
        }
        encoder::check_subscribe_line(subject, queue)?;
        let max = max.filter(|&m| m > 0);
        let sid = self.subs.insert(subject, queue, max, false);
        if self.phase == Phase::Connected {
            self.write_sub(sid);
        }
        Ok(sid)
    }

    /// Writes SUB (and UNSUB with the remaining max) for `sid`.
    pub(super) fn write_sub(&mut self, sid: u64) {
        let Some(sub) = self.subs.get(sid) else {
            return;
        };
        let mut buf = Vec::new();
        if encoder::subscribe(&mut buf, &sub.subject, sub.queue.as_deref(), sid).is_ok() {
            if let Some(rem) = sub.remaining() {
                encoder::unsubscribe(&mut buf, sid, Some(rem));
            }
            self.out.extend_from_slice(&buf);
        }
    }

    /// Unsubscribes now (`max` None or already reached: `SubClosed` follows at once) or after `max`
    /// messages in total. Unknown sids and a closed connection are ignored.
    pub fn unsubscribe(&mut self, sid: u64, max: Option<u64>) -> Result<(), NatsError> {
        if self.phase == Phase::Closed {
            return Ok(());
        }
        let connected = self.phase == Phase::Connected;
        let Some(sub) = self.subs.get_mut(sid) else {
            return Ok(());
        };
        if sub.internal {
            return Ok(());
        }
        match max.filter(|&m| m > sub.received) {
            Some(m) => {
                sub.max = Some(m);
                if connected {
                    encoder::unsubscribe(&mut self.out, sid, Some(m));
                }
            }
            None => {
                self.subs.remove(sid);
                if connected {
                    encoder::unsubscribe(&mut self.out, sid, None);
                }
                self.emit(Event::SubClosed { sid, error: None });
            }
        }
        Ok(())
    }

    /// Drains subscription `sid`: UNSUB, then messages already on their way are still delivered until
    /// the PONG of a PING sent after it, then `SubClosed`. Returns false for an unknown sid (nothing
    /// will follow). Error: `CONNECTION_CLOSED`.
    pub fn drain_subscription(&mut self, sid: u64) -> Result<bool, NatsError> {
        if self.phase == Phase::Closed {
            return Err(NatsError::connection_closed("connection closed"));
        }
        let connected = self.phase == Phase::Connected;
        let Some(sub) = self.subs.get_mut(sid) else {
            return Ok(false);
        };
        if sub.internal {
            return Ok(false);
        }
        if sub.draining {
            return Ok(true);
        }
        if connected {
            sub.draining = true;
            encoder::unsubscribe(&mut self.out, sid, None);
            encoder::ping(&mut self.out);
            self.pongs.push_back(PongWaiter::DrainSub(sid));
        } else {
            self.subs.remove(sid);
            self.emit(Event::SubClosed { sid, error: None });
        }
        Ok(true)
    }

    /// Sends a request through the muxed inbox; `Event::Reply { id }` follows (reply, `TIMEOUT` after
    /// `timeout_ms`, `NO_RESPONDERS`…). Returns the request id. Errors as `publish`, plus
    /// `INVALID_ARGUMENT` for a non-positive timeout.
    pub fn request(
        &mut self,
        subject: &str,
        payload: &[u8],
        headers: Option<&Headers>,
        timeout_ms: f64,
        now: Mono,
    ) -> Result<u64, NatsError> {
        let check = subject::validate_publish;
        self.send_request(
            (check, encoder::publish),
            subject,
            payload,
            headers,
            timeout_ms,
            now,
        )
    }

    /// [`request`](Self::request) to a JetStream API subject whose last tokens are a subject filter
    /// (`CONSUMER.CREATE.<stream>.<name>.<filter>`): `*` and `>` may appear there as whole tokens
    /// (see [`encoder::publish_api`]). Not for user subjects.
    pub fn api_request(
        &mut self,
        subject: &str,
        payload: &[u8],
        headers: Option<&Headers>,
        timeout_ms: f64,
        now: Mono,
    ) -> Result<u64, NatsError> {
        let check = subject::validate_subscribe;
        self.send_request(
            (check, encoder::publish_api),
            subject,
            payload,
            headers,
            timeout_ms,
            now,
        )
    }

    fn send_request(
        &mut self,
        (check, encode): (SubjectCheck, PubEncoder),
        subject: &str,
        payload: &[u8],
        headers: Option<&Headers>,
        timeout_ms: f64,
        now: Mono,
    ) -> Result<u64, NatsError> {
        self.check_usable()?;
        if !(timeout_ms.is_finite() && timeout_ms > 0.0) {
            return Err(NatsError::invalid_argument(
                "request timeout must be a positive number of ms",
            ));
        }
        check(subject)?;
        let mux = self.ensure_mux();
        let id = self.next_request_id;
        let reply = mux.reply_subject(id);
        self.write_pub(encode, subject, Some(&reply), headers, payload)?;
        self.next_request_id += 1;
        self.requests.insert(id, subject, now.plus(timeout_ms));
        Ok(id)
    }

    pub(super) fn ensure_mux(&mut self) -> Mux {
        if let Some(m) = &self.requests.mux {
            return m.clone();
        }
        let prefix = format!("{}.{}", self.opts.inbox_prefix, self.nuid.next_id());
        let sid = self.subs.insert(&format!("{prefix}.*"), None, None, true);
        if self.phase == Phase::Connected {
            self.write_sub(sid);
        }
        let mux = Mux { sid, prefix };
        self.requests.mux = Some(mux.clone());
        mux
    }

    /// PING; `Event::Flushed { id }` follows on its PONG (with the round-trip time), or
    /// `CONNECTION_CLOSED` if the connection drops first. While not connected, the PING is sent after
    /// the next connect. Error: `CONNECTION_CLOSED`.
    pub fn flush(&mut self, now: Mono) -> Result<u64, NatsError> {
        if self.phase == Phase::Closed {
            return Err(NatsError::connection_closed("connection closed"));
        }
        let id = self.next_flush_id;
        if self.phase == Phase::Connected {
            encoder::ping(&mut self.out);
            self.pongs.push_back(PongWaiter::Flush { id, started: now });
        } else if self.deferred_flushes.len() < MAX_DEFERRED_FLUSHES {
            self.deferred_flushes.push((id, now));
        } else {
            return Err(NatsError::connection_closed(
                "not connected and too many flushes are waiting",
            ));
        }
        self.next_flush_id += 1;
        Ok(id)
    }

    /// Drains the connection: no new publish/subscribe/request (`DRAINING`), UNSUB every subscription,
    /// deliver what is in flight, flush, close (`SubClosed` for each, then `Closed { error: None }`).
    /// Errors: `CONNECTION_CLOSED`, `DRAINING` (already draining).
    pub fn drain(&mut self, now: Mono) -> Result<(), NatsError> {
        if self.phase == Phase::Closed {
            return Err(NatsError::connection_closed("connection closed"));
        }
        if self.draining {
            return Err(NatsError::draining());
        }
        self.draining = true;
        self.drain_deadline = Some(now.plus(self.opts.drain_timeout_ms));
        if self.phase == Phase::Connected {
            self.start_drain(true);
        }
        Ok(())
    }

    pub(super) fn start_drain(&mut self, send_unsubs: bool) {
        let sids = self.subs.user_sids();
        for sid in sids {
            if let Some(sub) = self.subs.get_mut(sid) {
                if !sub.draining {
                    sub.draining = true;
                    if send_unsubs {
                        encoder::unsubscribe(&mut self.out, sid, None);
                    }
                }
            }
        }
        encoder::ping(&mut self.out);
        self.pongs.push_back(PongWaiter::Drain);
    }

    /// Closes: pending requests and flushes fail with `CONNECTION_CLOSED`, `SubClosed` for every
    /// subscription, `CloseTransport`, `Status(Close)`, `Closed { error: None }`. Bytes already
    /// written stay in `take_outbound()` (send them before closing the socket). A second call does
    /// nothing.
    pub fn close(&mut self, _now: Mono) {
        self.close_with(None, true);
    }
}
