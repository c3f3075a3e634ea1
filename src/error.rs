//! The crate-wide typed error: every failure surfaced to JavaScript is a [`NatsError`] with an
//! [`ErrorCode`] (API.md, "Errors"). Messages are for people and never contain secrets
//! (passwords, tokens, seeds, JWTs).
#![warn(missing_docs)]

use core::fmt;

use crate::proto::ProtoError;

/// Machine-readable error code; [`ErrorCode::as_str`] gives the exact string of API.md's table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// A KV key is not valid (rejected before sending).
    InvalidKey,
    /// A bucket name is not valid (rejected before sending).
    InvalidBucketName,
    /// A subject, queue group or reply subject is not valid (rejected before sending).
    InvalidSubject,
    /// An option or argument is out of range or malformed (rejected before sending).
    InvalidArgument,
    /// A message is larger than the server's `max_payload` (rejected before sending).
    MaxPayloadExceeded,
    /// `create()` on a key that has a live value.
    KeyExists,
    /// A revision check of `update()`, `delete()` or `purge()` failed (10071, 10164).
    WrongLastRevision,
    /// The bucket does not exist.
    BucketNotFound,
    /// The bucket exists with another configuration.
    BucketExists,
    /// No answer in time.
    Timeout,
    /// Nobody listens on the request subject (status 503).
    NoResponders,
    /// JetStream is off for the server or account.
    JetStreamNotEnabled,
    /// Any other JetStream API error (`api_code`, `err_code` say which).
    JetStreamApi,
    /// The server's `-ERR 'Authorization Violation'` (or revoked credentials).
    AuthorizationViolation,
    /// The server's `-ERR` for expired user or account credentials.
    AuthenticationExpired,
    /// The server refused a publish or subscribe (`-ERR 'Permissions Violation …'`).
    PermissionsViolation,
    /// The connection is closed, or closed before the operation completed.
    ConnectionClosed,
    /// No server could be reached.
    ConnectionRefused,
    /// The connection or subscription is draining: no new work is accepted.
    Draining,
    /// The server sent bytes that are not valid NATS protocol.
    ProtocolError,
    /// Keep-alive PINGs went unanswered.
    StaleConnection,
    /// The stream does not exist (10059), or `find()` matched none.
    StreamNotFound,
    /// The consumer does not exist (10014, 10149), or a pull found it gone.
    ConsumerNotFound,
    /// The stream name is taken with another configuration (10058).
    StreamExists,
    /// The consumer name is taken with another configuration (10148, 10013, 10105).
    ConsumerExists,
    /// A write, purge or delete on a sealed stream (10109).
    StreamSealed,
    /// A sealed bucket refused a write, purge or delete (10109).
    BucketSealed,
    /// `js.publish()`'s sequence expectation failed (10071, 10164).
    WrongLastSequence,
    /// `js.publish()`'s `expect.lastMsgID` failed (10070).
    WrongLastMsgId,
    /// `js.publish()`'s `expect.streamName` failed (10060).
    WrongStream,
    /// `deleteMessage()` of no message (10037, 10043, 10057).
    MessageNotFound,
    /// Full with `discard: "new"` (10077) or over `max_msg_size` (10054).
    LimitExceeded,
    /// Status `409 Consumer Deleted` on an open pull.
    ConsumerDeleted,
    /// `fetch()`/`next()`: two idle heartbeats missed while connected.
    HeartbeatsMissed,
    /// A push consumer where a pull one is needed, or the reverse.
    WrongConsumerKind,
    /// A second run on an ordered or push consumer object.
    ConsumerBusy,
    /// `link()`/`update()` of a missing or deleted object.
    ObjectNotFound,
    /// `update()` onto a live object's name.
    ObjectExists,
    /// `get()`: SHA-256, size or chunk count differ from the info.
    ObjectDigestMismatch,
}

impl ErrorCode {
    /// Every code, in API.md's order.
    pub const ALL: [ErrorCode; 39] = [
        ErrorCode::InvalidKey,
        ErrorCode::InvalidBucketName,
        ErrorCode::InvalidSubject,
        ErrorCode::InvalidArgument,
        ErrorCode::MaxPayloadExceeded,
        ErrorCode::KeyExists,
        ErrorCode::WrongLastRevision,
        ErrorCode::BucketNotFound,
        ErrorCode::BucketExists,
        ErrorCode::Timeout,
        ErrorCode::NoResponders,
        ErrorCode::JetStreamNotEnabled,
        ErrorCode::JetStreamApi,
        ErrorCode::AuthorizationViolation,
        ErrorCode::AuthenticationExpired,
        ErrorCode::PermissionsViolation,
        ErrorCode::ConnectionClosed,
        ErrorCode::ConnectionRefused,
        ErrorCode::Draining,
        ErrorCode::ProtocolError,
        ErrorCode::StaleConnection,
        ErrorCode::StreamNotFound,
        ErrorCode::ConsumerNotFound,
        ErrorCode::StreamExists,
        ErrorCode::ConsumerExists,
        ErrorCode::StreamSealed,
        ErrorCode::BucketSealed,
        ErrorCode::WrongLastSequence,
        ErrorCode::WrongLastMsgId,
        ErrorCode::WrongStream,
        ErrorCode::MessageNotFound,
        ErrorCode::LimitExceeded,
        ErrorCode::ConsumerDeleted,
        ErrorCode::HeartbeatsMissed,
        ErrorCode::WrongConsumerKind,
        ErrorCode::ConsumerBusy,
        ErrorCode::ObjectNotFound,
        ErrorCode::ObjectExists,
        ErrorCode::ObjectDigestMismatch,
    ];

    /// The code as JavaScript sees it, e.g. `"INVALID_SUBJECT"`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidKey => "INVALID_KEY",
            ErrorCode::InvalidBucketName => "INVALID_BUCKET_NAME",
            ErrorCode::InvalidSubject => "INVALID_SUBJECT",
            ErrorCode::InvalidArgument => "INVALID_ARGUMENT",
            ErrorCode::MaxPayloadExceeded => "MAX_PAYLOAD_EXCEEDED",
            ErrorCode::KeyExists => "KEY_EXISTS",
            ErrorCode::WrongLastRevision => "WRONG_LAST_REVISION",
            ErrorCode::BucketNotFound => "BUCKET_NOT_FOUND",
            ErrorCode::BucketExists => "BUCKET_EXISTS",
            ErrorCode::Timeout => "TIMEOUT",
            ErrorCode::NoResponders => "NO_RESPONDERS",
            ErrorCode::JetStreamNotEnabled => "JETSTREAM_NOT_ENABLED",
            ErrorCode::JetStreamApi => "JETSTREAM_API",
            ErrorCode::AuthorizationViolation => "AUTHORIZATION_VIOLATION",
            ErrorCode::AuthenticationExpired => "AUTHENTICATION_EXPIRED",
            ErrorCode::PermissionsViolation => "PERMISSIONS_VIOLATION",
            ErrorCode::ConnectionClosed => "CONNECTION_CLOSED",
            ErrorCode::ConnectionRefused => "CONNECTION_REFUSED",
            ErrorCode::Draining => "DRAINING",
            ErrorCode::ProtocolError => "PROTOCOL_ERROR",
            ErrorCode::StaleConnection => "STALE_CONNECTION",
            ErrorCode::StreamNotFound => "STREAM_NOT_FOUND",
            ErrorCode::ConsumerNotFound => "CONSUMER_NOT_FOUND",
            ErrorCode::StreamExists => "STREAM_EXISTS",
            ErrorCode::ConsumerExists => "CONSUMER_EXISTS",
            ErrorCode::StreamSealed => "STREAM_SEALED",
            ErrorCode::BucketSealed => "BUCKET_SEALED",
            ErrorCode::WrongLastSequence => "WRONG_LAST_SEQUENCE",
            ErrorCode::WrongLastMsgId => "WRONG_LAST_MSG_ID",
            ErrorCode::WrongStream => "WRONG_STREAM",
            ErrorCode::MessageNotFound => "MESSAGE_NOT_FOUND",
            ErrorCode::LimitExceeded => "LIMIT_EXCEEDED",
            ErrorCode::ConsumerDeleted => "CONSUMER_DELETED",
            ErrorCode::HeartbeatsMissed => "HEARTBEATS_MISSED",
            ErrorCode::WrongConsumerKind => "WRONG_CONSUMER_KIND",
            ErrorCode::ConsumerBusy => "CONSUMER_BUSY",
            ErrorCode::ObjectNotFound => "OBJECT_NOT_FOUND",
            ErrorCode::ObjectExists => "OBJECT_EXISTS",
            ErrorCode::ObjectDigestMismatch => "OBJECT_DIGEST_MISMATCH",
        }
    }

    /// Whether this is an authentication failure reported by the server (`-ERR`).
    pub fn is_auth(self) -> bool {
        matches!(
            self,
            ErrorCode::AuthorizationViolation | ErrorCode::AuthenticationExpired
        )
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A typed error: `code` for programs, `message` for people; `api_code`/`err_code` carry a JetStream
/// API error's `code` and `err_code` when there is one. One pointer wide (the fields live in a
/// boxed [`ErrorInner`], reached through `Deref`), so a `Result<T, NatsError>` stays small where
/// it is moved around (the session layer's callbacks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NatsError(Box<ErrorInner>);

/// The fields of a [`NatsError`] (read them through the error, e.g. `e.code`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorInner {
    /// What kind of failure, for programs.
    pub code: ErrorCode,
    /// What happened, for people.
    pub message: String,
    /// The JetStream API error's HTTP-like `code` (e.g. 404).
    pub api_code: Option<u16>,
    /// The JetStream API error's `err_code` (e.g. 10059).
    pub err_code: Option<u32>,
}

impl core::ops::Deref for NatsError {
    type Target = ErrorInner;
    fn deref(&self) -> &ErrorInner {
        &self.0
    }
}

impl core::ops::DerefMut for NatsError {
    fn deref_mut(&mut self) -> &mut ErrorInner {
        &mut self.0
    }
}

impl From<ErrorInner> for NatsError {
    fn from(inner: ErrorInner) -> Self {
        NatsError(Box::new(inner))
    }
}

impl NatsError {
    /// An error with `code` and `message` (which must not contain secrets).
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::make(code, message.into(), None, None)
    }
    /// A JetStream API error (`code` JETSTREAM_API unless mapped to something more specific).
    pub fn api(
        code: ErrorCode,
        message: impl Into<String>,
        api_code: u16,
        err_code: Option<u32>,
    ) -> Self {
        Self::make(code, message.into(), Some(api_code), err_code)
    }
    /// The one non-generic constructor the others call.
    fn make(
        code: ErrorCode,
        message: String,
        api_code: Option<u16>,
        err_code: Option<u32>,
    ) -> Self {
        NatsError(Box::new(ErrorInner {
            code,
            message,
            api_code,
            err_code,
        }))
    }
    /// `INVALID_ARGUMENT`.
    pub fn invalid_argument(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidArgument, message)
    }
    /// `CONNECTION_CLOSED`.
    pub fn connection_closed(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::ConnectionClosed, message)
    }
    /// `TIMEOUT`.
    pub fn timeout(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Timeout, message)
    }
    /// `DRAINING`.
    pub fn draining() -> Self {
        Self::new(ErrorCode::Draining, "connection is draining")
    }
    /// `PROTOCOL_ERROR`.
    pub fn protocol(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::ProtocolError, message)
    }
}

impl fmt::Display for NatsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message)
    }
}

impl std::error::Error for NatsError {}

impl From<ProtoError> for NatsError {
    fn from(e: ProtoError) -> Self {
        let code = match e {
            ProtoError::InvalidSubject(_) => ErrorCode::InvalidSubject,
            ProtoError::InvalidHeader(_) => ErrorCode::InvalidArgument,
            ProtoError::MaxPayloadExceeded { .. } => ErrorCode::MaxPayloadExceeded,
            ProtoError::Protocol(_)
            | ProtoError::ControlLineTooLong
            | ProtoError::BadHeaders(_)
            | ProtoError::Json(_) => ErrorCode::ProtocolError,
        };
        NatsError::new(code, e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_api_strings() {
        let all: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(
            all,
            [
                "INVALID_KEY",
                "INVALID_BUCKET_NAME",
                "INVALID_SUBJECT",
                "INVALID_ARGUMENT",
                "MAX_PAYLOAD_EXCEEDED",
                "KEY_EXISTS",
                "WRONG_LAST_REVISION",
                "BUCKET_NOT_FOUND",
                "BUCKET_EXISTS",
                "TIMEOUT",
                "NO_RESPONDERS",
                "JETSTREAM_NOT_ENABLED",
                "JETSTREAM_API",
                "AUTHORIZATION_VIOLATION",
                "AUTHENTICATION_EXPIRED",
                "PERMISSIONS_VIOLATION",
                "CONNECTION_CLOSED",
                "CONNECTION_REFUSED",
                "DRAINING",
                "PROTOCOL_ERROR",
                "STALE_CONNECTION",
                "STREAM_NOT_FOUND",
                "CONSUMER_NOT_FOUND",
                "STREAM_EXISTS",
                "CONSUMER_EXISTS",
                "STREAM_SEALED",
                "BUCKET_SEALED",
                "WRONG_LAST_SEQUENCE",
                "WRONG_LAST_MSG_ID",
                "WRONG_STREAM",
                "MESSAGE_NOT_FOUND",
                "LIMIT_EXCEEDED",
                "CONSUMER_DELETED",
                "HEARTBEATS_MISSED",
                "WRONG_CONSUMER_KIND",
                "CONSUMER_BUSY",
                "OBJECT_NOT_FOUND",
                "OBJECT_EXISTS",
                "OBJECT_DIGEST_MISMATCH",
            ]
        );
    }

    #[test]
    fn proto_errors_map_to_codes() {
        let cases = [
            (
                ProtoError::InvalidSubject("a b".into()),
                ErrorCode::InvalidSubject,
            ),
            (
                ProtoError::InvalidHeader("x".into()),
                ErrorCode::InvalidArgument,
            ),
            (
                ProtoError::MaxPayloadExceeded { size: 2, max: 1 },
                ErrorCode::MaxPayloadExceeded,
            ),
            (ProtoError::Protocol("x".into()), ErrorCode::ProtocolError),
            (ProtoError::ControlLineTooLong, ErrorCode::ProtocolError),
            (ProtoError::BadHeaders("x".into()), ErrorCode::ProtocolError),
            (ProtoError::Json("x".into()), ErrorCode::ProtocolError),
        ];
        for (pe, code) in cases {
            let e = NatsError::from(pe);
            assert_eq!(e.code, code);
            assert!(!e.message.is_empty());
        }
    }

    #[test]
    fn display_has_code_and_message() {
        let e = NatsError::timeout("request timed out");
        assert_eq!(e.to_string(), "TIMEOUT: request timed out");
        assert!(ErrorCode::AuthenticationExpired.is_auth());
        assert!(!ErrorCode::Timeout.is_auth());
    }
}
