//! Stream and consumer administration requests (JETSTREAM-SPEC.md §1, §3.1): name and field checks
//! made before anything is sent, the client-side defaults, and the read-merge-send of `update()`.
//! Configurations travel as JSON text from JavaScript (API.md: nats.js's snake_case shapes).

use crate::error::NatsError;
use crate::proto::json::Json;
use crate::proto::subject;

use super::api::{ApiRequest, JsApi};

/// The StreamConfig fields API.md lists.
const STREAM_FIELDS: &[&str] = &[
    "name",
    "subjects",
    "description",
    "metadata",
    "retention",
    "storage",
    "num_replicas",
    "max_consumers",
    "max_msgs",
    "max_bytes",
    "max_age",
    "max_msgs_per_subject",
    "max_msg_size",
    "discard",
    "discard_new_per_subject",
    "duplicate_window",
    "no_ack",
    "compression",
    "first_seq",
    "sealed",
    "allow_rollup_hdrs",
    "deny_delete",
    "deny_purge",
    "allow_direct",
    "mirror_direct",
    "allow_msg_ttl",
    "subject_delete_marker_ttl",
    "placement",
    "mirror",
    "sources",
    "subject_transform",
    "republish",
    "consumer_limits",
];

/// The StreamSource fields API.md lists (`mirror` and each of `sources`).
const SOURCE_FIELDS: &[&str] = &[
    "name",
    "opt_start_seq",
    "opt_start_time",
    "filter_subject",
    "subject_transforms",
    "external",
    "domain",
];

/// The ConsumerConfig fields API.md lists.
const CONSUMER_FIELDS: &[&str] = &[
    "name",
    "durable_name",
    "description",
    "metadata",
    "ack_policy",
    "ack_wait",
    "max_deliver",
    "backoff",
    "deliver_policy",
    "opt_start_seq",
    "opt_start_time",
    "replay_policy",
    "filter_subject",
    "filter_subjects",
    "headers_only",
    "rate_limit_bps",
    "sample_freq",
    "max_ack_pending",
    "max_waiting",
    "max_batch",
    "max_expires",
    "max_bytes",
    "inactive_threshold",
    "num_replicas",
    "mem_storage",
    "pause_until",
    "deliver_subject",
    "deliver_group",
    "flow_control",
    "idle_heartbeat",
];

/// Fields whose value is one of a few words, with those words.
const ENUMS: &[(&str, &[&str])] = &[
    ("retention", &["limits", "interest", "workqueue"]),
    ("storage", &["file", "memory"]),
    ("discard", &["old", "new"]),
    ("compression", &["none", "s2"]),
    ("ack_policy", &["none", "all", "explicit"]),
    (
        "deliver_policy",
        &[
            "all",
            "last",
            "new",
            "by_start_sequence",
            "by_start_time",
            "last_per_subject",
        ],
    ),
    ("replay_policy", &["instant", "original"]),
];

fn invalid(message: String) -> NatsError {
    NatsError::invalid_argument(message)
}

/// Checks a stream or consumer name (`what`): non-empty, ≤ 255 bytes, no whitespace, `.`, `*`, `>`,
/// `/`, `\` or control characters.
pub fn validate_name(what: &str, name: &str) -> Result<(), NatsError> {
    let bad = name
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '.' | '*' | '>' | '/' | '\\'));
    if name.is_empty() || name.len() > 255 || bad {
        return Err(invalid(format!(
            "invalid {what} name {}",
            crate::proto::Quoted(name)
        )));
    }
    Ok(())
}

/// Parses `text` as a JSON object (`what` names it in errors).
pub fn parse_object(text: &str, what: &str) -> Result<Json, NatsError> {
    match Json::parse(text) {
        Ok(json @ Json::Obj(_)) => Ok(json),
        _ => Err(invalid(format!("{what} must be an object"))),
    }
}

fn members(json: &Json) -> &[(String, Json)] {
    match json {
        Json::Obj(m) => m,
        _ => &[],
    }
}

/// Checks that every field of `obj` is in `allowed` and that enumerated fields hold a known word.
fn check_fields(obj: &Json, allowed: &[&str], what: &str) -> Result<(), NatsError> {
    for (key, value) in members(obj) {
        if !allowed.contains(&key.as_str()) {
            return Err(invalid(format!(
                "{what} has no field {}",
                crate::proto::Quoted(key)
            )));
        }
        if let Some((_, words)) = ENUMS.iter().find(|(k, _)| k == key) {
            if !value.as_str().is_some_and(|v| words.contains(&v)) {
                return Err(invalid(format!(
                    "{what} {key} must be one of {}",
                    words.join(", ")
                )));
            }
        }
    }
    Ok(())
}

fn str_field<'a>(obj: &'a Json, key: &str, what: &str) -> Result<Option<&'a str>, NatsError> {
    match obj.get(key) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Str(s)) => Ok(Some(s)),
        Some(_) => Err(invalid(format!("{what} {key} must be a string"))),
    }
}

fn set(obj: &mut Json, key: &str, value: Json) {
    if let Json::Obj(m) = obj {
        match m.iter_mut().find(|(k, _)| k == key) {
            Some((_, v)) => *v = value,
            None => m.push((key.to_owned(), value)),
        }
    }
}

fn remove(obj: &mut Json, key: &str) -> Option<Json> {
    match obj {
        Json::Obj(m) => m.iter().position(|(k, _)| k == key).map(|i| m.remove(i).1),
        _ => None,
    }
}

/// Checks a subject filter (wildcards allowed).
fn check_filter(filter: &str, what: &str) -> Result<(), NatsError> {
    subject::validate_subscribe(filter).map_err(|e| {
        NatsError::new(
            crate::error::ErrorCode::InvalidSubject,
            format!("{what}: {e}"),
        )
    })
}

/// Checks a mirror or source and converts its JS-only `domain` to `external.api` (nats.js
/// `convertStreamSourceDomain`).
fn check_source(source: &mut Json, what: &str) -> Result<(), NatsError> {
    if !matches!(source, Json::Obj(_)) {
        return Err(invalid(format!("{what} must be an object")));
    }
    check_fields(source, SOURCE_FIELDS, what)?;
    let name = str_field(source, "name", what)?.unwrap_or_default();
    validate_name("stream", name)?;
    if let Some(f) = str_field(source, "filter_subject", what)? {
        check_filter(f, what)?;
    }
    if let Some(domain) = str_field(source, "domain", what)?.map(str::to_owned) {
        if source.get("external").is_some() {
            return Err(invalid(format!(
                "{what} cannot have both domain and external"
            )));
        }
        remove(source, "domain");
        if !domain.is_empty() {
            let api = JsApi::new(None, Some(&domain))?;
            let external = Json::Obj(vec![("api".into(), Json::Str(api.prefix().to_owned()))]);
            set(source, "external", external);
        }
    }
    Ok(())
}

/// Checks a StreamConfig (or a partial one for `update()`): fields, name, subjects, sources.
fn check_stream(cfg: &mut Json, partial: bool) -> Result<(), NatsError> {
    check_fields(cfg, STREAM_FIELDS, "stream config")?;
    match str_field(cfg, "name", "stream config")? {
        Some(name) => validate_name("stream", name)?,
        None if !partial => return Err(invalid("stream config needs a name".into())),
        None => {}
    }
    if let Some(subjects) = cfg.get("subjects") {
        let items = subjects
            .as_array()
            .ok_or_else(|| invalid("stream config subjects must be an array".into()))?;
        for s in items {
            let s = s
                .as_str()
                .ok_or_else(|| invalid("stream config subjects must be strings".into()))?;
            check_filter(s, "stream subject")?;
        }
    }
    if let Json::Obj(m) = cfg {
        for (key, value) in m.iter_mut() {
            match (key.as_str(), value) {
                ("mirror", Json::Null) => {}
                ("mirror", v) => check_source(v, "mirror")?,
                ("sources", Json::Arr(items)) => {
                    for s in items {
                        check_source(s, "source")?;
                    }
                }
                ("sources", Json::Null) => {}
                ("sources", _) => return Err(invalid("sources must be an array".into())),
                _ => {}
            }
        }
    }
    Ok(())
}

/// `streams.add(cfg)`: STREAM.CREATE with the checked configuration.
pub fn stream_add(api: &JsApi, cfg: &str) -> Result<ApiRequest, NatsError> {
    let mut cfg = parse_object(cfg, "stream config")?;
    check_stream(&mut cfg, false)?;
    let name = str_field(&cfg, "name", "")?.unwrap_or_default();
    Ok(ApiRequest::new(
        api.stream_create(name),
        cfg.to_json_string(),
    ))
}

/// Checks the partial configuration of `streams.update(name, partial)` before the info is read.
pub fn stream_partial(name: &str, partial: &str) -> Result<Json, NatsError> {
    validate_name("stream", name)?;
    let mut cfg = parse_object(partial, "stream config")?;
    check_stream(&mut cfg, true)?;
    if str_field(&cfg, "name", "")?.is_some_and(|n| n != name) {
        return Err(invalid(format!(
            "stream config name differs from {}",
            crate::proto::Quoted(name)
        )));
    }
    Ok(cfg)
}

/// `config` of an info response with `partial`'s fields laid over it: fields the server returned
/// and this client does not know survive.
pub fn merged_config(info: &Json, partial: Json) -> Result<Json, NatsError> {
    let mut cfg = info
        .get("config")
        .filter(|c| matches!(c, Json::Obj(_)))
        .cloned()
        .ok_or_else(|| NatsError::protocol("info response without a config"))?;
    if let Json::Obj(m) = partial {
        for (k, v) in m {
            set(&mut cfg, &k, v);
        }
    }
    Ok(cfg)
}

/// `streams.update()`: STREAM.UPDATE with the merged configuration.
pub fn stream_update(api: &JsApi, name: &str, cfg: &Json) -> ApiRequest {
    ApiRequest::new(api.stream_update(name), cfg.to_json_string())
}

/// `streams.info(name, opts)`: STREAM.INFO with `subjects_filter` / `deleted_details`.
pub fn stream_info(api: &JsApi, name: &str, opts: &str) -> Result<ApiRequest, NatsError> {
    validate_name("stream", name)?;
    let o = parse_object(opts, "stream info options")?;
    check_fields(
        &o,
        &["subjects_filter", "deleted_details"],
        "stream info options",
    )?;
    if let Some(f) = str_field(&o, "subjects_filter", "stream info options")? {
        check_filter(f, "subjects_filter")?;
    }
    let body = if members(&o).is_empty() {
        String::new()
    } else {
        o.to_json_string()
    };
    Ok(ApiRequest::new(api.stream_info(name), body))
}

/// `streams.purge(name, opts)`: `filter`, and `seq` or `keep` (not both).
pub fn stream_purge(api: &JsApi, name: &str, opts: &str) -> Result<ApiRequest, NatsError> {
    validate_name("stream", name)?;
    let o = parse_object(opts, "purge options")?;
    check_fields(&o, &["filter", "seq", "keep"], "purge options")?;
    if o.get("seq").is_some() && o.get("keep").is_some() {
        return Err(invalid("purge takes seq or keep, not both".into()));
    }
    for key in ["seq", "keep"] {
        if o.get(key).is_some_and(|v| v.as_u64().is_none()) {
            return Err(invalid(format!("purge {key} must be a whole number ≥ 0")));
        }
    }
    if let Some(f) = str_field(&o, "filter", "purge options")? {
        check_filter(f, "purge filter")?;
    }
    let body = if members(&o).is_empty() {
        String::new()
    } else {
        o.to_json_string()
    };
    Ok(ApiRequest::new(api.stream_purge(name), body))
}

/// `streams.getMessage(stream, query)`: STREAM.MSG.GET with `{seq}` or `{last_by_subj}`.
pub fn msg_get(api: &JsApi, stream: &str, query: &str) -> Result<ApiRequest, NatsError> {
    validate_name("stream", stream)?;
    let q = parse_object(query, "message query")?;
    check_fields(&q, &["seq", "last_by_subj"], "message query")?;
    let body = match (
        q.get("seq"),
        str_field(&q, "last_by_subj", "message query")?,
    ) {
        (Some(seq), None) => match seq.as_u64().filter(|s| *s > 0) {
            Some(s) => format!("{{\"seq\":{s}}}"),
            None => {
                return Err(invalid(
                    "message query seq must be a whole number ≥ 1".into(),
                ))
            }
        },
        (None, Some(subj)) => {
            check_filter(subj, "last_by_subj")?;
            q.to_json_string()
        }
        _ => return Err(invalid("message query takes seq or last_by_subj".into())),
    };
    Ok(ApiRequest::new(api.stream_msg_get(stream), body))
}

/// `streams.deleteMessage(stream, seq, erase)`: STREAM.MSG.DELETE (`no_erase` unless erasing).
pub fn msg_delete(
    api: &JsApi,
    stream: &str,
    seq: f64,
    erase: bool,
) -> Result<ApiRequest, NatsError> {
    validate_name("stream", stream)?;
    if !(seq >= 1.0 && seq.fract() == 0.0 && seq <= crate::time::MAX_SAFE_INTEGER) {
        return Err(invalid(
            "deleteMessage seq must be a whole number ≥ 1".into(),
        ));
    }
    let seq = seq as u64;
    let body = if erase {
        format!("{{\"seq\":{seq}}}")
    } else {
        format!("{{\"seq\":{seq},\"no_erase\":true}}")
    };
    Ok(ApiRequest::new(
        api.subject(&format!("STREAM.MSG.DELETE.{stream}")),
        body,
    ))
}

/// A paged list body: `{"offset":n}` with the optional `subject` filter.
pub fn page_body(offset: u64, subject: Option<&str>) -> String {
    let mut m = vec![("offset".to_owned(), Json::Int(offset as i64))];
    if let Some(s) = subject {
        m.push(("subject".to_owned(), Json::Str(s.to_owned())));
    }
    Json::Obj(m).to_json_string()
}

/// Checks a ConsumerConfig (or a partial one for `update()`).
fn check_consumer(cfg: &Json) -> Result<(), NatsError> {
    const WHAT: &str = "consumer config";
    check_fields(cfg, CONSUMER_FIELDS, WHAT)?;
    let name = str_field(cfg, "name", WHAT)?;
    let durable = str_field(cfg, "durable_name", WHAT)?;
    for n in [name, durable].into_iter().flatten() {
        validate_name("consumer", n)?;
    }
    if let (Some(n), Some(d)) = (name, durable) {
        if n != d {
            return Err(invalid("consumer name and durable_name differ".into()));
        }
    }
    if let Some(f) = str_field(cfg, "filter_subject", WHAT)? {
        check_filter(f, "filter_subject")?;
    }
    if let Some(fs) = cfg.get("filter_subjects") {
        for f in fs
            .as_array()
            .ok_or_else(|| invalid("filter_subjects must be an array".into()))?
        {
            let f = f
                .as_str()
                .ok_or_else(|| invalid("filter_subjects must be strings".into()))?;
            check_filter(f, "filter_subjects")?;
        }
    }
    if let Some(d) = str_field(cfg, "deliver_subject", WHAT)? {
        subject::validate_publish(d).map_err(|e| {
            NatsError::new(
                crate::error::ErrorCode::InvalidSubject,
                format!("deliver_subject: {e}"),
            )
        })?;
    }
    if let Some(g) = str_field(cfg, "deliver_group", WHAT)? {
        if subject::validate_queue(g).is_err() {
            return Err(invalid(format!(
                "invalid deliver_group {}",
                crate::proto::Quoted(g)
            )));
        }
        let set = |k| {
            cfg.get(k)
                .is_some_and(|v| !matches!(v, Json::Null | Json::Bool(false) | Json::Int(0)))
        };
        if set("flow_control") || set("idle_heartbeat") {
            return Err(invalid(
                "deliver_group and flow_control/idle_heartbeat are mutually exclusive".into(),
            ));
        }
    }
    Ok(())
}

/// The name a consumer config gives (`name`, else `durable_name`).
pub fn consumer_name(cfg: &Json) -> Option<&str> {
    cfg.get("name")
        .and_then(Json::as_str)
        .or_else(|| cfg.get("durable_name").and_then(Json::as_str))
}

/// Parses and checks the ConsumerConfig of `consumers.add()`/`addOrUpdate()`: `ack_policy`
/// defaults to `explicit` (API.md: at-least-once by default, as nats.go).
pub fn consumer_config(stream: &str, cfg: &str) -> Result<Json, NatsError> {
    validate_name("stream", stream)?;
    let mut cfg = parse_object(cfg, "consumer config")?;
    check_consumer(&cfg)?;
    if cfg.get("ack_policy").is_none() {
        set(&mut cfg, "ack_policy", Json::Str("explicit".into()));
    }
    Ok(cfg)
}

/// Checks the partial configuration of `consumers.update(stream, name, partial)`.
pub fn consumer_partial(stream: &str, name: &str, partial: &str) -> Result<Json, NatsError> {
    validate_name("stream", stream)?;
    validate_name("consumer", name)?;
    let cfg = parse_object(partial, "consumer config")?;
    check_consumer(&cfg)?;
    if consumer_name(&cfg).is_some_and(|n| n != name) {
        return Err(invalid(format!(
            "consumer config name differs from {}",
            crate::proto::Quoted(name)
        )));
    }
    Ok(cfg)
}

/// CONSUMER.CREATE for `cfg` with `action` (`create`, `update`, or `None`: create or update). A
/// named consumer with one filter goes to `CONSUMER.CREATE.<s>.<name>[.<filter>]`; an unnamed one or
/// one with `filter_subjects` to the legacy `CONSUMER.CREATE.<s>`. The subject may hold wildcards:
/// send it with `api_request`.
pub fn consumer_create(api: &JsApi, stream: &str, cfg: &Json, action: Option<&str>) -> ApiRequest {
    let filters = cfg.get("filter_subjects").and_then(Json::as_array);
    let subject = match consumer_name(cfg) {
        Some(name) if filters.is_none_or(<[Json]>::is_empty) => {
            let filter = cfg.get("filter_subject").and_then(Json::as_str);
            api.consumer_create(stream, name, filter.filter(|f| !f.is_empty()))
        }
        _ => api.consumer_create_legacy(stream),
    };
    let mut body = vec![
        ("stream_name".to_owned(), Json::Str(stream.to_owned())),
        ("config".to_owned(), cfg.clone()),
    ];
    if let Some(a) = action {
        body.push(("action".to_owned(), Json::Str(a.to_owned())));
    }
    ApiRequest::new(subject, Json::Obj(body).to_json_string())
}
