//! Typed errors of the protocol core.

use core::fmt;

/// What went wrong while decoding server bytes or validating client input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProtoError {
    /// The server sent something that is not a NATS op (bad verb, bad arguments, bad sizes, missing CRLF).
    Protocol(String),
    /// A control line grew past [`crate::proto::MAX_CONTROL_LINE`] bytes without a CRLF.
    ControlLineTooLong,
    /// A message payload (headers + body) is larger than the allowed maximum.
    MaxPayloadExceeded {
        /// Bytes of headers + body.
        size: usize,
        /// The server's `max_payload`.
        max: usize,
    },
    /// A header block is malformed (status line, truncated, bad line).
    BadHeaders(String),
    /// A subject (or queue group / reply subject) is not valid for its use.
    InvalidSubject(String),
    /// A header name or value may not be sent (CR, LF; in names also space and ':').
    InvalidHeader(String),
    /// A JSON document could not be parsed.
    Json(String),
}

impl fmt::Display for ProtoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProtoError::Protocol(m) => write!(f, "protocol error: {m}"),
            ProtoError::ControlLineTooLong => write!(f, "protocol error: control line too long"),
            ProtoError::MaxPayloadExceeded { size, max } => {
                write!(f, "payload of {size} bytes exceeds max_payload {max}")
            }
            ProtoError::BadHeaders(m) => write!(f, "bad header block: {m}"),
            ProtoError::InvalidSubject(m) => write!(f, "invalid subject: {m}"),
            ProtoError::InvalidHeader(m) => write!(f, "invalid header: {m}"),
            ProtoError::Json(m) => write!(f, "bad JSON: {m}"),
        }
    }
}

impl std::error::Error for ProtoError {}
