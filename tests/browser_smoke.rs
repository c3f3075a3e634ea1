//! Browser smoke test: a WebSocket from wasm to the test nats-server, driven through the sans-IO
//! decoder and encoder: INFO → CONNECT + PING → PONG (and the second INFO of servers 2.10+).
#![cfg(target_arch = "wasm32")]

#[path = "browser/util.rs"]
mod util;

use nats_kv_wasm::proto::json::Json;
use nats_kv_wasm::proto::{encoder, Decoder, Headers, ServerOp};
use nats_kv_wasm::web::{TransportEvent, WsTransport};
use util::{ws_url, Mailbox};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

enum Ev {
    Open,
    Data(Vec<u8>),
    Closed(u16),
}

/// A raw protocol session over the web transport: bytes in → decoder → ops.
struct Session {
    ws: WsTransport,
    events: Mailbox<Ev>,
    decoder: Decoder,
}

impl Session {
    async fn open(url: &str) -> Session {
        let events: Mailbox<Ev> = Mailbox::default();
        let tx = events.clone();
        let ws = WsTransport::open(url, move |e| match e {
            TransportEvent::Open => tx.push(Ev::Open),
            TransportEvent::Data(b) => tx.push(Ev::Data(b.to_vec())),
            TransportEvent::Closed { code, .. } => tx.push(Ev::Closed(code)),
        })
        .expect("WebSocket::new");
        match events.recv(5000).await {
            Ev::Open => {}
            _ => panic!("expected the socket to open"),
        }
        Session {
            ws,
            events,
            decoder: Decoder::new(1024 * 1024),
        }
    }

    async fn next_op(&mut self) -> ServerOp {
        loop {
            if let Some(op) = self.decoder.next_op().expect("valid server bytes") {
                return op;
            }
            match self.events.recv(5000).await {
                Ev::Data(b) => self.decoder.push(&b),
                Ev::Closed(code) => panic!("socket closed ({code})"),
                Ev::Open => panic!("second open"),
            }
        }
    }

    fn send(&self, bytes: &[u8]) {
        self.ws.send(bytes).expect("send");
    }

    /// INFO → CONNECT + PING → PONG; returns the first INFO and whether a second INFO came.
    async fn handshake(&mut self) -> (Json, Option<Json>) {
        let info = match self.next_op().await {
            ServerOp::Info(text) => Json::parse(&text).expect("INFO is JSON"),
            _ => panic!("the first op must be INFO"),
        };
        let mut out = Vec::new();
        encoder::connect(
            &mut out,
            r#"{"verbose":false,"pedantic":false,"protocol":1,"headers":true,"no_responders":true,"lang":"nats-kv-wasm","version":"0.1.0"}"#,
        )
        .unwrap();
        encoder::ping(&mut out);
        self.send(&out);
        let mut second_info = None;
        let mut got_pong = false;
        while !got_pong || second_info.is_none() {
            match self.next_op().await {
                ServerOp::Pong => got_pong = true,
                ServerOp::Info(text) => {
                    second_info = Some(Json::parse(&text).expect("INFO is JSON"))
                }
                ServerOp::Err(e) => panic!("-ERR {e}"),
                _ => {}
            }
        }
        (info, second_info)
    }
}

#[wasm_bindgen_test]
async fn handshake_info_connect_ping_pong() {
    let mut s = Session::open(ws_url()).await;
    let (info, second) = s.handshake().await;
    let version = info.get("version").and_then(Json::as_str).expect("version");
    assert!(version.starts_with("2."), "server version {version}");
    assert_eq!(info.get("headers").and_then(Json::as_bool), Some(true));
    assert!(info.get("max_payload").and_then(Json::as_u64).unwrap_or(0) > 0);
    assert_eq!(info.get("jetstream").and_then(Json::as_bool), Some(true));
    let second = second.expect("second INFO after CONNECT");
    assert_eq!(
        second.get("connect_info").and_then(Json::as_bool),
        Some(true)
    );
}

#[wasm_bindgen_test]
async fn sub_then_hpub_echoes_headers_and_payload() {
    let mut s = Session::open(ws_url()).await;
    s.handshake().await;
    let mut out = Vec::new();
    encoder::subscribe(&mut out, "smoke.>", None, 7).unwrap();
    let mut hdrs = Headers::new();
    hdrs.append("X-Test", "one").unwrap();
    hdrs.append("X-Test", "two").unwrap();
    let payload = vec![0xABu8; 10_000]; // spans several 4 KB server frames
    encoder::publish(&mut out, "smoke.a", Some("reply.to"), Some(&hdrs), &payload).unwrap();
    encoder::ping(&mut out);
    s.send(&out);
    let msg = loop {
        match s.next_op().await {
            ServerOp::Msg(m) => break m,
            ServerOp::Pong => panic!("PONG before the message"),
            _ => {}
        }
    };
    assert_eq!(msg.subject, "smoke.a");
    assert_eq!(msg.sid, 7);
    assert_eq!(msg.reply.as_deref(), Some("reply.to"));
    assert_eq!(msg.payload, payload);
    let h = msg.headers.expect("headers");
    assert_eq!(h.values("X-Test"), vec!["one", "two"]);
}

#[wasm_bindgen_test]
async fn invalid_subject_is_rejected_before_sending() {
    let mut out = Vec::new();
    assert!(encoder::publish(&mut out, "a b", None, None, b"x").is_err());
    assert!(encoder::publish(&mut out, "a.\r\nPUB x 1", None, None, b"x").is_err());
    assert!(out.is_empty());
}
