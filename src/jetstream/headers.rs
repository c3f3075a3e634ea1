//! JetStream header names (KV-SPEC.md §1.3) and the `Nats-TTL` value.

use crate::error::NatsError;
use crate::proto::num::f64_text;

use super::time::parse_go_duration_ns;

/// Publish: the subject's last sequence must be this (`0` = the subject has no message).
pub const EXPECTED_LAST_SUBJECT_SEQUENCE: &str = "Nats-Expected-Last-Subject-Sequence";
/// Publish: per-message TTL (server ≥ 2.11, stream `allow_msg_ttl`).
pub const MSG_TTL: &str = "Nats-TTL";
/// Publish: roll up (remove) older messages; value [`ROLLUP_SUBJECT`].
pub const ROLLUP: &str = "Nats-Rollup";
/// [`ROLLUP`] value: roll up the messages of this subject.
pub const ROLLUP_SUBJECT: &str = "sub";
/// KV operation marker: `DEL` or `PURGE` (absent = PUT).
pub const KV_OPERATION: &str = "KV-Operation";
/// Server-set reason of a limit marker: `MaxAge`, `Purge`, `Remove`.
pub const MARKER_REASON: &str = "Nats-Marker-Reason";
/// Payload size of a `headers_only` delivery.
pub const MSG_SIZE: &str = "Nats-Msg-Size";
/// Direct-get reply: the message's subject.
pub const SUBJECT: &str = "Nats-Subject";
/// Direct-get reply: the message's sequence.
pub const SEQUENCE: &str = "Nats-Sequence";
/// Direct-get reply: the message's time (RFC 3339 with nanoseconds).
pub const TIME_STAMP: &str = "Nats-Time-Stamp";
/// Idle heartbeat: the consumer's last delivered consumer sequence.
pub const LAST_CONSUMER: &str = "Nats-Last-Consumer";
/// Idle heartbeat: the consumer is stalled on flow control; publish an empty message to this subject.
pub const CONSUMER_STALLED: &str = "Nats-Consumer-Stalled";

/// A per-message TTL as given by JavaScript: a number of milliseconds, or a string.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MsgTtl<'a> {
    /// A number of milliseconds.
    Millis(f64),
    /// `never`, a Go duration or a whole number of seconds.
    Text(&'a str),
}

/// An owned [`MsgTtl`]: ms or a duration text, as the application gave it.
#[derive(Debug, Clone, PartialEq)]
pub enum Ttl {
    /// Milliseconds.
    Millis(f64),
    /// `never`, a Go duration, or seconds.
    Text(String),
}

impl Ttl {
    /// Borrowed, as the request builders take it.
    pub fn as_msg_ttl(&self) -> MsgTtl<'_> {
        match self {
            Ttl::Millis(n) => MsgTtl::Millis(*n),
            Ttl::Text(s) => MsgTtl::Text(s),
        }
    }
}

/// The `Nats-TTL` header value of `ttl`. The server keeps whole seconds and rejects less than one
/// second (10165), so that is checked here: milliseconds must be ≥ 1000 (written `"<n>s"`, or
/// `"<n>ms"` when not whole seconds; the server rounds down); a string must be `never`, a Go duration
/// of at least 1s (`"2s"`, `"1h30m"`), or a whole number of seconds ≥ 1, and is sent as given.
/// Errors: `INVALID_ARGUMENT`.
pub fn msg_ttl_value(ttl: MsgTtl<'_>) -> Result<String, NatsError> {
    match ttl {
        MsgTtl::Millis(ms) => {
            if !(1000.0..9.0e15).contains(&ms) {
                return Err(NatsError::invalid_argument(format!(
                    "TTL must be at least 1000 ms, got {}",
                    f64_text(ms)
                )));
            }
            let ms = ms as u64;
            Ok(if ms % 1000 == 0 {
                format!("{}s", ms / 1000)
            } else {
                format!("{ms}ms")
            })
        }
        MsgTtl::Text(text) => {
            let valid = if text.eq_ignore_ascii_case("never") {
                true
            } else if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
                text.parse::<u64>().is_ok_and(|s| s >= 1)
            } else {
                parse_go_duration_ns(text).is_some_and(|ns| ns >= 1_000_000_000)
            };
            if valid {
                Ok(text.to_owned())
            } else {
                Err(NatsError::invalid_argument(format!(
                    "TTL {} is not \"never\", a duration of at least 1s (\"2s\", \"1h\") or a number of seconds",
                    crate::proto::Quoted(text)
                )))
            }
        }
    }
}
