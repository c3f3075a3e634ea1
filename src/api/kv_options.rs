//! `KvOptions`, `JetStreamOptions` and `KvWatchOptions` (JS objects) → the core's types.

use js_sys::{Array, Object};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::convert::{
    integer, member, opt_bool, opt_string, options_object, string, string_or_array,
};
use crate::error::NatsError;
use crate::jetstream::headers::Ttl;
use crate::kv::{Include, KvOptions, KvSource, Placement, Republish, Storage, WatchOptions};
use crate::time::{MAX_SAFE_INTEGER, MAX_TIMER_MS};

fn opt_int(obj: &JsValue, key: &str, min: f64) -> Result<Option<i64>, NatsError> {
    member(obj, key)
        .map(|v| integer(&v, key, min, MAX_SAFE_INTEGER).map(|n| n as i64))
        .transpose()
}

fn source(v: &JsValue, what: &str) -> Result<KvSource, NatsError> {
    options_object(v, what)?;
    let name = member(v, "name")
        .ok_or_else(|| NatsError::invalid_argument(format!("{what}.name is required")))?;
    Ok(KvSource {
        name: string(&name, "name")?,
        domain: opt_string(v, "domain")?,
    })
}

/// API.md `KvOptions`.
pub fn kv_options(js: &JsValue) -> Result<KvOptions, NatsError> {
    options_object(js, "bucket options")?;
    let mut o = KvOptions {
        history: opt_int(js, "history", 0.0)?,
        ttl: opt_int(js, "ttl", 0.0)?,
        max_bytes: opt_int(js, "maxBytes", -1.0)?,
        max_value_size: opt_int(js, "maxValueSize", -1.0)?,
        replicas: opt_int(js, "replicas", 0.0)?,
        compression: opt_bool(js, "compression")?,
        description: opt_string(js, "description")?,
        marker_ttl: opt_int(js, "markerTTL", 0.0)?,
        allow_direct: opt_bool(js, "allowDirect")?,
        timeout: member(js, "timeout")
            .map(|t| integer(&t, "timeout", 1.0, MAX_TIMER_MS))
            .transpose()?,
        ..KvOptions::default()
    };
    if let Some(s) = opt_string(js, "storage")? {
        o.storage = Some(Storage::parse(&s).ok_or_else(|| {
            NatsError::invalid_argument("storage must be \"file\" or \"memory\"")
        })?);
    }
    if let Some(m) = member(js, "metadata") {
        options_object(&m, "metadata")?;
        let entries = Object::entries(m.unchecked_ref());
        let mut md = Vec::new();
        for e in entries.iter() {
            let pair: Array = e.unchecked_into();
            md.push((
                string(&pair.get(0), "metadata key")?,
                string(&pair.get(1), "metadata value")?,
            ));
        }
        o.metadata = Some(md);
    }
    if let Some(m) = member(js, "mirror") {
        o.mirror = Some(source(&m, "mirror")?);
    }
    if let Some(s) = member(js, "sources") {
        if !Array::is_array(&s) {
            return Err(NatsError::invalid_argument("sources must be an array"));
        }
        o.sources = s
            .unchecked_ref::<Array>()
            .iter()
            .map(|v| source(&v, "sources[]"))
            .collect::<Result<_, _>>()?;
    }
    if let Some(r) = member(js, "republish") {
        options_object(&r, "republish")?;
        let get = |k: &str| -> Result<String, NatsError> {
            opt_string(&r, k)?
                .ok_or_else(|| NatsError::invalid_argument(format!("republish.{k} is required")))
        };
        o.republish = Some(Republish {
            src: get("src")?,
            dest: get("dest")?,
            headers_only: opt_bool(&r, "headers_only")?.unwrap_or(false),
        });
    }
    if let Some(p) = member(js, "placement") {
        options_object(&p, "placement")?;
        let tags = member(&p, "tags")
            .map(|t| string_or_array(&t, "placement.tags"))
            .transpose()?
            .unwrap_or_default();
        o.placement = Some(Placement {
            cluster: opt_string(&p, "cluster")?,
            tags,
        });
    }
    Ok(o)
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
    options_object(js, "JetStream options")?;
    let timeout = member(js, "timeout")
        .map(|t| integer(&t, "timeout", 1.0, MAX_TIMER_MS))
        .transpose()?;
    Ok(JsOptions {
        api_prefix: opt_string(js, "apiPrefix")?,
        domain: opt_string(js, "domain")?,
        timeout,
        watcher_prefix: opt_string(js, "watcherPrefix")?,
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
    options_object(js, "watch options")?;
    let include = match opt_string(js, "include")? {
        None => Include::LastValue,
        Some(s) => Include::parse(&s).ok_or_else(|| {
            NatsError::invalid_argument("include must be \"\", \"history\" or \"updates\"")
        })?,
    };
    Ok(WatchOptions {
        keys: key_list(&member(js, "key").unwrap_or(JsValue::UNDEFINED), "key")?,
        include,
        resume_from_revision: opt_int(js, "resumeFromRevision", 0.0)?.map(|n| n as u64),
        ignore_deletes: opt_bool(js, "ignoreDeletes")?.unwrap_or(false),
        headers_only: opt_bool(js, "headers_only")?.unwrap_or(false),
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
