use crate::error::ErrorCode;
use crate::jetstream::base64;
use crate::jetstream::headers::{msg_ttl_value, MsgTtl};
use crate::jetstream::time::{ms_to_ns, ns_to_ms, parse_go_duration_ns, parse_rfc3339_ms};
use crate::jetstream::AckInfo;

#[test]
fn base64_standard() {
    let cases: [(&str, &[u8]); 8] = [
        ("", b""),
        ("Zg==", b"f"),
        ("Zm8=", b"fo"),
        ("Zm9v", b"foo"),
        ("Zm9vYg", b"foob"),
        (
            "TkFUUy8xLjANCktWLU9wZXJhdGlvbjogREVMDQoNCg==",
            b"NATS/1.0\r\nKV-Operation: DEL\r\n\r\n",
        ),
        ("+/8=", &[0xfb, 0xff]),
        // The URL-safe alphabet reads too (object digests from other clients).
        ("-_8=", &[0xfb, 0xff]),
    ];
    for (text, bytes) in cases {
        assert_eq!(base64::decode(text).as_deref(), Some(bytes), "{text}");
    }
    for bad in [
        "Z", "Zg=", "Zg===", "Z===", "Zm9v!", "Zm9v.", "Zg==Zg==", "=Zg=",
    ] {
        assert_eq!(base64::decode(bad), None, "{bad}");
    }
}

#[test]
fn rfc3339_to_ms() {
    let cases = [
        ("1970-01-01T00:00:00Z", 0),
        ("1970-01-01T00:00:00.999999999Z", 999),
        ("2025-03-20T10:11:12.123456789Z", 1_742_465_472_123),
        ("2025-03-20T10:11:12Z", 1_742_465_472_000),
        ("2025-03-20T10:11:12.1Z", 1_742_465_472_100),
        ("2025-03-20T12:11:12.5+02:00", 1_742_465_472_500),
        ("2025-03-20T05:41:12.5-04:30", 1_742_465_472_500),
        ("2024-02-29T23:59:59.999z", 1_709_251_199_999),
        ("2000-01-01t00:00:00Z", 946_684_800_000),
        ("1969-12-31T23:59:59Z", -1000),
        ("0001-01-01T00:00:00Z", -62_135_596_800_000),
    ];
    for (text, ms) in cases {
        assert_eq!(parse_rfc3339_ms(text), Some(ms), "{text}");
    }
    for bad in [
        "",
        "2025-03-20",
        "2025-03-20T10:11:12",
        "2025-03-20T10:11:12.Z",
        "2025-13-20T10:11:12Z",
        "2025-02-29T10:11:12Z",
        "2025-03-20T24:11:12Z",
        "2025-03-20X10:11:12Z",
        "2025-03-20T10:11:12+0200",
        "2025-03-20T10:11:12Zjunk",
        "２025-03-20T10:11:12Z",
        "2025-03-20T10:11:12.123456789",
    ] {
        assert_eq!(parse_rfc3339_ms(bad), None, "{bad:?}");
    }
}

#[test]
fn go_durations() {
    let s = 1_000_000_000i128;
    let cases = [
        ("0", 0),
        ("2s", 2 * s),
        ("1.5s", 3 * s / 2),
        ("1500ms", 3 * s / 2),
        ("1h30m", 5400 * s),
        ("-2s", -2 * s),
        ("+3m", 180 * s),
        ("10us", 10_000),
        ("10µs", 10_000),
        ("7ns", 7),
        (".5s", s / 2),
    ];
    for (text, ns) in cases {
        assert_eq!(parse_go_duration_ns(text), Some(ns), "{text}");
    }
    for bad in [
        "",
        "s",
        "2",
        "2x",
        "1..5s",
        "2s3",
        "-",
        "1e3s",
        "2 s",
        "99999999999h",
    ] {
        assert_eq!(parse_go_duration_ns(bad), None, "{bad:?}");
    }
    assert_eq!(ms_to_ns(1500), Some(1_500_000_000));
    assert_eq!(ms_to_ns(-1), None);
    assert_eq!(ms_to_ns(i64::MAX), None);
    assert_eq!(ns_to_ms(1_999_999), 1);
    assert_eq!(ns_to_ms(-5), 0);
}

#[test]
fn nats_ttl_values() {
    assert_eq!(msg_ttl_value(MsgTtl::Millis(2000.0)).unwrap(), "2s");
    assert_eq!(msg_ttl_value(MsgTtl::Millis(1500.0)).unwrap(), "1500ms");
    assert_eq!(msg_ttl_value(MsgTtl::Millis(3_600_000.0)).unwrap(), "3600s");
    for ok in ["2s", "1h", "1m30s", "never", "NEVER", "5", "1000ms"] {
        assert_eq!(msg_ttl_value(MsgTtl::Text(ok)).unwrap(), ok);
    }
    for bad in [0.0, 999.0, -1000.0, f64::NAN, f64::INFINITY] {
        let e = msg_ttl_value(MsgTtl::Millis(bad)).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidArgument, "{bad}");
    }
    for bad in ["", "0", "500ms", "-2s", "2 s", "2s\r\nX: y", "soon", "0s"] {
        let e = msg_ttl_value(MsgTtl::Text(bad)).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidArgument, "{bad:?}");
    }
}

#[test]
fn ack_subject_v1_and_v2() {
    let v1 = AckInfo::parse("$JS.ACK.KV_b.oc_X_1.1.42.7.1742465472123456789.3").unwrap();
    assert_eq!(
        v1,
        AckInfo {
            domain: None,
            account_hash: None,
            stream: "KV_b".into(),
            consumer: "oc_X_1".into(),
            delivered: 1,
            stream_seq: 42,
            consumer_seq: 7,
            timestamp_ns: 1_742_465_472_123_456_789,
            pending: 3,
        }
    );
    assert_eq!(v1.timestamp_ms(), 1_742_465_472_123.0);
    let v2 =
        AckInfo::parse("$JS.ACK._.ACCHASH.KV_b.oc_X_1.1.42.7.1742465472123456789.3.r4nd").unwrap();
    assert_eq!(v2.domain, None);
    assert_eq!(v2.account_hash.as_deref(), Some("ACCHASH"));
    assert_eq!((v2.stream_seq, v2.consumer_seq, v2.pending), (42, 7, 3));
    let v2d =
        AckInfo::parse("$JS.ACK.hub.ACCHASH.KV_b.oc_X_1.2.42.7.1742465472123456789.0").unwrap();
    assert_eq!(v2d.domain.as_deref(), Some("hub"));
    assert_eq!(v2d.delivered, 2);
    for bad in [
        "",
        "_INBOX.x.1",
        "$JS.ACK.KV_b.oc.1.2.3.4",
        "$JS.ACK.KV_b.oc.1.2.3.4.5.6",
        "$JS.NAK.KV_b.oc.1.2.3.4.5",
        "$JS.ACK.KV_b.oc.1.x.3.4.5",
        "$JS.ACK.KV_b.oc.1.2.3.4.-5",
        "$JS.ACK.KV_b.oc.1.2.3.4.99999999999999999999",
    ] {
        assert_eq!(AckInfo::parse(bad), None, "{bad}");
    }
}

#[test]
fn base64_encodes_padded_in_both_alphabets() {
    for (bytes, std, url) in [
        (&b""[..], "", ""),
        (b"f", "Zg==", "Zg=="),
        (b"fo", "Zm8=", "Zm8="),
        (b"foo", "Zm9v", "Zm9v"),
        (&[0xfb, 0xff][..], "+/8=", "-_8="),
    ] {
        assert_eq!(base64::encode(bytes, false), std);
        assert_eq!(base64::encode(bytes, true), url);
        assert_eq!(base64::decode(url).as_deref(), Some(bytes));
    }
}
