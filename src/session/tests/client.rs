//! [`Client`](crate::session::Client) dispatch: replies, flushes, subscriptions, status listeners and
//! what pending callbacks get when the connection closes.

use std::cell::RefCell;
use std::rc::Rc;

use super::{failed, slot, take, waiting, Op, H};
use crate::client::Status;
use crate::error::ErrorCode;
use crate::proto::Msg;
use crate::session::{Done, SubEvent};

/// `client.request(subject, payload)` with a 1 s timeout.
fn request(h: &H, subject: &str, done: Done<Msg>) {
    h.client.request(subject, b"hi", None, 1000.0, done);
}

#[test]
fn a_request_gets_its_reply() {
    let mut h = H::connected();
    let (r, done) = slot();
    request(&h, "svc.echo", done);
    let req = h.one_pub();
    assert_eq!((req.subject(), req.payload()), ("svc.echo", "hi"));
    assert!(waiting(&r));
    h.respond(&req, "ho");
    assert_eq!(take(&r).unwrap().payload, b"ho");
}

#[test]
fn replies_find_their_requests_in_any_order() {
    let mut h = H::connected();
    let (r1, done) = slot();
    request(&h, "a", done);
    let (r2, done) = slot();
    request(&h, "b", done);
    let reqs = h.pubs();
    h.respond(&reqs[1], "to b");
    h.respond(&reqs[0], "to a");
    assert_eq!(take(&r1).unwrap().payload, b"to a");
    assert_eq!(take(&r2).unwrap().payload, b"to b");
}

#[test]
fn a_request_times_out_or_finds_no_responders() {
    let mut h = H::connected();
    let (r, done) = slot();
    request(&h, "slow", done);
    h.ops();
    h.advance(999.0);
    assert!(waiting(&r));
    h.advance(1.0);
    assert_eq!(failed(&r).code, ErrorCode::Timeout);

    let (r, done) = slot();
    request(&h, "nobody", done);
    let req = h.one_pub();
    h.respond_status(&req, "503");
    assert_eq!(failed(&r).code, ErrorCode::NoResponders);
}

#[test]
fn a_reply_callback_may_start_the_next_request() {
    let mut h = H::connected();
    let (r2, done2) = slot();
    let client = h.client.clone();
    let (r1, done1) = slot();
    request(
        &h,
        "first",
        Box::new(move |r| {
            done1(r);
            client.request("second", b"", None, 1000.0, done2);
        }),
    );
    let first = h.one_pub();
    h.respond(&first, "1");
    take(&r1).unwrap();
    let second = h.one_pub();
    assert_eq!(second.subject(), "second");
    h.respond(&second, "2");
    assert_eq!(take(&r2).unwrap().payload, b"2");
}

#[test]
fn flush_resolves_on_the_pong_with_the_round_trip() {
    let mut h = H::connected();
    let (r, done) = slot();
    h.client.flush(done);
    assert_eq!(h.ops(), [Op::Other("PING".into())]);
    h.advance(7.0);
    assert!(waiting(&r));
    h.feed("PONG\r\n");
    assert_eq!(take(&r).unwrap(), 7.0);
}

/// A subscription handler that records its events: the payloads of each delivery, then `closed`.
fn recording_handler() -> (Rc<RefCell<Vec<String>>>, crate::session::SubHandler) {
    let events: Rc<RefCell<Vec<String>>> = Rc::default();
    let e = events.clone();
    let handler = Box::new(move |ev: SubEvent| {
        e.borrow_mut().push(match ev {
            SubEvent::Msgs(ms) => {
                let payloads: Vec<String> = ms
                    .iter()
                    .map(|m| String::from_utf8_lossy(&m.payload).into_owned())
                    .collect();
                payloads.join(",")
            }
            SubEvent::Closed(None) => "closed".into(),
            SubEvent::Closed(Some(e)) => format!("closed:{:?}", e.code),
        })
    });
    (events, handler)
}

#[test]
fn a_subscription_gets_a_frame_at_a_time_then_closed_on_unsubscribe() {
    let mut h = H::connected();
    let (events, handler) = recording_handler();
    let sid = h.client.subscribe("foo.*", None, None, handler).unwrap();
    assert_eq!(
        h.ops(),
        [Op::Sub {
            subject: "foo.*".into(),
            queue: None,
            sid
        }]
    );
    let frame = [
        h.msg_bytes("foo.a", None, None, "1"),
        h.msg_bytes("foo.b", None, None, "2"),
    ]
    .concat();
    h.feed(&frame);
    h.deliver("foo.c", None, None, "3");
    h.client.unsubscribe(sid, None).unwrap();
    assert_eq!(h.ops(), [Op::Unsub { sid, max: None }]);
    assert_eq!(*events.borrow(), ["1,2", "3", "closed"]);
}

#[test]
fn a_subscription_with_a_maximum_closes_after_it() {
    let mut h = H::connected();
    let (events, handler) = recording_handler();
    let sid = h.client.subscribe("foo", None, Some(2), handler).unwrap();
    let sub = Op::Sub {
        subject: "foo".into(),
        queue: None,
        sid,
    };
    assert_eq!(h.ops(), [sub, Op::Unsub { sid, max: Some(2) }]);
    h.deliver("foo", None, None, "1");
    h.deliver("foo", None, None, "2");
    assert_eq!(*events.borrow(), ["1", "2", "closed"]);
}

#[test]
fn pending_requests_and_flushes_reject_with_connection_closed_when_it_closes() {
    let mut h = H::connected();
    let (req, done) = slot();
    request(&h, "svc", done);
    let (flush, done) = slot();
    h.client.flush(done);
    let (events, handler) = recording_handler();
    h.client.subscribe("foo", None, None, handler).unwrap();
    let (closed, done) = slot();
    h.client.close(done);
    take(&closed).unwrap();
    assert_eq!(failed(&req).code, ErrorCode::ConnectionClosed);
    assert_eq!(failed(&flush).code, ErrorCode::ConnectionClosed);
    assert_eq!(*events.borrow(), ["closed"]);
    // After the close: refused at once, not left waiting.
    let (late, done) = slot();
    request(&h, "svc", done);
    assert_eq!(failed(&late).code, ErrorCode::ConnectionClosed);
    assert!(h.client.publish("x", None, None, b"").is_err());
    let (end, done) = slot();
    h.client.closed(Box::new(move |e| done(Ok(e))));
    assert_eq!(take(&end).unwrap(), None, "closed cleanly");
    h.ops();
}

#[test]
fn status_listeners_see_the_disconnect_and_the_reconnect_until_removed() {
    let mut h = H::connected();
    let seen: Rc<RefCell<Vec<&'static str>>> = Rc::default();
    let s = seen.clone();
    let id = h.client.on_status(Rc::new(move |st: &Status| {
        s.borrow_mut().push(st.type_str())
    }));
    h.drop_connection();
    h.reconnect();
    assert!(!h.client.is_closed());
    let got = seen.borrow().clone();
    assert_eq!(got.first(), Some(&"disconnect"));
    assert_eq!(got.last(), Some(&"reconnect"));
    h.client.remove_status_listener(id);
    h.drop_connection();
    assert_eq!(*seen.borrow(), got, "removed: told nothing more");
}

#[test]
fn drain_subscription_calls_back_once_the_subscription_ended() {
    let mut h = H::connected();
    let (events, handler) = recording_handler();
    let sid = h.client.subscribe("foo", None, None, handler).unwrap();
    h.ops();
    let (drained, done) = slot();
    h.client.drain_subscription(sid, done);
    assert_eq!(
        h.ops(),
        [Op::Unsub { sid, max: None }, Op::Other("PING".into())]
    );
    // Messages already on their way still arrive.
    h.feed(&format!("MSG foo {sid} 4\r\nlate\r\n"));
    assert!(waiting(&drained));
    h.feed("PONG\r\n");
    take(&drained).unwrap();
    assert_eq!(*events.borrow(), ["late", "closed"]);
}

#[test]
fn callbacks_still_pending_when_the_connection_ends_reject_with_connection_closed() {
    // A driver that ends without the connection's own replies (e.g. a poisoned module).
    let mut h = H::connected();
    let (req, done) = slot();
    request(&h, "svc", done);
    let (flush, done) = slot();
    h.client.flush(done);
    h.ops();
    let end = crate::client::Event::Closed { error: None };
    h.client.deliver(crate::session::Delivery::Event(end));
    assert_eq!(failed(&req).code, ErrorCode::ConnectionClosed);
    assert_eq!(failed(&flush).code, ErrorCode::ConnectionClosed);
}

#[test]
fn connected_is_called_with_the_error_that_ended_the_handshake() {
    let (h, connected) = H::handshaking();
    h.feed("-ERR 'Authorization Violation'\r\n");
    let err = failed(&connected);
    assert_eq!(err.code, ErrorCode::AuthorizationViolation);
    let (end, done) = slot();
    h.client.closed(Box::new(move |e| done(Ok(e))));
    assert_eq!(
        take(&end).unwrap().map(|e| e.code),
        Some(ErrorCode::AuthorizationViolation)
    );
}
