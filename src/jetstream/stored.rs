//! A stored stream message, read with DIRECT.GET (raw message: the stored headers, then `Nats-Stream`,
//! `Nats-Subject`, `Nats-Sequence`, `Nats-Time-Stamp`; status 404 when missing) or STREAM.MSG.GET
//! (JSON `{"message":{"subject","seq","hdrs","data","time"}}` with base64 `hdrs`/`data`; error 10037
//! when missing).

use crate::error::{ErrorCode, NatsError};
use crate::proto::json::Json;
use crate::proto::{Headers, Msg};

use super::error::{api_reply, api_request_error, codes, status_error, ErrorContext};
use super::{base64, headers as hdr, time};

/// A message read from a stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMsg {
    /// The subject it was stored under.
    pub subject: String,
    /// The stream sequence.
    pub seq: u64,
    /// Stored time, milliseconds since the Unix epoch (0 if the server did not say).
    pub time_ms: i64,
    /// Stored time as the server wrote it (RFC 3339, nanoseconds; empty if it did not say).
    pub timestamp: String,
    /// The stored headers (for a direct get, with the `Nats-*` reply headers among them).
    pub headers: Option<Headers>,
    /// The body.
    pub data: Vec<u8>,
}

/// The reply of a DIRECT.GET: `Ok(None)` for 404 (no such message). No responders → in KV context
/// `BUCKET_NOT_FOUND` (nobody serves direct gets for that stream: it is gone), else
/// `JETSTREAM_NOT_ENABLED`; other status codes → `JETSTREAM_API` with `api_code` = the status.
pub fn direct_get_reply(
    result: Result<Msg, NatsError>,
    ctx: ErrorContext,
) -> Result<Option<StoredMsg>, NatsError> {
    let no_responders = |e: NatsError| {
        if e.code == ErrorCode::NoResponders && ctx == ErrorContext::Kv {
            NatsError::api(
                ErrorCode::BucketNotFound,
                "bucket not found (no responders for direct get)",
                503,
                None,
            )
        } else {
            api_request_error(e)
        }
    };
    let msg = result.map_err(no_responders)?;
    if msg.headers.as_ref().is_some_and(|h| h.code == 404) {
        return Ok(None);
    }
    if let Some(e) = status_error(&msg) {
        return Err(no_responders(e));
    }
    let headers = msg
        .headers
        .ok_or_else(|| NatsError::protocol("direct get reply without headers"))?;
    // The server appends its `Nats-*` headers to the stored ones, which may hold the same names (a
    // message republished into the stream carries its origin's): the last value is the reply's.
    let last = |name: &str| headers.values(name).last().copied();
    let subject = last(hdr::SUBJECT)
        .ok_or_else(|| NatsError::protocol("direct get reply without Nats-Subject"))?
        .to_owned();
    let seq = last(hdr::SEQUENCE)
        .and_then(|s| s.parse::<u64>().ok())
        .ok_or_else(|| NatsError::protocol("direct get reply without a valid Nats-Sequence"))?;
    let timestamp = last(hdr::TIME_STAMP).unwrap_or("").to_owned();
    let time_ms = time::parse_rfc3339_ms(&timestamp).unwrap_or(0);
    Ok(Some(StoredMsg {
        subject,
        seq,
        time_ms,
        timestamp,
        headers: Some(headers),
        data: msg.payload,
    }))
}

/// The reply of a STREAM.MSG.GET: `Ok(None)` for 10037 (no message found); other errors mapped in
/// `ctx`.
pub fn msg_get_reply(
    result: Result<Msg, NatsError>,
    ctx: ErrorContext,
) -> Result<Option<StoredMsg>, NatsError> {
    let json = match api_reply(result, ctx) {
        Ok(json) => json,
        Err(e) if e.err_code == Some(codes::NO_MESSAGE_FOUND) => return Ok(None),
        Err(e) => return Err(e),
    };
    let m = json
        .get("message")
        .ok_or_else(|| NatsError::protocol("STREAM.MSG.GET reply without \"message\""))?;
    let subject = m
        .get("subject")
        .and_then(Json::as_str)
        .ok_or_else(|| NatsError::protocol("STREAM.MSG.GET reply without \"subject\""))?;
    let seq = m
        .get("seq")
        .and_then(Json::as_u64)
        .ok_or_else(|| NatsError::protocol("STREAM.MSG.GET reply without \"seq\""))?;
    let b64 = |key: &str| -> Result<Option<Vec<u8>>, NatsError> {
        match m.get(key).and_then(Json::as_str) {
            None | Some("") => Ok(None),
            Some(text) => base64::decode(text).map(Some).ok_or_else(|| {
                NatsError::protocol(format!("STREAM.MSG.GET \"{key}\" is not base64"))
            }),
        }
    };
    let headers = match b64("hdrs")? {
        Some(block) => Some(Headers::decode(&block).map_err(NatsError::from)?),
        None => None,
    };
    let timestamp = m.get("time").and_then(Json::as_str).unwrap_or("");
    Ok(Some(StoredMsg {
        subject: subject.to_owned(),
        seq,
        time_ms: time::parse_rfc3339_ms(timestamp).unwrap_or(0),
        timestamp: timestamp.to_owned(),
        headers,
        data: b64("data")?.unwrap_or_default(),
    }))
}
