//! Ordered consumers (`js.consumers.get(stream, opts)`) through the session layer against the
//! scripted server: the create request and its options, fetch/next/consume in stream order, the
//! re-create after a sequence gap, missed heartbeats and a reconnect (nothing lost, nothing twice),
//! one call at a time (`CONSUMER_BUSY`), each going on after the last delivered.

use super::pull::recorder;
use super::server::{api_error, drain, js, unsubs};
use super::{failed, slot, take, Op, H};
use crate::error::ErrorCode;
use crate::jetstream::consumer::OrderedArgs;
use crate::jetstream::pull::PullArgs;
use crate::proto::json::Json;
use crate::session::pull::Consumer;

const TS: u64 = 1_742_465_472_123_456_789;

fn created(name: &str, pending: u64) -> String {
    format!(
        r#"{{"type":"io.nats.jetstream.api.v1.consumer_create_response","stream_name":"ORDERS","name":"{name}","config":{{"name":"{name}","ack_policy":"none"}},"delivered":{{"consumer_seq":0,"stream_seq":0}},"num_pending":{pending}}}"#
    )
}

/// `get("ORDERS", {name_prefix: "oc", filter_subjects: "ORDERS.eu.>"})`: the create request's
/// config, answered.
fn get(h: &mut H) -> Consumer {
    let (r, done) = slot();
    let args = OrderedArgs {
        name_prefix: Some("oc".into()),
        filter_subjects: vec!["ORDERS.eu.>".into()],
        ..OrderedArgs::default()
    };
    js(h).ordered_consumer("ORDERS".into(), &args, done);
    let req = h.request_to("$JS.API.CONSUMER.CREATE.ORDERS.oc_1.ORDERS.eu.>");
    let body = Json::parse(req.payload()).unwrap();
    let cfg = body.get("config").unwrap();
    assert_eq!(
        cfg.to_json_string(),
        r#"{"name":"oc_1","deliver_policy":"all","ack_policy":"none","max_deliver":1,"filter_subject":"ORDERS.eu.>","replay_policy":"instant","inactive_threshold":300000000000,"headers_only":false,"num_replicas":1,"mem_storage":true}"#
    );
    h.respond(&req, &created("oc_1", 5));
    take(&r).unwrap()
}

impl H {
    /// Stream message `sseq`, the `dseq`th delivery of ordered consumer `name`, on `inbox`.
    fn ordered_msg(&self, inbox: &str, name: &str, sseq: u64, dseq: u64) -> String {
        let reply = format!("$JS.ACK.ORDERS.{name}.1.{sseq}.{dseq}.{TS}.0");
        self.msg_on(
            inbox,
            "ORDERS.eu.1",
            Some(&reply),
            None,
            &format!("o{sseq}"),
        )
    }
}

/// The pull requests among `ops` for consumer `name`: (inbox, batch).
fn pulls(ops: &[Op], name: &str) -> Vec<(String, u64)> {
    let subject = format!("$JS.API.CONSUMER.MSG.NEXT.ORDERS.{name}");
    ops.iter()
        .filter(|o| o.subject() == subject)
        .map(|o| {
            let body = Json::parse(o.payload()).unwrap();
            (
                o.reply().to_owned(),
                body.get("batch").and_then(Json::as_u64).unwrap(),
            )
        })
        .collect()
}

#[test]
fn options_are_checked_before_anything_is_sent() {
    let mut h = H::connected();
    let bad = [
        OrderedArgs {
            name_prefix: Some("a.b".into()),
            ..OrderedArgs::default()
        },
        OrderedArgs {
            filter_subjects: vec!["a b".into()],
            ..OrderedArgs::default()
        },
        OrderedArgs {
            deliver_policy: Some("sometimes".into()),
            ..OrderedArgs::default()
        },
        OrderedArgs {
            deliver_policy: Some("by_start_sequence".into()),
            ..OrderedArgs::default()
        },
        OrderedArgs {
            deliver_policy: Some("last".into()),
            opt_start_seq: Some(3.0),
            ..OrderedArgs::default()
        },
        OrderedArgs {
            opt_start_time: Some("yesterday".into()),
            ..OrderedArgs::default()
        },
        OrderedArgs {
            replay_policy: Some("fast".into()),
            ..OrderedArgs::default()
        },
        OrderedArgs {
            inactive_threshold: Some(-1.0),
            ..OrderedArgs::default()
        },
    ];
    for args in bad {
        let (r, done) = slot();
        js(&h).ordered_consumer("ORDERS".into(), &args, done);
        let code = failed(&r).code;
        assert!(
            matches!(code, ErrorCode::InvalidArgument | ErrorCode::InvalidSubject),
            "{args:?}: {code:?}"
        );
    }
    let (r, done) = slot();
    js(&h).ordered_consumer("OR DERS".into(), &OrderedArgs::default(), done);
    assert_eq!(failed(&r).code, ErrorCode::InvalidArgument);
    assert!(h.ops().is_empty(), "nothing sent");

    // Several filters, a start sequence: the legacy create subject, `by_start_sequence`.
    let (r, done) = slot();
    let args = OrderedArgs {
        filter_subjects: vec!["ORDERS.a".into(), "ORDERS.b".into()],
        opt_start_seq: Some(7.0),
        replay_policy: Some("original".into()),
        headers_only: true,
        inactive_threshold: Some(2000.0),
        ..OrderedArgs::default()
    };
    js(&h).ordered_consumer("ORDERS".into(), &args, done);
    let req = h.request_to("$JS.API.CONSUMER.CREATE.ORDERS");
    let body = Json::parse(req.payload()).unwrap();
    let cfg = body.get("config").unwrap();
    assert_eq!(
        cfg.get("deliver_policy").and_then(Json::as_str),
        Some("by_start_sequence")
    );
    assert_eq!(cfg.get("opt_start_seq").and_then(Json::as_u64), Some(7));
    assert_eq!(
        cfg.get("replay_policy").and_then(Json::as_str),
        Some("original")
    );
    assert_eq!(
        cfg.get("inactive_threshold").and_then(Json::as_u64),
        Some(2_000_000_000)
    );
    assert_eq!(cfg.get("headers_only").and_then(Json::as_bool), Some(true));
    assert!(cfg.get("deliver_subject").is_none() && cfg.get("flow_control").is_none());
    h.respond(&req, &api_error(404, 10059, "stream not found"));
    assert_eq!(failed(&r).code, ErrorCode::StreamNotFound);
}

#[test]
fn a_gap_recreates_after_the_last_delivered_and_the_fetch_gets_what_it_lacks() {
    let mut h = H::connected();
    let c = get(&mut h);
    assert!(c.no_ack() && c.is_ordered());
    let args = PullArgs {
        max_messages: Some(4.0),
        ..PullArgs::default()
    };
    let (trace, msgs, sink) = recorder();
    let _run = c.fetch(&args, sink).unwrap();
    let ops = h.ops();
    let (inbox, batch) = pulls(&ops, "oc_1").remove(0);
    assert_eq!(batch, 4);
    let sid = h.sid_for(&inbox);
    // Two in order, then consumer sequence 4: 3 was lost.
    h.feed(
        &[
            h.ordered_msg(&inbox, "oc_1", 10, 1),
            h.ordered_msg(&inbox, "oc_1", 12, 2),
            h.ordered_msg(&inbox, "oc_1", 15, 4),
            h.ordered_msg(&inbox, "oc_1", 16, 5),
        ]
        .concat(),
    );
    assert_eq!(drain(&trace), ["started", "m10", "m12", "s:Reset"]);
    let ops = h.ops();
    assert_eq!(unsubs(&ops), [sid]);
    let subjects: Vec<&str> = ops.iter().map(Op::subject).collect();
    assert!(
        subjects.contains(&"$JS.API.CONSUMER.DELETE.ORDERS.oc_1"),
        "{ops:?}"
    );
    let create = ops
        .iter()
        .find(|o| o.subject() == "$JS.API.CONSUMER.CREATE.ORDERS.oc_2.ORDERS.eu.>")
        .unwrap();
    let body = Json::parse(create.payload()).unwrap();
    let cfg = body.get("config").unwrap();
    assert_eq!(cfg.get("opt_start_seq").and_then(Json::as_u64), Some(13));
    let inbox2 = ops
        .iter()
        .find_map(|o| match o {
            Op::Sub { subject, .. } if *subject != inbox => Some(subject.clone()),
            _ => None,
        })
        .unwrap();
    h.respond(create, &created("oc_2", 3));
    assert_eq!(drain(&trace), ["s:Recreated"]);
    let (inbox_pulled, batch) = pulls(&h.ops(), "oc_2").remove(0);
    assert_eq!(
        (inbox_pulled.as_str(), batch),
        (inbox2.as_str(), 2),
        "what the fetch lacks"
    );
    // A late delivery of the old consumer is ignored.
    h.feed(&h.ordered_msg(&inbox2, "oc_1", 16, 5));
    h.feed(
        &[
            h.ordered_msg(&inbox2, "oc_2", 15, 1),
            h.ordered_msg(&inbox2, "oc_2", 16, 2),
        ]
        .concat(),
    );
    assert_eq!(drain(&trace), ["m15", "m16", "ended"]);
    let seqs: Vec<u64> = msgs.borrow().iter().map(|m| m.info.stream_seq).collect();
    assert_eq!(seqs, [10, 12, 15, 16]);
    assert_eq!(c.name(), "oc_2");
}

#[test]
fn one_call_at_a_time_each_going_on_after_the_last() {
    let mut h = H::connected();
    let c = get(&mut h);
    let args = PullArgs {
        max_messages: Some(2.0),
        ..PullArgs::default()
    };
    let (trace, _, sink) = recorder();
    let run = c.fetch(&args, sink).unwrap();
    let (inbox, _) = pulls(&h.ops(), "oc_1").remove(0);
    let (_, _, sink) = recorder();
    let busy = c.consume(&PullArgs::default(), sink).err().unwrap();
    assert_eq!(busy.code, ErrorCode::ConsumerBusy);
    let (r, done) = slot();
    c.next(None, done);
    assert_eq!(failed(&r).code, ErrorCode::ConsumerBusy);
    assert!(h.ops().is_empty());
    h.feed(
        &[
            h.ordered_msg(&inbox, "oc_1", 3, 1),
            h.ordered_msg(&inbox, "oc_1", 4, 2),
        ]
        .concat(),
    );
    assert_eq!(drain(&trace), ["started", "m3", "m4", "ended"]);
    assert!(run.is_ended());
    // next() goes on with the same consumer after consumer sequence 2.
    let (r, done) = slot();
    c.next(None, done);
    let (inbox, batch) = pulls(&h.ops(), "oc_1").remove(0);
    assert_eq!(batch, 1);
    h.feed(&h.ordered_msg(&inbox, "oc_1", 9, 3));
    assert_eq!(take(&r).unwrap().map(|m| m.info.stream_seq), Some(9));
}

#[test]
fn consume_recreates_after_missed_heartbeats_and_a_reconnect() {
    let mut h = H::connected();
    let c = get(&mut h);
    let args = PullArgs {
        max_messages: Some(10.0),
        expires: Some(2000.0),
        ..PullArgs::default()
    };
    let (trace, msgs, sink) = recorder();
    let _run = c.consume(&args, sink).unwrap();
    let (inbox, _) = pulls(&h.ops(), "oc_1").remove(0);
    h.feed(&h.ordered_msg(&inbox, "oc_1", 1, 1));
    assert_eq!(drain(&trace), ["started", "m1"]);
    // Heartbeats every 1 s: two missed.
    h.advance(2001.0);
    assert_eq!(drain(&trace), ["s:HeartbeatsMissed", "s:Reset"]);
    let ops = h.ops();
    assert_eq!(
        ops[1].subject(),
        "$JS.API.CONSUMER.DELETE.ORDERS.oc_1",
        "{ops:?}"
    );
    let create = ops
        .iter()
        .find(|o| o.subject() == "$JS.API.CONSUMER.CREATE.ORDERS.oc_2.ORDERS.eu.>")
        .unwrap()
        .clone();
    let cfg = Json::parse(create.payload()).unwrap();
    assert_eq!(
        cfg.get("config")
            .and_then(|c| c.get("opt_start_seq"))
            .and_then(Json::as_u64),
        Some(2)
    );
    h.respond(&create, &created("oc_2", 0));
    assert_eq!(drain(&trace), ["s:Recreated"]);
    let (inbox2, batch) = pulls(&h.ops(), "oc_2").remove(0);
    assert_eq!(batch, 10);
    h.feed(&h.ordered_msg(&inbox2, "oc_2", 2, 1));
    // The server restarts: a reconnect re-creates after stream sequence 2.
    h.drop_connection();
    h.reconnect();
    let ops = h.ops();
    let create = ops
        .iter()
        .find(|o| o.subject() == "$JS.API.CONSUMER.CREATE.ORDERS.oc_3.ORDERS.eu.>")
        .expect("re-created after the reconnect");
    let cfg = Json::parse(create.payload()).unwrap();
    assert_eq!(
        cfg.get("config")
            .and_then(|c| c.get("opt_start_seq"))
            .and_then(Json::as_u64),
        Some(3)
    );
    // A create answered by a restarting server's 503 is retried.
    h.respond_status(create, "503");
    h.advance(300.0);
    let create = h
        .ops()
        .into_iter()
        .find(|o| o.subject() == "$JS.API.CONSUMER.CREATE.ORDERS.oc_4.ORDERS.eu.>")
        .expect("retried");
    h.respond(&create, &created("oc_4", 1));
    let (inbox4, _) = pulls(&h.ops(), "oc_4").remove(0);
    h.feed(&h.ordered_msg(&inbox4, "oc_4", 3, 1));
    let seqs: Vec<u64> = msgs.borrow().iter().map(|m| m.info.stream_seq).collect();
    assert_eq!(seqs, [1, 2, 3], "in order, none twice");
    assert!(drain(&trace).contains(&"s:Recreated".to_owned()));
}

#[test]
fn a_call_after_one_stopped_with_pulls_outstanding_recreates_first() {
    let mut h = H::connected();
    let c = get(&mut h);
    let (trace, _, sink) = recorder();
    let run = c.consume(&PullArgs::default(), sink).unwrap();
    let (inbox, _) = pulls(&h.ops(), "oc_1").remove(0);
    h.feed(&h.ordered_msg(&inbox, "oc_1", 4, 1));
    run.stop();
    assert_eq!(drain(&trace), ["started", "m4", "ended"]);
    assert_eq!(unsubs(&h.ops()).len(), 1);
    // The server may have delivered more into the dropped inbox: next() starts a new consumer.
    let (r, done) = slot();
    c.next(Some(1000.0), done);
    let ops = h.ops();
    assert!(ops
        .iter()
        .any(|o| o.subject() == "$JS.API.CONSUMER.DELETE.ORDERS.oc_1"));
    let create = ops
        .iter()
        .find(|o| o.subject() == "$JS.API.CONSUMER.CREATE.ORDERS.oc_2.ORDERS.eu.>")
        .expect("re-created first");
    let body = Json::parse(create.payload()).unwrap();
    let start = body.get("config").and_then(|c| c.get("opt_start_seq"));
    assert_eq!(start.and_then(Json::as_u64), Some(5));
    assert!(pulls(&ops, "oc_1").is_empty(), "no pull before the create");
    // Its expires runs from its first pull, after the create.
    h.advance(600.0);
    h.respond(create, &created("oc_2", 1));
    let (inbox, batch) = pulls(&h.ops(), "oc_2").remove(0);
    assert_eq!(batch, 1);
    h.feed(&h.ordered_msg(&inbox, "oc_2", 5, 1));
    assert_eq!(take(&r).unwrap().map(|m| m.info.stream_seq), Some(5));
}
