//! Bucket options (API.md `KvOptions`) and the stream config of a bucket (KV-SPEC.md §1.2, ADR-8):
//! `deny_delete`, `allow_rollup_hdrs`, `discard:"new"`, `allow_direct` (default true),
//! `max_msgs_per_subject` = history, durations in ns, `duplicate_window` = min(ttl, 2 min).
//!
//! `Kvm.create()` flow (decided here, see [`KvOptions::config_difference`]): send STREAM.CREATE; the
//! server accepts an identical re-create. On 10058 (`BUCKET_EXISTS`: the stored config differs in
//! some way) read STREAM.INFO and compare only what a user can set: equal → bind to the bucket (e.g.
//! one made by nats.js, which sends no `deny_delete`/`duplicate_window`); different →
//! `BUCKET_EXISTS`.

use crate::error::{ErrorCode, NatsError};
use crate::jetstream::time::ms_to_ns;
use crate::jetstream::{ApiRequest, JsApi, StreamInfo};
use crate::proto::json::Json;
use crate::proto::subject;

use super::validate::validate_bucket;
use super::{stream_name, STREAM_PREFIX};

/// Most revisions a key may keep.
pub const MAX_HISTORY: i64 = 64;
/// Longest duplicate window of a bucket: 2 minutes, in ms.
pub const MAX_DUPLICATE_WINDOW_MS: i64 = 120_000;

/// Where a bucket is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Storage {
    /// On disk.
    #[default]
    File,
    /// In memory.
    Memory,
}

impl Storage {
    /// `"file"` / `"memory"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Storage::File => "file",
            Storage::Memory => "memory",
        }
    }
    /// From `"file"` / `"memory"`.
    pub fn parse(text: &str) -> Option<Storage> {
        match text {
            "file" => Some(Storage::File),
            "memory" => Some(Storage::Memory),
            _ => None,
        }
    }
}

/// A bucket to mirror or source, optionally in another JetStream domain.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct KvSource {
    /// A bucket name (`KV_` is added) or a stream name starting with `KV_`.
    pub name: String,
    /// The JetStream domain it lives in, if another.
    pub domain: Option<String>,
}

/// Republish stored messages: `{src, dest, headers_only}`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Republish {
    /// Subjects to republish (wildcards allowed).
    pub src: String,
    /// Where they are republished.
    pub dest: String,
    /// Republish headers only (`Nats-Msg-Size` carries the size).
    pub headers_only: bool,
}

/// Placement in a cluster.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Placement {
    /// The cluster to place the stream in.
    pub cluster: Option<String>,
    /// Server tags the placement requires.
    pub tags: Vec<String>,
}

/// API.md `KvOptions`. Numbers are as JavaScript gives them (ms for durations); `None` = not given.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct KvOptions {
    /// 1..=64, default 1.
    pub history: Option<i64>,
    /// Time to keep values, ms; 0 = forever.
    pub ttl: Option<i64>,
    /// Bucket size limit in bytes; -1 (or 0) = none.
    pub max_bytes: Option<i64>,
    /// Value size limit in bytes; -1 (or 0) = none.
    pub max_value_size: Option<i64>,
    /// File (default) or memory.
    pub storage: Option<Storage>,
    /// 1..=5, default 1.
    pub replicas: Option<i64>,
    /// S2-compress stored data (file storage).
    pub compression: Option<bool>,
    /// A description of the bucket.
    pub description: Option<String>,
    /// Bucket metadata, in order.
    pub metadata: Option<Vec<(String, String)>>,
    /// Delete-marker TTL in ms (≥ 1000; 0 = off): enables per-key TTLs (server ≥ 2.11, API level 1).
    pub marker_ttl: Option<i64>,
    /// Default true.
    pub allow_direct: Option<bool>,
    /// Mirror this bucket (read-only copy).
    pub mirror: Option<KvSource>,
    /// Buckets whose entries flow into this one.
    pub sources: Vec<KvSource>,
    /// Republish stored entries to other subjects.
    pub republish: Option<Republish>,
    /// Cluster placement.
    pub placement: Option<Placement>,
    /// Per-call JetStream timeout, ms (not part of the config).
    pub timeout: Option<f64>,
}

fn invalid(msg: impl Into<String>) -> NatsError {
    NatsError::invalid_argument(msg)
}

fn s(v: &str) -> Json {
    Json::Str(v.to_owned())
}

/// `{"name":"KV_<b>", "external":{"api":"$JS.<domain>.API"}?}`; the bucket part of the name.
fn source_json(src: &KvSource) -> Result<(Json, String), NatsError> {
    let bucket = src.name.strip_prefix(STREAM_PREFIX).unwrap_or(&src.name);
    validate_bucket(bucket)?;
    let mut m = vec![("name".to_owned(), s(&stream_name(bucket)))];
    if let Some(domain) = src.domain.as_deref().filter(|d| !d.is_empty()) {
        let api = JsApi::new(None, Some(domain))?;
        m.push((
            "external".to_owned(),
            Json::Obj(vec![("api".to_owned(), s(api.prefix()))]),
        ));
    }
    Ok((Json::Obj(m), bucket.to_owned()))
}

/// A republish destination for source `src` (the server maps the source's wildcards into it, e.g.
/// `>` → `out.>`): a subject whose wildcards are whole tokens, with no more `*` than `src` has and a
/// last `>` only if `src` ends with one. The server checks the mapping in full.
fn republish_dest_check(src: &str, dest: &str) -> Result<(), NatsError> {
    subject::validate_subscribe(dest).map_err(|e| invalid(format!("bad republish dest: {e}")))?;
    let stars = |s: &str| s.split('.').filter(|t| *t == "*").count();
    let gt = |s: &str| s.split('.').next_back() == Some(">");
    if stars(dest) > stars(src) || (gt(dest) && !gt(src)) {
        return Err(invalid(format!(
            "bad republish dest {}: it has wildcards that source {} does not",
            crate::proto::Quoted(dest),
            crate::proto::Quoted(src)
        )));
    }
    Ok(())
}

impl KvOptions {
    /// History, checked: 1..=64 (default 1). Error: `INVALID_ARGUMENT`.
    pub fn history_value(&self) -> Result<i64, NatsError> {
        match self.history {
            None => Ok(1),
            Some(h) if (1..=MAX_HISTORY).contains(&h) => Ok(h),
            Some(h) => Err(invalid(format!("history must be 1..=64, got {h}"))),
        }
    }
    fn ttl_ns(&self) -> Result<i64, NatsError> {
        match self.ttl.unwrap_or(0) {
            0 => Ok(0),
            ms => ms_to_ns(ms).ok_or_else(|| invalid(format!("bad ttl {ms} ms"))),
        }
    }
    fn marker_ttl_ns(&self) -> Result<i64, NatsError> {
        match self.marker_ttl.unwrap_or(0) {
            0 => Ok(0),
            ms if ms >= 1000 => ms_to_ns(ms).ok_or_else(|| invalid("bad markerTTL")),
            ms => Err(invalid(format!(
                "markerTTL must be at least 1000 ms, got {ms}"
            ))),
        }
    }
    fn limit(value: Option<i64>, name: &str, max: i64) -> Result<i64, NatsError> {
        match value.unwrap_or(-1) {
            0 | -1 => Ok(-1),
            v if v > 0 && v <= max => Ok(v),
            v => Err(invalid(format!("{name} must be -1 or 1..={max}, got {v}"))),
        }
    }
    fn replicas_value(&self) -> Result<i64, NatsError> {
        match self.replicas.unwrap_or(1) {
            0 => Ok(1),
            r if (1..=5).contains(&r) => Ok(r),
            r => Err(invalid(format!("replicas must be 1..=5, got {r}"))),
        }
    }
    /// The JetStream API level the options need: 1 (server 2.11) with `markerTTL`, else 0. Check it
    /// against the account INFO's `api.level` before creating.
    pub fn required_api_level(&self) -> u32 {
        u32::from(self.marker_ttl.unwrap_or(0) != 0)
    }

    /// The STREAM.CREATE config of `bucket`. Errors: `INVALID_BUCKET_NAME`, `INVALID_ARGUMENT`.
    pub fn stream_config(&self, bucket: &str) -> Result<Json, NatsError> {
        validate_bucket(bucket)?;
        let history = self.history_value()?;
        let ttl_ns = self.ttl_ns()?;
        let marker_ns = self.marker_ttl_ns()?;
        let max_bytes = Self::limit(self.max_bytes, "maxBytes", i64::MAX)?;
        let max_msg_size = Self::limit(self.max_value_size, "maxValueSize", i64::from(i32::MAX))?;
        let replicas = self.replicas_value()?;
        if self.mirror.is_some() && !self.sources.is_empty() {
            return Err(invalid("mirror and sources are mutually exclusive"));
        }
        let dup_ms = match self.ttl.unwrap_or(0) {
            0 => MAX_DUPLICATE_WINDOW_MS,
            ms => ms.min(MAX_DUPLICATE_WINDOW_MS),
        };
        let mut m: Vec<(String, Json)> = vec![("name".into(), s(&stream_name(bucket)))];
        if let Some(d) = self.description.as_deref().filter(|d| !d.is_empty()) {
            m.push(("description".into(), s(d)));
        }
        if self.mirror.is_none() {
            m.push((
                "subjects".into(),
                Json::Arr(vec![s(&format!("$KV.{bucket}.>"))]),
            ));
        }
        m.extend([
            ("retention".into(), s("limits")),
            ("max_consumers".into(), Json::Int(-1)),
            ("max_msgs".into(), Json::Int(-1)),
            ("max_bytes".into(), Json::Int(max_bytes)),
            ("max_age".into(), Json::Int(ttl_ns)),
            ("max_msgs_per_subject".into(), Json::Int(history)),
            ("max_msg_size".into(), Json::Int(max_msg_size)),
            ("discard".into(), s("new")),
            (
                "storage".into(),
                s(self.storage.unwrap_or_default().as_str()),
            ),
            ("num_replicas".into(), Json::Int(replicas)),
            ("duplicate_window".into(), Json::Int(dup_ms * 1_000_000)),
            ("allow_rollup_hdrs".into(), Json::Bool(true)),
            ("deny_delete".into(), Json::Bool(true)),
            (
                "allow_direct".into(),
                Json::Bool(self.allow_direct.unwrap_or(true)),
            ),
        ]);
        if let Some(c) = self.compression {
            m.push(("compression".into(), s(if c { "s2" } else { "none" })));
        }
        if let Some(p) = &self.placement {
            let mut pm = Vec::new();
            if let Some(c) = p.cluster.as_deref().filter(|c| !c.is_empty()) {
                pm.push(("cluster".into(), s(c)));
            }
            if !p.tags.is_empty() {
                pm.push((
                    "tags".into(),
                    Json::Arr(p.tags.iter().map(|t| s(t)).collect()),
                ));
            }
            m.push(("placement".into(), Json::Obj(pm)));
        }
        if let Some(r) = &self.republish {
            let mut rm = Vec::new();
            if !r.src.is_empty() {
                subject::validate_subscribe(&r.src)
                    .map_err(|e| invalid(format!("bad republish src: {e}")))?;
                rm.push(("src".into(), s(&r.src)));
            }
            republish_dest_check(if r.src.is_empty() { ">" } else { &r.src }, &r.dest)?;
            rm.push(("dest".into(), s(&r.dest)));
            if r.headers_only {
                rm.push(("headers_only".into(), Json::Bool(true)));
            }
            m.push(("republish".into(), Json::Obj(rm)));
        }
        if let Some(md) = &self.metadata {
            if md.iter().any(|(k, _)| k.is_empty()) {
                return Err(invalid("metadata keys must not be empty"));
            }
            let obj = md.iter().map(|(k, v)| (k.clone(), s(v))).collect();
            m.push(("metadata".into(), Json::Obj(obj)));
        }
        if marker_ns > 0 {
            m.push(("allow_msg_ttl".into(), Json::Bool(true)));
            m.push(("subject_delete_marker_ttl".into(), Json::Int(marker_ns)));
        }
        if let Some(mirror) = &self.mirror {
            m.push(("mirror".into(), source_json(mirror)?.0));
            m.push(("mirror_direct".into(), Json::Bool(true)));
        }
        if !self.sources.is_empty() {
            let mut list = Vec::new();
            for src in &self.sources {
                let (Json::Obj(mut sm), src_bucket) = source_json(src)? else {
                    continue;
                };
                // As nats.go: map the source's keys into this bucket unless it is the same bucket in
                // another domain.
                if src.domain.is_none() || src_bucket != bucket {
                    let t = Json::Obj(vec![
                        ("src".into(), s(&format!("$KV.{src_bucket}.>"))),
                        ("dest".into(), s(&format!("$KV.{bucket}.>"))),
                    ]);
                    sm.push(("subject_transforms".into(), Json::Arr(vec![t])));
                }
                list.push(Json::Obj(sm));
            }
            m.push(("sources".into(), Json::Arr(list)));
        }
        Ok(Json::Obj(m))
    }

    /// The STREAM.CREATE request of `bucket`.
    pub fn create_request(&self, api: &JsApi, bucket: &str) -> Result<ApiRequest, NatsError> {
        let config = self.stream_config(bucket)?;
        Ok(ApiRequest::new(
            api.stream_create(&stream_name(bucket)),
            config.to_json_string(),
        ))
    }

    /// Checks an account's `api.level` against [`required_api_level`](Self::required_api_level).
    /// Error: `INVALID_ARGUMENT` (markerTTL needs nats-server 2.11).
    pub fn check_api_level(&self, level: u32) -> Result<(), NatsError> {
        if level < self.required_api_level() {
            return Err(NatsError::new(
                ErrorCode::InvalidArgument,
                "markerTTL needs nats-server 2.11 or later (JetStream API level 1)",
            ));
        }
        Ok(())
    }

    /// The first user-settable setting in which `existing` differs from what these options create
    /// (`None`: the same bucket). Compared: history, ttl, maxBytes, maxValueSize, storage, replicas,
    /// markerTTL, mirror (presence and origin), and — only when given — compression, description,
    /// metadata (the given keys), allowDirect, sources (names), republish, placement.
    pub fn config_difference(&self, bucket: &str, existing: &StreamInfo) -> Option<&'static str> {
        let Ok(wanted) = self.stream_config(bucket) else {
            return Some("options");
        };
        let want_i = |k: &str| wanted.get(k).and_then(Json::as_i64);
        let have_i = |k: &str, default: i64| existing.config_i64(k).unwrap_or(default);
        let ints = [
            ("max_msgs_per_subject", "history", 1),
            ("max_age", "ttl", 0),
            ("max_bytes", "maxBytes", -1),
            ("max_msg_size", "maxValueSize", -1),
            ("num_replicas", "replicas", 1),
            ("subject_delete_marker_ttl", "markerTTL", 0),
        ];
        for (key, name, default) in ints {
            if want_i(key).unwrap_or(default) != have_i(key, default) {
                return Some(name);
            }
        }
        if existing.config_str("storage").unwrap_or("file")
            != self.storage.unwrap_or_default().as_str()
        {
            return Some("storage");
        }
        let have_mirror = existing.config.get("mirror").and_then(|m| m.get("name"));
        let want_mirror = wanted.get("mirror").and_then(|m| m.get("name"));
        if have_mirror.and_then(Json::as_str) != want_mirror.and_then(Json::as_str) {
            return Some("mirror");
        }
        if let Some(c) = self.compression {
            if (existing.config_str("compression") == Some("s2")) != c {
                return Some("compression");
            }
        }
        if let Some(d) = &self.description {
            if existing.config_str("description").unwrap_or("") != d {
                return Some("description");
            }
        }
        if let Some(md) = &self.metadata {
            let have = existing.config.get("metadata");
            if md
                .iter()
                .any(|(k, v)| have.and_then(|h| h.get(k)).and_then(Json::as_str) != Some(v))
            {
                return Some("metadata");
            }
        }
        if self
            .allow_direct
            .is_some_and(|a| a != existing.config_bool("allow_direct"))
        {
            return Some("allowDirect");
        }
        let names = |j: Option<&Json>| -> Vec<String> {
            j.and_then(Json::as_array)
                .unwrap_or_default()
                .iter()
                .filter_map(|s| s.get("name").and_then(Json::as_str).map(str::to_owned))
                .collect()
        };
        // The same names, counted with repeats, in any order (without a sort: binary size).
        let same_names = |a: &[String], b: &[String]| {
            let count = |v: &[String], n: &String| v.iter().filter(|x| *x == n).count();
            a.len() == b.len() && a.iter().all(|n| count(a, n) == count(b, n))
        };
        if !self.sources.is_empty()
            && !same_names(
                &names(wanted.get("sources")),
                &names(existing.config.get("sources")),
            )
        {
            return Some("sources");
        }
        for key in ["republish", "placement"] {
            if let Some(w) = wanted.get(key) {
                let have = existing.config.get(key);
                let differs = match w {
                    Json::Obj(members) => members
                        .iter()
                        .any(|(k, v)| have.and_then(|h| h.get(k)) != Some(v)),
                    _ => true,
                };
                if differs {
                    return Some(key);
                }
            }
        }
        None
    }
}
