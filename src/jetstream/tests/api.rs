use super::{msg, reply};
use crate::error::{ErrorCode, NatsError};
use crate::jetstream::error::{api_error, api_reply, ErrorContext};
use crate::jetstream::types::{api_level, purged};
use crate::jetstream::*;
use crate::proto::json::Json;

#[test]
fn api_prefixes() {
    let d = JsApi::default();
    assert_eq!(d.prefix(), "$JS.API");
    assert!(d.is_default());
    assert_eq!(JsApi::new(None, None).unwrap(), d);
    assert_eq!(JsApi::new(Some(""), Some("")).unwrap(), d);
    let dom = JsApi::new(None, Some("hub")).unwrap();
    assert_eq!(dom.prefix(), "$JS.hub.API");
    assert!(!dom.is_default());
    assert_eq!(dom.stream_info("KV_b"), "$JS.hub.API.STREAM.INFO.KV_b");
    // Domain wins over apiPrefix, as in nats.js.
    assert_eq!(
        JsApi::new(Some("x.API"), Some("leaf")).unwrap().prefix(),
        "$JS.leaf.API"
    );
    let custom = JsApi::new(Some("imported.JS.API."), None).unwrap();
    assert_eq!(custom.prefix(), "imported.JS.API");
    assert_eq!(custom.account_info(), "imported.JS.API.INFO");
    for bad_domain in ["a.b", "a b", "a\r\n", "*", ">"] {
        let e = JsApi::new(None, Some(bad_domain)).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidArgument, "{bad_domain:?}");
    }
    for bad_prefix in ["a b", "x.*", "a..b", "x\n"] {
        let e = JsApi::new(Some(bad_prefix), None).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidArgument, "{bad_prefix:?}");
    }
}

#[test]
fn api_subjects() {
    let a = JsApi::default();
    assert_eq!(a.account_info(), "$JS.API.INFO");
    assert_eq!(a.stream_create("KV_b"), "$JS.API.STREAM.CREATE.KV_b");
    assert_eq!(a.stream_info("KV_b"), "$JS.API.STREAM.INFO.KV_b");
    assert_eq!(a.stream_update("KV_b"), "$JS.API.STREAM.UPDATE.KV_b");
    assert_eq!(a.stream_delete("KV_b"), "$JS.API.STREAM.DELETE.KV_b");
    assert_eq!(a.stream_purge("KV_b"), "$JS.API.STREAM.PURGE.KV_b");
    assert_eq!(a.stream_list(), "$JS.API.STREAM.LIST");
    assert_eq!(a.stream_msg_get("KV_b"), "$JS.API.STREAM.MSG.GET.KV_b");
    assert_eq!(a.direct_get("KV_b"), "$JS.API.DIRECT.GET.KV_b");
    assert_eq!(
        a.direct_get_last("KV_b", "$KV.b.k.x"),
        "$JS.API.DIRECT.GET.KV_b.$KV.b.k.x"
    );
    assert_eq!(
        a.consumer_create("KV_b", "oc_1", Some("$KV.b.a.b")),
        "$JS.API.CONSUMER.CREATE.KV_b.oc_1.$KV.b.a.b"
    );
    // Wildcard filters are appended too (nats.js "kv - watcher will name and filter"); ">" alone is not.
    assert_eq!(
        a.consumer_create("KV_b", "oc_1", Some("$KV.b.>")),
        "$JS.API.CONSUMER.CREATE.KV_b.oc_1.$KV.b.>"
    );
    assert_eq!(
        a.consumer_create("KV_b", "oc_1", Some("$KV.b.*.x")),
        "$JS.API.CONSUMER.CREATE.KV_b.oc_1.$KV.b.*.x"
    );
    assert_eq!(
        a.consumer_create("S", "oc_1", Some(">")),
        "$JS.API.CONSUMER.CREATE.S.oc_1"
    );
    assert_eq!(
        a.consumer_create("KV_b", "oc_1", None),
        "$JS.API.CONSUMER.CREATE.KV_b.oc_1"
    );
    assert_eq!(
        a.consumer_create_legacy("KV_b"),
        "$JS.API.CONSUMER.CREATE.KV_b"
    );
    assert_eq!(
        a.consumer_delete("KV_b", "oc_1"),
        "$JS.API.CONSUMER.DELETE.KV_b.oc_1"
    );
    assert_eq!(
        a.consumer_info("KV_b", "oc_1"),
        "$JS.API.CONSUMER.INFO.KV_b.oc_1"
    );
}

fn err_of(json: &str, ctx: ErrorContext) -> NatsError {
    api_reply(reply(json), ctx).unwrap_err()
}

#[test]
fn error_mapping() {
    let e = err_of(
        r#"{"type":"io.nats.jetstream.api.v1.pub_ack_response","error":{"code":400,"err_code":10071,"description":"wrong last sequence: 5"}}"#,
        ErrorContext::General,
    );
    assert_eq!(e.code, ErrorCode::WrongLastSequence);
    assert_eq!((e.api_code, e.err_code), (Some(400), Some(10071)));
    assert_eq!(e.message, "wrong last sequence: 5");
    let e = err_of(
        r#"{"error":{"code":400,"err_code":10164,"description":"wrong last sequence"}}"#,
        ErrorContext::Kv,
    );
    assert_eq!(e.code, ErrorCode::WrongLastRevision);
    let not_found = r#"{"type":"io.nats.jetstream.api.v1.stream_info_response","error":{"code":404,"err_code":10059,"description":"stream not found"}}"#;
    assert_eq!(
        err_of(not_found, ErrorContext::Kv).code,
        ErrorCode::BucketNotFound
    );
    let e = err_of(not_found, ErrorContext::General);
    assert_eq!(e.code, ErrorCode::StreamNotFound);
    assert_eq!((e.api_code, e.err_code), (Some(404), Some(10059)));
    assert_eq!(e.message, "stream not found");
    let exists = r#"{"error":{"code":400,"err_code":10058,"description":"stream name already in use with a different configuration"}}"#;
    assert_eq!(
        err_of(exists, ErrorContext::Kv).code,
        ErrorCode::BucketExists
    );
    assert_eq!(
        err_of(exists, ErrorContext::General).code,
        ErrorCode::StreamExists
    );
    for code in [10039, 10076] {
        let j = format!(
            r#"{{"error":{{"code":503,"err_code":{code},"description":"jetstream not enabled"}}}}"#
        );
        assert_eq!(
            err_of(&j, ErrorContext::Kv).code,
            ErrorCode::JetStreamNotEnabled
        );
    }
    let e = err_of(
        r#"{"error":{"code":500,"err_code":10052,"description":"subject delete marker TTL must be at least 1s"}}"#,
        ErrorContext::Kv,
    );
    assert_eq!(e.code, ErrorCode::JetStreamApi);
    assert_eq!(e.api_code, Some(500));
    assert_eq!(e.err_code, Some(10052));
    assert!(e.message.contains("marker TTL"));
    // Old servers: no err_code; empty description.
    let e = err_of(r#"{"error":{"code":503}}"#, ErrorContext::General);
    assert_eq!(e.code, ErrorCode::JetStreamApi);
    assert_eq!((e.api_code, e.err_code), (Some(503), None));
    assert!(!e.message.is_empty());
    assert_eq!(
        api_error(400, Some(10071), "x", ErrorContext::Kv).code,
        ErrorCode::WrongLastRevision
    );
    // Streams and sequences in the general context, buckets and revisions in KV (API.md "Errors").
    for (err, general, kv) in [
        (
            10014,
            ErrorCode::ConsumerNotFound,
            ErrorCode::ConsumerNotFound,
        ),
        (
            10149,
            ErrorCode::ConsumerNotFound,
            ErrorCode::ConsumerNotFound,
        ),
        (10148, ErrorCode::ConsumerExists, ErrorCode::ConsumerExists),
        (10013, ErrorCode::ConsumerExists, ErrorCode::ConsumerExists),
        (10105, ErrorCode::ConsumerExists, ErrorCode::ConsumerExists),
        (10109, ErrorCode::StreamSealed, ErrorCode::BucketSealed),
        (10070, ErrorCode::WrongLastMsgId, ErrorCode::WrongLastMsgId),
        (10060, ErrorCode::WrongStream, ErrorCode::WrongStream),
        (
            10037,
            ErrorCode::MessageNotFound,
            ErrorCode::MessageNotFound,
        ),
        (
            10043,
            ErrorCode::MessageNotFound,
            ErrorCode::MessageNotFound,
        ),
        (
            10057,
            ErrorCode::MessageNotFound,
            ErrorCode::MessageNotFound,
        ),
        (10077, ErrorCode::LimitExceeded, ErrorCode::LimitExceeded),
        (10054, ErrorCode::LimitExceeded, ErrorCode::LimitExceeded),
        (
            10164,
            ErrorCode::WrongLastSequence,
            ErrorCode::WrongLastRevision,
        ),
        (10999, ErrorCode::JetStreamApi, ErrorCode::JetStreamApi),
    ] {
        let e = api_error(400, Some(err), "d", ErrorContext::General);
        assert_eq!((e.code, e.err_code), (general, Some(err)));
        assert_eq!(api_error(400, Some(err), "d", ErrorContext::Kv).code, kv);
    }
}

#[test]
fn request_failures_map() {
    let nr = NatsError::api(ErrorCode::NoResponders, "no responders", 503, None);
    let e = api_reply(Err(nr), ErrorContext::Kv).unwrap_err();
    assert_eq!(e.code, ErrorCode::JetStreamNotEnabled);
    // A 503 status reply handed over as a message.
    let m = msg("_INBOX.x.1", None, Some("NATS/1.0 503\r\n\r\n"), b"");
    assert_eq!(
        api_reply(Ok(m), ErrorContext::General).unwrap_err().code,
        ErrorCode::JetStreamNotEnabled
    );
    let m = msg(
        "_INBOX.x.1",
        None,
        Some("NATS/1.0 408 Request Timeout\r\n\r\n"),
        b"",
    );
    let e = api_reply(Ok(m), ErrorContext::General).unwrap_err();
    assert_eq!((e.code, e.api_code), (ErrorCode::JetStreamApi, Some(408)));
    assert_eq!(e.message, "Request Timeout");
    let t = api_reply(Err(NatsError::timeout("timed out")), ErrorContext::Kv).unwrap_err();
    assert_eq!(t.code, ErrorCode::Timeout);
    for bad in ["", "not json", "{", "\u{0}"] {
        let e = api_reply(reply(bad), ErrorContext::General).unwrap_err();
        assert_eq!(e.code, ErrorCode::ProtocolError, "{bad:?}");
    }
    let e = api_reply(
        Ok(msg("x", None, None, &[0xff, 0xfe])),
        ErrorContext::General,
    )
    .unwrap_err();
    assert_eq!(e.code, ErrorCode::ProtocolError);
}

#[test]
fn pub_ack_parsing() {
    let a = PubAck::from_reply(reply(r#"{"stream":"KV_b","seq":42}"#)).unwrap();
    assert_eq!(
        a,
        PubAck {
            stream: "KV_b".into(),
            seq: 42,
            duplicate: false,
            domain: None
        }
    );
    let a = PubAck::from_reply(reply(
        r#"{"stream":"KV_b","domain":"hub","seq":7,"duplicate":true}"#,
    ))
    .unwrap();
    assert_eq!(
        (a.seq, a.duplicate, a.domain.as_deref()),
        (7, true, Some("hub"))
    );
    let e = PubAck::from_reply(reply(
        r#"{"error":{"code":400,"err_code":10071,"description":"wrong last sequence: 1"}}"#,
    ))
    .unwrap_err();
    assert_eq!(e.code, ErrorCode::WrongLastRevision);
    let e = PubAck::from_reply(reply(
        r#"{"error":{"code":400,"err_code":10054,"description":"message size exceeds maximum allowed"}}"#,
    ))
    .unwrap_err();
    assert_eq!(
        (e.code, e.err_code),
        (ErrorCode::LimitExceeded, Some(10054))
    );
    // No stream listens: stays NO_RESPONDERS for a publish.
    let nr = msg("_INBOX.x.1", None, Some("NATS/1.0 503\r\n\r\n"), b"");
    assert_eq!(
        PubAck::from_reply(Ok(nr)).unwrap_err().code,
        ErrorCode::NoResponders
    );
    for bad in [
        r#"{"stream":"KV_b"}"#,
        r#"{"seq":1}"#,
        r#"{"stream":"KV_b","seq":-1}"#,
        "[]",
    ] {
        assert_eq!(
            PubAck::from_reply(reply(bad)).unwrap_err().code,
            ErrorCode::ProtocolError,
            "{bad}"
        );
    }
}

pub(crate) const STREAM_INFO: &str = r#"{"type":"io.nats.jetstream.api.v1.stream_create_response","total":0,"offset":0,"limit":0,"config":{"name":"KV_b","subjects":["$KV.b.>"],"retention":"limits","max_consumers":-1,"max_msgs":-1,"max_bytes":-1,"max_age":0,"max_msgs_per_subject":5,"max_msg_size":-1,"discard":"new","storage":"file","num_replicas":1,"duplicate_window":120000000000,"compression":"none","allow_direct":true,"mirror_direct":false,"sealed":false,"deny_delete":true,"deny_purge":false,"allow_rollup_hdrs":true,"consumer_limits":{},"metadata":{"_nats.level":"0","_nats.req.level":"0","_nats.ver":"2.11.4"}},"created":"2025-03-20T10:11:12.123456789Z","state":{"messages":3,"bytes":154,"first_seq":1,"first_ts":"2025-03-20T10:11:13.1Z","last_seq":3,"last_ts":"2025-03-20T10:11:14.1Z","num_subjects":2,"consumer_count":0},"cluster":{"name":"c1","leader":"NCXYZ"},"ts":"2025-03-20T10:11:15.000000001Z"}"#;

#[test]
fn stream_info_parsing() {
    let i = StreamInfo::from_reply(reply(STREAM_INFO), ErrorContext::Kv).unwrap();
    assert_eq!(i.name(), "KV_b");
    assert_eq!(
        i.state,
        StreamState {
            messages: 3,
            bytes: 154,
            first_seq: 1,
            last_seq: 3,
            consumer_count: 0
        }
    );
    assert_eq!(i.config_i64("max_msgs_per_subject"), Some(5));
    assert!(i.config_bool("allow_direct"));
    assert!(!i.config_bool("sealed"));
    assert!(!i.config_bool("absent"));
    assert_eq!(i.config_str("storage"), Some("file"));
    assert_eq!(i.created, "2025-03-20T10:11:12.123456789Z");
    assert_eq!(i.cluster.as_deref(), Some("c1"));
    assert!(StreamInfo::from_json(Json::parse(r#"{"config":{}}"#).unwrap()).is_err());
    assert!(StreamInfo::from_json(Json::parse(r#"{"state":{}}"#).unwrap()).is_err());
    let minimal =
        StreamInfo::from_json(Json::parse(r#"{"config":{"name":"KV_x"}}"#).unwrap()).unwrap();
    assert_eq!(minimal.state, StreamState::default());
    assert_eq!(minimal.cluster, None);
}

#[test]
fn consumer_info_and_small_responses() {
    let ci = r#"{"type":"io.nats.jetstream.api.v1.consumer_create_response","stream_name":"KV_b","name":"oc_X_1","created":"2025-03-20T10:11:12.5Z","config":{"name":"oc_X_1","deliver_policy":"new","ack_policy":"none","max_deliver":1,"filter_subject":"$KV.b.>","replay_policy":"instant","idle_heartbeat":5000000000,"flow_control":true,"deliver_subject":"_INBOX.X.1","inactive_threshold":300000000000,"num_replicas":1,"mem_storage":true},"delivered":{"consumer_seq":0,"stream_seq":41},"ack_floor":{"consumer_seq":0,"stream_seq":0},"num_ack_pending":0,"num_redelivered":0,"num_waiting":0,"num_pending":0,"ts":"2025-03-20T10:11:12.5Z"}"#;
    let info = ConsumerInfo::from_json(&api_reply(reply(ci), ErrorContext::Kv).unwrap()).unwrap();
    assert_eq!(
        info,
        ConsumerInfo {
            name: "oc_X_1".into(),
            num_pending: 0,
            delivered_stream_seq: 41,
            delivered_consumer_seq: 0
        }
    );
    assert!(ConsumerInfo::from_json(&Json::parse(r#"{"num_pending":1}"#).unwrap()).is_err());
    let purge = api_reply(reply(r#"{"type":"io.nats.jetstream.api.v1.stream_purge_response","success":true,"purged":3}"#), ErrorContext::Kv).unwrap();
    assert_eq!(purged(&purge), 3);
    let info = Json::parse(r#"{"type":"io.nats.jetstream.api.v1.account_info_response","memory":0,"storage":0,"reserved_memory":0,"reserved_storage":0,"streams":1,"consumers":0,"limits":{"max_memory":-1,"max_storage":-1,"max_streams":-1,"max_consumers":-1,"max_ack_pending":-1,"memory_max_stream_bytes":-1,"storage_max_stream_bytes":-1,"max_bytes_required":false},"domain":"","api":{"level":1,"total":3,"errors":0}}"#).unwrap();
    assert_eq!(api_level(&info), 1);
    assert_eq!(
        api_level(&Json::parse(r#"{"api":{"total":3,"errors":0}}"#).unwrap()),
        0
    );
}

fn list_page(offset: u64, total: u64, names: &[&str]) -> Json {
    let streams: Vec<String> = names
        .iter()
        .map(|n| format!(r#"{{"config":{{"name":"{n}"}},"state":{{"messages":1}}}}"#))
        .collect();
    Json::parse(&format!(
        r#"{{"type":"io.nats.jetstream.api.v1.stream_list_response","total":{total},"offset":{offset},"limit":256,"streams":[{}]}}"#,
        streams.join(",")
    ))
    .unwrap()
}

#[test]
fn stream_list_paging() {
    let mut l = Pager::new("streams", None);
    assert_eq!(l.next_body().as_deref(), Some(r#"{"offset":0}"#));
    let p = l.on_page(list_page(0, 3, &["A", "B"])).unwrap();
    let names = p
        .into_iter()
        .map(|j| StreamInfo::from_json(j).unwrap().name().to_owned())
        .collect::<Vec<_>>();
    assert_eq!(names, ["A", "B"]);
    assert_eq!(l.next_body().as_deref(), Some(r#"{"offset":2}"#));
    assert_eq!(l.on_page(list_page(2, 3, &["C"])).unwrap().len(), 1);
    assert_eq!(l.next_body(), None);
    // No streams at all: "streams":null.
    let mut l = Pager::new("streams", None);
    let empty = Json::parse(r#"{"total":0,"offset":0,"limit":256,"streams":null}"#).unwrap();
    assert!(l.on_page(empty).unwrap().is_empty());
    assert_eq!(l.next_body(), None);
    // A short page that never reaches total still ends (no endless loop).
    let mut l = Pager::new("streams", None);
    l.on_page(list_page(0, 5, &["A"])).unwrap();
    l.on_page(list_page(1, 5, &[])).unwrap();
    assert_eq!(l.next_body(), None);
    let mut l = Pager::new("streams", None);
    let bad = Json::parse(r#"{"total":1,"streams":{}}"#).unwrap();
    assert_eq!(l.on_page(bad).unwrap_err().code, ErrorCode::ProtocolError);
    assert_eq!(l.next_body(), None);
    // A subject filter rides in every request.
    let l = Pager::new("streams", Some("ORDERS.*".into()));
    assert_eq!(
        l.next_body().as_deref(),
        Some(r#"{"offset":0,"subject":"ORDERS.*"}"#)
    );
}
