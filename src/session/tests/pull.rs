//! Pull consumers through the session layer against the scripted server: `consumers.get`, a fetch
//! that completes and one that expires, `next()`, consume's re-pull, the re-pull after a reconnect,
//! a deleted consumer, `info`/`delete`, and the acks of a `JsMsg`.

use std::cell::RefCell;
use std::rc::Rc;

use super::server::{api_error, drain, ended_trace, js, unsubs, Trace};
use super::{failed, slot, take, waiting, Op, H};
use crate::error::ErrorCode;
use crate::jetstream::ack::{AckKind, AckState, JsMsg};
use crate::jetstream::pull::{Notification, PullArgs, PullItem};
use crate::proto::json::Json;
use crate::session::pull::{ack, ack_ack, Consumer, PullRun};
use crate::session::{RunEvent, RunSink};

const TS: u64 = 1_742_465_472_123_456_789;

fn info_json(deliver_subject: Option<&str>, ack_policy: &str) -> String {
    let deliver = deliver_subject
        .map(|d| format!(r#","deliver_subject":"{d}""#))
        .unwrap_or_default();
    format!(
        r#"{{"type":"io.nats.jetstream.api.v1.consumer_info_response","stream_name":"ORDERS","name":"review","created":"2025-03-20T10:11:12.5Z","config":{{"durable_name":"review","ack_policy":"{ack_policy}"{deliver}}},"delivered":{{"consumer_seq":0,"stream_seq":0}},"ack_floor":{{"consumer_seq":0,"stream_seq":0}},"num_ack_pending":0,"num_redelivered":0,"num_waiting":0,"num_pending":10,"ts":"2025-03-20T10:11:12.5Z"}}"#
    )
}

/// `js.consumers.get("ORDERS", "review")` answered with a pull consumer's info.
fn get(h: &mut H, ack_policy: &str) -> Consumer {
    let (r, done) = slot();
    js(h).pull_consumer("ORDERS".into(), "review".into(), done);
    let req = h.request_to("$JS.API.CONSUMER.INFO.ORDERS.review");
    h.respond(&req, &info_json(None, ack_policy));
    take(&r).unwrap()
}

/// Records a pull run's events: `started`, `m<seq>` per message, `s:<kind>` per status (pull
/// requests left out), `ended`/`ended:<code>`; the messages are kept too.
fn recorder() -> (Trace, Rc<RefCell<Vec<JsMsg>>>, RunSink<PullItem>) {
    let trace: Trace = Rc::default();
    let msgs: Rc<RefCell<Vec<JsMsg>>> = Rc::default();
    let (t, ms) = (trace.clone(), msgs.clone());
    let sink: RunSink<PullItem> = Box::new(move |ev| {
        let mut t = t.borrow_mut();
        match ev {
            RunEvent::Started => t.push("started".into()),
            RunEvent::Items(items) => {
                for i in items {
                    match i {
                        PullItem::Msg(m) => {
                            t.push(format!("m{}", m.info.stream_seq));
                            ms.borrow_mut().push(m);
                        }
                        PullItem::Status(Notification::Next { .. }) => {}
                        PullItem::Status(n) => {
                            let s = format!("{n:?}");
                            let kind = s.split([' ', '{']).next().unwrap_or("").to_owned();
                            t.push(format!("s:{kind}"));
                        }
                    }
                }
            }
            RunEvent::Initialized => t.push("initialized".into()),
            RunEvent::Ended(e) => t.push(ended_trace(e.as_ref())),
        }
    });
    (trace, msgs, sink)
}

/// The pull requests among `ops`: (reply inbox, body JSON).
fn pull_requests(ops: &[Op]) -> Vec<(String, Json)> {
    ops.iter()
        .filter(|o| o.subject() == "$JS.API.CONSUMER.MSG.NEXT.ORDERS.review")
        .map(|o| (o.reply().to_owned(), Json::parse(o.payload()).unwrap()))
        .collect()
}

fn batch(body: &Json) -> u64 {
    body.get("batch").and_then(Json::as_u64).unwrap()
}

impl H {
    /// The server delivers stream message `seq` to the pull `inbox`.
    fn pull_msg(&self, inbox: &str, seq: u64) -> String {
        let reply = format!("$JS.ACK.ORDERS.review.1.{seq}.{seq}.{TS}.0");
        self.msg_on(
            inbox,
            "ORDERS.created",
            Some(&reply),
            None,
            &format!("order {seq}"),
        )
    }
    /// A status on the pull `inbox`.
    fn pull_status(&self, inbox: &str, line: &str, extra: &str) -> String {
        let headers = format!("NATS/1.0 {line}\r\n{extra}\r\n");
        self.msg_on(inbox, inbox, None, Some(&headers), "")
    }
}

/// Starts a fetch or consume with `start`, returns the run, its trace and messages, and the one
/// pull request (inbox, body).
fn started(
    h: &mut H,
    start: impl FnOnce(RunSink<PullItem>) -> PullRun,
) -> (PullRun, Trace, Rc<RefCell<Vec<JsMsg>>>, String, Json) {
    let (trace, msgs, sink) = recorder();
    let run = start(sink);
    let ops = h.ops();
    assert!(
        matches!(&ops[0], Op::Sub { .. }),
        "the inbox is subscribed before the pull: {ops:?}"
    );
    let mut pulls = pull_requests(&ops);
    assert_eq!(pulls.len(), 1, "{ops:?}");
    let (inbox, body) = pulls.remove(0);
    assert_eq!(ops[0].subject(), inbox);
    (run, trace, msgs, inbox, body)
}

/// A fetch of `n` messages of `c`: the run, its messages, the inbox.
fn fetching(h: &mut H, c: &Consumer, n: u64) -> (PullRun, Rc<RefCell<Vec<JsMsg>>>, String) {
    let args = PullArgs {
        max_messages: Some(n as f64),
        ..PullArgs::default()
    };
    let (run, _, msgs, inbox, _) = started(h, |s| c.fetch(&args, s).unwrap());
    (run, msgs, inbox)
}

#[test]
fn get_checks_names_kind_and_existence() {
    let mut h = H::connected();
    let (r, done) = slot();
    js(&h).pull_consumer("ORDERS".into(), "bad.name".into(), done);
    assert_eq!(failed(&r).code, ErrorCode::InvalidArgument);
    assert!(h.ops().is_empty(), "nothing sent");
    let (r, done) = slot();
    js(&h).pull_consumer("ORDERS".into(), "review".into(), done);
    let req = h.request_to("$JS.API.CONSUMER.INFO.ORDERS.review");
    h.respond(&req, &info_json(Some("deliver.review"), "explicit"));
    assert_eq!(failed(&r).code, ErrorCode::WrongConsumerKind);
    let (r, done) = slot();
    js(&h).pull_consumer("ORDERS".into(), "review".into(), done);
    let req = h.request_to("$JS.API.CONSUMER.INFO.ORDERS.review");
    h.respond(&req, &api_error(404, 10014, "consumer not found"));
    assert_eq!(failed(&r).code, ErrorCode::ConsumerNotFound);
    let c = get(&mut h, "explicit");
    assert_eq!(
        (c.stream(), c.name(), c.no_ack()),
        ("ORDERS", "review", false)
    );
}

#[test]
fn a_fetch_that_completes_ends_without_waiting_for_expires() {
    let mut h = H::connected();
    let c = get(&mut h, "explicit");
    let args = PullArgs {
        max_messages: Some(3.0),
        ..PullArgs::default()
    };
    let (_run, trace, _, inbox, body) = started(&mut h, |s| c.fetch(&args, s).unwrap());
    assert_eq!(batch(&body), 3);
    assert_eq!(drain(&trace), ["started"], "fetch() resolves at once");
    let frame = [1, 2, 3].map(|i| h.pull_msg(&inbox, i)).concat();
    h.feed(&frame);
    assert_eq!(drain(&trace), ["m1", "m2", "m3", "ended"]);
    let sid = h.sid_for(&inbox);
    assert_eq!(unsubs(&h.ops()), [sid]);
}

#[test]
fn a_fetch_that_expires_ends_with_what_came() {
    let mut h = H::connected();
    let c = get(&mut h, "explicit");
    let args = PullArgs {
        max_messages: Some(10.0),
        expires: Some(5000.0),
        ..PullArgs::default()
    };
    let (_run, trace, _, inbox, _) = started(&mut h, |s| c.fetch(&args, s).unwrap());
    h.feed(&h.pull_msg(&inbox, 1));
    h.advance(2000.0);
    h.feed(&h.pull_status(&inbox, "100 Idle Heartbeat", ""));
    h.advance(3000.0);
    assert_eq!(drain(&trace), ["started", "m1", "s:Heartbeat"]);
    h.feed(&h.pull_status(
        &inbox,
        "408 Request Timeout",
        "Nats-Pending-Messages: 9\r\nNats-Pending-Bytes: 0\r\n",
    ));
    assert_eq!(drain(&trace), ["s:Discard", "ended"]);
    assert_eq!(unsubs(&h.ops()).len(), 1);

    // Without the server's 408 (it went away), the fetch still ends soon after its expires.
    let (_run, trace, _, _, _) = started(&mut h, |s| c.fetch(&args, s).unwrap());
    h.drop_connection();
    h.advance(5999.0);
    assert_eq!(drain(&trace), ["started"]);
    h.advance(2.0);
    assert_eq!(drain(&trace), ["ended"]);
}

#[test]
fn next_resolves_the_message_or_null() {
    let mut h = H::connected();
    let c = get(&mut h, "explicit");
    let (r, done) = slot();
    c.next(Some(1000.0), done);
    let ops = h.ops();
    let (inbox, body) = pull_requests(&ops).remove(0);
    assert_eq!(
        body.to_json_string(),
        r#"{"batch":1,"expires":1000000000,"idle_heartbeat":500000000}"#
    );
    h.feed(&h.pull_msg(&inbox, 7));
    assert_eq!(take(&r).unwrap().map(|m| m.info.stream_seq), Some(7));
    let (r, done) = slot();
    c.next(None, done);
    let (inbox, _) = pull_requests(&h.ops()).remove(0);
    h.feed(&h.pull_status(
        &inbox,
        "408 Request Timeout",
        "Nats-Pending-Messages: 1\r\n",
    ));
    assert_eq!(take(&r).unwrap(), None);
    assert_eq!(unsubs(&h.ops()).len(), 1, "the inbox is dropped");
    let (r, done) = slot();
    c.next(Some(10.0), done);
    assert_eq!(failed(&r).code, ErrorCode::InvalidArgument);
    assert!(h.ops().is_empty());
    let (r, done) = slot();
    c.next(None, done);
    let (inbox, _) = pull_requests(&h.ops()).remove(0);
    h.feed(&h.pull_status(&inbox, "409 Consumer Deleted", ""));
    assert_eq!(failed(&r).code, ErrorCode::ConsumerDeleted);
}

#[test]
fn consume_pulls_again_when_half_the_window_is_taken() {
    let mut h = H::connected();
    let c = get(&mut h, "explicit");
    let args = PullArgs {
        max_messages: Some(4.0),
        buffered: true,
        ..PullArgs::default()
    };
    let (run, trace, _, inbox, body) = started(&mut h, |s| c.consume(&args, s).unwrap());
    assert_eq!(batch(&body), 4);
    h.feed(&[1, 2, 3, 4].map(|i| h.pull_msg(&inbox, i)).concat());
    assert_eq!(drain(&trace), ["started", "m1", "m2", "m3", "m4"]);
    assert!(pull_requests(&h.ops()).is_empty(), "nothing taken: no pull");
    run.handed_out(1);
    assert!(pull_requests(&h.ops()).is_empty(), "3 held");
    run.handed_out(1);
    let pulls = pull_requests(&h.ops());
    assert_eq!(pulls.len(), 1);
    assert_eq!(
        (pulls[0].0.as_str(), batch(&pulls[0].1)),
        (inbox.as_str(), 2)
    );
    assert_eq!(run.with_machine(|m| (m.received(), m.processed())), (4, 2));
    let sid = h.sid_for(&inbox);
    run.stop();
    assert_eq!(drain(&trace), ["ended"]);
    assert_eq!(unsubs(&h.ops()), [sid]);
}

#[test]
fn consume_pulls_again_after_a_reconnect() {
    let mut h = H::connected();
    let c = get(&mut h, "explicit");
    let args = PullArgs {
        max_messages: Some(10.0),
        ..PullArgs::default()
    };
    let (_run, trace, _, inbox, _) = started(&mut h, |s| c.consume(&args, s).unwrap());
    h.feed(&h.pull_msg(&inbox, 1));
    h.drop_connection();
    h.ops();
    h.reconnect();
    let ops = h.ops();
    let pulls = pull_requests(&ops);
    assert_eq!(pulls.len(), 1, "{ops:?}");
    assert_eq!(
        (pulls[0].0.as_str(), batch(&pulls[0].1)),
        (inbox.as_str(), 10)
    );
    let resub = ops
        .iter()
        .position(|o| matches!(o, Op::Sub { subject, .. } if *subject == inbox));
    let pull = ops.iter().position(|o| o.subject().contains("MSG.NEXT"));
    assert!(
        resub < pull,
        "the inbox is re-subscribed before the pull: {ops:?}"
    );
    h.feed(&h.pull_msg(&inbox, 2));
    assert_eq!(drain(&trace), ["started", "m1", "m2"]);
}

#[test]
fn consume_survives_a_deleted_consumer_and_goes_on_once_it_is_back() {
    let mut h = H::connected();
    let c = get(&mut h, "explicit");
    let args = PullArgs {
        max_messages: Some(10.0),
        expires: Some(5000.0),
        ..PullArgs::default()
    };
    let (_run, trace, _, inbox, _) = started(&mut h, |s| c.consume(&args, s).unwrap());
    h.feed(&h.pull_status(&inbox, "409 Consumer Deleted", ""));
    assert_eq!(drain(&trace), ["started", "s:ConsumerDeleted"]);
    h.advance(4999.0);
    assert!(h.ops().is_empty());
    h.advance(1.0);
    let req = h.request_to("$JS.API.CONSUMER.INFO.ORDERS.review");
    h.respond(&req, &api_error(404, 10014, "consumer not found"));
    assert_eq!(drain(&trace), ["s:ConsumerNotFound"]);
    h.advance(5000.0);
    let req = h.request_to("$JS.API.CONSUMER.INFO.ORDERS.review");
    h.respond(&req, &info_json(None, "explicit"));
    let pulls = pull_requests(&h.ops());
    assert_eq!(batch(&pulls[0].1), 10);
    h.feed(&h.pull_msg(&inbox, 1));
    assert_eq!(drain(&trace), ["m1"]);

    // With abort_on_missing_resource, the end.
    let args = PullArgs {
        abort_on_missing_resource: true,
        ..args
    };
    let (_run, trace, _, inbox, _) = started(&mut h, |s| c.consume(&args, s).unwrap());
    h.feed(&h.pull_status(&inbox, "409 Consumer Deleted", ""));
    assert_eq!(
        drain(&trace),
        ["started", "s:ConsumerDeleted", "ended:ConsumerDeleted"]
    );
}

#[test]
fn info_and_delete() {
    let mut h = H::connected();
    let c = get(&mut h, "none");
    assert!(c.no_ack());
    let (r, done) = slot();
    c.info(true, done);
    assert!(h.ops().is_empty(), "cached");
    assert_eq!(
        take(&r).unwrap().get("num_pending").and_then(Json::as_u64),
        Some(10)
    );
    let (r, done) = slot();
    c.info(false, done);
    let req = h.request_to("$JS.API.CONSUMER.INFO.ORDERS.review");
    h.respond(&req, &info_json(None, "explicit"));
    assert!(take(&r).is_ok());
    assert!(!c.no_ack(), "the fresh info is cached");
    let (r, done) = slot();
    c.delete(done);
    let req = h.request_to("$JS.API.CONSUMER.DELETE.ORDERS.review");
    h.respond(&req, r#"{"success":true}"#);
    assert!(take(&r).unwrap());
}

#[test]
fn acks_follow_the_final_ack_rule_and_ack_ack_confirms() {
    let mut h = H::connected();
    let c = get(&mut h, "explicit");
    let (_run, msgs, inbox) = fetching(&mut h, &c, 2);
    h.feed(&[1, 2].map(|i| h.pull_msg(&inbox, i)).concat());
    h.ops();
    let m = msgs.borrow()[0].clone();
    let subject = m.ack_subject().to_owned();
    let s = ack(&h.client, &subject, m.ack_state(), &AckKind::Working).unwrap();
    let s = ack(&h.client, &subject, s, &AckKind::Nak(Some(2000))).unwrap();
    let s = ack(&h.client, &subject, s, &AckKind::Ack).unwrap();
    let s = ack(&h.client, &subject, s, &AckKind::Term(Some("late".into()))).unwrap();
    let pubs = h.pubs();
    let sent: Vec<(&str, &str)> = pubs.iter().map(|p| (p.subject(), p.payload())).collect();
    assert_eq!(
        sent,
        [
            (subject.as_str(), "+WPI"),
            (subject.as_str(), r#"-NAK {"delay":2000000000}"#)
        ]
    );
    // ackAck after a final ack: false, nothing sent.
    let (r, done) = slot();
    assert_eq!(
        ack_ack(&h.client, &subject, s, 1000.0, done),
        AckState::Settled
    );
    assert!(!take(&r).unwrap());
    assert!(h.pubs().is_empty());
    // ackAck of an open message: a request, true once the server answers.
    let second = msgs.borrow()[1].clone();
    let (r, done) = slot();
    ack_ack(
        &h.client,
        second.ack_subject(),
        second.ack_state(),
        1000.0,
        done,
    );
    let req = h.one_pub();
    assert_eq!(
        (req.subject(), req.payload()),
        (second.ack_subject(), "+ACK")
    );
    assert!(waiting(&r));
    h.respond(&req, "");
    assert!(take(&r).unwrap());
    // Unconfirmed: TIMEOUT.
    let (r, done) = slot();
    ack_ack(
        &h.client,
        second.ack_subject(),
        AckState::Open,
        1000.0,
        done,
    );
    h.pubs();
    h.advance(1001.0);
    assert_eq!(failed(&r).code, ErrorCode::Timeout);
    // ack_policy none: nothing is sent, ackAck is false.
    let (r, done) = slot();
    ack_ack(&h.client, &subject, AckState::NoAck, 1000.0, done);
    assert!(!take(&r).unwrap());
    assert_eq!(
        ack(&h.client, &subject, AckState::NoAck, &AckKind::Ack).unwrap(),
        AckState::NoAck
    );
    assert!(h.pubs().is_empty());
    // After close(): CONNECTION_CLOSED.
    h.client.close(Box::new(|_| {}));
    let e = ack(&h.client, &subject, AckState::Open, &AckKind::Ack).unwrap_err();
    assert_eq!(e.code, ErrorCode::ConnectionClosed);
}

#[test]
fn a_js_msg_packs_into_its_batch_row_with_the_exact_timestamp() {
    use crate::session::batch::{jsmsg, Batch, Kind, LAYOUT};
    let mut h = H::connected();
    let c = get(&mut h, "none");
    let (_run, msgs, inbox) = fetching(&mut h, &c, 1);
    let headers = "NATS/1.0\r\nTrace-Id: t1\r\n\r\n";
    let reply = format!("$JS.ACK.hub.HASH.ORDERS.review.2.41.5.{TS}.3.r");
    h.feed(&h.msg_on(
        &inbox,
        "ORDERS.created",
        Some(&reply),
        Some(headers),
        "body",
    ));
    let m = msgs.borrow()[0].clone();
    let mut b = Batch::new(Kind::JsMsg);
    b.push_js_msg(&m);
    assert_eq!(b.len(), 1);
    assert_eq!(
        b.text,
        format!("ORDERS.created\n{reply}\nORDERS\nreview\nhub\nHASH\n\nTrace-Id\nt1")
    );
    let n = &b.nums;
    assert_eq!(n.len(), jsmsg::WIDTH);
    assert_eq!(
        (n[jsmsg::END], n[jsmsg::HEADER_PAIRS], n[jsmsg::CODE]),
        (4.0, 1.0, 0.0)
    );
    assert_eq!(
        (
            n[jsmsg::STREAM_SEQ],
            n[jsmsg::DELIVERY_SEQ],
            n[jsmsg::DELIVERED],
            n[jsmsg::PENDING]
        ),
        (41.0, 5.0, 2.0, 3.0)
    );
    let ts = ((n[jsmsg::TS_HI] as u64) << 32) | n[jsmsg::TS_LO] as u64;
    assert_eq!(ts, TS);
    assert_eq!(n[jsmsg::ACK_STATE], f64::from(AckState::NoAck as u8));
    assert_eq!(b.data, b"body");
    // The layout ends with the kind and its positions, distinct and below the width.
    let tail = &LAYOUT[LAYOUT.len() - 12..];
    assert_eq!(tail[0], Kind::JsMsg as u8);
    let mut positions = tail[1..11].to_vec();
    positions.sort_unstable();
    assert_eq!(positions, (0..jsmsg::WIDTH as u8).collect::<Vec<_>>());
    assert_eq!(tail[11], jsmsg::WIDTH as u8);
}

#[test]
fn a_fetch_started_while_reconnecting_pulls_once_after_the_reconnect() {
    let mut h = H::connected();
    let c = get(&mut h, "explicit");
    h.drop_connection();
    h.ops();
    let (trace, _, sink) = recorder();
    let _run = c
        .fetch(
            &PullArgs {
                max_messages: Some(5.0),
                ..PullArgs::default()
            },
            sink,
        )
        .unwrap();
    assert!(
        pull_requests(&h.ops()).is_empty(),
        "nothing written while down"
    );
    h.reconnect();
    let pulls = pull_requests(&h.ops());
    assert_eq!(
        pulls.len(),
        1,
        "one pull, not a buffered one plus the reconnect's"
    );
    assert_eq!(batch(&pulls[0].1), 5);
    h.feed(&h.pull_msg(&pulls[0].0, 1));
    assert_eq!(drain(&trace), ["started", "m1"]);
}
