//! Classification of the server's `-ERR '…'` texts (nats-server client.go wording, matched
//! case-insensitively).

use crate::error::{ErrorCode, NatsError};
use crate::proto::contains;

/// What a `-ERR` means for the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerErr {
    /// 'Authorization Violation' / 'User Authentication Revoked': the server closes the connection.
    AuthorizationViolation,
    /// 'User Authentication Expired' / 'Account Authentication Expired'.
    AuthenticationExpired,
    /// 'Permissions Violation for Subscription to "subject"[ using queue "q"]'.
    SubscribePermission {
        /// The refused subject.
        subject: String,
        /// The queue group, if the error names one.
        queue: Option<String>,
    },
    /// 'Permissions Violation for Publish to "subject"'.
    PublishPermission {
        /// The refused subject.
        subject: String,
    },
    /// Any other permissions violation (non-fatal).
    OtherPermission,
    /// 'Stale Connection'.
    Stale,
    /// Anything else; the server usually closes the connection after it.
    Other,
}

/// The text between the `n`-th pair of double quotes (0-based).
fn quoted(text: &str, n: usize) -> Option<String> {
    let mut parts = text.split('"');
    parts.nth(2 * n + 1).map(str::to_owned)
}

/// Classifies the text of a `-ERR` (without its quotes).
pub fn classify(text: &str) -> ServerErr {
    let lower = text.to_ascii_lowercase();
    if contains(&lower, "authorization violation") || contains(&lower, "authentication revoked") {
        ServerErr::AuthorizationViolation
    } else if contains(&lower, "authentication expired") {
        ServerErr::AuthenticationExpired
    } else if contains(&lower, "permissions violation for subscription to") {
        match quoted(text, 0) {
            Some(subject) => {
                let queue = if contains(&lower, "using queue") {
                    quoted(text, 1)
                } else {
                    None
                };
                ServerErr::SubscribePermission { subject, queue }
            }
            None => ServerErr::OtherPermission,
        }
    } else if contains(&lower, "permissions violation for publish to") {
        match quoted(text, 0) {
            Some(subject) => ServerErr::PublishPermission { subject },
            None => ServerErr::OtherPermission,
        }
    } else if contains(&lower, "permissions violation") {
        ServerErr::OtherPermission
    } else if contains(&lower, "stale connection") {
        ServerErr::Stale
    } else {
        ServerErr::Other
    }
}

/// The typed error for a `-ERR` text.
pub fn to_error(text: &str) -> NatsError {
    let code = match classify(text) {
        ServerErr::AuthorizationViolation => ErrorCode::AuthorizationViolation,
        ServerErr::AuthenticationExpired => ErrorCode::AuthenticationExpired,
        ServerErr::SubscribePermission { .. }
        | ServerErr::PublishPermission { .. }
        | ServerErr::OtherPermission => ErrorCode::PermissionsViolation,
        ServerErr::Stale => ErrorCode::StaleConnection,
        ServerErr::Other => ErrorCode::ProtocolError,
    };
    let shown: String = text.chars().filter(|c| !c.is_control()).take(512).collect();
    NatsError::new(code, format!("server error: {shown}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_server_texts() {
        assert_eq!(
            classify("Authorization Violation"),
            ServerErr::AuthorizationViolation
        );
        assert_eq!(
            classify("User Authentication Expired"),
            ServerErr::AuthenticationExpired
        );
        assert_eq!(
            classify("User Authentication Revoked"),
            ServerErr::AuthorizationViolation
        );
        assert_eq!(
            classify("Permissions Violation for Subscription to \"foo.>\""),
            ServerErr::SubscribePermission {
                subject: "foo.>".into(),
                queue: None
            }
        );
        assert_eq!(
            classify("Permissions Violation for Subscription to \"foo\" using queue \"q1\""),
            ServerErr::SubscribePermission {
                subject: "foo".into(),
                queue: Some("q1".into())
            }
        );
        assert_eq!(
            classify("Permissions Violation for Publish to \"bar.baz\""),
            ServerErr::PublishPermission {
                subject: "bar.baz".into()
            }
        );
        assert_eq!(
            classify("Permissions Violation for Publish with Reply of \"x\""),
            ServerErr::OtherPermission
        );
        assert_eq!(classify("Stale Connection"), ServerErr::Stale);
        assert_eq!(classify("Maximum Connections Exceeded"), ServerErr::Other);
        assert_eq!(
            classify("Permissions Violation for Publish to"),
            ServerErr::OtherPermission
        );
    }

    #[test]
    fn errors_carry_codes() {
        assert_eq!(
            to_error("Authorization Violation").code,
            ErrorCode::AuthorizationViolation
        );
        assert_eq!(
            to_error("Stale Connection").code,
            ErrorCode::StaleConnection
        );
        let e = to_error("Unknown Protocol Operation");
        assert_eq!(e.code, ErrorCode::ProtocolError);
        assert!(e.message.contains("Unknown Protocol Operation"));
    }
}
