use super::{msg, reply};
use crate::error::{ErrorCode, NatsError};
use crate::jetstream::error::ErrorContext;
use crate::jetstream::headers as hdr;
use crate::jetstream::stored::{direct_get_reply, msg_get_reply};

const DIRECT_HDRS: &str = "NATS/1.0\r\nKV-Operation: DEL\r\nNats-Stream: KV_b\r\nNats-Subject: $KV.b.k\r\nNats-Sequence: 7\r\nNats-Time-Stamp: 2025-03-20T10:11:12.123456789Z\r\n\r\n";

#[test]
fn direct_get_found() {
    let m = msg("_INBOX.x.1", None, Some(DIRECT_HDRS), b"");
    let s = direct_get_reply(Ok(m), ErrorContext::Kv).unwrap().unwrap();
    assert_eq!(
        (s.subject.as_str(), s.seq, s.time_ms),
        ("$KV.b.k", 7, 1_742_465_472_123)
    );
    assert_eq!(
        s.headers.as_ref().unwrap().get(hdr::KV_OPERATION),
        Some("DEL")
    );
    let plain =
        "NATS/1.0\r\nNats-Stream: KV_b\r\nNats-Subject: $KV.b.k\r\nNats-Sequence: 8\r\n\r\n";
    let s = direct_get_reply(
        Ok(msg("_INBOX.x.1", None, Some(plain), b"value")),
        ErrorContext::Kv,
    )
    .unwrap()
    .unwrap();
    assert_eq!((s.seq, s.time_ms, s.data.as_slice()), (8, 0, &b"value"[..]));
}

#[test]
fn direct_get_of_a_republished_message_reads_the_servers_headers() {
    // A message republished into the stream keeps its origin's Nats-* headers; the direct get reply
    // appends the server's after them (nats-server 2.15, as observed).
    let h = "NATS/1.0\r\nNats-Stream: SRC\r\nNats-Subject: SRC.orange\r\nNats-Sequence: 1\r\nNats-Time-Stamp: 2025-03-20T10:11:12.000000000Z\r\nNats-Last-Sequence: 0\r\nNats-Stream: KV_n\r\nNats-Subject: $KV.n.SRC.orange\r\nNats-Sequence: 5\r\nNats-Time-Stamp: 2025-03-20T10:11:13.000000000Z\r\n\r\n";
    let s = direct_get_reply(
        Ok(msg("_INBOX.x.1", None, Some(h), b"hey")),
        ErrorContext::Kv,
    )
    .unwrap()
    .unwrap();
    assert_eq!(
        (s.subject.as_str(), s.seq, s.time_ms, s.data.as_slice()),
        ("$KV.n.SRC.orange", 5, 1_742_465_473_000, &b"hey"[..])
    );
}

#[test]
fn direct_get_misses_and_errors() {
    let nf = msg(
        "_INBOX.x.1",
        None,
        Some("NATS/1.0 404 Message Not Found\r\n\r\n"),
        b"",
    );
    assert_eq!(direct_get_reply(Ok(nf), ErrorContext::Kv).unwrap(), None);
    let bad = msg(
        "_INBOX.x.1",
        None,
        Some("NATS/1.0 408 Bad Request\r\n\r\n"),
        b"",
    );
    let e = direct_get_reply(Ok(bad), ErrorContext::Kv).unwrap_err();
    assert_eq!((e.code, e.api_code), (ErrorCode::JetStreamApi, Some(408)));
    let nr = NatsError::api(ErrorCode::NoResponders, "no responders", 503, None);
    assert_eq!(
        direct_get_reply(Err(nr.clone()), ErrorContext::Kv)
            .unwrap_err()
            .code,
        ErrorCode::BucketNotFound
    );
    assert_eq!(
        direct_get_reply(Err(nr), ErrorContext::General)
            .unwrap_err()
            .code,
        ErrorCode::JetStreamNotEnabled
    );
    let status503 = msg("_INBOX.x.1", None, Some("NATS/1.0 503\r\n\r\n"), b"");
    assert_eq!(
        direct_get_reply(Ok(status503), ErrorContext::Kv)
            .unwrap_err()
            .code,
        ErrorCode::BucketNotFound
    );
    assert_eq!(
        direct_get_reply(Err(NatsError::timeout("t")), ErrorContext::Kv)
            .unwrap_err()
            .code,
        ErrorCode::Timeout
    );
    for h in [
        None,
        Some("NATS/1.0\r\nNats-Sequence: 7\r\n\r\n"),
        Some("NATS/1.0\r\nNats-Subject: $KV.b.k\r\n\r\n"),
        Some("NATS/1.0\r\nNats-Subject: $KV.b.k\r\nNats-Sequence: x\r\n\r\n"),
    ] {
        let e =
            direct_get_reply(Ok(msg("_INBOX.x.1", None, h, b"")), ErrorContext::Kv).unwrap_err();
        assert_eq!(e.code, ErrorCode::ProtocolError, "{h:?}");
    }
    // A bad time stamp does not lose the message.
    let h = "NATS/1.0\r\nNats-Subject: $KV.b.k\r\nNats-Sequence: 9\r\nNats-Time-Stamp: yesterday\r\n\r\n";
    let s = direct_get_reply(Ok(msg("_INBOX.x.1", None, Some(h), b"")), ErrorContext::Kv)
        .unwrap()
        .unwrap();
    assert_eq!((s.seq, s.time_ms), (9, 0));
}

#[test]
fn msg_get_json() {
    let r = r#"{"type":"io.nats.jetstream.api.v1.stream_msg_get_response","message":{"subject":"$KV.b.k","seq":7,"hdrs":"TkFUUy8xLjANCktWLU9wZXJhdGlvbjogUFVSR0UNCk5hdHMtUm9sbHVwOiBzdWINCg0K","time":"2025-03-20T10:11:12.123456789Z"}}"#;
    let s = msg_get_reply(reply(r), ErrorContext::Kv).unwrap().unwrap();
    assert_eq!(
        (s.subject.as_str(), s.seq, s.time_ms),
        ("$KV.b.k", 7, 1_742_465_472_123)
    );
    assert_eq!(
        s.headers.as_ref().unwrap().get(hdr::KV_OPERATION),
        Some("PURGE")
    );
    assert!(s.data.is_empty());
    let r = r#"{"type":"io.nats.jetstream.api.v1.stream_msg_get_response","message":{"subject":"$KV.b.k","seq":8,"data":"aGVsbG8=","time":"2025-03-20T12:11:12+02:00"}}"#;
    let s = msg_get_reply(reply(r), ErrorContext::Kv).unwrap().unwrap();
    assert_eq!(
        (s.data.as_slice(), s.headers.is_none(), s.time_ms),
        (&b"hello"[..], true, 1_742_465_472_000)
    );
    let nf = r#"{"type":"io.nats.jetstream.api.v1.stream_msg_get_response","error":{"code":404,"err_code":10037,"description":"no message found"}}"#;
    assert_eq!(msg_get_reply(reply(nf), ErrorContext::Kv).unwrap(), None);
    let snf = r#"{"error":{"code":404,"err_code":10059,"description":"stream not found"}}"#;
    assert_eq!(
        msg_get_reply(reply(snf), ErrorContext::Kv)
            .unwrap_err()
            .code,
        ErrorCode::BucketNotFound
    );
    for bad in [
        r#"{"message":{"seq":1}}"#,
        r#"{"message":{"subject":"a"}}"#,
        r#"{"message":{"subject":"a","seq":1,"data":"!!"}}"#,
        r#"{"message":{"subject":"a","seq":1,"hdrs":"aGVsbG8="}}"#,
        r#"{"type":"x"}"#,
    ] {
        let e = msg_get_reply(reply(bad), ErrorContext::Kv).unwrap_err();
        assert_eq!(e.code, ErrorCode::ProtocolError, "{bad}");
    }
}
