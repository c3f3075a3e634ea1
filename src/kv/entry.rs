//! API.md `KvEntry`, decoded from a stored message (get) or a consumer delivery (watch/keys/history).
//! The operation comes from `KV-Operation` (`DEL`/`PURGE`), else from the server's
//! `Nats-Marker-Reason` (`MaxAge`/`Purge` → PURGE, `Remove` → DEL), else PUT.

use crate::jetstream::headers as hdr;
use crate::jetstream::{AckInfo, StoredMsg};
use crate::proto::{Headers, Msg};

/// What an entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Operation {
    /// A value was written.
    #[default]
    Put,
    /// The key was deleted (its history kept).
    Del,
    /// The key was purged (its history dropped).
    Purge,
}

impl Operation {
    /// `"PUT"`, `"DEL"`, `"PURGE"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Put => "PUT",
            Operation::Del => "DEL",
            Operation::Purge => "PURGE",
        }
    }
    /// The operation recorded by a message's headers.
    pub fn from_headers(headers: Option<&Headers>) -> Operation {
        let Some(h) = headers else {
            return Operation::Put;
        };
        match h.get(hdr::KV_OPERATION) {
            Some("DEL") => return Operation::Del,
            Some("PURGE") => return Operation::Purge,
            _ => {}
        }
        match h.get(hdr::MARKER_REASON) {
            Some("MaxAge" | "Purge") => Operation::Purge,
            Some("Remove") => Operation::Del,
            _ => Operation::Put,
        }
    }
    /// DEL or PURGE.
    pub fn is_delete(self) -> bool {
        self != Operation::Put
    }
}

/// An entry of a bucket.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct KvEntry {
    /// The bucket name.
    pub bucket: String,
    /// The key.
    pub key: String,
    /// Empty for a `headers_only` delivery and for DEL/PURGE markers.
    pub value: Vec<u8>,
    /// The stream sequence.
    pub revision: u64,
    /// Stored time, ms since the Unix epoch.
    pub created: f64,
    /// Messages still pending for the consumer (0 for a get).
    pub delta: u64,
    /// What the entry records.
    pub operation: Operation,
    /// The value's size: `Nats-Msg-Size` on a `headers_only` delivery, else the payload length.
    pub length: u64,
    /// Watch only: delivered after the initial values.
    pub is_update: bool,
}

impl KvEntry {
    /// The entry of `key` in a stored message (get). `None` if the message's subject is not
    /// `<key_prefix><key>` (get by revision of another key).
    pub fn from_stored(bucket: &str, key_prefix: &str, key: &str, m: StoredMsg) -> Option<KvEntry> {
        if m.subject.strip_prefix(key_prefix) != Some(key) {
            return None;
        }
        Some(KvEntry {
            bucket: bucket.to_owned(),
            key: key.to_owned(),
            operation: Operation::from_headers(m.headers.as_ref()),
            length: m.data.len() as u64,
            value: m.data,
            revision: m.seq,
            created: m.time_ms as f64,
            delta: 0,
            is_update: false,
        })
    }

    /// The entry of a consumer delivery; `None` if the subject is not under `key_prefix`
    /// (`$KV.<bucket>.`).
    pub fn from_delivery(
        bucket: &str,
        key_prefix: &str,
        msg: Msg,
        info: &AckInfo,
        is_update: bool,
    ) -> Option<KvEntry> {
        let key = msg
            .subject
            .strip_prefix(key_prefix)
            .filter(|k| !k.is_empty())?;
        let operation = Operation::from_headers(msg.headers.as_ref());
        let size = msg
            .headers
            .as_ref()
            .and_then(|h| h.get(hdr::MSG_SIZE))
            .and_then(|v| v.trim().parse::<u64>().ok());
        Some(KvEntry {
            bucket: bucket.to_owned(),
            key: key.to_owned(),
            length: size.unwrap_or(msg.payload.len() as u64),
            value: msg.payload,
            revision: info.stream_seq,
            created: info.timestamp_ms(),
            delta: info.pending,
            operation,
            is_update,
        })
    }
}
