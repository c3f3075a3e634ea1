//! Native tests of the encoder, headers, subject validation and JSON (src/proto/{encoder,headers,subject,json}.rs),
//! including encode → decode round-trips through the decoder.

use nats_kv_wasm::proto::encoder::{self, message_size};
use nats_kv_wasm::proto::json::Json;
use nats_kv_wasm::proto::subject::{
    validate_publish, validate_queue, validate_subscribe, validate_token,
};
use nats_kv_wasm::proto::{Decoder, Headers, Msg, ProtoError, ServerOp};

/// Turns an encoded `PUB`/`HPUB` into the `MSG`/`HMSG` the server would deliver for `sid`:
/// the verb changes and the sid goes after the subject; sizes and body stay as they are.
fn as_delivered(published: &[u8], sid: u64) -> Vec<u8> {
    let eol = published
        .windows(2)
        .position(|w| w == b"\r\n")
        .expect("control line");
    let line = std::str::from_utf8(&published[..eol]).unwrap();
    let mut args: Vec<&str> = line.split(' ').collect();
    let verb = match args[0] {
        "PUB" => "MSG",
        "HPUB" => "HMSG",
        other => panic!("not a publish: {other}"),
    };
    let sid = sid.to_string();
    args[0] = verb;
    args.insert(2, &sid);
    let mut out = args.join(" ").into_bytes();
    out.extend_from_slice(&published[eol..]);
    out
}

fn deliver(published: &[u8], sid: u64) -> Msg {
    let mut d = Decoder::new(1 << 20);
    d.push(&as_delivered(published, sid));
    let op = d.next_op().unwrap().expect("a complete message");
    assert_eq!(d.next_op(), Ok(None));
    assert_eq!(d.buffered(), 0);
    match op {
        ServerOp::Msg(m) => m,
        other => panic!("{other:?}"),
    }
}

fn headers(pairs: &[(&str, &str)]) -> Headers {
    let mut h = Headers::new();
    for (k, v) in pairs {
        h.append(k, v).unwrap();
    }
    h
}

// ---- encoder ----

#[test]
fn encode_pub_exact_bytes() {
    let mut out = Vec::new();
    encoder::publish(&mut out, "foo.bar", None, None, b"hello").unwrap();
    assert_eq!(out, b"PUB foo.bar 5\r\nhello\r\n");
    out.clear();
    encoder::publish(&mut out, "foo", Some("_INBOX.a.1"), None, b"").unwrap();
    assert_eq!(out, b"PUB foo _INBOX.a.1 0\r\n\r\n");
}

#[test]
fn encode_hpub_exact_bytes_and_sizes() {
    let h = headers(&[("KV-Operation", "DEL")]);
    let mut out = Vec::new();
    encoder::publish(&mut out, "$KV.b.k", Some("r"), Some(&h), b"xy").unwrap();
    let block = "NATS/1.0\r\nKV-Operation: DEL\r\n\r\n";
    assert_eq!(h.encoded_len(), block.len());
    let expected = format!(
        "HPUB $KV.b.k r {} {}\r\n{block}xy\r\n",
        block.len(),
        block.len() + 2
    );
    assert_eq!(String::from_utf8(out).unwrap(), expected);
    assert_eq!(message_size(Some(&h), b"xy"), block.len() + 2);
    assert_eq!(message_size(None, b"xy"), 2);
}

#[test]
fn encode_hpub_with_empty_headers() {
    let mut out = Vec::new();
    encoder::publish(&mut out, "a", None, Some(&Headers::new()), b"").unwrap();
    assert_eq!(out, b"HPUB a 12 12\r\nNATS/1.0\r\n\r\n\r\n");
}

#[test]
fn encode_pub_then_decode_as_msg_round_trip() {
    let payloads: [&[u8]; 4] = [
        b"",
        b"x",
        b"line\r\nbreaks\r\n",
        &[0u8, 255, 13, 10, 13, 10],
    ];
    for (i, payload) in payloads.iter().enumerate() {
        for reply in [None, Some("_INBOX.abc.7")] {
            let mut out = Vec::new();
            encoder::publish(&mut out, "orders.new", reply, None, payload).unwrap();
            let m = deliver(&out, i as u64);
            assert_eq!(m.subject, "orders.new");
            assert_eq!(m.sid, i as u64);
            assert_eq!(m.reply.as_deref(), reply);
            assert_eq!(m.headers, None);
            assert_eq!(&m.payload[..], *payload);
        }
    }
}

#[test]
fn encode_hpub_then_decode_as_hmsg_round_trip() {
    let h = headers(&[
        ("Nats-Expected-Last-Subject-Sequence", "0"),
        ("X-Multi", "a"),
        ("x-multi", "b"),
        ("X-Multi", "c"),
        ("Empty", ""),
        ("Unicode", "héllo wörld"),
    ]);
    for payload in [&b""[..], b"value", b"\r\n\r\n"] {
        let mut out = Vec::new();
        encoder::publish(
            &mut out,
            "$KV.bucket.key",
            Some("_INBOX.x.y"),
            Some(&h),
            payload,
        )
        .unwrap();
        let m = deliver(&out, 3);
        assert_eq!(m.reply.as_deref(), Some("_INBOX.x.y"));
        assert_eq!(m.headers.as_ref(), Some(&h));
        assert_eq!(m.payload, payload);
    }
}

#[test]
fn encode_api_publish_allows_filter_wildcards() {
    let mut out = Vec::new();
    encoder::publish_api(
        &mut out,
        "$JS.API.CONSUMER.CREATE.KV_b.oc_1.$KV.b.a.>",
        Some("_INBOX.x.1"),
        None,
        b"{}",
    )
    .unwrap();
    assert_eq!(
        out,
        b"PUB $JS.API.CONSUMER.CREATE.KV_b.oc_1.$KV.b.a.> _INBOX.x.1 2\r\n{}\r\n"
    );
    let mut out = b"keep".to_vec();
    for bad in ["a b.>", "a.>.b", "a.b>", "a\r\n.>", "a..>", ""] {
        assert!(
            encoder::publish_api(&mut out, bad, None, None, b"x").is_err(),
            "{bad:?}"
        );
    }
    assert!(encoder::publish_api(&mut out, "a.>", Some("r.*"), None, b"x").is_err());
    assert_eq!(out, b"keep");
}

#[test]
fn encode_writes_nothing_on_error() {
    let mut out = b"keep".to_vec();
    let h = headers(&[("A", "b")]);
    assert!(encoder::publish(&mut out, "a b", None, None, b"x").is_err());
    assert!(encoder::publish(&mut out, "a.*", None, None, b"x").is_err());
    assert!(encoder::publish(&mut out, "a.>", None, None, b"x").is_err());
    assert!(encoder::publish(&mut out, "a", Some("r\r\nPUB x 1"), Some(&h), b"x").is_err());
    assert!(encoder::publish(&mut out, "a", Some(""), None, b"x").is_err());
    let mut bad_status = Headers::new();
    bad_status.code = 408;
    bad_status.description = "Request\r\nTimeout".into();
    assert!(matches!(
        encoder::publish(&mut out, "a", None, Some(&bad_status), b""),
        Err(ProtoError::InvalidHeader(_))
    ));
    bad_status.description.clear();
    bad_status.code = 1000;
    assert!(matches!(
        encoder::publish(&mut out, "a", None, Some(&bad_status), b""),
        Err(ProtoError::InvalidHeader(_))
    ));
    assert!(encoder::subscribe(&mut out, "a..b", None, 1).is_err());
    assert!(encoder::subscribe(&mut out, "a.>.b", None, 1).is_err());
    assert!(encoder::subscribe(&mut out, "a", Some("q q"), 1).is_err());
    assert!(encoder::subscribe(&mut out, "a", Some(""), 1).is_err());
    assert!(encoder::connect(&mut out, "{\"a\":1}\r\nPUB x 0").is_err());
    assert!(encoder::connect(&mut out, "{\"a\":\n1}").is_err());
    assert_eq!(out, b"keep");
}

#[test]
fn encode_refuses_control_lines_over_max_control_line() {
    use nats_kv_wasm::proto::MAX_CONTROL_LINE;
    // "PUB <subject> 1\r\n": 4 + len + 2 + 2 bytes; exactly MAX_CONTROL_LINE is fine, one more is not.
    let fits = "a".repeat(MAX_CONTROL_LINE - 8);
    let mut out = Vec::new();
    encoder::publish(&mut out, &fits, None, None, b"x").unwrap();
    assert_eq!(
        out.iter().position(|&b| b == b'\r'),
        Some(MAX_CONTROL_LINE - 2)
    );
    let over = "a".repeat(MAX_CONTROL_LINE - 7);
    let mut out = b"keep".to_vec();
    let e = encoder::publish(&mut out, &over, None, None, b"x").unwrap_err();
    assert!(
        matches!(&e, ProtoError::InvalidSubject(m) if m.contains("4097 bytes")),
        "{e}"
    );
    // The reply, the header size and the total size count too.
    let h = headers(&[("A", "b")]);
    let subject = "s".repeat(4000);
    let reply = "r".repeat(100);
    assert!(encoder::publish(&mut out, &subject, Some(&reply), None, b"x").is_err());
    // "HPUB <s> <r> <hdr> <total>\r\n" with two-digit sizes: 5 + 4000 + 1 + 90 + 1 + 2 + 1 + 2 + 2 =
    // 4104 is over; with a 3980-byte subject, 4084 fits.
    assert!(encoder::publish(&mut out, &subject, Some(&reply[..90]), Some(&h), b"x").is_err());
    let mut fits_out = Vec::new();
    encoder::publish(
        &mut fits_out,
        &subject[..3980],
        Some(&reply[..90]),
        Some(&h),
        b"x",
    )
    .unwrap();
    // SUB: "SUB <subject> <sid>\r\n".
    let sub_fits = "a".repeat(MAX_CONTROL_LINE - 8);
    let mut sub_out = Vec::new();
    encoder::subscribe(&mut sub_out, &sub_fits, None, 1).unwrap();
    assert_eq!(sub_out.len(), MAX_CONTROL_LINE);
    assert!(encoder::subscribe(&mut out, &sub_fits, None, 10).is_err());
    assert!(encoder::subscribe(&mut out, &sub_fits[..4000], Some(&"q".repeat(100)), 1).is_err());
    // check_subscribe_line assumes the longest sid (20 digits).
    assert!(encoder::check_subscribe_line(&"a".repeat(MAX_CONTROL_LINE - 27), None).is_ok());
    assert!(encoder::check_subscribe_line(&"a".repeat(MAX_CONTROL_LINE - 26), None).is_err());
    assert_eq!(out, b"keep");
}

#[test]
fn encode_connect_sub_unsub_ping_pong() {
    let mut out = Vec::new();
    encoder::connect(&mut out, r#"{"verbose":false,"headers":true}"#).unwrap();
    encoder::subscribe(&mut out, "_INBOX.abc.*", None, 1).unwrap();
    encoder::subscribe(&mut out, "$KV.b.>", Some("workers"), 18446744073709551615).unwrap();
    encoder::unsubscribe(&mut out, 1, None);
    encoder::unsubscribe(&mut out, 2, Some(10));
    encoder::ping(&mut out);
    encoder::pong(&mut out);
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "CONNECT {\"verbose\":false,\"headers\":true}\r\n\
         SUB _INBOX.abc.* 1\r\n\
         SUB $KV.b.> workers 18446744073709551615\r\n\
         UNSUB 1\r\n\
         UNSUB 2 10\r\n\
         PING\r\n\
         PONG\r\n"
    );
}

#[test]
fn encode_connect_from_json_writer_never_has_crlf() {
    let opts = Json::Obj(vec![
        ("name".into(), Json::Str("evil\r\nPUB x 0\r\n".into())),
        ("verbose".into(), Json::Bool(false)),
    ]);
    let mut out = Vec::new();
    encoder::connect(&mut out, &opts.to_json_string()).unwrap();
    assert_eq!(out.iter().filter(|&&b| b == b'\n').count(), 1);
    assert!(out.ends_with(b"}\r\n"));
}

// ---- headers ----

#[test]
fn headers_encode_decode_round_trip() {
    let mut h = headers(&[
        ("A", "1"),
        ("b", "two words"),
        ("A", "3"),
        ("Nats-Msg-Id", "abc:def"),
    ]);
    let mut block = Vec::new();
    h.encode(&mut block);
    assert_eq!(block.len(), h.encoded_len());
    assert_eq!(
        block,
        b"NATS/1.0\r\nA: 1\r\nb: two words\r\nA: 3\r\nNats-Msg-Id: abc:def\r\n\r\n"
    );
    assert_eq!(Headers::decode(&block).unwrap(), h);

    h.code = 409;
    h.description = "Consumer Deleted".into();
    block.clear();
    h.encode(&mut block);
    assert!(block.starts_with(b"NATS/1.0 409 Consumer Deleted\r\n"));
    assert_eq!(block.len(), h.encoded_len());
    assert_eq!(Headers::decode(&block).unwrap(), h);

    let mut status = Headers::new();
    status.code = 503;
    block.clear();
    status.encode(&mut block);
    assert_eq!(block, b"NATS/1.0 503\r\n\r\n");
    assert_eq!(status.encoded_len(), block.len());
    assert_eq!(Headers::decode(&block).unwrap(), status);
}

#[test]
fn headers_decode_status_lines() {
    let h = Headers::decode(b"NATS/1.0 503\r\n\r\n").unwrap();
    assert_eq!((h.code, h.description.as_str()), (503, ""));
    let h =
        Headers::decode(b"NATS/1.0 100 Idle Heartbeat\r\nNats-Last-Consumer: 5\r\n\r\n").unwrap();
    assert_eq!((h.code, h.description.as_str()), (100, "Idle Heartbeat"));
    assert_eq!(h.get("Nats-Last-Consumer"), Some("5"));
    let h = Headers::decode(b"NATS/1.0 404 Message Not Found\r\n\r\n").unwrap();
    assert_eq!((h.code, h.description.as_str()), (404, "Message Not Found"));
    assert!(h.has_error());
    let h = Headers::decode(b"NATS/1.0\r\n\r\n").unwrap();
    assert_eq!((h.code, h.description.as_str()), (0, ""));
    assert!(h.entries().is_empty());
}

#[test]
fn headers_decode_trims_values_and_keeps_case_and_repeats() {
    let h =
        Headers::decode(b"NATS/1.0\r\nFoo:bar\r\nfoo:   baz  \r\nFoo: a: b\r\nX-Empty:\r\n\r\n")
            .unwrap();
    assert_eq!(h.get("Foo"), Some("bar"));
    assert_eq!(h.get("foo"), Some("baz"));
    assert_eq!(h.get("FOO"), None);
    assert_eq!(h.values("Foo"), vec!["bar", "a: b"]);
    assert_eq!(h.get("X-Empty"), Some(""));
    assert!(h.has("X-Empty"));
    assert_eq!(h.keys(), vec!["Foo", "foo", "X-Empty"]);
    assert_eq!(h.entries().len(), 4);
}

#[test]
fn headers_decode_rejects_bad_blocks() {
    for block in [
        &b""[..],
        b"NATS/1.0",
        b"NATS/1.0\r\n",
        b"NATS/1.0\r\nA: b\r\n",
        b"NATS/1.0\r\n\r",
        b"NATS/1.1\r\n\r\n",
        b"nats/1.0\r\n\r\n",
        b"NATS/1.0\r\nnocolon\r\n\r\n",
        b"NATS/1.0\r\n\r\n\r\n",
        b"NATS/1.0\r\n: empty name\r\n\r\n",
        b"NATS/1.0 5\r\n\r\n",
        b"NATS/1.0 5000\r\n\r\n",
        b"NATS/1.0 50x\r\n\r\n",
        b"NATS/1.0foo\r\n\r\n",
        b"NATS/1.0\r\nA: b\rC: d\r\n\r\n",
        b"NATS/1.0 503 bare\nLF\r\n\r\n",
        b"\r\n\r\n",
    ] {
        let e = Headers::decode(block);
        assert!(
            matches!(e, Err(ProtoError::BadHeaders(_))),
            "{:?} gave {e:?}",
            String::from_utf8_lossy(block)
        );
    }
}

#[test]
fn headers_set_replaces_all_values_case_sensitively() {
    let mut h = headers(&[("A", "1"), ("B", "x"), ("A", "2"), ("a", "lower")]);
    h.set("A", "3").unwrap();
    assert_eq!(h.values("A"), vec!["3"]);
    assert_eq!(h.get("a"), Some("lower"));
    assert_eq!(h.keys(), vec!["A", "B", "a"]);
    h.set("New", "v").unwrap();
    assert_eq!(h.get("New"), Some("v"));
    h.append("New", "w").unwrap();
    assert_eq!(h.values("New"), vec!["v", "w"]);
}

#[test]
fn headers_set_and_append_reject_bad_names_and_values() {
    let bad_names = [
        "", "A B", "A:B", "A\rB", "A\nB", "A\0", "A\tB", "\x7f", "Name:", " Lead",
    ];
    let bad_values = ["a\rb", "a\nb", "\r\n", "x\0"];
    for name in bad_names {
        let mut h = Headers::new();
        assert!(
            matches!(h.set(name, "v"), Err(ProtoError::InvalidHeader(_))),
            "name {name:?}"
        );
        assert!(
            matches!(h.append(name, "v"), Err(ProtoError::InvalidHeader(_))),
            "name {name:?}"
        );
        assert!(h.entries().is_empty());
    }
    for value in bad_values {
        let mut h = Headers::new();
        assert!(
            matches!(h.set("A", value), Err(ProtoError::InvalidHeader(_))),
            "value {value:?}"
        );
        assert!(
            matches!(h.append("A", value), Err(ProtoError::InvalidHeader(_))),
            "value {value:?}"
        );
        assert!(h.entries().is_empty());
    }
    let mut h = Headers::new();
    for (name, value) in [
        ("Nats-TTL", "2s"),
        ("X", "with spaces and : colons"),
        ("Ü-ok", "tab\tok"),
        ("e", ""),
    ] {
        h.append(name, value).unwrap();
    }
    assert_eq!(h.entries().len(), 4);
}

// ---- subjects ----

#[test]
fn subject_validation_good_and_bad_lists() {
    let good_publish = [
        "a",
        "foo.bar",
        "$KV.bucket.key",
        "_INBOX.abc.1",
        "a-b_c.d/e=f",
        "ünïcode.ok",
        "$JS.API.STREAM.INFO.KV_b",
    ];
    for s in good_publish {
        validate_publish(s).unwrap_or_else(|e| panic!("{s:?}: {e}"));
        validate_subscribe(s).unwrap_or_else(|e| panic!("{s:?}: {e}"));
    }
    let good_subscribe_only = ["*", ">", "a.*", "a.>", "*.b.*", "$KV.b.>", "*.>"];
    for s in good_subscribe_only {
        validate_subscribe(s).unwrap_or_else(|e| panic!("{s:?}: {e}"));
        assert!(
            validate_publish(s).is_err(),
            "{s:?} must not be publishable"
        );
    }
    let bad_everywhere = [
        "",
        ".",
        "a.",
        ".a",
        "a..b",
        "a b",
        "a\tb",
        "a\rb",
        "a\nb",
        "a\r\nPUB x 1",
        "a\0b",
        "a\x01b",
        "a\x7fb",
        " a",
        "a ",
        ">.a",
        "a.>.b",
        "a*",
        "a.b*",
        "*a",
        "a.>b",
        "a>.b",
        "a.**",
    ];
    for s in bad_everywhere {
        assert!(
            matches!(validate_publish(s), Err(ProtoError::InvalidSubject(_))),
            "publish {s:?}"
        );
        assert!(
            matches!(validate_subscribe(s), Err(ProtoError::InvalidSubject(_))),
            "subscribe {s:?}"
        );
    }
}

#[test]
fn subject_errors_name_the_problem() {
    let msg = |r: Result<(), ProtoError>| match r {
        Err(ProtoError::InvalidSubject(m)) => m,
        other => panic!("{other:?}"),
    };
    assert!(msg(validate_publish("")).contains("empty"));
    assert!(msg(validate_publish("a..b")).contains("empty token"));
    assert!(msg(validate_publish("a b")).contains("whitespace"));
    assert!(msg(validate_publish("a\r\nb")).contains("CR or LF"));
    assert!(msg(validate_publish("a.*")).contains("wildcard"));
    assert!(msg(validate_subscribe("a.>.b")).contains("last token"));
}

#[test]
fn queue_and_token_validation() {
    for q in ["workers", "q-1", "Q_2", "$G"] {
        validate_queue(q).unwrap();
        validate_token(q).unwrap();
    }
    for q in ["", "a b", "a.b", "a\tb", "a\r", "\n", "a\0"] {
        assert!(
            matches!(validate_queue(q), Err(ProtoError::InvalidSubject(_))),
            "queue {q:?}"
        );
        assert!(
            matches!(validate_token(q), Err(ProtoError::InvalidSubject(_))),
            "token {q:?}"
        );
    }
}

// ---- JSON ----

#[test]
fn json_parses_info() {
    let info = r#" {"server_id":"NCX","version":"2.11.3","proto":1,"headers":true,"max_payload":1048576,
        "jetstream":true,"client_id":5,"connect_urls":["a:1","b:2"],"nonce":null,"ratio":0.5} "#;
    let j = Json::parse(info).unwrap();
    assert_eq!(j.get("server_id").and_then(Json::as_str), Some("NCX"));
    assert_eq!(j.get("max_payload").and_then(Json::as_u64), Some(1_048_576));
    assert_eq!(j.get("proto").and_then(Json::as_i64), Some(1));
    assert_eq!(j.get("headers").and_then(Json::as_bool), Some(true));
    assert_eq!(
        j.get("connect_urls")
            .and_then(Json::as_array)
            .map(<[Json]>::len),
        Some(2)
    );
    assert_eq!(j.get("nonce"), Some(&Json::Null));
    assert_eq!(j.get("ratio").and_then(Json::as_f64), Some(0.5));
    assert_eq!(j.get("missing"), None);
    assert_eq!(Json::Null.get("x"), None);
}

#[test]
fn json_numbers() {
    let n = |s: &str| Json::parse(s).unwrap();
    assert_eq!(n("0"), Json::Int(0));
    assert_eq!(n("-12"), Json::Int(-12));
    assert_eq!(n("9223372036854775807"), Json::Int(i64::MAX));
    assert_eq!(n("-9223372036854775808"), Json::Int(i64::MIN));
    assert_eq!(
        n("9223372036854775808"),
        Json::Float(9_223_372_036_854_775_808.0)
    );
    assert_eq!(n("9223372036854775808").as_u64(), Some(1 << 63));
    // Above i64::MAX integers are floats: u64::MAX rounds to 2^64, which does not fit.
    assert_eq!(n("18446744073709551615").as_u64(), None);
    assert_eq!(n("1.5"), Json::Float(1.5));
    assert_eq!(n("1e3"), Json::Float(1000.0));
    assert_eq!(n("1e3").as_i64(), Some(1000));
    assert_eq!(n("-2.5E-3"), Json::Float(-0.0025));
    assert_eq!(n("1.5").as_i64(), None);
    assert_eq!(n("-1").as_u64(), None);
    assert_eq!(n("1e400"), Json::Float(f64::INFINITY));
    assert_eq!(n("\"1\"").as_i64(), None);
}

#[test]
fn json_string_escapes_and_surrogate_pairs() {
    let j = Json::parse(r#""a\"b\\c\/d\b\f\n\r\t\u0041\u00e9\u20ac\ud83d\ude00""#).unwrap();
    assert_eq!(j.as_str(), Some("a\"b\\c/d\u{8}\u{c}\n\r\tAé€😀"));
    assert_eq!(
        Json::parse("\"héllo 😀\"").unwrap().as_str(),
        Some("héllo 😀")
    );
}

#[test]
fn json_write_round_trip() {
    let doc = Json::Obj(vec![
        (
            "s".into(),
            Json::Str("quote\" backslash\\ nl\n cr\r tab\t nul\0 bell\u{7} del\u{7f} é 😀".into()),
        ),
        ("i".into(), Json::Int(i64::MIN)),
        ("f".into(), Json::Float(0.1)),
        // Exact round trips need ≤ 15 digits and a decimal exponent within ±22 (proto::num); 1e300
        // comes back within a few ulp, checked below. The client itself never writes floats.
        ("big".into(), Json::Float(1e22)),
        ("tiny".into(), Json::Float(-2.5e-12)),
        ("b".into(), Json::Bool(false)),
        ("n".into(), Json::Null),
        (
            "a".into(),
            Json::Arr(vec![Json::Int(1), Json::Arr(vec![]), Json::Obj(vec![])]),
        ),
        ("".into(), Json::Str(String::new())),
    ]);
    let text = doc.to_json_string();
    assert!(
        !text.contains('\r') && !text.contains('\n') && !text.contains('\0'),
        "{text}"
    );
    assert!(
        !text.contains(' ') || text.contains("quote\\\" "),
        "compact: {text}"
    );
    assert_eq!(Json::parse(&text).unwrap(), doc);
    let huge = Json::parse(&Json::Float(1e300).to_json_string()).unwrap();
    let ulps = huge
        .as_f64()
        .unwrap()
        .to_bits()
        .abs_diff(1e300f64.to_bits());
    assert!(ulps <= 8, "1e300 read back {ulps} ulp away");
    assert_eq!(
        Json::Arr(vec![Json::Int(1), Json::Bool(true)]).to_json_string(),
        "[1,true]"
    );
    assert_eq!(Json::Str("a\nb".into()).to_json_string(), r#""a\nb""#);
    assert_eq!(Json::Str("\u{1}".into()).to_json_string(), r#""\u0001""#);
}

#[test]
fn json_non_finite_floats_are_written_as_null() {
    let arr = Json::Arr(vec![
        Json::Float(f64::NAN),
        Json::Float(f64::INFINITY),
        Json::Float(f64::NEG_INFINITY),
    ]);
    assert_eq!(arr.to_json_string(), "[null,null,null]");
    assert_eq!(Json::Float(1.0).to_json_string(), "1.0");
}

#[test]
fn json_parse_errors() {
    let bad = [
        "",
        " ",
        "{",
        "}",
        "[",
        "[1,]",
        "[1 2]",
        "{\"a\"}",
        "{\"a\":}",
        "{\"a\":1,}",
        "{a:1}",
        "{\"a\" 1}",
        "nul",
        "tru",
        "falsey",
        "01",
        "-",
        "1.",
        ".5",
        "1e",
        "1e+",
        "+1",
        "\"abc",
        "\"\\x\"",
        "\"\\u12\"",
        "\"\\uZZZZ\"",
        "\"\\ud800\"",
        "\"\\ud800\\u0041\"",
        "\"\\udc00\"",
        "\"a\nb\"",
        "\"tab\there\"",
        "1 2",
        "[1]]",
        "NaN",
        "Infinity",
        "'a'",
        "[\"a\":1]",
    ];
    for text in bad {
        assert!(
            matches!(Json::parse(text), Err(ProtoError::Json(_))),
            "{text:?} parsed"
        );
    }
}

#[test]
fn json_depth_limit() {
    let ok = "[".repeat(64) + &"]".repeat(64);
    assert!(Json::parse(&ok).is_ok());
    let too_deep = "[".repeat(65) + &"]".repeat(65);
    assert!(matches!(Json::parse(&too_deep), Err(ProtoError::Json(_))));
    let objects = "{\"a\":".repeat(65) + "1" + &"}".repeat(65);
    assert!(matches!(Json::parse(&objects), Err(ProtoError::Json(_))));
    // Far deeper input fails cleanly instead of overflowing the stack.
    let huge = "[".repeat(1_000_000);
    assert!(matches!(Json::parse(&huge), Err(ProtoError::Json(_))));
}
