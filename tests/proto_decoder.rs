//! Native tests of the streaming decoder (src/proto/decoder.rs): every op, every split point,
//! every prefix, big and many messages, malformed input, and property-style random input.

use nats_kv_wasm::proto::{
    Decoder, Headers, Msg, ProtoError, ServerOp, MAX_CONTROL_LINE, MAX_INFO_LINE,
};

const MIB: usize = 1024 * 1024;

/// Pushes every chunk, draining ops after each; stops at the first error.
fn decode_chunks(max_payload: usize, chunks: &[&[u8]]) -> Result<Vec<ServerOp>, ProtoError> {
    let mut d = Decoder::new(max_payload);
    let mut ops = Vec::new();
    for chunk in chunks {
        d.push(chunk);
        while let Some(op) = d.next_op()? {
            ops.push(op);
        }
    }
    Ok(ops)
}

fn decode(bytes: &[u8]) -> Result<Vec<ServerOp>, ProtoError> {
    decode_chunks(MIB, &[bytes])
}

fn decode_one(bytes: &[u8]) -> ServerOp {
    let ops = decode(bytes).expect("decodes");
    assert_eq!(
        ops.len(),
        1,
        "exactly one op in {:?}",
        String::from_utf8_lossy(bytes)
    );
    ops.into_iter().next().unwrap()
}

fn msg(op: ServerOp) -> Msg {
    match op {
        ServerOp::Msg(m) => m,
        other => panic!("expected a message, got {other:?}"),
    }
}

fn err_of(bytes: &[u8]) -> ProtoError {
    decode(bytes).expect_err("must fail")
}

fn is_protocol(e: &ProtoError) -> bool {
    matches!(e, ProtoError::Protocol(_))
}

/// A stream of mixed ops and what it decodes to.
fn mixed_stream() -> (Vec<u8>, Vec<ServerOp>) {
    let mut bytes = Vec::new();
    let mut ops = Vec::new();
    let info = r#"{"server_id":"NABC","version":"2.11.0","headers":true,"max_payload":1048576}"#;
    bytes.extend_from_slice(format!("INFO {info}\r\n").as_bytes());
    ops.push(ServerOp::Info(info.to_owned()));
    bytes.extend_from_slice(b"PING\r\n");
    ops.push(ServerOp::Ping);
    bytes.extend_from_slice(b"+OK\r\n");
    ops.push(ServerOp::Ok);
    bytes.extend_from_slice(b"MSG foo.bar 7 11\r\nhello world\r\n");
    ops.push(ServerOp::Msg(Msg {
        subject: "foo.bar".into(),
        sid: 7,
        reply: None,
        headers: None,
        payload: b"hello world".to_vec(),
    }));
    bytes.extend_from_slice(b"MSG a 1 _INBOX.x.y 4\r\n\r\n\r\n\r\n");
    ops.push(ServerOp::Msg(Msg {
        subject: "a".into(),
        sid: 1,
        reply: Some("_INBOX.x.y".into()),
        headers: None,
        payload: b"\r\n\r\n".to_vec(),
    }));
    let block = b"NATS/1.0\r\nKV-Operation: DEL\r\nNats-Sequence: 9\r\n\r\n";
    bytes.extend_from_slice(
        format!("HMSG $KV.b.k 2 r.1 {} {}\r\n", block.len(), block.len() + 3).as_bytes(),
    );
    bytes.extend_from_slice(block);
    bytes.extend_from_slice(b"abc\r\n");
    let mut h = Headers::new();
    h.append("KV-Operation", "DEL").unwrap();
    h.append("Nats-Sequence", "9").unwrap();
    ops.push(ServerOp::Msg(Msg {
        subject: "$KV.b.k".into(),
        sid: 2,
        reply: Some("r.1".into()),
        headers: Some(h),
        payload: b"abc".to_vec(),
    }));
    bytes.extend_from_slice(b"HMSG _INBOX.a.b 3 16 16\r\nNATS/1.0 503\r\n\r\n\r\n");
    let mut status = Headers::new();
    status.code = 503;
    ops.push(ServerOp::Msg(Msg {
        subject: "_INBOX.a.b".into(),
        sid: 3,
        reply: None,
        headers: Some(status),
        payload: Vec::new(),
    }));
    bytes.extend_from_slice(b"-ERR 'Permissions Violation for Publish to \"x\"'\r\n");
    ops.push(ServerOp::Err(
        "Permissions Violation for Publish to \"x\"".into(),
    ));
    bytes.extend_from_slice(b"pong\r\n");
    ops.push(ServerOp::Pong);
    bytes.extend_from_slice(b"MSG empty 4 0\r\n\r\n");
    ops.push(ServerOp::Msg(Msg {
        subject: "empty".into(),
        sid: 4,
        reply: None,
        headers: None,
        payload: Vec::new(),
    }));
    (bytes, ops)
}

/// Single ops, each a complete stream of one op.
fn single_ops() -> Vec<Vec<u8>> {
    vec![
        b"INFO {\"a\":1}\r\n".to_vec(),
        b"PING\r\n".to_vec(),
        b"PONG\r\n".to_vec(),
        b"+OK\r\n".to_vec(),
        b"-ERR 'Authorization Violation'\r\n".to_vec(),
        b"MSG a.b 1 3\r\nxyz\r\n".to_vec(),
        b"MSG a.b 1 reply.to 0\r\n\r\n".to_vec(),
        b"HMSG a 2 12 12\r\nNATS/1.0\r\n\r\n\r\n".to_vec(),
        b"HMSG a 2 r 18 20\r\nNATS/1.0\r\nA: b\r\n\r\nhi\r\n".to_vec(),
        b"HMSG a 2 31 31\r\nNATS/1.0 100 Idle Heartbeat\r\n\r\n\r\n".to_vec(),
    ]
}

// ---- each op decodes ----

#[test]
fn decodes_info_as_raw_json() {
    let op = decode_one(b"INFO {\"server_id\":\"X\",\"max_payload\":1048576}\r\n");
    assert_eq!(
        op,
        ServerOp::Info("{\"server_id\":\"X\",\"max_payload\":1048576}".into())
    );
}

#[test]
fn decodes_msg_without_reply() {
    let m = msg(decode_one(b"MSG foo.bar 9 5\r\nhello\r\n"));
    assert_eq!(m.subject, "foo.bar");
    assert_eq!(m.sid, 9);
    assert_eq!(m.reply, None);
    assert_eq!(m.headers, None);
    assert_eq!(m.payload, b"hello");
}

#[test]
fn decodes_msg_with_reply() {
    let m = msg(decode_one(
        b"MSG foo 18446744073709551615 _INBOX.abc.1 3\r\n\x00\xff\n\r\n",
    ));
    assert_eq!(m.subject, "foo");
    assert_eq!(m.sid, u64::MAX);
    assert_eq!(m.reply.as_deref(), Some("_INBOX.abc.1"));
    assert_eq!(m.payload, b"\x00\xff\n");
}

#[test]
fn decodes_msg_with_tabs_and_repeated_spaces_between_args() {
    let m = msg(decode_one(b"MSG  foo\t 2   rep \t1\r\nx\r\n"));
    assert_eq!(
        (m.subject.as_str(), m.sid, m.reply.as_deref()),
        ("foo", 2, Some("rep"))
    );
    assert_eq!(m.payload, b"x");
}

#[test]
fn decodes_hmsg_without_reply() {
    let m = msg(decode_one(
        b"HMSG foo 1 21 26\r\nNATS/1.0\r\nA:  b  \r\n\r\nhello\r\n",
    ));
    assert_eq!(m.reply, None);
    let h = m.headers.unwrap();
    assert_eq!(h.code, 0);
    assert_eq!(h.get("A"), Some("b"));
    assert_eq!(m.payload, b"hello");
}

#[test]
fn decodes_hmsg_with_reply() {
    let block = b"NATS/1.0\r\nNats-Stream: KV_b\r\nX: 1\r\nX: 2\r\n\r\n";
    let mut wire = format!(
        "HMSG $KV.b.k 5 $JS.ACK.x {} {}\r\n",
        block.len(),
        block.len() + 2
    )
    .into_bytes();
    wire.extend_from_slice(block);
    wire.extend_from_slice(b"v1\r\n");
    let m = msg(decode_one(&wire));
    assert_eq!(m.subject, "$KV.b.k");
    assert_eq!(m.sid, 5);
    assert_eq!(m.reply.as_deref(), Some("$JS.ACK.x"));
    let h = m.headers.unwrap();
    assert_eq!(h.get("Nats-Stream"), Some("KV_b"));
    assert_eq!(h.values("X"), vec!["1", "2"]);
    assert_eq!(m.payload, b"v1");
}

#[test]
fn decodes_status_only_hmsg_503_no_responders() {
    let m = msg(decode_one(
        b"HMSG _INBOX.x.1 1 16 16\r\nNATS/1.0 503\r\n\r\n\r\n",
    ));
    let h = m.headers.unwrap();
    assert_eq!(h.code, 503);
    assert_eq!(h.description, "");
    assert!(h.has_error());
    assert!(m.payload.is_empty());
}

#[test]
fn decodes_status_hmsg_idle_heartbeat_with_headers() {
    let block =
        b"NATS/1.0 100 Idle Heartbeat\r\nNats-Last-Consumer: 3\r\nNats-Last-Stream: 7\r\n\r\n";
    let mut wire = format!("HMSG hb 4 {} {}\r\n", block.len(), block.len()).into_bytes();
    wire.extend_from_slice(block);
    wire.extend_from_slice(b"\r\n");
    let h = msg(decode_one(&wire)).headers.unwrap();
    assert_eq!((h.code, h.description.as_str()), (100, "Idle Heartbeat"));
    assert!(!h.has_error());
    assert_eq!(h.get("Nats-Last-Stream"), Some("7"));
}

#[test]
fn decodes_ping_pong_ok() {
    assert_eq!(
        decode(b"PING\r\nPONG\r\n+OK\r\n").unwrap(),
        vec![ServerOp::Ping, ServerOp::Pong, ServerOp::Ok]
    );
}

#[test]
fn decodes_err_without_quotes_and_whitespace() {
    assert_eq!(
        decode_one(b"-ERR 'Authorization Violation'\r\n"),
        ServerOp::Err("Authorization Violation".into())
    );
    assert_eq!(
        decode_one(b"-ERR   ' Stale Connection '  \r\n"),
        ServerOp::Err("Stale Connection".into())
    );
    assert_eq!(
        decode_one(b"-ERR unquoted text\r\n"),
        ServerOp::Err("unquoted text".into())
    );
    assert_eq!(decode_one(b"-ERR\r\n"), ServerOp::Err(String::new()));
}

#[test]
fn decodes_lowercase_and_mixed_case_verbs() {
    let ops = decode(b"ping\r\nPong\r\n+ok\r\n-err 'x'\r\ninfo {}\r\nmsg a 1 1\r\nz\r\nhMsG a 1 12 12\r\nNATS/1.0\r\n\r\n\r\n")
        .unwrap();
    assert_eq!(ops.len(), 7);
    assert_eq!(
        &ops[..5],
        &[
            ServerOp::Ping,
            ServerOp::Pong,
            ServerOp::Ok,
            ServerOp::Err("x".into()),
            ServerOp::Info("{}".into())
        ]
    );
    assert_eq!(msg(ops[5].clone()).payload, b"z");
    assert!(msg(ops[6].clone()).headers.is_some());
}

#[test]
fn decodes_mixed_stream_whole() {
    let (bytes, ops) = mixed_stream();
    assert_eq!(decode(&bytes).unwrap(), ops);
}

// ---- chunking ----

#[test]
fn every_split_point_yields_the_same_ops() {
    let (bytes, ops) = mixed_stream();
    for i in 0..=bytes.len() {
        let (a, b) = bytes.split_at(i);
        assert_eq!(decode_chunks(MIB, &[a, b]).unwrap(), ops, "split at {i}");
    }
}

#[test]
fn every_pair_of_split_points_yields_the_same_ops() {
    let (bytes, ops) = mixed_stream();
    for i in 0..=bytes.len() {
        for j in i..=bytes.len() {
            let chunks = [&bytes[..i], &bytes[i..j], &bytes[j..]];
            assert_eq!(
                decode_chunks(MIB, &chunks).unwrap(),
                ops,
                "split at {i} and {j}"
            );
        }
    }
}

#[test]
fn one_byte_chunks_yield_the_same_ops() {
    let (bytes, ops) = mixed_stream();
    let chunks: Vec<&[u8]> = bytes.chunks(1).collect();
    assert_eq!(decode_chunks(MIB, &chunks).unwrap(), ops);
}

#[test]
fn one_mib_msg_fed_in_one_byte_chunks() {
    let payload: Vec<u8> = (0..MIB).map(|i| (i * 31 % 251) as u8).collect();
    let mut wire = format!("MSG big.subject 42 {}\r\n", payload.len()).into_bytes();
    wire.extend_from_slice(&payload);
    wire.extend_from_slice(b"\r\nPING\r\n");
    let mut d = Decoder::new(MIB);
    let mut ops = Vec::new();
    for byte in wire.chunks(1) {
        d.push(byte);
        while let Some(op) = d.next_op().unwrap() {
            ops.push(op);
        }
        assert!(d.buffered() <= MAX_CONTROL_LINE + MIB + 2);
    }
    assert_eq!(ops.len(), 2);
    assert_eq!(ops[1], ServerOp::Ping);
    let m = msg(ops.swap_remove(0));
    assert_eq!(m.sid, 42);
    assert!(m.payload == payload, "payload intact");
    assert_eq!(d.buffered(), 0);
}

#[test]
fn one_mib_hmsg_fed_in_odd_chunks() {
    let block = b"NATS/1.0\r\nNats-Msg-Size: 1\r\n\r\n";
    let payload = vec![b'p'; MIB - block.len()];
    let mut wire = format!("HMSG big 1 {} {}\r\n", block.len(), MIB).into_bytes();
    wire.extend_from_slice(block);
    wire.extend_from_slice(&payload);
    wire.extend_from_slice(b"\r\n");
    let chunks: Vec<&[u8]> = wire.chunks(4093).collect();
    let ops = decode_chunks(MIB, &chunks).unwrap();
    let m = msg(ops.into_iter().next().unwrap());
    assert_eq!(m.headers.unwrap().get("Nats-Msg-Size"), Some("1"));
    assert_eq!(m.payload.len(), payload.len());
}

#[test]
fn thousand_ops_in_one_chunk() {
    let mut wire = Vec::new();
    for i in 0..1000 {
        match i % 4 {
            0 => wire.extend_from_slice(
                format!("MSG s.{i} {i} {}\r\n{i}\r\n", i.to_string().len()).as_bytes(),
            ),
            1 => wire.extend_from_slice(b"PING\r\n"),
            2 => wire.extend_from_slice(
                format!("HMSG h {i} 12 14\r\nNATS/1.0\r\n\r\nok\r\n").as_bytes(),
            ),
            _ => wire.extend_from_slice(b"+OK\r\n"),
        }
    }
    let ops = decode(&wire).unwrap();
    assert_eq!(ops.len(), 1000);
    for (i, op) in ops.into_iter().enumerate() {
        match (i % 4, op) {
            (0, ServerOp::Msg(m)) => {
                assert_eq!((m.sid, m.payload), (i as u64, i.to_string().into_bytes()))
            }
            (1, ServerOp::Ping) | (3, ServerOp::Ok) => {}
            (2, ServerOp::Msg(m)) => assert_eq!(m.payload, b"ok"),
            (_, op) => panic!("op {i} is {op:?}"),
        }
    }
}

#[test]
fn thousand_ops_pushed_one_chunk_each_keep_the_buffer_small() {
    let mut d = Decoder::new(MIB);
    for i in 0..1000u64 {
        d.push(format!("MSG s {i} 3\r\nabc\r\nPI").as_bytes());
        assert!(matches!(d.next_op().unwrap(), Some(ServerOp::Msg(m)) if m.sid == i));
        assert_eq!(d.next_op().unwrap(), None);
        d.push(b"NG\r\n");
        assert_eq!(d.next_op().unwrap(), Some(ServerOp::Ping));
        assert_eq!(d.buffered(), 0);
    }
}

#[test]
fn every_prefix_is_incomplete() {
    for op in &single_ops() {
        for len in 0..op.len() {
            let mut d = Decoder::new(MIB);
            d.push(&op[..len]);
            assert_eq!(
                d.next_op(),
                Ok(None),
                "prefix {:?}",
                String::from_utf8_lossy(&op[..len])
            );
            assert_eq!(d.buffered(), len);
            // The rest completes it.
            d.push(&op[len..]);
            let got = d.next_op();
            assert!(
                matches!(got, Ok(Some(_))),
                "{got:?} after prefix {:?} of {:?}",
                String::from_utf8_lossy(&op[..len]),
                String::from_utf8_lossy(op)
            );
            assert_eq!(d.next_op(), Ok(None));
            assert_eq!(d.buffered(), 0);
        }
    }
}

#[test]
fn max_payload_boundary_and_set_max_payload() {
    let mut d = Decoder::new(4);
    d.push(b"MSG a 1 4\r\nabcd\r\n");
    assert!(d.next_op().unwrap().is_some());
    d.push(b"HMSG a 1 12 12\r\nNATS/1.0\r\n\r\n\r\n");
    assert_eq!(
        d.next_op(),
        Err(ProtoError::MaxPayloadExceeded { size: 12, max: 4 })
    );
    d.reset();
    d.set_max_payload(12);
    d.push(b"HMSG a 1 12 12\r\nNATS/1.0\r\n\r\n\r\n");
    assert!(d.next_op().unwrap().is_some());
}

#[test]
fn max_payload_exceeded_is_reported_before_the_payload_arrives() {
    let mut d = Decoder::new(MIB);
    d.push(format!("MSG a 1 {}\r\n", MIB + 1).as_bytes());
    assert_eq!(
        d.next_op(),
        Err(ProtoError::MaxPayloadExceeded {
            size: MIB + 1,
            max: MIB
        })
    );
    let mut d = Decoder::new(100);
    d.push(b"HMSG a 1 r 50 101\r\n");
    assert_eq!(
        d.next_op(),
        Err(ProtoError::MaxPayloadExceeded {
            size: 101,
            max: 100
        })
    );
}

// ---- control line bounds ----

fn info_line_of_len(total_with_crlf: usize) -> Vec<u8> {
    let mut line = b"INFO {\"x\":\"".to_vec();
    let pad = total_with_crlf - line.len() - 4;
    line.extend(std::iter::repeat_n(b'a', pad));
    line.extend_from_slice(b"\"}\r\n");
    assert_eq!(line.len(), total_with_crlf);
    line
}

#[test]
fn info_line_of_exactly_max_is_accepted() {
    let line = info_line_of_len(MAX_INFO_LINE);
    assert!(matches!(decode_one(&line), ServerOp::Info(_)));
    let chunks: Vec<&[u8]> = line.chunks(1).collect();
    assert_eq!(decode_chunks(MIB, &chunks).unwrap().len(), 1);
}

#[test]
fn info_line_one_over_max_is_too_long() {
    let line = info_line_of_len(MAX_INFO_LINE + 1);
    assert_eq!(err_of(&line), ProtoError::ControlLineTooLong);
    let chunks: Vec<&[u8]> = line.chunks(1).collect();
    assert_eq!(
        decode_chunks(MIB, &chunks),
        Err(ProtoError::ControlLineTooLong)
    );
}

#[test]
fn info_longer_than_an_ordinary_control_line_is_accepted() {
    // A cluster's gossiped connect_urls can push INFO past 4096 bytes.
    let line = info_line_of_len(MAX_CONTROL_LINE * 3);
    assert!(matches!(decode_one(&line), ServerOp::Info(_)));
}

#[test]
fn err_line_one_over_max_control_line_is_too_long() {
    let mut line = b"-ERR '".to_vec();
    line.extend(std::iter::repeat_n(b'e', MAX_CONTROL_LINE - line.len() - 2));
    line.extend_from_slice(b"'\r\n");
    assert_eq!(err_of(&line), ProtoError::ControlLineTooLong);
}

#[test]
fn control_line_without_crlf_fails_as_soon_as_it_cannot_fit_and_buffering_stays_bounded() {
    let mut d = Decoder::new(MIB);
    d.push(b"-ERR ");
    let mut pushed = 5;
    let err = loop {
        d.push(b"x");
        pushed += 1;
        match d.next_op() {
            Ok(None) => assert!(d.buffered() < MAX_CONTROL_LINE),
            Ok(Some(op)) => panic!("unexpected {op:?}"),
            Err(e) => break e,
        }
        assert!(
            pushed <= MAX_CONTROL_LINE + 1,
            "no error after {pushed} bytes"
        );
    };
    assert_eq!(err, ProtoError::ControlLineTooLong);
    assert!(d.buffered() <= MAX_CONTROL_LINE + 1);
    // Later bytes are not buffered either.
    d.push(&[b'y'; 10_000]);
    assert!(d.buffered() <= MAX_CONTROL_LINE + 1);
    assert_eq!(d.next_op(), Err(ProtoError::ControlLineTooLong));
}

#[test]
fn msg_control_line_too_long() {
    let subject = "s".repeat(MAX_CONTROL_LINE);
    assert_eq!(
        err_of(format!("MSG {subject} 1 0\r\n\r\n").as_bytes()),
        ProtoError::ControlLineTooLong
    );
}

// ---- malformed input ----

#[test]
fn bad_verbs_are_protocol_errors() {
    for input in [
        &b"HELLO\r\n"[..],
        b"PINGX\r\n",
        b"PIN\r\n",
        b"PING extra\r\n",
        b"+OK x\r\n",
        b"MSGX a 1 1\r\nx\r\n",
        b" PING\r\n",
        b"\r\n",
        b"INFO\r\n",
        b"INFO   \r\n",
        b"GET / HTTP/1.1\r\n",
        b"\x00\x01\x02",
        b"PING\r\r\n",
    ] {
        let e = err_of(input);
        assert!(
            is_protocol(&e),
            "{:?} gave {e:?}",
            String::from_utf8_lossy(input)
        );
    }
}

#[test]
fn bad_verb_is_reported_before_the_line_ends() {
    let mut d = Decoder::new(MIB);
    d.push(b"HTTP/1.1 400 Bad Request");
    assert!(matches!(d.next_op(), Err(ProtoError::Protocol(_))));
}

#[test]
fn bad_msg_arguments_are_protocol_errors() {
    for input in [
        &b"MSG\r\n"[..],
        b"MSG a\r\n",
        b"MSG a 1\r\n",
        b"MSG a 1 r x 3\r\n",
        b"MSG a b 3\r\nabc\r\n",
        b"MSG a -1 3\r\nabc\r\n",
        b"MSG a 1 -3\r\n",
        b"MSG a 1 3x\r\n",
        b"MSG a 1 +3\r\n",
        b"MSG a 1 0x10\r\n",
        b"MSG a 18446744073709551616 1\r\nx\r\n",
        b"HMSG a 1 12\r\n",
        b"HMSG a 1 r 12 x 12\r\n",
        b"HMSG a 1 13 12\r\n",
        b"HMSG a 1 x 12\r\n",
        b"MSG \xff\xfe 1 1\r\nx\r\n",
        b"MSG a 1 \xff 1\r\nx\r\n",
    ] {
        let e = err_of(input);
        assert!(
            is_protocol(&e),
            "{:?} gave {e:?}",
            String::from_utf8_lossy(input)
        );
    }
}

#[test]
fn overflowing_sizes_are_errors_not_panics() {
    let big = "9".repeat(30);
    for input in [
        format!("MSG a 1 {big}\r\n"),
        format!("HMSG a 1 {big} {big}\r\n"),
        format!("HMSG a 1 1 {big}\r\n"),
        format!("HMSG a 1 {big} 1\r\n"),
        format!("MSG a {big} 1\r\nx\r\n"),
        format!("MSG a 1 {}\r\n", u64::MAX),
        format!("MSG a 1 {}\r\n", usize::MAX),
        format!("HMSG a 1 {} {}\r\n", usize::MAX, usize::MAX),
    ] {
        let e = err_of(input.as_bytes());
        assert!(
            is_protocol(&e) || matches!(e, ProtoError::MaxPayloadExceeded { .. }),
            "{input:?} gave {e:?}"
        );
    }
    // Even with no payload bound at all.
    let mut d = Decoder::new(usize::MAX);
    d.push(format!("MSG a 1 {}\r\n", usize::MAX).as_bytes());
    assert!(d.next_op().is_err());
}

#[test]
fn header_size_above_total_is_a_protocol_error() {
    assert!(is_protocol(&err_of(b"HMSG a 1 20 12\r\n")));
}

#[test]
fn missing_crlf_after_payload_is_a_protocol_error() {
    assert!(is_protocol(&err_of(b"MSG a 1 3\r\nabcde\r\n")));
    assert!(is_protocol(&err_of(b"MSG a 1 3\r\nabc\n\r")));
    assert!(is_protocol(&err_of(b"MSG a 1 3\r\nabcPING\r\n")));
    assert!(is_protocol(&err_of(
        b"HMSG a 1 12 12\r\nNATS/1.0\r\n\r\nXY"
    )));
}

#[test]
fn truncated_or_bad_header_blocks_are_bad_headers() {
    for (block, total) in [
        (&b"NATS/1.0\r\n"[..], 10),
        (b"NATS/1.0\r\nA: b\r\n", 16),
        (b"NATS/1.0\r\nA: b\r\n\r", 17),
        (b"HTTP/1.0\r\n\r\n", 12),
        (b"NATS/2.0\r\n\r\n", 12),
        (b"NATS/1.0\r\nno colon\r\n\r\n", 22),
        (b"NATS/1.0 50\r\n\r\n", 15),
        (b"NATS/1.0 5033\r\n\r\n", 17),
        (b"NATS/1.0 abc\r\n\r\n", 16),
        (b"NATS/1.0x\r\n\r\n", 13),
        (b"NATS/1.0\r\n: v\r\n\r\n", 17),
        (b"NATS/1.0\r\nA: b\nC: d\r\n\r\n", 23),
        (b"", 0),
    ] {
        assert_eq!(block.len(), total);
        let mut wire = format!("HMSG a 1 {total} {}\r\n", total + 1).into_bytes();
        wire.extend_from_slice(block);
        wire.extend_from_slice(b"p\r\n");
        let e = err_of(&wire);
        assert!(
            matches!(e, ProtoError::BadHeaders(_)),
            "{:?} gave {e:?}",
            String::from_utf8_lossy(block)
        );
    }
}

#[test]
fn errors_are_sticky_until_reset() {
    let mut d = Decoder::new(MIB);
    d.push(b"BOGUS\r\n");
    let e = d.next_op().unwrap_err();
    d.push(b"PING\r\n");
    assert_eq!(d.next_op(), Err(e));
    d.reset();
    assert_eq!(d.buffered(), 0);
    d.push(b"PING\r\n");
    assert_eq!(d.next_op(), Ok(Some(ServerOp::Ping)));
}

#[test]
fn reset_drops_a_pending_message() {
    let mut d = Decoder::new(MIB);
    d.push(b"MSG a 1 10\r\nabc");
    assert_eq!(d.next_op(), Ok(None));
    d.reset();
    d.push(b"PONG\r\n");
    assert_eq!(d.next_op(), Ok(Some(ServerOp::Pong)));
}

// ---- property-style tests (tiny xorshift PRNG, no extra crates) ----

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Feeds `bytes` in random chunks; checks the bound after every drain. Returns the ops and whether it ended
/// in an error.
fn feed_randomly(rng: &mut XorShift, max_payload: usize, bytes: &[u8]) -> (Vec<ServerOp>, bool) {
    let mut d = Decoder::new(max_payload);
    let mut ops = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        let n = 1 + rng.below(rest.len().min(64));
        let (chunk, tail) = rest.split_at(n);
        rest = tail;
        d.push(chunk);
        loop {
            match d.next_op() {
                Ok(Some(op)) => ops.push(op),
                Ok(None) => break,
                Err(_) => return (ops, true),
            }
        }
        assert!(
            d.buffered() <= MAX_INFO_LINE + max_payload + 2,
            "buffered {}",
            d.buffered()
        );
    }
    (ops, false)
}

#[test]
fn random_byte_soup_never_panics_and_stays_bounded() {
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    let alphabet: &[u8] = b"MSGHINFOPONG+OK-ERR 0123456789\r\n\t.:NATS/1.0'\x00\xff";
    for round in 0..2000 {
        let len = rng.below(300);
        let soup: Vec<u8> = (0..len)
            .map(|_| {
                if round % 2 == 0 {
                    alphabet[rng.below(alphabet.len())]
                } else {
                    rng.next() as u8
                }
            })
            .collect();
        feed_randomly(&mut rng, 64, &soup);
    }
}

#[test]
fn random_mutations_of_valid_streams_never_panic_and_stay_bounded() {
    let (stream, _) = mixed_stream();
    let mut rng = XorShift(0x0123_4567_89AB_CDEF);
    for _ in 0..3000 {
        let mut bytes = stream.clone();
        for _ in 0..1 + rng.below(4) {
            if bytes.is_empty() {
                break;
            }
            let at = rng.below(bytes.len());
            match rng.below(4) {
                0 => bytes[at] = rng.next() as u8,
                1 => {
                    bytes.remove(at);
                }
                2 => bytes.insert(at, b"0123456789 \r\n"[rng.below(13)]),
                _ => bytes.truncate(at),
            }
        }
        feed_randomly(&mut rng, 256, &bytes);
    }
}

#[test]
fn random_chunking_of_valid_streams_yields_the_same_ops() {
    let (stream, ops) = mixed_stream();
    let mut rng = XorShift(42);
    for _ in 0..500 {
        assert_eq!(feed_randomly(&mut rng, MIB, &stream), (ops.clone(), false));
    }
}
