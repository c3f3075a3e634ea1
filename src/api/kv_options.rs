//! `KvOptions`, `JetStreamOptions` and `KvWatchOptions` (JS objects) → the core's types.

use js_sys::{Array, Object};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::convert::{options_object, string, string_or_array, Fields};
use crate::error::NatsError;
use crate::jetstream::headers::Ttl;
use crate::kv::{Include, KvOptions, KvSource, Placement, Republish, Storage, WatchOptions};
use crate::time::{MAX_SAFE_INTEGER, MAX_TIMER_MS};

fn source(v: &JsValue, what: &str) -> Result<KvSource, NatsError> {
    let mut f = Fields::new(v, what);
    if f.member("name").is_none() {
        f.check(Err(NatsError::invalid_argument(format!(
            "{what}.name is required"
        ))));
    }
    let name = f.string("name").unwrap_or_default();
    let domain = f.string("domain");
    f.finish(KvSource { name, domain })
}

fn metadata(m: &JsValue) -> Result<Vec<(String, String)>, NatsError> {
    options_object(m, "metadata")?;
    let entries = Object::entries(m.unchecked_ref());
    let mut md = Vec::new();
    for e in entries.iter() {
        let pair: Array = e.unchecked_into();
        md.push((
            string(&pair.get(0), "metadata key")?,
            string(&pair.get(1), "metadata value")?,
        ));
    }
    Ok(md)
}

fn sources(s: &JsValue) -> Result<Vec<KvSource>, NatsError> {
    if !Array::is_array(s) {
        return Err(NatsError::invalid_argument("sources must be an array"));
    }
    s.unchecked_ref::<Array>()
        .iter()
        .map(|v| source(&v, "sources[]"))
        .collect()
}

fn republish(r: &JsValue) -> Result<Republish, NatsError> {
    let mut f = Fields::new(r, "republish");
    let mut get = |k: &str| {
        let v = f.string(k);
        if v.is_none() {
            f.check(Err(NatsError::invalid_argument(format!(
                "republish.{k} is required"
            ))));
        }
        v.unwrap_or_default()
    };
    let src = get("src");
    let dest = get("dest");
    let headers_only = f.bool("headers_only").unwrap_or(false);
    f.finish(Republish {
        src,
        dest,
        headers_only,
    })
}

fn placement(p: &JsValue) -> Result<Placement, NatsError> {
    let mut f = Fields::new(p, "placement");
    let tags = f.strings("tags", "placement.tags").unwrap_or_default();
    let cluster = f.string("cluster");
    f.finish(Placement { cluster, tags })
}

/// API.md `KvOptions`.
pub fn kv_options(js: &JsValue) -> Result<KvOptions, NatsError> {
    let mut f = Fields::new(js, "bucket options");
    let int = |f: &mut Fields, k: &str, min: f64| f.int(k, min, MAX_SAFE_INTEGER).map(|n| n as i64);
    let history = int(&mut f, "history", 0.0);
    let ttl = int(&mut f, "ttl", 0.0);
    let max_bytes = int(&mut f, "maxBytes", -1.0);
    let max_value_size = int(&mut f, "maxValueSize", -1.0);
    let replicas = int(&mut f, "replicas", 0.0);
    let compression = f.bool("compression");
    let description = f.string("description");
    let marker_ttl = int(&mut f, "markerTTL", 0.0);
    let allow_direct = f.bool("allowDirect");
    let timeout = f.int("timeout", 1.0, MAX_TIMER_MS);
    let storage = f.string("storage").and_then(|s| {
        let st = Storage::parse(&s);
        if st.is_none() {
            f.check(Err(NatsError::invalid_argument(
                "storage must be \"file\" or \"memory\"",
            )));
        }
        st
    });
    let r = f.member("metadata").map(|m| metadata(&m)).transpose();
    let metadata = f.keep(r);
    let r = f.member("mirror").map(|m| source(&m, "mirror")).transpose();
    let mirror = f.keep(r);
    let r = f.member("sources").map(|s| sources(&s)).transpose();
    let sources = f.keep(r).unwrap_or_default();
    let r = f.member("republish").map(|r| republish(&r)).transpose();
    let republish = f.keep(r);
    let r = f.member("placement").map(|p| placement(&p)).transpose();
    let placement = f.keep(r);
    f.finish(KvOptions {
        history,
        ttl,
        max_bytes,
        max_value_size,
        storage,
        replicas,
        compression,
        description,
        metadata,
        marker_ttl,
        allow_direct,
        mirror,
        sources,
        republish,
        placement,
        timeout,
    })
}

/// `JetStreamOptions`: (apiPrefix, domain, timeout, watcherPrefix).
pub struct JsOptions {
    /// `apiPrefix`.
    pub api_prefix: Option<String>,
    /// `domain`.
    pub domain: Option<String>,
    /// `timeout`, ms.
    pub timeout: Option<f64>,
    /// `watcherPrefix`.
    pub watcher_prefix: Option<String>,
}

/// Reads `JetStreamOptions`.
pub fn js_options(js: &JsValue) -> Result<JsOptions, NatsError> {
    let mut f = Fields::new(js, "JetStream options");
    let timeout = f.int("timeout", 1.0, MAX_TIMER_MS);
    let api_prefix = f.string("apiPrefix");
    let domain = f.string("domain");
    let watcher_prefix = f.string("watcherPrefix");
    f.finish(JsOptions {
        api_prefix,
        domain,
        timeout,
        watcher_prefix,
    })
}

/// Keys from `string | string[]` (absent: none = the whole bucket).
pub fn key_list(v: &JsValue, what: &str) -> Result<Vec<String>, NatsError> {
    if v.is_undefined() || v.is_null() {
        Ok(Vec::new())
    } else {
        string_or_array(v, what)
    }
}

/// `KvWatchOptions` (without the callbacks, which the ES module keeps).
pub fn watch_options(js: &JsValue) -> Result<WatchOptions, NatsError> {
    let mut f = Fields::new(js, "watch options");
    let include = match f.string("include") {
        None => Include::LastValue,
        Some(s) => Include::parse(&s).unwrap_or_else(|| {
            f.check(Err(NatsError::invalid_argument(
                "include must be \"\", \"history\" or \"updates\"",
            )));
            Include::LastValue
        }),
    };
    let keys = f.strings("key", "key").unwrap_or_default();
    let resume_from_revision = f
        .int("resumeFromRevision", 0.0, MAX_SAFE_INTEGER)
        .map(|n| n as u64);
    let ignore_deletes = f.bool("ignoreDeletes").unwrap_or(false);
    let headers_only = f.bool("headers_only").unwrap_or(false);
    f.finish(WatchOptions {
        keys,
        include,
        resume_from_revision,
        ignore_deletes,
        headers_only,
    })
}

/// `undefined` | number (ms) | string (duration).
pub fn ttl(v: &JsValue) -> Result<Option<Ttl>, NatsError> {
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    if let Some(s) = v.as_string() {
        return Ok(Some(Ttl::Text(s)));
    }
    match v.as_f64() {
        Some(n) if n.is_finite() && n >= 0.0 => Ok(Some(Ttl::Millis(n))),
        _ => Err(NatsError::invalid_argument(
            "ttl must be a number of ms or a duration string",
        )),
    }
}
