//! `js.publish()` options (JETSTREAM-SPEC.md §2): the `Nats-Msg-Id`, `Nats-Expected-*` and `Nats-TTL`
//! headers, the per-attempt timeout and the attempts after `TIMEOUT` or `NO_RESPONDERS`.

use crate::error::{ErrorCode, NatsError};
use crate::proto::json::Json;
use crate::proto::Headers;

use super::config::parse_object;
use super::headers::{msg_ttl_value, MsgTtl};

/// nats.js's publish retry backoff, ms (the last repeats).
const BACKOFF_MS: [f64; 7] = [0.0, 250.0, 250.0, 500.0, 500.0, 3000.0, 5000.0];

/// The delay before attempt `n + 1` (after `n` failed attempts, `n ≥ 1`).
pub fn retry_delay_ms(failed: u32) -> f64 {
    BACKOFF_MS[(failed.saturating_sub(1) as usize).min(BACKOFF_MS.len() - 1)]
}

/// Whether a failed attempt may be repeated: no answer in time, or nobody listened (an election).
pub fn is_retryable(e: &NatsError) -> bool {
    matches!(e.code, ErrorCode::Timeout | ErrorCode::NoResponders)
}

/// Parsed `JetStreamPublishOptions` (without `headers`, which arrive apart).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PublishOptions {
    /// The headers to send: the application's, then the JetStream ones.
    pub headers: Option<Headers>,
    /// The timeout of each attempt, ms (`None`: the context's).
    pub timeout: Option<f64>,
    /// Attempts in all (≥ 1).
    pub attempts: u32,
}

const EXPECT: [(&str, &str); 5] = [
    ("lastMsgID", "Nats-Expected-Last-Msg-Id"),
    ("streamName", "Nats-Expected-Stream"),
    ("lastSequence", "Nats-Expected-Last-Sequence"),
    ("lastSubjectSequence", "Nats-Expected-Last-Subject-Sequence"),
    (
        "lastSubjectSequenceSubject",
        "Nats-Expected-Last-Subject-Sequence-Subject",
    ),
];

fn invalid(m: String) -> NatsError {
    NatsError::invalid_argument(m)
}

fn header_value(key: &str, v: &Json) -> Result<String, NatsError> {
    match v {
        Json::Str(s) if !s.is_empty() => Ok(s.clone()),
        Json::Int(n) if *n >= 0 => Ok(n.to_string()),
        _ => Err(invalid(format!("publish option {key} has a bad value"))),
    }
}

impl PublishOptions {
    /// Reads the options (JSON text of `msgID`, `expect`, `ttl`, `timeout`, `retries`) over the
    /// application's `headers`. Errors: `INVALID_ARGUMENT`.
    pub fn parse(text: &str, headers: Option<Headers>) -> Result<PublishOptions, NatsError> {
        let o = parse_object(text, "publish options")?;
        let mut h = headers.unwrap_or_default();
        let mut set = |name: &str, value: String| {
            h.set(name, &value)
                .map_err(|e| invalid(format!("publish header {name}: {e}")))
        };
        let mut out = PublishOptions {
            attempts: 1,
            ..Default::default()
        };
        let Json::Obj(members) = &o else {
            return Err(invalid("publish options must be an object".into()));
        };
        for (key, v) in members {
            match (key.as_str(), v) {
                (_, Json::Null) => {}
                ("msgID", v) => set("Nats-Msg-Id", header_value(key, v)?)?,
                ("ttl", v) => {
                    let text = v
                        .as_str()
                        .ok_or_else(|| invalid("publish ttl must be a string".into()))?;
                    set(super::headers::MSG_TTL, msg_ttl_value(MsgTtl::Text(text))?)?
                }
                ("timeout", v) => match v.as_f64() {
                    Some(t) if t >= 1.0 && t.is_finite() => out.timeout = Some(t),
                    _ => return Err(invalid("publish timeout must be at least 1 ms".into())),
                },
                ("retries", v) => match v.as_u64() {
                    Some(n) if n >= 1 => out.attempts = u32::try_from(n.min(100)).unwrap_or(100),
                    _ => return Err(invalid("publish retries must be a whole number ≥ 1".into())),
                },
                ("expect", Json::Obj(expect)) => {
                    for (k, v) in expect {
                        if matches!(v, Json::Null) {
                            continue;
                        }
                        let Some((_, name)) = EXPECT.iter().find(|(e, _)| e == k) else {
                            return Err(invalid(format!(
                                "publish expect has no field {}",
                                crate::proto::Quoted(k)
                            )));
                        };
                        set(name, header_value(k, v)?)?;
                    }
                }
                _ => {
                    return Err(invalid(format!(
                        "publish options have no field {}",
                        crate::proto::Quoted(key)
                    )))
                }
            }
        }
        out.headers = (!h.entries().is_empty()).then_some(h);
        Ok(out)
    }
}
