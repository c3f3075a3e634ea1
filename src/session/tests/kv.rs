//! KV orchestration against the scripted server.

use super::{slot, take, waiting, Op, H};
use crate::error::ErrorCode;
use crate::jetstream::JsApi;
use crate::kv::tests::stream_info_json;
use crate::kv::KvOptions;
use crate::session::{JetStream, Kv};

pub(crate) fn js(h: &H) -> JetStream {
    JetStream::new(h.client.clone(), JsApi::default(), None, None)
}

/// `Kvm.open("b")` answered with bucket `b`'s stream info.
pub(crate) fn open(h: &mut H) -> Kv {
    let (r, done) = slot();
    js(h).kv_open("b".into(), None, done);
    let req = h.one_pub();
    assert_eq!(req.subject(), "$JS.API.STREAM.INFO.KV_b");
    h.respond(&req, &stream_info_json(""));
    take(&r).unwrap()
}

#[test]
fn put_then_get_through_the_scripted_server() {
    let mut h = H::connected();
    let kv = open(&mut h);
    let (rev, done) = slot();
    kv.put("a.b", b"v", None, None, done);
    let req = h.one_pub();
    assert_eq!((req.subject(), req.payload()), ("$KV.b.a.b", "v"));
    assert!(waiting(&rev));
    h.respond(&req, r#"{"stream":"KV_b","seq":7}"#);
    assert_eq!(take(&rev).unwrap(), 7);

    let (got, done) = slot();
    kv.get("a.b", None, done);
    let req = h.one_pub();
    assert_eq!(req.subject(), "$JS.API.DIRECT.GET.KV_b.$KV.b.a.b");
    let headers = "NATS/1.0\r\nNats-Stream: KV_b\r\nNats-Subject: $KV.b.a.b\r\nNats-Sequence: 7\r\nNats-Time-Stamp: 2025-03-20T10:11:12.5Z\r\n\r\n";
    let Op::Pub { reply: Some(inbox), .. } = &req else { panic!() };
    h.deliver(inbox, None, Some(headers), "v");
    let e = take(&got).unwrap().expect("an entry");
    assert_eq!((e.key.as_str(), e.value.as_slice(), e.revision), ("a.b", &b"v"[..], 7));
}

#[test]
fn create_binds_to_an_identical_bucket_and_refuses_a_different_one() {
    let mut h = H::connected();
    let exists = r#"{"type":"io.nats.jetstream.api.v1.stream_create_response","error":{"code":400,"err_code":10058,"description":"stream name already in use with a different configuration"}}"#;
    // Same configuration: bound.
    let (r, done) = slot();
    js(&h).kv_create("b".into(), KvOptions::default(), done);
    let req = h.one_pub();
    assert_eq!(req.subject(), "$JS.API.STREAM.CREATE.KV_b");
    h.respond(&req, exists);
    let info = h.one_pub();
    assert_eq!(info.subject(), "$JS.API.STREAM.INFO.KV_b");
    h.respond(&info, &stream_info_json(""));
    assert_eq!(take(&r).unwrap().bucket().name(), "b");

    // A different history: BUCKET_EXISTS, saying what differs.
    let (r, done) = slot();
    let opts = KvOptions {
        history: Some(5),
        ..KvOptions::default()
    };
    js(&h).kv_create("b".into(), opts, done);
    let req = h.one_pub();
    h.respond(&req, exists);
    let info = h.one_pub();
    h.respond(&info, &stream_info_json(""));
    let err = take(&r).err().expect("refused");
    assert_eq!(err.code, ErrorCode::BucketExists);
    assert!(err.message.contains("different configuration"), "{}", err.message);
}
