//! Scripted-server tests of the connection state machine, with a fake clock.

use super::*;
use crate::error::{ErrorCode, NatsError};
use crate::proto::json::Json;
use crate::proto::Headers;
use crate::time::Mono;

const INFO: &str = "INFO {\"server_id\":\"S1\",\"version\":\"2.10.22\",\"proto\":1,\"headers\":true,\"max_payload\":1048576}\r\n";

fn opts(servers: &[&str]) -> Options {
    Options {
        no_randomize: true,
        ..Options::with_servers(servers.iter().copied())
    }
}

/// A connection plus a fake clock.
struct H {
    c: Connection,
    now: Mono,
}

impl H {
    fn new(o: Options) -> H {
        let c = Connection::new(o, Mono(0.0), 1).expect("valid options");
        H { c, now: Mono(0.0) }
    }
    /// Connected to the first server: Open, INFO, CONNECT/PING, PONG.
    fn connected(o: Options) -> H {
        let mut h = H::new(o);
        let ev = h.events();
        assert!(matches!(ev.as_slice(), [Event::Open { .. }]), "{ev:?}");
        h.handshake(INFO);
        let ev = h.events();
        assert!(
            ev.iter().any(|e| matches!(e, Event::Connected { .. })),
            "{ev:?}"
        );
        h
    }
    /// on_open, INFO, expect CONNECT+PING, PONG.
    fn handshake(&mut self, info: &str) {
        self.c.on_open(self.now);
        self.feed(info);
        let out = self.out();
        assert!(
            out.starts_with("CONNECT {") && out.ends_with("}\r\nPING\r\n"),
            "{out}"
        );
        self.feed("PONG\r\n");
    }
    fn events(&mut self) -> Vec<Event> {
        std::iter::from_fn(|| self.c.poll_event()).collect()
    }
    fn out(&mut self) -> String {
        self.c
            .take_outbound()
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    }
    fn feed(&mut self, s: &str) {
        self.c.on_bytes(s.as_bytes(), self.now);
    }
    fn advance(&mut self, ms: f64) {
        self.now = self.now.plus(ms);
        self.c.handle_timeout(self.now);
    }
    /// Jumps to the next deadline and fires it.
    fn fire(&mut self) -> Mono {
        let t = self.c.poll_timeout().expect("a deadline");
        assert!(t >= self.now);
        self.now = t;
        self.c.handle_timeout(t);
        t
    }
    fn pub_count(out: &str) -> usize {
        out.matches("PUB ").count()
    }
}

fn connect_json_of(out: &str) -> Json {
    let line = out.lines().next().unwrap();
    Json::parse(line.strip_prefix("CONNECT ").unwrap()).unwrap()
}

fn closed_error(ev: &[Event]) -> Option<Option<NatsError>> {
    ev.iter().find_map(|e| match e {
        Event::Closed { error } => Some(error.clone()),
        _ => None,
    })
}

fn statuses(ev: &[Event]) -> Vec<&'static str> {
    ev.iter()
        .filter_map(|e| match e {
            Event::Status(s) => Some(s.type_str()),
            _ => None,
        })
        .collect()
}

fn opens(ev: &[Event]) -> Vec<String> {
    ev.iter()
        .filter_map(|e| match e {
            Event::Open { url } => Some(url.clone()),
            _ => None,
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------------
// Handshake
// ---------------------------------------------------------------------------------------------------

#[test]
fn handshake_sends_connect_with_expected_fields() {
    let mut h = H::new(Options {
        name: Some("dash".into()),
        user: Some("alice".into()),
        pass: Some("s3cret".into()),
        ..opts(&["ws://127.0.0.1:8080"])
    });
    assert_eq!(
        h.events(),
        vec![Event::Open {
            url: "ws://127.0.0.1:8080".into()
        }]
    );
    assert_eq!(h.out(), "");
    h.c.on_open(Mono(0.0));
    assert_eq!(h.out(), "", "nothing is sent before INFO");
    h.feed(INFO);
    let out = h.out();
    let j = connect_json_of(&out);
    assert_eq!(j.get("verbose"), Some(&Json::Bool(false)));
    assert_eq!(j.get("pedantic"), Some(&Json::Bool(false)));
    assert_eq!(j.get("protocol").and_then(Json::as_i64), Some(1));
    assert_eq!(j.get("headers"), Some(&Json::Bool(true)));
    assert_eq!(j.get("no_responders"), Some(&Json::Bool(true)));
    assert_eq!(j.get("lang").and_then(Json::as_str), Some("nats-kv-wasm"));
    assert_eq!(
        j.get("version").and_then(Json::as_str),
        Some(env!("CARGO_PKG_VERSION"))
    );
    assert_eq!(j.get("echo"), None, "echo omitted unless noEcho");
    assert_eq!(j.get("name").and_then(Json::as_str), Some("dash"));
    assert_eq!(j.get("user").and_then(Json::as_str), Some("alice"));
    assert_eq!(j.get("pass").and_then(Json::as_str), Some("s3cret"));
    assert_eq!(j.get("auth_token"), None);
    assert!(out.ends_with("\r\nPING\r\n"));
    assert!(!h.c.is_connected());
    assert!(h.events().is_empty(), "not connected before PONG");
    h.feed("PONG\r\n");
    let ev = h.events();
    assert_eq!(
        ev,
        vec![Event::Connected {
            info_json: INFO[5..INFO.len() - 2].to_string()
        }]
    );
    assert!(h.c.is_connected());
    assert_eq!(
        h.c.info()
            .and_then(|i| i.get("server_id"))
            .and_then(Json::as_str),
        Some("S1")
    );
}

#[test]
fn connect_json_no_echo_and_token() {
    let mut h = H::new(Options {
        no_echo: true,
        token: Some("t0k".into()),
        ..opts(&["ws://a:1"])
    });
    h.events();
    h.c.on_open(Mono(0.0));
    h.feed(INFO);
    let j = connect_json_of(&h.out());
    assert_eq!(j.get("echo"), Some(&Json::Bool(false)));
    assert_eq!(j.get("auth_token").and_then(Json::as_str), Some("t0k"));
    assert_eq!(j.get("user"), None);
}

#[test]
fn second_info_accepted_before_and_after_pong() {
    let mut h = H::new(opts(&["ws://a:1"]));
    h.events();
    h.c.on_open(Mono(0.0));
    // INFO split across chunks, then a second INFO before the PONG (2.10+).
    let (a, b) = INFO.split_at(17);
    h.feed(a);
    assert_eq!(h.out(), "");
    h.feed(b);
    assert!(h.out().starts_with("CONNECT "));
    h.feed("INFO {\"server_id\":\"S1\",\"max_payload\":2048,\"headers\":true}\r\nPONG\r\n");
    assert!(h
        .events()
        .iter()
        .any(|e| matches!(e, Event::Connected { .. })));
    assert_eq!(h.c.max_payload(), 2048);
    assert_eq!(
        h.out(),
        "",
        "a second INFO does not trigger a second CONNECT"
    );
    // Third INFO after the PONG.
    h.feed("INFO {\"server_id\":\"S1\",\"max_payload\":100}\r\n");
    assert_eq!(h.c.max_payload(), 100);
    let e = h.c.publish("x", None, None, &[0u8; 101]).unwrap_err();
    assert_eq!(e.code, ErrorCode::MaxPayloadExceeded);
    assert!(h.c.publish("x", None, None, &[0u8; 100]).is_ok());
    assert!(h.c.is_connected());
    assert!(h.events().is_empty());
}

#[test]
fn handshake_byte_by_byte() {
    let mut h = H::new(opts(&["ws://a:1"]));
    h.events();
    h.c.on_open(Mono(0.0));
    for b in INFO.bytes() {
        h.c.on_bytes(&[b], Mono(0.0));
    }
    assert!(h.out().starts_with("CONNECT "));
    for b in b"PONG\r\n" {
        h.c.on_bytes(&[*b], Mono(0.0));
    }
    assert!(h.c.is_connected());
}

#[test]
fn nkey_auth_asks_to_sign_the_nonce() {
    const PUBLIC: &str = "UCK5N7N66OBOINFXAYC2ACJQYFSOD4VYNU6APEJTAVFZB2SVHLKGEW7L";
    let mut h = H::new(Options {
        nkey: Some(PUBLIC.into()),
        jwt: Some("a.b.c".into()),
        ..opts(&["ws://a:1"])
    });
    h.events();
    h.c.on_open(Mono(0.0));
    h.feed("INFO {\"server_id\":\"S\",\"nonce\":\"PXoWU7zWAMt75FY\",\"auth_required\":true}\r\n");
    assert_eq!(
        h.events(),
        vec![Event::Sign {
            nonce: "PXoWU7zWAMt75FY".into()
        }]
    );
    assert_eq!(h.out(), "", "CONNECT waits for the signature");
    h.feed("PING\r\n");
    assert_eq!(h.out(), "PONG\r\n");
    h.c.on_signature("ZaAiVDgB5CeY-_", Mono(1.0));
    let out = h.out();
    let j = connect_json_of(&out);
    assert_eq!(j.get("nkey").and_then(Json::as_str), Some(PUBLIC));
    assert_eq!(j.get("sig").and_then(Json::as_str), Some("ZaAiVDgB5CeY-_"));
    assert_eq!(j.get("jwt").and_then(Json::as_str), Some("a.b.c"));
    h.feed("PONG\r\n");
    assert!(h.c.is_connected());
    // A late signature is ignored.
    h.c.on_signature("xyz", Mono(2.0));
    assert_eq!(h.out(), "");
}

#[test]
fn nonce_without_nkey_is_not_signed() {
    let mut h = H::new(opts(&["ws://a:1"]));
    h.events();
    h.c.on_open(Mono(0.0));
    h.feed("INFO {\"nonce\":\"abc\"}\r\n");
    assert!(h.events().is_empty());
    let j = connect_json_of(&h.out());
    assert_eq!(j.get("sig"), None);
}

#[test]
fn signature_failure_closes() {
    const PUBLIC: &str = "UCK5N7N66OBOINFXAYC2ACJQYFSOD4VYNU6APEJTAVFZB2SVHLKGEW7L";
    let mut h = H::new(Options {
        nkey: Some(PUBLIC.into()),
        ..opts(&["ws://a:1"])
    });
    h.events();
    h.c.on_open(Mono(0.0));
    h.feed("INFO {\"nonce\":\"abc\"}\r\n");
    h.events();
    h.c.on_signature("not base64!", Mono(0.0));
    let ev = h.events();
    assert!(ev.contains(&Event::CloseTransport));
    assert_eq!(
        closed_error(&ev).unwrap().unwrap().code,
        ErrorCode::InvalidArgument
    );
    assert!(h.c.is_closed());
}

#[test]
fn signing_failure_reported_by_the_web_layer_closes() {
    const PUBLIC: &str = "UCK5N7N66OBOINFXAYC2ACJQYFSOD4VYNU6APEJTAVFZB2SVHLKGEW7L";
    let mut h = H::new(Options {
        nkey: Some(PUBLIC.into()),
        ..opts(&["ws://a:1", "ws://b:1"])
    });
    h.events();
    h.c.on_signature_failed(Mono(0.0));
    assert!(
        h.events().is_empty(),
        "ignored when no signature was asked for"
    );
    h.c.on_open(Mono(0.0));
    h.feed("INFO {\"nonce\":\"abc\"}\r\n");
    h.events();
    h.c.on_signature_failed(Mono(0.0));
    let ev = h.events();
    assert!(ev.contains(&Event::CloseTransport));
    assert!(
        opens(&ev).is_empty(),
        "signing will not work on another server either"
    );
    assert_eq!(
        closed_error(&ev).unwrap().unwrap().code,
        ErrorCode::InvalidArgument
    );
}

#[test]
fn first_op_other_than_info_is_a_protocol_error() {
    let mut h = H::new(opts(&["ws://a:1"]));
    h.events();
    h.c.on_open(Mono(0.0));
    h.feed("PONG\r\n");
    let ev = h.events();
    assert_eq!(ev[0], Event::CloseTransport);
    assert_eq!(
        closed_error(&ev).unwrap().unwrap().code,
        ErrorCode::ProtocolError
    );
}

#[test]
fn refused_first_connect_tries_each_server_once() {
    let mut h = H::new(opts(&["ws://a:1", "ws://b:1"]));
    assert_eq!(opens(&h.events()), ["ws://a:1"]);
    h.c.on_closed(Mono(0.0));
    let ev = h.events();
    assert_eq!(opens(&ev), ["ws://b:1"], "next server at once");
    assert!(
        statuses(&ev).is_empty(),
        "no reconnect statuses before the first connect"
    );
    h.c.on_closed(Mono(0.0));
    let ev = h.events();
    let err = closed_error(&ev).unwrap().unwrap();
    assert_eq!(err.code, ErrorCode::ConnectionRefused);
    assert!(h.c.is_closed());
    assert_eq!(h.c.poll_timeout(), None);
}

#[test]
fn connect_timeout_covers_dial_info_and_pong() {
    // Dial never completes.
    let mut h = H::new(Options {
        timeout_ms: 500.0,
        ..opts(&["ws://a:1"])
    });
    h.events();
    assert_eq!(h.c.poll_timeout(), Some(Mono(500.0)));
    h.advance(499.0);
    assert!(h.events().is_empty());
    h.advance(1.0);
    let ev = h.events();
    assert_eq!(ev[0], Event::CloseTransport);
    assert_eq!(closed_error(&ev).unwrap().unwrap().code, ErrorCode::Timeout);

    // INFO arrives but no PONG.
    let mut h = H::new(Options {
        timeout_ms: 500.0,
        ..opts(&["ws://a:1"])
    });
    h.events();
    h.advance(200.0);
    h.c.on_open(h.now);
    h.feed(INFO);
    h.advance(299.0);
    assert!(h.events().is_empty());
    h.advance(1.0);
    assert_eq!(
        closed_error(&h.events()).unwrap().unwrap().code,
        ErrorCode::Timeout
    );
}

#[test]
fn wait_on_first_connect_keeps_trying() {
    let mut h = H::new(Options {
        wait_on_first_connect: true,
        max_reconnect_attempts: 3,
        reconnect_time_wait_ms: 100.0,
        reconnect_jitter_ms: 0.0,
        ..opts(&["ws://a:1"])
    });
    let mut dials = opens(&h.events()).len();
    while !h.c.is_closed() {
        h.c.on_closed(h.now);
        let ev = h.events();
        if closed_error(&ev).is_some() {
            assert_eq!(
                closed_error(&ev).unwrap().unwrap().code,
                ErrorCode::ConnectionRefused
            );
            break;
        }
        assert!(opens(&ev).is_empty(), "redial waits reconnectTimeWait");
        h.fire();
        dials += opens(&h.events()).len();
    }
    assert_eq!(dials, 3);
}

#[test]
fn auth_error_on_first_connect_closes() {
    let mut h = H::new(opts(&["ws://a:1", "ws://b:1"]));
    h.events();
    h.c.on_open(Mono(0.0));
    h.feed(INFO);
    h.out();
    h.feed("-ERR 'Authorization Violation'\r\n");
    let ev = h.events();
    assert_eq!(ev[0], Event::CloseTransport);
    assert!(
        opens(&ev).is_empty(),
        "auth errors do not try the next server"
    );
    let err = closed_error(&ev).unwrap().unwrap();
    assert_eq!(err.code, ErrorCode::AuthorizationViolation);

    let mut h = H::new(opts(&["ws://a:1"]));
    h.events();
    h.c.on_open(Mono(0.0));
    h.feed(INFO);
    h.feed("-ERR 'User Authentication Expired'\r\n");
    assert_eq!(
        closed_error(&h.events()).unwrap().unwrap().code,
        ErrorCode::AuthenticationExpired
    );
}

// ---------------------------------------------------------------------------------------------------
// Pub/sub
// ---------------------------------------------------------------------------------------------------

#[test]
fn pub_sub_delivery_and_max() {
    let mut h = H::connected(opts(&["ws://a:1"]));
    let sid = h.c.subscribe("foo.*", None, Some(2)).unwrap();
    assert_eq!(h.out(), format!("SUB foo.* {sid}\r\nUNSUB {sid} 2\r\n"));
    h.c.publish("foo.bar", None, None, b"hello").unwrap();
    assert_eq!(h.out(), "PUB foo.bar 5\r\nhello\r\n");
    h.feed(&format!(
        "MSG foo.a {sid} 2\r\nm1\r\nMSG foo.b {sid} r.1 2\r\nm2\r\nMSG foo.c {sid} 2\r\nm3\r\n"
    ));
    let ev = h.events();
    assert_eq!(ev.len(), 3, "{ev:?}");
    match &ev[0] {
        Event::Msg { sid: s, msg } => {
            assert_eq!(
                (*s, msg.subject.as_str(), msg.payload.as_slice()),
                (sid, "foo.a", &b"m1"[..])
            );
        }
        e => panic!("{e:?}"),
    }
    match &ev[1] {
        Event::Msg { msg, .. } => assert_eq!(msg.reply.as_deref(), Some("r.1")),
        e => panic!("{e:?}"),
    }
    assert_eq!(ev[2], Event::SubClosed { sid, error: None });
    assert!(h.c.subscription(sid).is_none());
}

#[test]
fn queue_subscribe_encoding_and_validation() {
    let mut h = H::connected(opts(&["ws://a:1"]));
    let sid = h.c.subscribe("work.>", Some("workers"), None).unwrap();
    assert_eq!(h.out(), format!("SUB work.> workers {sid}\r\n"));
    assert_eq!(
        h.c.subscribe("bad subject", None, None).unwrap_err().code,
        ErrorCode::InvalidSubject
    );
    assert_eq!(
        h.c.subscribe("a.>.b", None, None).unwrap_err().code,
        ErrorCode::InvalidSubject
    );
    assert!(h.c.subscribe("ok", Some("bad queue"), None).is_err());
    assert_eq!(h.out(), "", "nothing written for invalid input");
    let s2 = h.c.subscribe("x", None, Some(0)).unwrap();
    assert_eq!(h.out(), format!("SUB x {s2}\r\n"), "max 0 means no limit");
    assert_eq!(s2, sid + 1);
}

#[test]
fn control_lines_over_max_control_line_are_refused_before_writing() {
    // nats-server closes the connection on a control line over max_control_line (4096 by default).
    let mut h = H::connected(opts(&["ws://a:1"]));
    let long = "k".repeat(4100);
    for e in [
        h.c.subscribe(&long, None, None).unwrap_err(),
        h.c.subscribe("ok", Some(&long), None).unwrap_err(),
        h.c.publish(&long, None, None, b"x").unwrap_err(),
        h.c.publish("ok", Some(&long), None, b"x").unwrap_err(),
        h.c.request(&long, b"x", None, 1000.0, Mono(0.0))
            .unwrap_err(),
    ] {
        assert_eq!(e.code, ErrorCode::InvalidSubject, "{e}");
        assert!(e.message.contains("max_control_line"), "{e}");
    }
    let out = h.out();
    assert!(!out.contains("kkkk"), "nothing long written: {out}");
    assert!(!out.contains("PUB"), "no publish written: {out}");
    // The refused subscribes registered nothing: sid 1 is the request mux (made by the refused
    // request), the next subscription gets sid 2.
    let sid = h.c.subscribe("ok", None, None).unwrap();
    assert_eq!(h.out(), format!("SUB ok {sid}\r\n"));
    assert_eq!(sid, 2);
    // A request whose subject still fits is sent.
    let fits = "k".repeat(3900);
    h.c.request(&fits, b"x", None, 1000.0, Mono(0.0)).unwrap();
    assert!(h.out().contains(&fits));
}

#[test]
fn publish_validation_and_headers() {
    let mut h = H::connected(opts(&["ws://a:1"]));
    assert_eq!(
        h.c.publish("a b", None, None, b"").unwrap_err().code,
        ErrorCode::InvalidSubject
    );
    assert_eq!(
        h.c.publish("a.*", None, None, b"").unwrap_err().code,
        ErrorCode::InvalidSubject
    );
    assert_eq!(
        h.c.publish("a\r\nPUB", None, None, b"").unwrap_err().code,
        ErrorCode::InvalidSubject
    );
    assert_eq!(
        h.c.publish("a", Some("r x"), None, b"").unwrap_err().code,
        ErrorCode::InvalidSubject
    );
    assert_eq!(h.out(), "");
    let mut hd = Headers::new();
    hd.set("K", "v").unwrap();
    h.c.publish("a", Some("r"), Some(&hd), b"xy").unwrap();
    let out = h.out();
    let block = "NATS/1.0\r\nK: v\r\n\r\n";
    assert_eq!(
        out,
        format!(
            "HPUB a r {} {}\r\n{block}xy\r\n",
            block.len(),
            block.len() + 2
        )
    );
    let big = vec![0u8; 1024 * 1024 + 1];
    assert_eq!(
        h.c.publish("a", None, None, &big).unwrap_err().code,
        ErrorCode::MaxPayloadExceeded
    );
}

#[test]
fn max_payload_before_info_is_one_mib() {
    let mut h = H::new(opts(&["ws://a:1"]));
    h.events();
    assert_eq!(h.c.max_payload(), 1024 * 1024);
    let big = vec![0u8; 1024 * 1024 + 1];
    assert_eq!(
        h.c.publish("a", None, None, &big).unwrap_err().code,
        ErrorCode::MaxPayloadExceeded
    );
}

#[test]
fn unsubscribe_now_and_after_max() {
    let mut h = H::connected(opts(&["ws://a:1"]));
    let a = h.c.subscribe("a", None, None).unwrap();
    let b = h.c.subscribe("b", None, None).unwrap();
    h.out();
    h.c.unsubscribe(a, None).unwrap();
    assert_eq!(h.out(), format!("UNSUB {a}\r\n"));
    assert_eq!(
        h.events(),
        vec![Event::SubClosed {
            sid: a,
            error: None
        }]
    );
    h.feed(&format!("MSG a {a} 0\r\n\r\n"));
    assert!(
        h.events().is_empty(),
        "late messages for a closed sid are dropped"
    );
    h.feed(&format!("MSG b {b} 0\r\n\r\n"));
    h.events();
    h.c.unsubscribe(b, Some(3)).unwrap();
    assert_eq!(h.out(), format!("UNSUB {b} 3\r\n"));
    h.feed(&format!("MSG b {b} 0\r\n\r\nMSG b {b} 0\r\n\r\n"));
    let ev = h.events();
    assert_eq!(ev.len(), 3);
    assert_eq!(
        ev[2],
        Event::SubClosed {
            sid: b,
            error: None
        }
    );
    // Unknown sid and max already reached are harmless.
    h.c.unsubscribe(999, None).unwrap();
    let c = h.c.subscribe("c", None, None).unwrap();
    h.feed(&format!("MSG c {c} 0\r\n\r\n"));
    h.events();
    h.out();
    h.c.unsubscribe(c, Some(1)).unwrap();
    assert_eq!(h.out(), format!("UNSUB {c}\r\n"));
    assert_eq!(
        h.events(),
        vec![Event::SubClosed {
            sid: c,
            error: None
        }]
    );
}

#[test]
fn server_ping_is_answered() {
    let mut h = H::connected(opts(&["ws://a:1"]));
    h.feed("PING\r\n+OK\r\nPING\r\n");
    assert_eq!(h.out(), "PONG\r\nPONG\r\n");
}

// ---------------------------------------------------------------------------------------------------
// Request/reply
// ---------------------------------------------------------------------------------------------------

/// Extracts the reply subject of the last PUB line.
fn reply_of(out: &str) -> String {
    let line = out
        .lines()
        .rev()
        .find(|l| l.starts_with("PUB ") || l.starts_with("HPUB "))
        .unwrap();
    line.split(' ').nth(2).unwrap().to_string()
}

#[test]
fn request_reply_through_one_muxed_inbox() {
    let mut h = H::connected(opts(&["ws://a:1"]));
    let id1 = h.c.request("svc.echo", b"hi", None, 1000.0, h.now).unwrap();
    let out = h.out();
    let mut lines = out.split("\r\n");
    let sub = lines.next().unwrap();
    assert!(
        sub.starts_with("SUB _INBOX.") && sub.ends_with(".* 1"),
        "{sub}"
    );
    let prefix = sub
        .strip_prefix("SUB ")
        .unwrap()
        .strip_suffix(".* 1")
        .unwrap()
        .to_string();
    assert_eq!(prefix.len(), "_INBOX.".len() + 22);
    let r1 = reply_of(&out);
    assert_eq!(r1, format!("{prefix}.{id1}"));
    assert!(out.contains(&format!("PUB svc.echo {r1} 2\r\nhi\r\n")));

    let id2 = h.c.request("svc.echo", b"yo", None, 1000.0, h.now).unwrap();
    let out2 = h.out();
    assert!(!out2.contains("SUB "), "the mux is subscribed once");
    let r2 = reply_of(&out2);
    assert_ne!(r1, r2);
    assert_eq!(h.c.pending_requests(), 2);

    // Replies routed by the last token, in any order.
    h.feed(&format!("MSG {r2} 1 3\r\nYO!\r\nMSG {r1} 1 3\r\nHI!\r\n"));
    let ev = h.events();
    assert_eq!(ev.len(), 2);
    match (&ev[0], &ev[1]) {
        (
            Event::Reply {
                id: a,
                result: Ok(m2),
            },
            Event::Reply {
                id: b,
                result: Ok(m1),
            },
        ) => {
            assert_eq!((*a, m2.payload.as_slice()), (id2, &b"YO!"[..]));
            assert_eq!((*b, m1.payload.as_slice()), (id1, &b"HI!"[..]));
        }
        e => panic!("{e:?}"),
    }
    // A second reply to the same request is ignored.
    h.feed(&format!("MSG {r1} 1 1\r\nx\r\n"));
    assert!(h.events().is_empty());
    assert_eq!(h.c.pending_requests(), 0);
    assert_eq!(
        h.c.poll_timeout(),
        Some(Mono(120_000.0)),
        "only the keep-alive is left"
    );
}

#[test]
fn request_timeout_with_fake_clock() {
    let mut h = H::connected(opts(&["ws://a:1"]));
    h.advance(10.0);
    let id = h.c.request("svc", b"", None, 250.0, h.now).unwrap();
    let r = reply_of(&h.out());
    assert_eq!(h.c.poll_timeout(), Some(Mono(260.0)));
    h.advance(249.0);
    assert!(h.events().is_empty());
    h.advance(1.0);
    let ev = h.events();
    match ev.as_slice() {
        [Event::Reply {
            id: got,
            result: Err(e),
        }] => {
            assert_eq!(*got, id);
            assert_eq!(e.code, ErrorCode::Timeout);
        }
        e => panic!("{e:?}"),
    }
    // A reply after the timeout is dropped.
    h.feed(&format!("MSG {r} 1 1\r\nx\r\n"));
    assert!(h.events().is_empty());
    assert!(h.c.request("svc", b"", None, 0.0, h.now).is_err());
    assert!(h.c.request("svc", b"", None, f64::NAN, h.now).is_err());
    assert_eq!(
        h.c.request("a.*", b"", None, 5.0, h.now).unwrap_err().code,
        ErrorCode::InvalidSubject
    );
}

#[test]
fn api_request_may_end_with_a_wildcard_filter() {
    let mut h = H::connected(opts(&["ws://a:1"]));
    let subject = "$JS.API.CONSUMER.CREATE.KV_b.oc_1.$KV.b.a.>";
    assert_eq!(
        h.c.request(subject, b"{}", None, 1000.0, h.now)
            .unwrap_err()
            .code,
        ErrorCode::InvalidSubject,
        "a plain request stays literal"
    );
    let id =
        h.c.api_request(subject, b"{}", None, 1000.0, h.now)
            .unwrap();
    let out = h.out();
    let r = reply_of(&out);
    assert!(
        out.contains(&format!("PUB {subject} {r} 2\r\n{{}}\r\n")),
        "{out}"
    );
    h.feed(&format!("MSG {r} 1 2\r\nok\r\n"));
    assert!(matches!(
        h.events().as_slice(),
        [Event::Reply { id: got, result: Ok(_) }] if *got == id
    ));
    for bad in ["a b.>", "a.>.b", "a\r\nPUB x 1"] {
        assert_eq!(
            h.c.api_request(bad, b"", None, 1000.0, h.now)
                .unwrap_err()
                .code,
            ErrorCode::InvalidSubject,
            "{bad:?}"
        );
    }
    assert!(!h.out().contains("PUB"), "nothing written for bad subjects");
}

#[test]
fn no_responders_on_503() {
    let mut h = H::connected(opts(&["ws://a:1"]));
    let id =
        h.c.request("nobody", b"q", None, 1000.0, Mono(0.0))
            .unwrap();
    let r = reply_of(&h.out());
    let hdr = "NATS/1.0 503\r\n\r\n";
    h.feed(&format!(
        "HMSG {r} 1 {} {}\r\n{hdr}\r\n",
        hdr.len(),
        hdr.len()
    ));
    let ev = h.events();
    match ev.as_slice() {
        [Event::Reply {
            id: got,
            result: Err(e),
        }] => {
            assert_eq!(*got, id);
            assert_eq!(e.code, ErrorCode::NoResponders);
        }
        e => panic!("{e:?}"),
    }
    // Other status replies are delivered (the JetStream layer interprets them).
    let id = h.c.request("js", b"q", None, 1000.0, Mono(0.0)).unwrap();
    let r = reply_of(&h.out());
    let hdr = "NATS/1.0 408 Request Timeout\r\n\r\n";
    h.feed(&format!(
        "HMSG {r} 1 {} {}\r\n{hdr}\r\n",
        hdr.len(),
        hdr.len()
    ));
    match h.events().as_slice() {
        [Event::Reply {
            id: got,
            result: Ok(m),
        }] => {
            assert_eq!(*got, id);
            assert_eq!(m.headers.as_ref().unwrap().code, 408);
        }
        e => panic!("{e:?}"),
    }
}

#[test]
fn custom_inbox_prefix() {
    let mut h = H::connected(Options {
        inbox_prefix: "_I.me".into(),
        ..opts(&["ws://a:1"])
    });
    h.c.request("svc", b"", None, 100.0, Mono(0.0)).unwrap();
    assert!(h.out().starts_with("SUB _I.me."));
    assert!(h.c.new_inbox().starts_with("_I.me."));
    assert_eq!(h.c.next_nuid().len(), 22);
}

// ---------------------------------------------------------------------------------------------------
// Flush, keep-alive
// ---------------------------------------------------------------------------------------------------

#[test]
fn flushes_resolve_in_order_with_rtt() {
    let mut h = H::connected(opts(&["ws://a:1"]));
    h.now = Mono(100.0);
    let f1 = h.c.flush(h.now).unwrap();
    h.now = Mono(110.0);
    let f2 = h.c.flush(h.now).unwrap();
    assert_ne!(f1, f2);
    assert_eq!(h.out(), "PING\r\nPING\r\n");
    h.now = Mono(130.0);
    h.feed("PONG\r\n");
    assert_eq!(
        h.events(),
        vec![Event::Flushed {
            id: f1,
            result: Ok(30.0)
        }]
    );
    h.now = Mono(135.0);
    h.feed("PONG\r\n");
    assert_eq!(
        h.events(),
        vec![Event::Flushed {
            id: f2,
            result: Ok(25.0)
        }]
    );
    // An unsolicited PONG is harmless.
    h.feed("PONG\r\n");
    assert!(h.events().is_empty());
}

#[test]
fn keep_alive_pings_and_stale_detection() {
    let mut h = H::connected(Options {
        ping_interval_ms: 1000.0,
        max_ping_out: 2,
        ..opts(&["ws://a:1"])
    });
    assert_eq!(h.c.poll_timeout(), Some(Mono(1000.0)));
    h.advance(999.0);
    assert_eq!(h.out(), "");
    h.advance(1.0);
    assert_eq!(h.out(), "PING\r\n");
    // Answered: counter resets.
    h.feed("PONG\r\n");
    h.advance(1000.0);
    assert_eq!(h.out(), "PING\r\n");
    h.advance(1000.0);
    assert_eq!(h.out(), "PING\r\n");
    assert!(h.events().is_empty(), "two outstanding is still fine");
    h.advance(1000.0);
    let ev = h.events();
    assert_eq!(ev[0], Event::Status(Status::StaleConnection));
    assert_eq!(ev[1], Event::CloseTransport);
    assert_eq!(
        statuses(&ev),
        ["staleConnection", "disconnect", "reconnecting"]
    );
    assert_eq!(opens(&ev), ["ws://a:1"], "stale → re-dial");
    assert!(!h.c.is_closed());
}

// ---------------------------------------------------------------------------------------------------
// Reconnect
// ---------------------------------------------------------------------------------------------------

#[test]
fn reconnect_resubscribes_then_flushes_buffered_publishes() {
    let mut h = H::connected(opts(&["ws://a:1"]));
    let s1 = h.c.subscribe("foo", None, None).unwrap();
    let s2 = h.c.subscribe("bar", Some("q"), Some(5)).unwrap();
    h.feed(&format!("MSG bar {s2} 0\r\n\r\nMSG bar {s2} 0\r\n\r\n"));
    h.out();
    h.events();
    h.now = Mono(60_000.0);
    h.c.on_closed(h.now);
    let ev = h.events();
    assert_eq!(statuses(&ev), ["disconnect", "reconnecting"]);
    assert_eq!(opens(&ev), ["ws://a:1"]);
    // Publishing while disconnected is buffered, not sent.
    h.c.publish("p.1", None, None, b"one").unwrap();
    let s3 = h.c.subscribe("baz", None, None).unwrap();
    assert_eq!(h.out(), "");
    assert!(h.c.buffered_bytes() > 0);
    h.c.on_open(h.now);
    h.feed(INFO);
    let out = h.out();
    assert!(out.starts_with("CONNECT ") && out.ends_with("PING\r\n"));
    assert!(
        !out.contains("PUB") && !out.contains("SUB"),
        "nothing before the PONG: {out}"
    );
    h.c.publish("p.2", None, None, b"two").unwrap();
    assert!(!h.c.has_outbound());
    h.feed("PONG\r\n");
    assert!(h.c.has_outbound());
    let out = h.out();
    assert_eq!(
        out,
        format!(
            "SUB foo {s1}\r\nSUB bar q {s2}\r\nUNSUB {s2} 3\r\nSUB baz {s3}\r\nPUB p.1 3\r\none\r\nPUB p.2 3\r\ntwo\r\n"
        )
    );
    assert_eq!(h.c.buffered_bytes(), 0);
    let ev = h.events();
    assert_eq!(
        ev,
        vec![Event::Status(Status::Reconnect {
            server: "ws://a:1".into()
        })]
    );
}

#[test]
fn buffered_publishes_are_bounded_while_disconnected() {
    let mut h = H::connected(Options {
        reconnect_buf_size: 100,
        ..opts(&["ws://a:1"])
    });
    h.now = Mono(10_000.0);
    h.c.on_closed(h.now);
    h.events();
    let mut ok = 0;
    let err = loop {
        match h.c.publish("s", None, None, b"0123456789") {
            Ok(()) => ok += 1,
            Err(e) => break e,
        }
        assert!(ok < 100);
    };
    assert_eq!(err.code, ErrorCode::ConnectionClosed);
    assert!(h.c.buffered_bytes() <= 100);
    assert_eq!(ok, 100 / "PUB s 10\r\n0123456789\r\n".len());
    // After reconnecting, exactly the accepted ones go out.
    h.handshake(INFO);
    assert_eq!(H::pub_count(&h.out()), ok);
}

#[test]
fn backoff_delays_stay_within_wait_plus_jitter() {
    let mut h = H::connected(Options {
        reconnect_time_wait_ms: 1000.0,
        reconnect_jitter_ms: 200.0,
        max_reconnect_attempts: -1,
        ..opts(&["ws://a:1"])
    });
    h.now = Mono(50_000.0);
    h.c.on_closed(h.now);
    assert_eq!(
        opens(&h.events()).len(),
        1,
        "last attempt long ago: immediate re-dial"
    );
    let mut last_open = h.now;
    let mut delays = Vec::new();
    for _ in 0..200 {
        h.c.on_closed(h.now); // refused
        let ev = h.events();
        assert!(opens(&ev).is_empty());
        let t = h.fire();
        let ev = h.events();
        assert_eq!(opens(&ev).len(), 1);
        assert_eq!(statuses(&ev), ["reconnecting"]);
        delays.push(t.since(last_open));
        last_open = t;
    }
    assert!(
        delays.iter().all(|d| (1000.0..=1200.0).contains(d)),
        "{delays:?}"
    );
    let min = delays.iter().cloned().fold(f64::MAX, f64::min);
    let max = delays.iter().cloned().fold(0.0, f64::max);
    assert!(
        min < 1050.0 && max > 1150.0,
        "jitter should spread: {min}..{max}"
    );
    assert!(!h.c.is_closed());
}

#[test]
fn per_server_attempt_limit_then_closed() {
    let mut h = H::connected(Options {
        max_reconnect_attempts: 2,
        reconnect_time_wait_ms: 100.0,
        reconnect_jitter_ms: 10.0,
        ..opts(&["ws://a:1", "ws://b:1"])
    });
    h.now = Mono(10_000.0);
    h.c.on_closed(h.now);
    let mut count = std::collections::BTreeMap::<String, u32>::new();
    let mut ev = h.events();
    for _ in 0..100 {
        if let Some(err) = closed_error(&ev) {
            assert_eq!(err.unwrap().code, ErrorCode::ConnectionClosed);
            break;
        }
        for u in opens(&ev) {
            *count.entry(u).or_default() += 1;
        }
        if h.c.phase() == Phase::Waiting {
            h.fire();
        } else {
            h.c.on_closed(h.now);
        }
        ev = h.events();
    }
    assert!(h.c.is_closed());
    assert_eq!(count.get("ws://a:1"), Some(&2));
    assert_eq!(count.get("ws://b:1"), Some(&2));
}

#[test]
fn successful_reconnect_resets_failure_count() {
    let mut h = H::connected(Options {
        max_reconnect_attempts: 2,
        reconnect_time_wait_ms: 100.0,
        reconnect_jitter_ms: 0.0,
        ..opts(&["ws://a:1"])
    });
    for round in 0..3 {
        h.now = h.now.plus(10_000.0);
        h.c.on_closed(h.now); // lost
        h.events();
        h.c.on_closed(h.now); // first attempt refused
        h.events();
        h.fire(); // second attempt
        h.events();
        h.handshake(INFO);
        assert!(h.c.is_connected(), "round {round}");
        h.events();
    }
}

#[test]
fn reconnect_disabled_closes_on_loss() {
    let mut h = H::connected(Options {
        reconnect: false,
        ..opts(&["ws://a:1"])
    });
    h.c.on_closed(Mono(5.0));
    let ev = h.events();
    assert_eq!(statuses(&ev), ["disconnect", "close"]);
    assert!(opens(&ev).is_empty());
    assert_eq!(
        closed_error(&ev).unwrap().unwrap().code,
        ErrorCode::ConnectionClosed
    );
}

#[test]
fn pending_flush_rejected_on_disconnect_and_requests_keep_their_timeouts() {
    let mut h = H::connected(opts(&["ws://a:1"]));
    h.now = Mono(10_000.0);
    let f = h.c.flush(h.now).unwrap();
    let r = h.c.request("svc", b"", None, 5000.0, h.now).unwrap();
    h.out();
    h.now = Mono(11_000.0);
    h.c.on_closed(h.now);
    let ev = h.events();
    match &ev[0] {
        Event::Flushed { id, result: Err(e) } => {
            assert_eq!(*id, f);
            assert_eq!(e.code, ErrorCode::ConnectionClosed);
        }
        e => panic!("{e:?}"),
    }
    assert_eq!(h.c.pending_requests(), 1);
    // A flush while disconnected is sent after the next connect.
    let f2 = h.c.flush(h.now).unwrap();
    h.handshake(INFO);
    let out = h.out();
    assert!(
        out.starts_with("SUB _INBOX.") && out.ends_with("PING\r\n"),
        "{out}"
    );
    h.now = Mono(11_100.0);
    h.feed("PONG\r\n");
    let ev = h.events();
    assert!(
        ev.contains(&Event::Flushed {
            id: f2,
            result: Ok(100.0)
        }),
        "{ev:?}"
    );
    h.advance(3899.0);
    assert!(h.events().is_empty());
    h.advance(1.0);
    match h.events().as_slice() {
        [Event::Reply { id, result: Err(e) }] => assert_eq!((*id, e.code), (r, ErrorCode::Timeout)),
        e => panic!("{e:?}"),
    }
}

#[test]
fn two_auth_errors_during_reconnect_stop_it() {
    let mut h = H::connected(Options {
        reconnect_time_wait_ms: 100.0,
        reconnect_jitter_ms: 0.0,
        max_reconnect_attempts: -1,
        ..opts(&["ws://a:1"])
    });
    h.now = Mono(10_000.0);
    h.c.on_closed(h.now);
    h.events();
    h.c.on_open(h.now);
    h.feed(INFO);
    h.feed("-ERR 'Authorization Violation'\r\n");
    let ev = h.events();
    assert!(closed_error(&ev).is_none(), "one auth error: keep trying");
    assert!(ev.contains(&Event::CloseTransport));
    assert!(ev.iter().any(|e| matches!(e, Event::Status(Status::Error(e)) if e.code == ErrorCode::AuthorizationViolation)));
    h.fire();
    assert_eq!(opens(&h.events()).len(), 1);
    h.c.on_open(h.now);
    h.feed(INFO);
    h.feed("-ERR 'Authorization Violation'\r\n");
    let ev = h.events();
    let err = closed_error(&ev).unwrap().unwrap();
    assert_eq!(err.code, ErrorCode::AuthorizationViolation);
    assert!(h.c.is_closed());
}

#[test]
fn auth_error_streak_is_reset_by_a_successful_connect() {
    let mut h = H::connected(Options {
        reconnect_time_wait_ms: 100.0,
        reconnect_jitter_ms: 0.0,
        ..opts(&["ws://a:1"])
    });
    for _ in 0..3 {
        h.now = h.now.plus(10_000.0);
        h.c.on_closed(h.now);
        h.c.on_open(h.now);
        h.feed(INFO);
        h.feed("-ERR 'User Authentication Expired'\r\n");
        h.fire();
        h.handshake(INFO);
        assert!(h.c.is_connected());
        h.events();
    }
}

#[test]
fn auth_expiry_while_connected_counts_toward_the_streak() {
    let mut h = H::connected(Options {
        reconnect_time_wait_ms: 100.0,
        ..opts(&["ws://a:1"])
    });
    h.now = Mono(10_000.0);
    h.feed("-ERR 'User Authentication Expired'\r\n");
    let ev = h.events();
    assert_eq!(statuses(&ev), ["error", "disconnect", "reconnecting"]);
    h.c.on_open(h.now);
    h.feed(INFO);
    h.feed("-ERR 'User Authentication Expired'\r\n");
    assert_eq!(
        closed_error(&h.events()).unwrap().unwrap().code,
        ErrorCode::AuthenticationExpired
    );
}

// ---------------------------------------------------------------------------------------------------
// -ERR
// ---------------------------------------------------------------------------------------------------

#[test]
fn permissions_violation_for_a_subscription() {
    let mut h = H::connected(opts(&["ws://a:1"]));
    let a = h.c.subscribe("secret.>", None, None).unwrap();
    let b = h.c.subscribe("public", None, None).unwrap();
    h.out();
    h.feed("-ERR 'Permissions Violation for Subscription to \"secret.>\"'\r\n");
    let ev = h.events();
    match ev.as_slice() {
        [Event::SubClosed {
            sid,
            error: Some(e),
        }] => {
            assert_eq!(*sid, a);
            assert_eq!(e.code, ErrorCode::PermissionsViolation);
        }
        e => panic!("{e:?}"),
    }
    assert!(h.c.is_connected());
    assert!(h.c.subscription(b).is_some());
    assert!(h.c.subscription(a).is_none());
    // No matching subscription: a status error.
    h.feed("-ERR 'Permissions Violation for Subscription to \"other\"'\r\n");
    assert_eq!(statuses(&h.events()), ["error"]);
}

#[test]
fn permissions_violation_for_a_request_publish() {
    let mut h = H::connected(opts(&["ws://a:1"]));
    let bad =
        h.c.request("forbidden.svc", b"", None, 1000.0, Mono(0.0))
            .unwrap();
    let good = h.c.request("ok.svc", b"", None, 1000.0, Mono(0.0)).unwrap();
    h.out();
    h.feed("-ERR 'Permissions Violation for Publish to \"forbidden.svc\"'\r\n");
    match h.events().as_slice() {
        [Event::Reply { id, result: Err(e) }] => {
            assert_eq!((*id, e.code), (bad, ErrorCode::PermissionsViolation));
        }
        e => panic!("{e:?}"),
    }
    assert!(h.c.is_connected());
    assert_eq!(h.c.pending_requests(), 1);
    // Plain publish violation: status error.
    h.feed("-ERR 'Permissions Violation for Publish to \"x\"'\r\n");
    let ev = h.events();
    assert!(
        matches!(&ev[..], [Event::Status(Status::Error(e))] if e.code == ErrorCode::PermissionsViolation)
    );
    h.advance(1000.0);
    match h.events().as_slice() {
        [Event::Reply { id, result: Err(e) }] => {
            assert_eq!((*id, e.code), (good, ErrorCode::Timeout))
        }
        e => panic!("{e:?}"),
    }
}

#[test]
fn permissions_violation_for_the_mux_inbox_fails_requests() {
    let mut h = H::connected(opts(&["ws://a:1"]));
    let id = h.c.request("svc", b"", None, 1000.0, Mono(0.0)).unwrap();
    let out = h.out();
    let sub = out.lines().next().unwrap();
    let subj = sub.split(' ').nth(1).unwrap();
    h.feed(&format!(
        "-ERR 'Permissions Violation for Subscription to \"{subj}\"'\r\n"
    ));
    match h.events().as_slice() {
        [Event::Reply {
            id: got,
            result: Err(e),
        }] => assert_eq!((*got, e.code), (id, ErrorCode::PermissionsViolation)),
        e => panic!("{e:?}"),
    }
    // The next request subscribes a fresh mux.
    h.c.request("svc", b"", None, 1000.0, Mono(0.0)).unwrap();
    let out2 = h.out();
    assert!(out2.starts_with("SUB _INBOX.") && !out2.contains(subj));
}

#[test]
fn stale_connection_err_reconnects_and_other_err_is_status() {
    let mut h = H::connected(opts(&["ws://a:1"]));
    h.feed("-ERR 'Unknown Protocol Operation'\r\n");
    let ev = h.events();
    assert!(
        matches!(&ev[..], [Event::Status(Status::Error(e))] if e.code == ErrorCode::ProtocolError)
    );
    assert!(h.c.is_connected());
    h.now = Mono(10_000.0);
    h.feed("-ERR 'Stale Connection'\r\n");
    let ev = h.events();
    assert_eq!(
        statuses(&ev),
        ["staleConnection", "disconnect", "reconnecting"]
    );
    assert!(ev.contains(&Event::CloseTransport));
    assert_eq!(opens(&ev).len(), 1);
}

#[test]
fn decoder_error_closes_and_reconnects() {
    let mut h = H::connected(opts(&["ws://a:1"]));
    h.now = Mono(10_000.0);
    h.feed("BOGUS op\r\nPING\r\n");
    let ev = h.events();
    assert!(
        matches!(&ev[0], Event::Status(Status::Error(e)) if e.code == ErrorCode::ProtocolError)
    );
    assert_eq!(ev[1], Event::CloseTransport);
    assert_eq!(statuses(&ev), ["error", "disconnect", "reconnecting"]);
    assert_eq!(h.out(), "", "nothing answered on the dead transport");
    // The new transport starts clean.
    h.handshake(INFO);
    assert!(h.c.is_connected());
}

// ---------------------------------------------------------------------------------------------------
// Cluster updates
// ---------------------------------------------------------------------------------------------------

#[test]
fn connect_urls_merge_and_ldm() {
    let mut h = H::connected(opts(&["wss://a:443"]));
    h.feed("INFO {\"connect_urls\":[\"a:443\",\"b:443\",\"c:443\"]}\r\n");
    let ev = h.events();
    assert_eq!(
        ev,
        vec![Event::Status(Status::Update {
            added: vec!["wss://b:443".into(), "wss://c:443".into()],
            deleted: vec![]
        })]
    );
    assert_eq!(h.c.servers(), ["wss://a:443", "wss://b:443", "wss://c:443"]);
    // Same list again: no update.
    h.feed("INFO {\"connect_urls\":[\"a:443\",\"b:443\",\"c:443\"]}\r\n");
    assert!(h.events().is_empty());
    h.feed("INFO {\"connect_urls\":[\"a:443\",\"b:443\"],\"ldm\":true}\r\n");
    let ev = h.events();
    assert_eq!(
        ev,
        vec![
            Event::Status(Status::Update {
                added: vec![],
                deleted: vec!["wss://c:443".into()]
            }),
            Event::Status(Status::Ldm {
                server: "wss://a:443".into()
            }),
        ]
    );
    // The lame-duck server is avoided on reconnect.
    h.now = Mono(10_000.0);
    h.c.on_closed(h.now);
    assert_eq!(opens(&h.events()), ["wss://b:443"]);
}

#[test]
fn ignore_cluster_updates() {
    let mut h = H::connected(Options {
        ignore_cluster_updates: true,
        ..opts(&["ws://a:1"])
    });
    h.feed("INFO {\"connect_urls\":[\"b:1\"]}\r\n");
    assert!(h.events().is_empty());
    assert_eq!(h.c.servers(), ["ws://a:1"]);
}

// ---------------------------------------------------------------------------------------------------
// Drain and close
// ---------------------------------------------------------------------------------------------------

#[test]
fn drain_unsubscribes_delivers_in_flight_then_closes() {
    let mut h = H::connected(opts(&["ws://a:1"]));
    let a = h.c.subscribe("a", None, None).unwrap();
    let b = h.c.subscribe("b", None, None).unwrap();
    h.c.publish("p", None, None, b"x").unwrap();
    h.out();
    h.c.drain(h.now).unwrap();
    assert!(h.c.is_draining());
    assert_eq!(h.out(), format!("UNSUB {a}\r\nUNSUB {b}\r\nPING\r\n"));
    assert_eq!(
        h.c.publish("p", None, None, b"").unwrap_err().code,
        ErrorCode::Draining
    );
    assert_eq!(
        h.c.subscribe("s", None, None).unwrap_err().code,
        ErrorCode::Draining
    );
    assert_eq!(
        h.c.request("s", b"", None, 10.0, h.now).unwrap_err().code,
        ErrorCode::Draining
    );
    assert_eq!(h.c.drain(h.now).unwrap_err().code, ErrorCode::Draining);
    h.feed(&format!("MSG a {a} 2\r\nin\r\n"));
    assert!(matches!(h.events().as_slice(), [Event::Msg { sid, .. }] if *sid == a));
    h.feed("PONG\r\n");
    let ev = h.events();
    assert_eq!(
        ev,
        vec![
            Event::SubClosed {
                sid: a,
                error: None
            },
            Event::SubClosed {
                sid: b,
                error: None
            },
            Event::CloseTransport,
            Event::Status(Status::Close),
            Event::Closed { error: None },
        ]
    );
    assert!(h.c.is_closed());
    assert_eq!(
        h.c.drain(h.now).unwrap_err().code,
        ErrorCode::ConnectionClosed
    );
}

#[test]
fn drain_times_out() {
    let mut h = H::connected(Options {
        drain_timeout_ms: 300.0,
        ..opts(&["ws://a:1"])
    });
    h.c.drain(Mono(0.0)).unwrap();
    h.advance(300.0);
    assert_eq!(
        closed_error(&h.events()).unwrap().unwrap().code,
        ErrorCode::Timeout
    );
}

#[test]
fn drain_subscription_waits_for_pong() {
    let mut h = H::connected(opts(&["ws://a:1"]));
    let a = h.c.subscribe("a", None, None).unwrap();
    h.out();
    assert_eq!(h.c.drain_subscription(a), Ok(true));
    assert_eq!(h.out(), format!("UNSUB {a}\r\nPING\r\n"));
    h.feed(&format!("MSG a {a} 0\r\n\r\n"));
    assert!(matches!(h.events().as_slice(), [Event::Msg { .. }]));
    h.feed("PONG\r\n");
    assert_eq!(
        h.events(),
        vec![Event::SubClosed {
            sid: a,
            error: None
        }]
    );
    assert_eq!(h.c.drain_subscription(a), Ok(false));
    assert!(h.c.is_connected());
}

#[test]
fn close_rejects_everything_once() {
    let mut h = H::connected(opts(&["ws://a:1"]));
    let s = h.c.subscribe("a", None, None).unwrap();
    let r = h.c.request("svc", b"", None, 1000.0, Mono(0.0)).unwrap();
    let f = h.c.flush(Mono(0.0)).unwrap();
    h.out();
    h.c.publish("last", None, None, b"words").unwrap();
    h.c.close(Mono(1.0));
    let ev = h.events();
    let closed = |e: &NatsError| e.code == ErrorCode::ConnectionClosed;
    assert!(matches!(&ev[0], Event::Reply { id, result: Err(e) } if *id == r && closed(e)));
    assert!(matches!(&ev[1], Event::Flushed { id, result: Err(e) } if *id == f && closed(e)));
    assert_eq!(
        ev[2..],
        [
            Event::SubClosed {
                sid: s,
                error: None
            },
            Event::CloseTransport,
            Event::Status(Status::Close),
            Event::Closed { error: None },
        ]
    );
    assert_eq!(
        h.out(),
        "PUB last 5\r\nwords\r\n",
        "bytes written before close are still sent"
    );
    assert!(h.c.is_closed());
    h.c.close(Mono(2.0));
    assert!(h.events().is_empty(), "a second close is harmless");
    assert_eq!(
        h.c.publish("x", None, None, b"").unwrap_err().code,
        ErrorCode::ConnectionClosed
    );
    assert_eq!(
        h.c.flush(Mono(3.0)).unwrap_err().code,
        ErrorCode::ConnectionClosed
    );
    assert_eq!(
        h.c.request("x", b"", None, 1.0, Mono(3.0))
            .unwrap_err()
            .code,
        ErrorCode::ConnectionClosed
    );
    assert_eq!(
        h.c.subscribe("x", None, None).unwrap_err().code,
        ErrorCode::ConnectionClosed
    );
    assert_eq!(h.c.poll_timeout(), None);
    h.feed("MSG a 1 0\r\n\r\n");
    h.c.on_closed(Mono(4.0));
    h.c.handle_timeout(Mono(1e12));
    assert!(h.events().is_empty());
    assert_eq!(h.out(), "");
}

#[test]
fn close_while_reconnecting() {
    let mut h = H::connected(opts(&["ws://a:1"]));
    h.now = Mono(1.0);
    h.c.on_closed(h.now);
    h.c.on_closed(h.now);
    h.events();
    assert_eq!(h.c.phase(), Phase::Waiting);
    h.c.close(h.now);
    let ev = h.events();
    assert!(
        !ev.contains(&Event::CloseTransport),
        "no transport to close"
    );
    assert_eq!(closed_error(&ev), Some(None));
}

// ---------------------------------------------------------------------------------------------------
// Robustness
// ---------------------------------------------------------------------------------------------------

#[test]
fn invalid_options_are_rejected() {
    let e = Connection::new(Options::default(), Mono(0.0), 0).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidArgument);
    assert!(Connection::new(Options::with_servers(["http://x"]), Mono(0.0), 0).is_err());
}

#[test]
fn randomized_pool_depends_on_seed() {
    let servers: Vec<String> = (0..8).map(|i| format!("ws://s{i}:1")).collect();
    let first: std::collections::BTreeSet<String> = (0..16u64)
        .map(|seed| {
            let mut c =
                Connection::new(Options::with_servers(servers.clone()), Mono(0.0), seed).unwrap();
            match c.poll_event() {
                Some(Event::Open { url }) => url,
                e => panic!("{e:?}"),
            }
        })
        .collect();
    assert!(
        first.len() > 1,
        "the first server should vary with the seed"
    );
}

#[test]
fn garbage_input_never_panics() {
    let mut rng = super::nuid::Prng::new(99);
    let pieces: [&[u8]; 13] = [
        INFO.as_bytes(),
        b"PONG\r\n",
        b"PING\r\n",
        b"MSG a 1 3\r\nabc\r\n",
        b"HMSG a 1 12 12\r\nNATS/1.0\r\n\r\n\r\n",
        b"-ERR 'Authorization Violation'\r\n",
        b"-ERR 'Permissions Violation for Subscription to \"a\"'\r\n",
        b"INFO {\"connect_urls\":[\"x:1\", 5, null],\"ldm\":true,\"max_payload\":-3}\r\n",
        b"INFO [1,2]\r\n",
        b"MSG a 1 99999999999999999999\r\n",
        b"\xff\xfe\r\n",
        b"+OK\r\n",
        "INFO {\"connect_urls\":[\"\u{e9}:1\",\"wss://\u{e9}\"]}\r\n".as_bytes(),
    ];
    for round in 0..200 {
        let mut h = H::new(Options {
            max_reconnect_attempts: -1,
            reconnect_jitter_ms: 5.0,
            ..opts(&["ws://a:1", "ws://b:1"])
        });
        let _ = h.c.subscribe("a", None, Some(2));
        for _ in 0..60 {
            match rng.below(10) {
                0 => h.c.on_open(h.now),
                1 => h.c.on_closed(h.now),
                2 => h.advance(rng.below(5000) as f64),
                3 => {
                    let _ = h.c.request("svc", b"x", None, 100.0, h.now);
                }
                4 => {
                    let _ = h.c.flush(h.now);
                }
                5 if round % 7 == 0 => {
                    let _ = h.c.drain(h.now);
                }
                _ => {
                    let p = pieces[rng.below(pieces.len() as u64) as usize];
                    let cut = rng.below(p.len() as u64 + 1) as usize;
                    h.c.on_bytes(&p[..cut], h.now);
                    h.c.on_bytes(&p[cut..], h.now);
                }
            }
            h.events();
            h.out();
        }
    }
}

#[test]
fn info_with_wrong_types_is_a_protocol_error() {
    for bad in [
        "INFO {\"max_payload\":\"huge\"}\r\n",
        "INFO {\"max_payload\":-3}\r\n",
        "INFO {\"max_payload\":0}\r\n",
        "INFO {\"max_payload\":1.5}\r\n",
        "INFO {\"max_payload\":67108865}\r\n",
        "INFO {\"max_payload\":9007199254740991}\r\n",
        "INFO {\"connect_urls\":[\"x:1\",5]}\r\n",
        "INFO {\"connect_urls\":\"x:1\"}\r\n",
        "INFO {\"headers\":\"yes\"}\r\n",
        "INFO {\"ldm\":1}\r\n",
        "INFO {\"nonce\":42}\r\n",
        "INFO {\"server_id\":null}\r\n",
        "INFO {\"proto\":\"1\"}\r\n",
        "INFO [1,2]\r\n",
        "INFO \"text\"\r\n",
    ] {
        let mut h = H::new(opts(&["ws://a:1"]));
        h.events();
        h.c.on_open(Mono(0.0));
        h.feed(bad);
        let ev = h.events();
        assert_eq!(ev[0], Event::CloseTransport, "{bad}");
        let e = closed_error(&ev).unwrap().unwrap();
        assert_eq!(e.code, ErrorCode::ProtocolError, "{bad}");
        assert!(h.out().is_empty(), "nothing sent after {bad}");
    }
    // The well-typed INFO of a real server is accepted.
    let mut h = H::new(opts(&["ws://a:1"]));
    h.events();
    h.c.on_open(Mono(0.0));
    h.feed("INFO {\"server_id\":\"S\",\"version\":\"2.11.0\",\"proto\":1,\"headers\":true,\"max_payload\":1048576,\"jetstream\":true,\"client_id\":5,\"port\":4222,\"host\":\"0.0.0.0\",\"connect_urls\":[\"a:1\"]}\r\n");
    assert!(h.out().starts_with("CONNECT "));
}

#[test]
fn poll_msg_takes_only_consecutive_messages_of_one_sid() {
    let mut h = H::connected(opts(&["ws://a"]));
    let a = h.c.subscribe("a", None, None).expect("sub a");
    let b = h.c.subscribe("b", None, None).expect("sub b");
    h.events();
    h.out();
    h.feed(&format!(
        "MSG a {a} 1\r\n1\r\nMSG a {a} 1\r\n2\r\nMSG b {b} 1\r\n3\r\nMSG a {a} 1\r\n4\r\n"
    ));
    let first = match h.c.poll_event() {
        Some(Event::Msg { sid, msg }) => (sid, msg.payload),
        other => panic!("{other:?}"),
    };
    assert_eq!(first, (a, b"1".to_vec()));
    assert_eq!(h.c.poll_msg(a).map(|m| m.payload), Some(b"2".to_vec()));
    // The next one is for `b`: not taken for `a`, and order is kept.
    assert!(h.c.poll_msg(a).is_none());
    assert_eq!(h.c.poll_msg(b).map(|m| m.payload), Some(b"3".to_vec()));
    assert_eq!(h.c.poll_msg(a).map(|m| m.payload), Some(b"4".to_vec()));
    assert!(h.c.poll_msg(a).is_none());
    assert!(h.c.poll_event().is_none());
}

#[test]
fn recycled_outbound_buffer_keeps_capacity_and_order() {
    let mut h = H::connected(opts(&["ws://a"]));
    h.events();
    h.out();
    h.c.publish("x", None, None, b"hello").expect("publish");
    assert!(h.c.outbound_len() > 0);
    let buf = h.c.take_outbound().expect("bytes");
    assert_eq!(h.c.outbound_len(), 0);
    let cap = buf.capacity();
    h.c.recycle_outbound(buf);
    h.c.publish("y", None, None, b"1").expect("publish");
    let buf = h.c.take_outbound().expect("bytes");
    assert_eq!(buf, b"PUB y 1\r\n1\r\n");
    assert_eq!(buf.capacity(), cap);
    // Bytes written before the buffer comes back are kept; the old buffer is dropped.
    h.c.publish("z", None, None, b"2").expect("publish");
    h.c.recycle_outbound(buf);
    assert_eq!(h.out(), "PUB z 1\r\n2\r\n");
}
