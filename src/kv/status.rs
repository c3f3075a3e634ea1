//! `KV.status()` and `Kvm.list()`: [`KvStatus`] (API.md field names; ms durations) from a StreamInfo,
//! and STREAM.LIST paging restricted to `KV_` streams.

use crate::error::NatsError;
use crate::jetstream::time::ns_to_ms;
use crate::jetstream::StreamInfo;
use crate::proto::json::Json;

use super::options::Storage;
use super::STREAM_PREFIX;

/// API.md `KvStatus`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KvStatus {
    /// The bucket name (stream name without `KV_`).
    pub bucket: String,
    /// Messages in the stream, history and markers included.
    pub values: u64,
    /// Revisions kept per key.
    pub history: i64,
    /// Value TTL in ms (0 = forever).
    pub ttl: i64,
    /// Delete-marker TTL in ms (0 = off).
    pub marker_ttl: i64,
    /// File or memory.
    pub storage: Storage,
    /// Stream replicas.
    pub replicas: i64,
    /// Bytes stored.
    pub size: u64,
    /// Whether stored data is compressed.
    pub compression: bool,
    /// The bucket description ("" if none).
    pub description: String,
    /// In document order.
    pub metadata: Vec<(String, String)>,
    /// -1 = no limit.
    pub max_bytes: i64,
    /// -1 = no limit.
    pub max_value_size: i64,
    /// Whether gets use DIRECT.GET (not in API.md's KvStatus; the driver uses it).
    pub allow_direct: bool,
}

impl KvStatus {
    /// The status of the bucket behind `info`.
    pub fn from_stream_info(info: &StreamInfo) -> KvStatus {
        let name = info.name();
        let metadata = match info.config.get("metadata") {
            Some(Json::Obj(members)) => members
                .iter()
                .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_owned())))
                .collect(),
            _ => Vec::new(),
        };
        KvStatus {
            bucket: name.strip_prefix(STREAM_PREFIX).unwrap_or(name).to_owned(),
            values: info.state.messages,
            history: info.config_i64("max_msgs_per_subject").unwrap_or(1),
            ttl: ns_to_ms(info.config_i64("max_age").unwrap_or(0)),
            marker_ttl: ns_to_ms(info.config_i64("subject_delete_marker_ttl").unwrap_or(0)),
            storage: info
                .config_str("storage")
                .and_then(Storage::parse)
                .unwrap_or_default(),
            replicas: info.config_i64("num_replicas").unwrap_or(1),
            size: info.state.bytes,
            compression: info.config_str("compression") == Some("s2"),
            description: info.config_str("description").unwrap_or("").to_owned(),
            metadata,
            max_bytes: info.config_i64("max_bytes").unwrap_or(-1),
            max_value_size: info.config_i64("max_msg_size").unwrap_or(-1),
            allow_direct: info.config_bool("allow_direct"),
        }
    }
}

/// `Kvm.list()`: the buckets among the StreamInfos of STREAM.LIST pages (streams named `KV_…`).
pub fn kv_statuses(streams: Vec<Json>) -> Result<Vec<KvStatus>, NatsError> {
    let mut out = Vec::new();
    for s in streams {
        let info = StreamInfo::from_json(s)?;
        if info.name().starts_with(STREAM_PREFIX) {
            out.push(KvStatus::from_stream_info(&info));
        }
    }
    Ok(out)
}
