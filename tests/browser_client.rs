//! The web driver running the sans-IO connection in Chromium against the real nats-server.
#![cfg(target_arch = "wasm32")]

#[path = "browser/util.rs"]
mod util;

use std::rc::Rc;

use nats_kv_wasm::client::Connection as Conn;
use nats_kv_wasm::client::{Connection, Event, Options};
use nats_kv_wasm::error::ErrorCode;
use nats_kv_wasm::session::{Delivery, Link};
use nats_kv_wasm::time::Mono;
use nats_kv_wasm::web::clock::now_ms;
use nats_kv_wasm::web::driver::Driver;
use util::{ws_url, Mailbox};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn start(url: &str) -> (Rc<Driver>, Mailbox<Event>) {
    let conn = Connection::new(Options::with_servers([url]), now_ms(), 42).expect("options");
    let driver = Driver::new(conn, None);
    let events: Mailbox<Event> = Mailbox::default();
    let tx = events.clone();
    // Batches of messages are flattened back into one `Event::Msg` each, in order.
    driver.start(Rc::new(move |d| match d {
        Delivery::Event(e) => tx.push(e),
        Delivery::Msgs(sid, msgs) => msgs
            .into_iter()
            .for_each(|msg| tx.push(Event::Msg { sid, msg })),
    }));
    (driver, events)
}

/// Runs `f` on the driver's connection (the session layer's `Link::with`), returning its result.
fn with<R>(d: &Driver, f: impl FnOnce(&mut Conn, Mono) -> R) -> R {
    let mut f = Some(f);
    let mut out = None;
    d.with(&mut |c, now| out = f.take().map(|f| f(c, now)));
    out.expect("Link::with runs its function once")
}

async fn connected(url: &str) -> (Rc<Driver>, Mailbox<Event>) {
    let (d, ev) = start(url);
    match ev.recv(5000).await {
        Event::Connected { info_json } => assert!(info_json.contains("\"server_id\"")),
        other => panic!("expected Connected, got {other:?}"),
    }
    (d, ev)
}

#[wasm_bindgen_test]
async fn driver_connects_and_delivers_1000_messages_in_order() {
    let (d, ev) = connected(ws_url()).await;
    let sid = with(&d, |c, _| c.subscribe("drv.x", None, None)).unwrap();
    for i in 0..1000u32 {
        with(&d, |c, _| c.publish("drv.x", None, None, &i.to_be_bytes())).unwrap();
    }
    let mut next = 0u32;
    while next < 1000 {
        match ev.recv(5000).await {
            Event::Msg { sid: s, msg } => {
                assert_eq!(s, sid);
                assert_eq!(msg.payload, next.to_be_bytes());
                next += 1;
            }
            Event::Status(_) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    with(&d, |c, now| c.close(now));
}

#[wasm_bindgen_test]
async fn driver_request_reply_and_no_responders() {
    let (d, ev) = connected(ws_url()).await;
    let svc = with(&d, |c, _| c.subscribe("drv.svc", None, None)).unwrap();
    with(&d, |c, now| c.flush(now)).unwrap();
    let id = with(&d, |c, now| {
        c.request("drv.svc", b"ping", None, 2000.0, now)
    })
    .unwrap();
    let nobody = with(&d, |c, now| c.request("drv.nobody", b"", None, 2000.0, now)).unwrap();
    let (mut answered, mut refused) = (false, false);
    while !(answered && refused) {
        match ev.recv(5000).await {
            Event::Msg { sid, msg } if sid == svc => {
                let reply = msg.reply.expect("reply subject");
                with(&d, |c, _| c.publish(&reply, None, None, b"pong")).unwrap();
            }
            Event::Reply { id: rid, result } if rid == id => {
                assert_eq!(result.expect("reply").payload, b"pong");
                answered = true;
            }
            Event::Reply { id: rid, result } if rid == nobody => {
                assert_eq!(
                    result.expect_err("no responders").code,
                    ErrorCode::NoResponders
                );
                refused = true;
            }
            _ => {}
        }
    }
    with(&d, |c, now| c.close(now));
}

#[wasm_bindgen_test]
async fn driver_reports_connection_refused() {
    let (_d, ev) = start("ws://127.0.0.1:9");
    loop {
        match ev.recv(10000).await {
            Event::Closed { error } => {
                assert_eq!(error.expect("an error").code, ErrorCode::ConnectionRefused);
                break;
            }
            Event::Status(_) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
}
