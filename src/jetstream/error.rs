//! JetStream API errors: `{"error":{"code":<http-like>,"err_code":<100xx>,"description":"…"}}`
//! (server/errors.json, KV-SPEC.md §1.7) and the status replies of API requests, mapped to
//! [`NatsError`].

use crate::error::{ErrorCode, NatsError};
use crate::proto::json::Json;
use crate::proto::Msg;

/// Server `err_code`s the client reacts to.
pub mod codes {
    /// Consumer name already in use (ordered consumer re-create race).
    pub const CONSUMER_NAME_EXISTS: u32 = 10013;
    /// Consumer not found.
    pub const CONSUMER_NOT_FOUND: u32 = 10014;
    /// No message found for a sequence (STREAM.MSG.DELETE).
    pub const SEQUENCE_NOT_FOUND: u32 = 10043;
    /// Message size exceeds the stream's `max_msg_size`.
    pub const MESSAGE_TOO_LARGE: u32 = 10054;
    /// Message not found (STREAM.MSG.DELETE).
    pub const MESSAGE_NOT_FOUND: u32 = 10057;
    /// Expected stream does not match (`Nats-Expected-Stream`).
    pub const WRONG_STREAM: u32 = 10060;
    /// Wrong last message id (`Nats-Expected-Last-Msg-Id`).
    pub const WRONG_LAST_MSG_ID: u32 = 10070;
    /// Maximum messages/bytes exceeded with `discard: new`.
    pub const STORE_FULL: u32 = 10077;
    /// The stream is sealed.
    pub const STREAM_SEALED: u32 = 10109;
    /// Consumer does not exist.
    pub const CONSUMER_DOES_NOT_EXIST: u32 = 10149;
    /// No message found (STREAM.MSG.GET miss).
    pub const NO_MESSAGE_FOUND: u32 = 10037;
    /// JetStream not enabled for the account.
    pub const NOT_ENABLED_FOR_ACCOUNT: u32 = 10039;
    /// Stream name already in use with a different configuration.
    pub const STREAM_NAME_EXISTS: u32 = 10058;
    /// Stream not found.
    pub const STREAM_NOT_FOUND: u32 = 10059;
    /// Wrong last sequence (CAS failure).
    pub const WRONG_LAST_SEQUENCE: u32 = 10071;
    /// JetStream not enabled.
    pub const NOT_ENABLED: u32 = 10076;
    /// Consumer already exists with an active subscription.
    pub const CONSUMER_EXISTING_ACTIVE: u32 = 10105;
    /// Consumer already exists.
    pub const CONSUMER_ALREADY_EXISTS: u32 = 10148;
    /// Wrong last sequence, without the sequence (R>1 streams).
    pub const WRONG_LAST_SEQUENCE_UNKNOWN: u32 = 10164;
}

/// What a request was about: in [`ErrorContext::Kv`], stream errors read as bucket errors
/// (10059 → `BUCKET_NOT_FOUND`, 10058 → `BUCKET_EXISTS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ErrorContext {
    #[default]
    /// Stream and consumer errors keep their JetStream codes.
    General,
    /// Stream errors read as bucket errors.
    Kv,
}

/// Maps an API error to a [`NatsError`] (always carrying `api_code` and `err_code`, the server's
/// description as message), in the caller's terms (API.md "Errors"): streams and sequences in
/// [`ErrorContext::General`], buckets and revisions in [`ErrorContext::Kv`]; 10039/10076 →
/// `JETSTREAM_NOT_ENABLED`; an unlisted code → `JETSTREAM_API`.
pub fn api_error(
    code: u16,
    err_code: Option<u32>,
    description: &str,
    ctx: ErrorContext,
) -> NatsError {
    let kv = ctx == ErrorContext::Kv;
    let mapped = match err_code {
        Some(codes::WRONG_LAST_SEQUENCE | codes::WRONG_LAST_SEQUENCE_UNKNOWN) if kv => {
            ErrorCode::WrongLastRevision
        }
        Some(codes::WRONG_LAST_SEQUENCE | codes::WRONG_LAST_SEQUENCE_UNKNOWN) => {
            ErrorCode::WrongLastSequence
        }
        Some(codes::NOT_ENABLED_FOR_ACCOUNT | codes::NOT_ENABLED) => ErrorCode::JetStreamNotEnabled,
        Some(codes::STREAM_NOT_FOUND) if kv => ErrorCode::BucketNotFound,
        Some(codes::STREAM_NAME_EXISTS) if kv => ErrorCode::BucketExists,
        Some(codes::STREAM_SEALED) if kv => ErrorCode::BucketSealed,
        Some(codes::STREAM_NOT_FOUND) => ErrorCode::StreamNotFound,
        Some(codes::STREAM_NAME_EXISTS) => ErrorCode::StreamExists,
        Some(codes::STREAM_SEALED) => ErrorCode::StreamSealed,
        Some(codes::CONSUMER_NOT_FOUND | codes::CONSUMER_DOES_NOT_EXIST) => {
            ErrorCode::ConsumerNotFound
        }
        Some(
            codes::CONSUMER_NAME_EXISTS
            | codes::CONSUMER_EXISTING_ACTIVE
            | codes::CONSUMER_ALREADY_EXISTS,
        ) => ErrorCode::ConsumerExists,
        Some(codes::WRONG_LAST_MSG_ID) => ErrorCode::WrongLastMsgId,
        Some(codes::WRONG_STREAM) => ErrorCode::WrongStream,
        Some(codes::NO_MESSAGE_FOUND | codes::SEQUENCE_NOT_FOUND | codes::MESSAGE_NOT_FOUND) => {
            ErrorCode::MessageNotFound
        }
        Some(codes::STORE_FULL | codes::MESSAGE_TOO_LARGE) => ErrorCode::LimitExceeded,
        _ => ErrorCode::JetStreamApi,
    };
    let message = if description.is_empty() {
        format!("JetStream API error {code}")
    } else {
        description.to_owned()
    };
    NatsError::api(mapped, message, code, err_code)
}

/// The [`NatsError`] of an `"error"` member, if the response has one.
pub fn error_of(response: &Json, ctx: ErrorContext) -> Option<NatsError> {
    let e = response.get("error")?;
    let code = e
        .get("code")
        .and_then(Json::as_u64)
        .and_then(|c| u16::try_from(c).ok())
        .unwrap_or(500);
    let err_code = e
        .get("err_code")
        .and_then(Json::as_u64)
        .and_then(|c| u32::try_from(c).ok());
    let description = e.get("description").and_then(Json::as_str).unwrap_or("");
    Some(api_error(code, err_code, description, ctx))
}

/// Parses an API response body: the JSON, or the mapped `"error"`. A body that is not JSON is a
/// `PROTOCOL_ERROR`.
pub fn parse_response(payload: &[u8], ctx: ErrorContext) -> Result<Json, NatsError> {
    let text = core::str::from_utf8(payload)
        .map_err(|_| NatsError::protocol("JetStream API response is not UTF-8"))?;
    let json = Json::parse(text)
        .map_err(|e| NatsError::protocol(format!("bad JetStream API response: {e}")))?;
    match error_of(&json, ctx) {
        Some(e) => Err(e),
        None => Ok(json),
    }
}

/// A request error on an API subject: no responders (503) means JetStream is not enabled (or not
/// reachable) → `JETSTREAM_NOT_ENABLED`; everything else unchanged.
pub fn api_request_error(e: NatsError) -> NatsError {
    if e.code == ErrorCode::NoResponders {
        NatsError::api(
            ErrorCode::JetStreamNotEnabled,
            "JetStream is not enabled (no responders on the JetStream API)",
            503,
            None,
        )
    } else {
        e
    }
}

/// A status-only reply (header `NATS/1.0 <code> <description>`, empty payload) as an error, if it is
/// one: 503 → `NO_RESPONDERS`; any other code ≥ 300 → `JETSTREAM_API` with `api_code` = the status.
pub fn status_error(msg: &Msg) -> Option<NatsError> {
    let h = msg.headers.as_ref()?;
    match h.code {
        503 => Some(NatsError::api(
            ErrorCode::NoResponders,
            "no responders",
            503,
            None,
        )),
        code if code >= 300 => {
            let description = if h.description.is_empty() {
                format!("status {code}")
            } else {
                h.description.clone()
            };
            Some(NatsError::api(
                ErrorCode::JetStreamApi,
                description,
                code,
                None,
            ))
        }
        _ => None,
    }
}

/// The outcome of a JetStream API request (the connection's `Event::Reply`) → the response JSON.
/// No responders → `JETSTREAM_NOT_ENABLED`; `{"error"}` → [`api_error`]; other errors unchanged.
pub fn api_reply(result: Result<Msg, NatsError>, ctx: ErrorContext) -> Result<Json, NatsError> {
    let msg = result.map_err(api_request_error)?;
    if let Some(e) = status_error(&msg) {
        return Err(api_request_error(e));
    }
    parse_response(&msg.payload, ctx)
}
