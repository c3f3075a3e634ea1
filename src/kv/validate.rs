//! Names (KV-SPEC.md §1.1, ADR-6): keys `^[-/_=.a-zA-Z0-9]+$` without a leading or trailing `.` or an
//! empty token; search keys additionally with `*` tokens and a last `>` token; buckets
//! `^[a-zA-Z0-9_-]+$`, at most 252 bytes (the stream name `KV_<bucket>` is limited to 255).

use crate::error::{ErrorCode, NatsError};

fn key_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'/' | b'_' | b'=' | b'.')
}

fn bad_key(key: &str, why: &str) -> NatsError {
    NatsError::new(
        ErrorCode::InvalidKey,
        format!("invalid key {}: {why}", crate::proto::Quoted(key)),
    )
}

/// Dots: non-empty, no leading or trailing `.`, no `..`.
fn check_dots(key: &str) -> Result<(), NatsError> {
    if key.is_empty() {
        return Err(bad_key(key, "empty"));
    }
    if key.starts_with('.') || key.ends_with('.') {
        return Err(bad_key(key, "starts or ends with '.'"));
    }
    if crate::proto::contains(key, "..") {
        return Err(bad_key(key, "has an empty token"));
    }
    Ok(())
}

/// A key for put/get/create/update/delete/purge. Error: `INVALID_KEY`.
pub fn validate_key(key: &str) -> Result<(), NatsError> {
    check_dots(key)?;
    if !key.bytes().all(key_char) {
        return Err(bad_key(
            key,
            "only letters, digits and - / _ = . are allowed",
        ));
    }
    Ok(())
}

/// A key filter for watch/keys/history: a key whose tokens may also be `*`, and whose last token may
/// be `>`. Error: `INVALID_KEY`.
pub fn validate_search_key(key: &str) -> Result<(), NatsError> {
    check_dots(key)?;
    let mut tokens = key.split('.').peekable();
    while let Some(token) = tokens.next() {
        match token {
            "*" => {}
            ">" if tokens.peek().is_none() => {}
            ">" => return Err(bad_key(key, "'>' is only allowed as the last token")),
            t if t.bytes().all(key_char) => {}
            _ => {
                return Err(bad_key(
                    key,
                    "only letters, digits, - / _ = . and whole-token * or a last > are allowed",
                ))
            }
        }
    }
    Ok(())
}

/// Whether a (valid search) key has wildcards.
pub fn has_wildcards(key: &str) -> bool {
    key.split('.').any(|t| t == "*" || t == ">")
}

/// Longest bucket name: its stream `KV_<bucket>` may have at most 255 bytes (nats-server's
/// `JSMaxNameLen`; a longer name is refused with 10052 "stream name is too long").
pub const MAX_BUCKET_LEN: usize = 255 - super::STREAM_PREFIX.len();

/// A bucket name. Error: `INVALID_BUCKET_NAME`.
pub fn validate_bucket(bucket: &str) -> Result<(), NatsError> {
    if bucket.len() > MAX_BUCKET_LEN {
        return Err(NatsError::new(
            ErrorCode::InvalidBucketName,
            format!(
                "invalid bucket name of {} bytes: at most {MAX_BUCKET_LEN} are allowed",
                bucket.len()
            ),
        ));
    }
    if !bucket.is_empty()
        && bucket
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        Ok(())
    } else {
        Err(NatsError::new(
            ErrorCode::InvalidBucketName,
            format!(
                "invalid bucket name {}: only letters, digits, _ and - are allowed",
                crate::proto::Quoted(bucket)
            ),
        ))
    }
}
