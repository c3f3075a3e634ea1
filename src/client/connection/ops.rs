//! Server ops: INFO, PING/PONG, MSG/HMSG, -ERR, and the end of the handshake.

use std::mem;

use crate::error::{ErrorCode, NatsError};
use crate::proto::json::Json;
use crate::proto::{encoder, Msg, ServerOp};
use crate::time::Mono;

use super::super::events::{Event, Status};
use super::super::handshake::{connect_json, decoder_bound, needs_signature, scheme_of};
use super::super::server_err::{classify, to_error, ServerErr};
use super::{Connection, Phase, PongWaiter};

impl Connection {
    pub(super) fn handle_op(&mut self, op: ServerOp, now: Mono) {
        if self.phase == Phase::AwaitInfo {
            match op {
                ServerOp::Info(text) => self.on_info(text, now),
                ServerOp::Err(text) => self.on_server_err(&text, now),
                _ => self.fail_transport(
                    NatsError::protocol("unexpected response from server: expected INFO"),
                    now,
                ),
            }
            return;
        }
        match op {
            ServerOp::Info(text) => self.on_info(text, now),
            ServerOp::Ping => encoder::pong(&mut self.out),
            ServerOp::Pong => self.on_pong(now),
            ServerOp::Ok => {}
            ServerOp::Err(text) => self.on_server_err(&text, now),
            ServerOp::Msg(m) => self.on_msg(m),
        }
    }

    pub(super) fn on_info(&mut self, text: String, now: Mono) {
        let json = match Json::parse(&text) {
            Ok(j @ Json::Obj(_)) => j,
            _ => {
                self.fail_transport(NatsError::protocol("INFO is not a JSON object"), now);
                return;
            }
        };
        if let Some(problem) = info_type_error(&json) {
            self.fail_transport(NatsError::protocol(format!("INFO: {problem}")), now);
            return;
        }
        let first = self.phase == Phase::AwaitInfo;
        if let Some(mp) = json
            .get("max_payload")
            .and_then(Json::as_u64)
            .filter(|&m| m > 0)
        {
            self.max_payload = usize::try_from(mp).unwrap_or(usize::MAX);
            self.decoder
                .set_max_payload(decoder_bound(self.max_payload));
        }
        if !self.opts.ignore_cluster_updates {
            if let Some(urls) = json.get("connect_urls").and_then(Json::as_array) {
                let urls: Vec<&str> = urls.iter().filter_map(Json::as_str).collect();
                let scheme = scheme_of(&self.pool.current_url());
                let rng = if self.opts.no_randomize {
                    None
                } else {
                    Some(&mut self.rng)
                };
                let change = self.pool.merge(&urls, scheme, rng);
                if !change.is_empty() {
                    self.status(Status::Update {
                        added: change.added,
                        deleted: change.deleted,
                    });
                }
            }
        }
        let ldm = json.get("ldm").and_then(Json::as_bool) == Some(true);
        if ldm {
            self.pool.set_current_lame_duck(true);
            let server = self.pool.current_url();
            self.status(Status::Ldm { server });
        } else if first {
            self.pool.set_current_lame_duck(false);
        }
        let nonce = json.get("nonce").and_then(Json::as_str).map(str::to_owned);
        self.info = Some(json);
        self.info_json = Some(text);
        if first {
            match nonce {
                Some(nonce) if needs_signature(&self.opts) => {
                    self.phase = Phase::AwaitSign;
                    self.emit(Event::Sign { nonce });
                }
                _ => self.send_connect(None, now),
            }
        }
    }

    pub(super) fn send_connect(&mut self, sig: Option<&str>, now: Mono) {
        let json = connect_json(&self.opts, sig);
        if let Err(e) = encoder::connect(&mut self.out, &json) {
            self.fail_transport(NatsError::protocol(e.to_string()), now);
            return;
        }
        encoder::ping(&mut self.out);
        self.pongs.push_back(PongWaiter::Handshake);
        self.phase = Phase::AwaitPong;
    }

    pub(super) fn on_pong(&mut self, now: Mono) {
        self.pings_out = 0;
        match self.pongs.pop_front() {
            Some(PongWaiter::Handshake) => self.on_connected(now),
            Some(PongWaiter::KeepAlive) | None => {}
            Some(PongWaiter::Flush { id, started }) => {
                self.emit(Event::Flushed {
                    id,
                    result: Ok(now.since(started).max(0.0)),
                });
            }
            Some(PongWaiter::DrainSub(sid)) => {
                if self.subs.remove(sid).is_some() {
                    self.emit(Event::SubClosed { sid, error: None });
                }
            }
            Some(PongWaiter::Drain) => self.close_with(None, true),
        }
    }

    /// CONNECT was answered: re-SUB, flush the buffered publishes and deferred flushes.
    pub(super) fn on_connected(&mut self, now: Mono) {
        let first = !self.ever_connected;
        self.ever_connected = true;
        self.phase = Phase::Connected;
        self.connect_deadline = None;
        self.auth_streak = None;
        self.last_error = None;
        if let Some(s) = self.pool.current_mut() {
            s.failures = 0;
            s.did_connect = true;
        }
        let sids: Vec<u64> = self
            .subs
            .iter()
            .filter(|s| s.internal || !self.draining)
            .map(|s| s.sid)
            .collect();
        for sid in sids {
            self.write_sub(sid);
        }
        let buffered = mem::take(&mut self.pending_out);
        self.out.extend_from_slice(&buffered);
        for (id, started) in mem::take(&mut self.deferred_flushes) {
            encoder::ping(&mut self.out);
            self.pongs.push_back(PongWaiter::Flush { id, started });
        }
        self.next_ping = Some(now.plus(self.opts.ping_interval_ms));
        if first {
            let info_json = self.info_json.clone().unwrap_or_default();
            self.emit(Event::Connected { info_json });
        } else {
            let server = self.pool.current_url();
            self.status(Status::Reconnect { server });
        }
        if self.draining {
            self.start_drain(false);
        }
    }

    pub(super) fn keep_alive(&mut self, now: Mono) {
        if self.pings_out >= self.opts.max_ping_out {
            self.status(Status::StaleConnection);
            let e = NatsError::new(
                ErrorCode::StaleConnection,
                format!("stale connection: {} PINGs unanswered", self.pings_out),
            );
            self.lost_connection(Some(e), now, true);
            return;
        }
        encoder::ping(&mut self.out);
        self.pings_out += 1;
        self.pongs.push_back(PongWaiter::KeepAlive);
        self.next_ping = Some(now.plus(self.opts.ping_interval_ms));
    }

    pub(super) fn on_msg(&mut self, m: Msg) {
        let sid = m.sid;
        if let Some(mux) = self.requests.mux.as_ref().filter(|mx| mx.sid == sid) {
            let Some(id) = mux.route(&m.subject) else {
                return;
            };
            if !self.requests.remove(id) {
                return;
            }
            let no_responders =
                m.payload.is_empty() && m.headers.as_ref().is_some_and(|h| h.code == 503);
            let result = if no_responders {
                Err(NatsError::new(
                    ErrorCode::NoResponders,
                    "no responders available for the request",
                ))
            } else {
                Ok(m)
            };
            self.emit(Event::Reply { id, result });
            return;
        }
        let Some(sub) = self.subs.get_mut(sid) else {
            return;
        };
        if sub.internal {
            return;
        }
        sub.received += 1;
        let done = sub.max.is_some_and(|mx| sub.received >= mx);
        self.emit(Event::Msg { sid, msg: m });
        if done {
            self.subs.remove(sid);
            self.emit(Event::SubClosed { sid, error: None });
        }
    }

    pub(super) fn on_server_err(&mut self, text: &str, now: Mono) {
        let kind = classify(text);
        let err = to_error(text);
        if self.in_handshake() {
            match kind {
                ServerErr::SubscribePermission { .. }
                | ServerErr::PublishPermission { .. }
                | ServerErr::OtherPermission => {
                    self.status(Status::Error(err));
                }
                _ => {
                    if self.ever_connected {
                        self.status(Status::Error(err.clone()));
                    }
                    self.attempt_failed(err, now, true);
                }
            }
            return;
        }
        if self.phase != Phase::Connected {
            return;
        }
        match kind {
            ServerErr::AuthorizationViolation | ServerErr::AuthenticationExpired => {
                self.status(Status::Error(err.clone()));
                if self.auth_streak == Some(err.code) {
                    self.close_with(Some(err), true);
                    return;
                }
                self.auth_streak = Some(err.code);
                self.last_error = Some(err.clone());
                self.lost_connection(Some(err), now, true);
            }
            ServerErr::SubscribePermission { subject, queue } => {
                let sids: Vec<u64> = self
                    .subs
                    .iter()
                    .filter(|s| s.subject == subject && (queue.is_none() || s.queue == queue))
                    .map(|s| s.sid)
                    .collect();
                if sids.is_empty() {
                    self.status(Status::Error(err));
                    return;
                }
                for sid in sids {
                    let Some(sub) = self.subs.remove(sid) else {
                        continue;
                    };
                    if sub.internal {
                        self.requests.mux = None;
                        for id in self.requests.take_all() {
                            self.emit(Event::Reply {
                                id,
                                result: Err(err.clone()),
                            });
                        }
                    } else {
                        self.emit(Event::SubClosed {
                            sid,
                            error: Some(err.clone()),
                        });
                    }
                }
            }
            ServerErr::PublishPermission { subject } => {
                let ids = self.requests.take_for_subject(&subject);
                if ids.is_empty() {
                    self.status(Status::Error(err));
                    return;
                }
                for id in ids {
                    self.emit(Event::Reply {
                        id,
                        result: Err(err.clone()),
                    });
                }
            }
            ServerErr::OtherPermission | ServerErr::Other => self.status(Status::Error(err)),
            ServerErr::Stale => {
                self.status(Status::StaleConnection);
                self.lost_connection(Some(err), now, true);
            }
        }
    }
}

/// nats-server refuses a `max_payload` above 64 MiB (`MAX_PAYLOAD_MAX_SIZE`).
pub(crate) const MAX_SERVER_MAX_PAYLOAD: u64 = 64 * 1024 * 1024;

/// The first INFO field the client relies on whose JSON type is wrong (a hostile or broken server):
/// such an INFO is a protocol error rather than silently ignored or half-applied.
pub(crate) fn info_type_error(info: &Json) -> Option<String> {
    const STRINGS: [&str; 6] = [
        "server_id",
        "server_name",
        "version",
        "nonce",
        "host",
        "cluster",
    ];
    const BOOLS: [&str; 6] = [
        "headers",
        "ldm",
        "auth_required",
        "tls_required",
        "jetstream",
        "tls_available",
    ];
    for key in STRINGS {
        if let Some(v) = info.get(key) {
            if v.as_str().is_none() {
                return Some(format!("{key} is not a string"));
            }
        }
    }
    for key in BOOLS {
        if let Some(v) = info.get(key) {
            if v.as_bool().is_none() {
                return Some(format!("{key} is not a boolean"));
            }
        }
    }
    for key in ["proto", "port", "client_id"] {
        if let Some(v) = info.get(key) {
            if v.as_u64().is_none() {
                return Some(format!("{key} is not a non-negative integer"));
            }
        }
    }
    if let Some(v) = info.get("max_payload") {
        match v.as_u64() {
            Some(m) if m > 0 && m <= MAX_SERVER_MAX_PAYLOAD => {}
            Some(m) if m > MAX_SERVER_MAX_PAYLOAD => {
                // The decoder buffers up to max_payload per message: a hostile server must not be
                // able to lift that bound beyond what nats-server itself allows.
                return Some(format!(
                    "max_payload {m} is above nats-server's limit of 64 MiB"
                ));
            }
            _ => return Some("max_payload is not a positive integer".to_owned()),
        }
    }
    if let Some(v) = info.get("connect_urls") {
        let ok = v
            .as_array()
            .is_some_and(|urls| urls.iter().all(|u| u.as_str().is_some()));
        if !ok {
            return Some("connect_urls is not an array of strings".to_owned());
        }
    }
    None
}
