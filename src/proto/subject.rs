//! Subject and token validation. Nothing with whitespace, CR/LF, NUL or empty tokens is ever written.

use super::ProtoError;

/// What a subject is validated for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Use {
    Publish,
    Subscribe,
}

fn invalid(what: &str, value: &str, problem: &str) -> ProtoError {
    ProtoError::InvalidSubject(format!("{what} {} {problem}", super::Quoted(value)))
}

/// Space, tab, CR, LF, NUL, any other ASCII control character or DEL.
fn bad_byte_problem(b: u8) -> Option<&'static str> {
    match b {
        b' ' | b'\t' => Some("contains whitespace"),
        b'\r' | b'\n' => Some("contains CR or LF"),
        0 => Some("contains NUL"),
        0x01..=0x1f | 0x7f => Some("contains a control character"),
        _ => None,
    }
}

fn check_bytes(what: &str, value: &str) -> Result<(), ProtoError> {
    if value.is_empty() {
        return Err(invalid(what, value, "is empty"));
    }
    match value.bytes().find_map(bad_byte_problem) {
        Some(problem) => Err(invalid(what, value, problem)),
        None => Ok(()),
    }
}

fn validate(subject: &str, usage: Use) -> Result<(), ProtoError> {
    check_bytes("subject", subject)?;
    let mut tokens = subject.split('.').peekable();
    while let Some(token) = tokens.next() {
        if token.is_empty() {
            return Err(invalid("subject", subject, "has an empty token"));
        }
        let wild = token.bytes().any(|b| b == b'*' || b == b'>');
        if !wild {
            continue;
        }
        match usage {
            Use::Publish => {
                return Err(invalid(
                    "subject",
                    subject,
                    "contains a wildcard ('*' or '>'), not allowed here",
                ))
            }
            Use::Subscribe => match token {
                "*" => {}
                ">" if tokens.peek().is_none() => {}
                ">" => return Err(invalid("subject", subject, "has '>' before the last token")),
                _ => {
                    return Err(invalid(
                        "subject",
                        subject,
                        "has a wildcard ('*' or '>') inside a token",
                    ));
                }
            },
        }
    }
    Ok(())
}

/// A subject to publish to (or a reply subject): no wildcards.
pub fn validate_publish(subject: &str) -> Result<(), ProtoError> {
    validate(subject, Use::Publish)
}

/// A subject to subscribe to: `*` as a whole token anywhere, `>` only as the last token.
pub fn validate_subscribe(subject: &str) -> Result<(), ProtoError> {
    validate(subject, Use::Subscribe)
}

/// A queue group name: one non-empty token without whitespace or control characters.
pub fn validate_queue(queue: &str) -> Result<(), ProtoError> {
    check_bytes("queue group", queue)?;
    if queue.contains('.') {
        return Err(invalid("queue group", queue, "contains '.'"));
    }
    Ok(())
}

/// A single token (no `.`): non-empty, no whitespace or control characters.
pub fn validate_token(token: &str) -> Result<(), ProtoError> {
    check_bytes("token", token)?;
    if token.contains('.') {
        return Err(invalid("token", token, "contains '.'"));
    }
    Ok(())
}
