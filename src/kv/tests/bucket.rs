use super::{bucket, msg, reply, stream_info_json};
use crate::error::{ErrorCode, NatsError};
use crate::jetstream::error::ErrorContext;
use crate::jetstream::headers::MsgTtl;
use crate::jetstream::{AckInfo, JsApi, PubAck, StreamInfo};
use crate::kv::bucket::{create_error, create_retry, get_result, is_multi_key, key_subject_error};
use crate::kv::{kv_statuses, Bucket, KvEntry, KvStatus, Operation, Storage};
use crate::proto::json::Json;
use crate::time::Wall;

fn hdrs(w: &crate::kv::WriteRequest) -> Vec<(String, String)> {
    w.headers
        .as_ref()
        .map(|h| h.entries().to_vec())
        .unwrap_or_default()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn write_builders() {
    let b = bucket();
    let p = b.put("a.b", None).unwrap();
    assert_eq!(
        (p.subject.as_str(), p.headers.is_none()),
        ("$KV.b.a.b", true)
    );
    let p = b.put("k", Some(0)).unwrap();
    assert_eq!(
        hdrs(&p),
        pairs(&[("Nats-Expected-Last-Subject-Sequence", "0")])
    );
    let c = b.create("k", None).unwrap();
    assert_eq!(
        hdrs(&c),
        pairs(&[("Nats-Expected-Last-Subject-Sequence", "0")])
    );
    let c = b.create("k", Some(MsgTtl::Text("2s"))).unwrap();
    assert_eq!(
        hdrs(&c),
        pairs(&[
            ("Nats-Expected-Last-Subject-Sequence", "0"),
            ("Nats-TTL", "2s")
        ])
    );
    let c = b.create_at("k", 9, Some(MsgTtl::Millis(1500.0))).unwrap();
    assert_eq!(
        hdrs(&c),
        pairs(&[
            ("Nats-Expected-Last-Subject-Sequence", "9"),
            ("Nats-TTL", "1500ms")
        ])
    );
    assert_eq!(
        b.create("k", Some(MsgTtl::Millis(10.0))).unwrap_err().code,
        ErrorCode::InvalidArgument
    );
    let u = b.update("k", 7).unwrap();
    assert_eq!(
        hdrs(&u),
        pairs(&[("Nats-Expected-Last-Subject-Sequence", "7")])
    );
    assert_eq!(
        hdrs(&b.update("k", 0).unwrap()),
        pairs(&[("Nats-Expected-Last-Subject-Sequence", "0")])
    );
    let d = b.delete("k", None).unwrap();
    assert_eq!(
        (d.subject.as_str(), hdrs(&d)),
        ("$KV.b.k", pairs(&[("KV-Operation", "DEL")]))
    );
    let d = b.delete("k", Some(3)).unwrap();
    assert_eq!(
        hdrs(&d),
        pairs(&[
            ("KV-Operation", "DEL"),
            ("Nats-Expected-Last-Subject-Sequence", "3")
        ])
    );
    let p = b.purge("k", None, None).unwrap();
    assert_eq!(
        hdrs(&p),
        pairs(&[("KV-Operation", "PURGE"), ("Nats-Rollup", "sub")])
    );
    let p = b.purge("k", Some(4), Some(MsgTtl::Text("1h"))).unwrap();
    assert_eq!(
        hdrs(&p),
        pairs(&[
            ("KV-Operation", "PURGE"),
            ("Nats-Rollup", "sub"),
            ("Nats-Expected-Last-Subject-Sequence", "4"),
            ("Nats-TTL", "1h")
        ])
    );
    for bad in ["", "a b", "a.*", ">", "a\r\n"] {
        assert_eq!(
            b.put(bad, None).unwrap_err().code,
            ErrorCode::InvalidKey,
            "{bad:?}"
        );
        assert_eq!(b.delete(bad, None).unwrap_err().code, ErrorCode::InvalidKey);
        assert_eq!(
            b.purge(bad, None, None).unwrap_err().code,
            ErrorCode::InvalidKey
        );
        assert_eq!(b.create(bad, None).unwrap_err().code, ErrorCode::InvalidKey);
        assert_eq!(b.get(bad, None).unwrap_err().code, ErrorCode::InvalidKey);
    }
    assert_eq!(
        Bucket::new("a.b", JsApi::default()).unwrap_err().code,
        ErrorCode::InvalidBucketName
    );
}

#[test]
fn prefixes_domains_and_mirrors() {
    let dom = Bucket::new("b", JsApi::new(None, Some("hub")).unwrap()).unwrap();
    assert_eq!(dom.key_subject("k"), "$KV.b.k");
    assert_eq!(dom.put("k", None).unwrap().subject, "$JS.hub.API.$KV.b.k");
    assert_eq!(
        dom.get("k", None).unwrap().request.subject,
        "$JS.hub.API.DIRECT.GET.KV_b.$KV.b.k"
    );
    let info = |extra: &str| {
        StreamInfo::from_reply(reply(&stream_info_json(extra)), ErrorContext::Kv).unwrap()
    };
    let m = Bucket::from_stream_info(
        "b",
        JsApi::default(),
        &info(r#""mirror":{"name":"KV_origin"}"#),
    )
    .unwrap();
    assert_eq!(
        (m.read_prefix(), m.write_subject("k")),
        ("$KV.origin.", "$KV.origin.k".to_owned())
    );
    let ext = r#""mirror":{"name":"KV_origin","external":{"api":"$JS.hub.API"}}"#;
    let m =
        Bucket::from_stream_info("b", JsApi::new(None, Some("leaf")).unwrap(), &info(ext)).unwrap();
    assert_eq!(m.write_subject("k"), "$JS.hub.API.$KV.origin.k");
    assert_eq!(m.key_subject("k"), "$KV.origin.k");
    let nd =
        Bucket::from_stream_info("b", JsApi::default(), &info(r#""allow_direct":false"#)).unwrap();
    assert!(!nd.allow_direct());
    assert!(Bucket::from_stream_info("b", JsApi::default(), &info(""))
        .unwrap()
        .allow_direct());
}

#[test]
fn get_requests() {
    let mut b = bucket();
    let g = b.get("a.b", None).unwrap();
    assert!(g.direct);
    assert_eq!(
        (g.request.subject.as_str(), g.request.body.as_str()),
        ("$JS.API.DIRECT.GET.KV_b.$KV.b.a.b", "")
    );
    let g = b.get("k", Some(12)).unwrap();
    assert_eq!(
        (g.request.subject.as_str(), g.request.body.as_str()),
        ("$JS.API.DIRECT.GET.KV_b", r#"{"seq":12}"#)
    );
    b.set_allow_direct(false);
    let g = b.get("k", None).unwrap();
    assert!(!g.direct);
    assert_eq!(
        (g.request.subject.as_str(), g.request.body.as_str()),
        (
            "$JS.API.STREAM.MSG.GET.KV_b",
            r#"{"last_by_subj":"$KV.b.k"}"#
        )
    );
    assert_eq!(b.get("k", Some(3)).unwrap().request.body, r#"{"seq":3}"#);
    // Revisions start at 1.
    for direct in [false, true] {
        b.set_allow_direct(direct);
        assert_eq!(
            b.get("k", Some(0)).unwrap_err().code,
            ErrorCode::InvalidArgument
        );
    }
}

fn direct(
    subject: &str,
    seq: u64,
    op: Option<&str>,
    value: &[u8],
) -> Result<crate::proto::Msg, NatsError> {
    let op = op.map(|o| format!("{o}\r\n")).unwrap_or_default();
    let h = format!("NATS/1.0\r\n{op}Nats-Stream: KV_b\r\nNats-Subject: {subject}\r\nNats-Sequence: {seq}\r\nNats-Time-Stamp: 2025-03-20T10:11:12.123456789Z\r\n\r\n");
    Ok(msg("_INBOX.x.1", None, Some(&h), value))
}

#[test]
fn get_decoding() {
    let b = bucket();
    let e = b
        .decode_get("k", true, direct("$KV.b.k", 7, None, b"hello"))
        .unwrap()
        .unwrap();
    assert_eq!(
        e,
        KvEntry {
            bucket: "b".into(),
            key: "k".into(),
            value: b"hello".to_vec(),
            revision: 7,
            created: 1_742_465_472_123.0,
            delta: 0,
            operation: Operation::Put,
            length: 5,
            is_update: false,
        }
    );
    assert_eq!(get_result(Some(e.clone()), false), Some(e));
    let del = b
        .decode_get(
            "k",
            true,
            direct("$KV.b.k", 8, Some("KV-Operation: DEL"), b""),
        )
        .unwrap();
    assert_eq!(del.as_ref().map(|e| e.operation), Some(Operation::Del));
    assert_eq!(
        get_result(del.clone(), false),
        None,
        "get() of a deleted key is null (ADR-8)"
    );
    assert_eq!(
        get_result(del, true).map(|e| e.revision),
        Some(8),
        "by revision: the marker"
    );
    let purge = b.decode_get(
        "k",
        true,
        direct(
            "$KV.b.k",
            9,
            Some("KV-Operation: PURGE\r\nNats-Rollup: sub"),
            b"",
        ),
    );
    assert_eq!(purge.unwrap().unwrap().operation, Operation::Purge);
    let aged = b.decode_get(
        "k",
        true,
        direct("$KV.b.k", 10, Some("Nats-Marker-Reason: MaxAge"), b""),
    );
    assert_eq!(aged.unwrap().unwrap().operation, Operation::Purge);
    let removed = b.decode_get(
        "k",
        true,
        direct("$KV.b.k", 11, Some("Nats-Marker-Reason: Remove"), b""),
    );
    assert_eq!(removed.unwrap().unwrap().operation, Operation::Del);
    // A revision of another key reads as not found.
    assert_eq!(
        b.decode_get("k", true, direct("$KV.b.other", 3, None, b"x"))
            .unwrap(),
        None
    );
    let nf = Ok(msg(
        "_INBOX.x.1",
        None,
        Some("NATS/1.0 404 Message Not Found\r\n\r\n"),
        b"",
    ));
    assert_eq!(b.decode_get("k", true, nf).unwrap(), None);
    let mg = r#"{"type":"io.nats.jetstream.api.v1.stream_msg_get_response","message":{"subject":"$KV.b.k","seq":4,"data":"aGVsbG8=","time":"2025-03-20T10:11:12.123456789Z"}}"#;
    let e = b.decode_get("k", false, reply(mg)).unwrap().unwrap();
    assert_eq!(
        (e.revision, e.value.as_slice(), e.length),
        (4, &b"hello"[..], 5)
    );
    let nf = r#"{"error":{"code":404,"err_code":10037,"description":"no message found"}}"#;
    assert_eq!(b.decode_get("k", false, reply(nf)).unwrap(), None);
    let gone = r#"{"error":{"code":404,"err_code":10059,"description":"stream not found"}}"#;
    assert_eq!(
        b.decode_get("k", false, reply(gone)).unwrap_err().code,
        ErrorCode::BucketNotFound
    );
}

#[test]
fn wildcard_delete_and_purge() {
    for k in ["a", "a.b", "a/b", "x*", "a.b*"] {
        assert_eq!(is_multi_key(k, None).ok(), Some(false), "{k}");
        assert_eq!(is_multi_key(k, Some(3)).ok(), Some(false), "{k}");
    }
    for k in ["a.*", "*", ">", "a.>", "*.b.>"] {
        assert_eq!(is_multi_key(k, None).ok(), Some(true), "{k}");
        let e = is_multi_key(k, Some(1)).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidArgument, "{k}");
    }
    for k in ["a.>.b", ".*", "*.", "a..*", "a b.*"] {
        let e = is_multi_key(k, None).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidKey, "{k}");
    }
    // a single key stays checked by the builders
    assert_eq!(
        bucket().delete("x*", None).unwrap_err().code,
        ErrorCode::InvalidKey
    );
}

#[test]
fn create_retry_decision() {
    let wrong = || {
        PubAck::from_reply(reply(
            r#"{"error":{"code":400,"err_code":10071,"description":"wrong last sequence: 5"}}"#,
        ))
        .unwrap_err()
    };
    let entry = |rev, op| KvEntry {
        key: "k".into(),
        revision: rev,
        operation: op,
        ..Default::default()
    };
    assert_eq!(
        create_retry(wrong(), Some(&entry(5, Operation::Del))).unwrap(),
        5
    );
    assert_eq!(
        create_retry(wrong(), Some(&entry(6, Operation::Purge))).unwrap(),
        6
    );
    assert_eq!(create_retry(wrong(), None).unwrap(), 0);
    let e = create_retry(wrong(), Some(&entry(5, Operation::Put))).unwrap_err();
    assert_eq!(
        (e.code, e.err_code, e.api_code),
        (ErrorCode::KeyExists, Some(10071), Some(400))
    );
    let unknown = PubAck::from_reply(reply(
        r#"{"error":{"code":400,"err_code":10164,"description":"wrong last sequence"}}"#,
    ))
    .unwrap_err();
    assert_eq!(
        create_retry(unknown, Some(&entry(2, Operation::Put)))
            .unwrap_err()
            .code,
        ErrorCode::KeyExists
    );
    let other = NatsError::timeout("t");
    assert_eq!(
        create_retry(other, None).unwrap_err().code,
        ErrorCode::Timeout
    );
    assert_eq!(create_error(wrong()).code, ErrorCode::KeyExists);
    assert_eq!(
        create_error(NatsError::timeout("t")).code,
        ErrorCode::Timeout
    );
}

#[test]
fn purge_deletes_plan() {
    let b = bucket();
    let now = 10_000_000.0;
    let e = |k: &str, op, created| KvEntry {
        key: k.into(),
        operation: op,
        created,
        ..Default::default()
    };
    let last = [
        e("live", Operation::Put, 0.0),
        e("old.del", Operation::Del, now - 1_800_001.0),
        e("young", Operation::Purge, now - 5_000.0),
        e("edge", Operation::Del, now - 1_800_000.0),
    ];
    let plan = b.purge_deletes_plan(&last, Wall(now), 1_800_000.0);
    let bodies: Vec<&str> = plan.iter().map(|r| r.body.as_str()).collect();
    assert!(plan
        .iter()
        .all(|r| r.subject == "$JS.API.STREAM.PURGE.KV_b"));
    assert_eq!(
        bodies,
        [
            r#"{"filter":"$KV.b.old.del","keep":0}"#,
            r#"{"filter":"$KV.b.young","keep":1}"#,
            r#"{"filter":"$KV.b.edge","keep":1}"#,
        ]
    );
    // olderMillis 0 or negative: every marker goes.
    assert!(b
        .purge_deletes_plan(&last, Wall(now), -1.0)
        .iter()
        .all(|r| r.body.ends_with(r#""keep":0}"#)));
    assert_eq!(b.info_request().subject, "$JS.API.STREAM.INFO.KV_b");
    assert_eq!(b.destroy_request().subject, "$JS.API.STREAM.DELETE.KV_b");
}

#[test]
fn entries_from_deliveries() {
    let ts = "1742465472123456789";
    let v1 = format!("$JS.ACK.KV_b.oc_N_1.1.42.7.{ts}.3");
    let v2 = format!("$JS.ACK._.ACCHASH.KV_b.oc_N_1.1.42.7.{ts}.3.rnd");
    for reply in [v1, v2] {
        let info = AckInfo::parse(&reply).unwrap();
        let m = msg("$KV.b.a.b", Some(&reply), None, b"xyz");
        let e = KvEntry::from_delivery("b", "$KV.b.", m, &info, true).unwrap();
        assert_eq!(
            e,
            KvEntry {
                bucket: "b".into(),
                key: "a.b".into(),
                value: b"xyz".to_vec(),
                revision: 42,
                created: 1_742_465_472_123.0,
                delta: 3,
                operation: Operation::Put,
                length: 3,
                is_update: true,
            }
        );
    }
    let info = AckInfo::parse("$JS.ACK.KV_b.oc.1.5.1.1000000.0").unwrap();
    let meta = msg(
        "$KV.b.k",
        None,
        Some("NATS/1.0\r\nNats-Msg-Size: 1234\r\n\r\n"),
        b"",
    );
    let e = KvEntry::from_delivery("b", "$KV.b.", meta, &info, false).unwrap();
    assert_eq!((e.length, e.value.len(), e.created), (1234, 0, 1.0));
    let cases = [
        ("KV-Operation: DEL", Operation::Del),
        ("KV-Operation: PURGE\r\nNats-Rollup: sub", Operation::Purge),
        ("Nats-Marker-Reason: MaxAge", Operation::Purge),
        ("Nats-Marker-Reason: Purge", Operation::Purge),
        ("Nats-Marker-Reason: Remove", Operation::Del),
        ("Nats-Marker-Reason: Other", Operation::Put),
        ("KV-Operation: PUT", Operation::Put),
    ];
    for (h, op) in cases {
        let m = msg(
            "$KV.b.k",
            None,
            Some(&format!("NATS/1.0\r\n{h}\r\n\r\n")),
            b"",
        );
        assert_eq!(
            KvEntry::from_delivery("b", "$KV.b.", m, &info, false)
                .unwrap()
                .operation,
            op,
            "{h}"
        );
    }
    assert_eq!(Operation::Del.as_str(), "DEL");
    // Outside the bucket's prefix: no entry.
    assert_eq!(
        KvEntry::from_delivery(
            "b",
            "$KV.b.",
            msg("$KV.bb.k", None, None, b""),
            &info,
            false
        ),
        None
    );
    assert_eq!(
        KvEntry::from_delivery("b", "$KV.b.", msg("$KV.b.", None, None, b""), &info, false),
        None
    );
}

#[test]
fn status_and_list() {
    let extra = r#""max_msgs_per_subject":5,"max_age":60000000000,"subject_delete_marker_ttl":2000000000,"storage":"memory","num_replicas":3,"compression":"s2","description":"cfg","max_bytes":4096,"max_msg_size":128"#;
    let i = StreamInfo::from_reply(reply(&stream_info_json(extra)), ErrorContext::Kv).unwrap();
    let s = KvStatus::from_stream_info(&i);
    assert_eq!(
        s,
        KvStatus {
            bucket: "b".into(),
            values: 7,
            history: 5,
            ttl: 60_000,
            marker_ttl: 2_000,
            storage: Storage::Memory,
            replicas: 3,
            size: 512,
            compression: true,
            description: "cfg".into(),
            metadata: vec![
                ("_nats.level".into(), "0".into()),
                ("_nats.req.level".into(), "0".into()),
                ("_nats.ver".into(), "2.11.4".into())
            ],
            max_bytes: 4096,
            max_value_size: 128,
            allow_direct: true,
        }
    );
    let d = KvStatus::from_stream_info(
        &StreamInfo::from_reply(reply(&stream_info_json("")), ErrorContext::Kv).unwrap(),
    );
    assert_eq!(
        (d.ttl, d.marker_ttl, d.compression, d.history),
        (0, 0, false, 1)
    );

    let mut l = crate::jetstream::Pager::new("streams", None);
    assert_eq!(l.next_body().as_deref(), Some(r#"{"offset":0}"#));
    let page = Json::parse(r#"{"type":"io.nats.jetstream.api.v1.stream_list_response","total":3,"offset":0,"limit":256,"streams":[{"config":{"name":"ORDERS"},"state":{}},{"config":{"name":"KV_a","max_msgs_per_subject":2},"state":{"messages":4}},{"config":{"name":"KV_b"},"state":{}}]}"#).unwrap();
    let buckets = kv_statuses(l.on_page(page).unwrap()).unwrap();
    assert_eq!(
        buckets
            .iter()
            .map(|s| s.bucket.as_str())
            .collect::<Vec<_>>(),
        ["a", "b"]
    );
    assert_eq!((buckets[0].history, buckets[0].values), (2, 4));
    assert_eq!(l.next_body(), None);
}

#[test]
fn too_long_key_subjects_read_as_invalid_key() {
    let refused = NatsError::new(
        ErrorCode::InvalidSubject,
        "subject too long: the HPUB control line would be 4200 bytes, more than the server's max_control_line of 4096",
    );
    let e = key_subject_error(refused);
    assert_eq!(e.code, ErrorCode::InvalidKey);
    assert!(
        e.message.contains("too long") && e.message.contains("4200 bytes"),
        "{e}"
    );
    // Anything else is unchanged.
    for other in [
        NatsError::new(ErrorCode::MaxPayloadExceeded, "big"),
        NatsError::new(ErrorCode::Timeout, "late"),
        NatsError::api(
            ErrorCode::WrongLastRevision,
            "wrong last sequence: 3",
            400,
            Some(10071),
        ),
    ] {
        assert_eq!(key_subject_error(other.clone()), other);
    }
}
