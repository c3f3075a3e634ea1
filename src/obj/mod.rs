//! The sans-IO Object Store core (API.md "Object Store", JETSTREAM-SPEC.md §8, ADR-20): names and
//! subjects as nats.go writes them, the digest, chunking, the bucket's stream configuration and the
//! meta message ([`ObjectInfo`]). The session layer sends what these build.
//!
//! - [`sha256`]: the incremental SHA-256 of digests;
//! - [`info`]: [`ObjectInfo`], the meta message's JSON, read and written.
#![warn(missing_docs)]

pub mod info;
pub mod meta;
pub mod read;
pub mod sha256;

#[cfg(test)]
mod tests;

pub use info::ObjectInfo;
pub use meta::{Meta, MetaUse};
pub use read::{ObjItem, ObjReader, ObjWatchOptions};
pub use sha256::Sha256;

use crate::error::{ErrorCode, NatsError};
use crate::jetstream::base64;
use crate::proto::json::Json;

/// The default chunk size: 128 KiB.
pub const DEFAULT_CHUNK_SIZE: usize = 128 * 1024;

/// The longest object name, in UTF-8 bytes (its meta subject must fit a control line).
pub const MAX_NAME_LEN: usize = 2048;

/// The stream of a bucket: `OBJ_<bucket>`.
pub fn stream_name(bucket: &str) -> String {
    format!("OBJ_{bucket}")
}

/// The prefix of stream names that are object stores.
pub const STREAM_PREFIX: &str = "OBJ_";

/// Checks a bucket name: `^[A-Za-z0-9_-]+$`, at most 251 bytes (`OBJ_` + name ≤ 255). Error:
/// `INVALID_BUCKET_NAME`.
pub fn validate_bucket(bucket: &str) -> Result<(), NatsError> {
    let ok = !bucket.is_empty()
        && bucket.len() <= 251
        && bucket
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(NatsError::new(
            ErrorCode::InvalidBucketName,
            format!("invalid object store name \"{bucket}\": use letters, digits, - and _"),
        ))
    }
}

/// Checks an object name: non-empty, at most [`MAX_NAME_LEN`] bytes. Error: `INVALID_ARGUMENT`.
pub fn validate_name(name: &str) -> Result<(), NatsError> {
    if name.is_empty() {
        return Err(NatsError::invalid_argument("object name is empty"));
    }
    if name.len() > MAX_NAME_LEN {
        return Err(NatsError::invalid_argument(format!(
            "object name of {} bytes: at most {MAX_NAME_LEN} are allowed",
            name.len()
        )));
    }
    Ok(())
}

/// The meta subject of `name`: `$O.<bucket>.M.` + padded base64url of its UTF-8 bytes (nats.go).
pub fn meta_subject(bucket: &str, name: &str) -> String {
    format!("$O.{bucket}.M.{}", base64::encode(name.as_bytes(), true))
}

/// The subject of every meta message of a bucket: `$O.<bucket>.M.>`.
pub fn meta_filter(bucket: &str) -> String {
    format!("$O.{bucket}.M.>")
}

/// The subject of an object's chunks: `$O.<bucket>.C.<nuid>`.
pub fn chunk_subject(bucket: &str, nuid: &str) -> String {
    format!("$O.{bucket}.C.{nuid}")
}

/// `SHA-256=` + padded base64url of a digest.
pub fn digest_text(digest: &[u8; 32]) -> String {
    format!("SHA-256={}", base64::encode(digest, true))
}

/// The 32 bytes of a `SHA-256=` digest (base64 in either alphabet, padded or not, or hex), or `None`.
pub fn parse_digest(text: &str) -> Option<[u8; 32]> {
    let value = text.strip_prefix("SHA-256=")?;
    let hex = |b: u8| char::from(b).to_digit(16);
    let bytes = if value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit()) {
        value
            .as_bytes()
            .chunks_exact(2)
            .map(|p| Some((hex(p[0])? << 4 | hex(p[1])?) as u8))
            .collect::<Option<Vec<u8>>>()?
    } else {
        base64::decode(value)?
    };
    bytes.try_into().ok()
}

/// The size of each chunk: `max_chunk_size` (128 KiB when absent or 0), at most what fits a message
/// of `max_payload` after `headers` bytes of headers, at least 1.
pub fn chunk_size(max_chunk_size: Option<u64>, max_payload: usize, headers: usize) -> usize {
    let wanted = match max_chunk_size {
        Some(n) if n > 0 => usize::try_from(n).unwrap_or(usize::MAX),
        _ => DEFAULT_CHUNK_SIZE,
    };
    wanted.min(max_payload.saturating_sub(headers)).max(1)
}

/// `ObjectStoreOptions` (nats.js's names; `ttl` in ns), read from JSON text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StoreOptions {
    config: Vec<(String, Json)>,
}

impl StoreOptions {
    /// Reads and checks the options: `description`, `ttl`, `max_bytes`, `storage`, `replicas`,
    /// `compression`, `metadata`, `placement`. Error: `INVALID_ARGUMENT`.
    pub fn parse(text: &str) -> Result<StoreOptions, NatsError> {
        let o = crate::jetstream::config::parse_object(text, "object store options")?;
        let bad = |k: &str| {
            NatsError::invalid_argument(format!("object store option {k} has a bad value"))
        };
        let mut config = Vec::new();
        let Json::Obj(members) = o else {
            return Err(bad("options"));
        };
        for (k, v) in members {
            if matches!(v, Json::Null) {
                continue;
            }
            let entry = match k.as_str() {
                "description" if v.as_str().is_some() => ("description", v),
                "ttl" if v.as_i64().is_some_and(|n| n >= 0) => ("max_age", v),
                "max_bytes" if v.as_i64().is_some_and(|n| n >= -1) => ("max_bytes", v),
                "storage" if matches!(v.as_str(), Some("file" | "memory")) => ("storage", v),
                "replicas" if v.as_i64().is_some_and(|n| (1..=5).contains(&n)) => {
                    ("num_replicas", v)
                }
                "compression" => match v {
                    Json::Bool(c) => (
                        "compression",
                        Json::Str(if c { "s2" } else { "none" }.into()),
                    ),
                    _ => return Err(bad(&k)),
                },
                "metadata" | "placement" if matches!(v, Json::Obj(_)) => {
                    if k == "metadata" {
                        ("metadata", v)
                    } else {
                        ("placement", v)
                    }
                }
                "description" | "ttl" | "max_bytes" | "storage" | "replicas" | "metadata"
                | "placement" => return Err(bad(&k)),
                _ => {
                    return Err(NatsError::invalid_argument(format!(
                        "object store options have no field \"{k}\""
                    )))
                }
            };
            config.push((entry.0.to_owned(), entry.1));
        }
        Ok(StoreOptions { config })
    }

    /// The STREAM.CREATE configuration of `bucket` (as nats.go and nats.js make it).
    pub fn stream_config(&self, bucket: &str) -> Json {
        let mut m: Vec<(String, Json)> = vec![
            ("name".into(), Json::Str(stream_name(bucket))),
            (
                "subjects".into(),
                Json::Arr(vec![
                    Json::Str(format!("$O.{bucket}.C.>")),
                    Json::Str(meta_filter(bucket)),
                ]),
            ),
            ("discard".into(), Json::Str("new".into())),
            ("allow_rollup_hdrs".into(), Json::Bool(true)),
            ("allow_direct".into(), Json::Bool(true)),
            ("max_bytes".into(), Json::Int(-1)),
            ("num_replicas".into(), Json::Int(1)),
            ("storage".into(), Json::Str("file".into())),
        ];
        for (k, v) in &self.config {
            match m.iter_mut().find(|(n, _)| n == k) {
                Some((_, old)) => *old = v.clone(),
                None => m.push((k.clone(), v.clone())),
            }
        }
        Json::Obj(m)
    }
}

/// The digest of the empty object.
pub const EMPTY_DIGEST: &str = "SHA-256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU=";

/// How many chunk publishes may wait for their acknowledgement at once.
pub const PUT_WINDOW: usize = 8;

/// What in an existing bucket's stream `config` differs from the configuration `ours` (as
/// [`StoreOptions::stream_config`] makes it), or `None`. Metadata the server added (`_nats.*`) is
/// ignored.
pub fn config_difference(ours: &Json, existing: &Json) -> Option<String> {
    let Json::Obj(members) = ours else {
        return None;
    };
    for (k, v) in members {
        let theirs = existing.get(k);
        let same = match (k.as_str(), v, theirs) {
            ("metadata", Json::Obj(ms), Some(t)) => ms.iter().all(|(mk, mv)| t.get(mk) == Some(mv)),
            ("max_age" | "description", Json::Int(0), None) => true,
            ("description", Json::Str(s), None) => s.is_empty(),
            (_, _, t) => t == Some(v),
        };
        if !same {
            return Some(k.clone());
        }
    }
    None
}

/// `ObjectStoreStatus` (nats.js's fields) of a StreamInfo JSON, or `None` for a stream that is not
/// an object store.
pub fn status_json(info: &Json) -> Option<Json> {
    let config = info.get("config")?;
    let bucket = config
        .get("name")
        .and_then(Json::as_str)?
        .strip_prefix(STREAM_PREFIX)?
        .to_owned();
    let c = |k: &str| config.get(k).cloned().unwrap_or(Json::Null);
    let text = |k: &str| Json::Str(config.get(k).and_then(Json::as_str).unwrap_or("").into());
    let int = |v: Option<&Json>| Json::Int(v.and_then(Json::as_i64).unwrap_or(0));
    Some(Json::Obj(vec![
        ("bucket".into(), Json::Str(bucket)),
        ("description".into(), text("description")),
        ("ttl".into(), int(config.get("max_age"))),
        ("storage".into(), text("storage")),
        ("replicas".into(), int(config.get("num_replicas"))),
        (
            "sealed".into(),
            Json::Bool(
                config
                    .get("sealed")
                    .and_then(Json::as_bool)
                    .unwrap_or(false),
            ),
        ),
        (
            "size".into(),
            int(info.get("state").and_then(|s| s.get("bytes"))),
        ),
        (
            "compression".into(),
            Json::Bool(matches!(
                config.get("compression").and_then(Json::as_str),
                Some("s2")
            )),
        ),
        (
            "metadata".into(),
            match c("metadata") {
                m @ Json::Obj(_) => m,
                _ => Json::Obj(Vec::new()),
            },
        ),
        ("backingStore".into(), Json::Str("JetStream".into())),
        ("streamInfo".into(), info.clone()),
    ]))
}
