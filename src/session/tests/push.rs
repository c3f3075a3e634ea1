//! Push consumers through the session layer against the scripted server: `getPushConsumer`, the
//! check before subscribing (kind, `push_bound`), the queue group, one consume per object, flow
//! control held while a `for await` lags, missed heartbeats, a deleted consumer, a reconnect.

use super::pull::recorder;
use super::server::{api_error, drain, js, unsubs};
use super::{failed, slot, take, Op, H};
use crate::error::ErrorCode;
use crate::jetstream::push::{PUSH_HIGH_WATER, PUSH_LOW_WATER};
use crate::session::pull::Consumer;

const TS: u64 = 1_742_465_472_123_456_789;

fn info(group: Option<&str>, bound: bool, extra: &str) -> String {
    let group = group
        .map(|g| format!(r#","deliver_group":"{g}""#))
        .unwrap_or_default();
    format!(
        r#"{{"stream_name":"TASKS","name":"workers","config":{{"durable_name":"workers","ack_policy":"explicit","deliver_subject":"deliver.workers"{group}{extra}}},"delivered":{{"consumer_seq":0,"stream_seq":0}},"num_pending":0,"push_bound":{bound}}}"#
    )
}

fn get(h: &mut H, group: Option<&str>) -> Consumer {
    let (r, done) = slot();
    js(h).push_consumer("TASKS".into(), "workers".into(), done);
    let req = h.request_to("$JS.API.CONSUMER.INFO.TASKS.workers");
    h.respond(&req, &info(group, false, ""));
    take(&r).unwrap()
}

impl H {
    fn task(&self, seq: u64) -> String {
        let reply = format!("$JS.ACK.TASKS.workers.1.{seq}.{seq}.{TS}.0");
        self.msg_on(
            "deliver.workers",
            "TASKS.work",
            Some(&reply),
            None,
            &format!("t{seq}"),
        )
    }
    fn status_on_deliver(&self, line: &str, reply: Option<&str>, extra: &str) -> String {
        let headers = format!("NATS/1.0 {line}\r\n{extra}\r\n");
        self.msg_on(
            "deliver.workers",
            "deliver.workers",
            reply,
            Some(&headers),
            "",
        )
    }
}

#[test]
fn get_checks_the_kind_and_consume_subscribes_in_the_deliver_group() {
    let mut h = H::connected();
    let (r, done) = slot();
    js(&h).push_consumer("TASKS".into(), "workers".into(), done);
    let req = h.request_to("$JS.API.CONSUMER.INFO.TASKS.workers");
    h.respond(
        &req,
        r#"{"stream_name":"TASKS","name":"workers","config":{"ack_policy":"explicit"}}"#,
    );
    assert_eq!(failed(&r).code, ErrorCode::WrongConsumerKind);
    let c = get(&mut h, Some("workers"));
    assert!(c.is_push());
    let (trace, msgs, sink) = recorder();
    let run = c.push_consume(false, false, sink).unwrap();
    let (_, _, sink2) = recorder();
    let busy = c.push_consume(false, false, sink2).err().unwrap();
    assert_eq!(busy.code, ErrorCode::ConsumerBusy, "one consume per object");
    let req = h.request_to("$JS.API.CONSUMER.INFO.TASKS.workers");
    assert_eq!(
        drain(&trace),
        Vec::<String>::new(),
        "not started before the check"
    );
    // Bound elsewhere, but with a group: pages share the work.
    h.respond(&req, &info(Some("workers"), true, ""));
    let ops = h.ops();
    assert!(
        matches!(&ops[..], [Op::Sub { subject, queue: Some(q), .. }] if subject == "deliver.workers" && q == "workers"),
        "{ops:?}"
    );
    h.feed(&[h.task(1), h.task(2)].concat());
    assert_eq!(drain(&trace), ["started", "m1", "m2"]);
    assert!(!msgs.borrow()[0].no_ack);
    let sid = h.sid_for("deliver.workers");
    run.stop();
    assert_eq!(unsubs(&h.ops()), [sid]);
    assert_eq!(drain(&trace), ["ended"]);
    assert!(h.ops().is_empty(), "the durable consumer is not deleted");
}

#[test]
fn a_group_less_consumer_bound_elsewhere_is_busy() {
    let mut h = H::connected();
    let c = get(&mut h, None);
    let (trace, _, sink) = recorder();
    let _run = c.push_consume(false, false, sink).unwrap();
    let req = h.request_to("$JS.API.CONSUMER.INFO.TASKS.workers");
    h.respond(&req, &info(None, true, ""));
    assert_eq!(drain(&trace), ["ended:ConsumerBusy"]);
    assert!(h.ops().is_empty(), "nothing subscribed");
    // Its run ended: the object may consume again.
    let (_, _, sink) = recorder();
    assert!(c.push_consume(false, false, sink).is_ok());
}

#[test]
fn flow_control_is_held_while_a_for_await_lags() {
    let mut h = H::connected();
    let c = get(&mut h, None);
    let (trace, _, sink) = recorder();
    let run = c.push_consume(false, true, sink).unwrap();
    let req = h.request_to("$JS.API.CONSUMER.INFO.TASKS.workers");
    h.respond(
        &req,
        &info(
            None,
            false,
            r#","flow_control":true,"idle_heartbeat":1000000000"#,
        ),
    );
    h.ops();
    let fc = h.status_on_deliver(
        "100 FlowControl Request",
        Some("$JS.FC.TASKS.workers.1"),
        "",
    );
    h.feed(&fc);
    assert_eq!(h.ops().len(), 1, "answered while keeping up");
    let frame: String = (1..=PUSH_HIGH_WATER).map(|i| h.task(i)).collect();
    h.feed(&frame);
    h.feed(&fc);
    assert!(h.ops().is_empty(), "held: the application lags");
    run.handed_out(PUSH_HIGH_WATER - PUSH_LOW_WATER - 1);
    assert!(h.ops().is_empty());
    run.handed_out(1);
    let ops = h.ops();
    assert_eq!(ops.len(), 1);
    assert_eq!(ops[0].subject(), "$JS.FC.TASKS.workers.1");
    assert_eq!(
        run.with_machine(|m| (m.received(), m.processed())),
        (PUSH_HIGH_WATER, PUSH_HIGH_WATER - PUSH_LOW_WATER)
    );
    drain(&trace);
}

#[test]
fn missed_heartbeats_a_deleted_consumer_and_a_reconnect() {
    let mut h = H::connected();
    let c = get(&mut h, None);
    let (trace, _, sink) = recorder();
    let _run = c.push_consume(false, false, sink).unwrap();
    let req = h.request_to("$JS.API.CONSUMER.INFO.TASKS.workers");
    h.respond(&req, &info(None, false, r#","idle_heartbeat":1000000000"#));
    h.ops();
    h.feed(&h.status_on_deliver(
        "100 Idle Heartbeat",
        None,
        "Nats-Last-Consumer: 0\r\nNats-Last-Stream: 0\r\n",
    ));
    h.advance(2001.0);
    assert_eq!(
        drain(&trace),
        ["started", "s:Heartbeat", "s:HeartbeatsMissed"]
    );
    let req = h.request_to("$JS.API.CONSUMER.INFO.TASKS.workers");
    h.respond(&req, &api_error(404, 10014, "consumer not found"));
    assert_eq!(drain(&trace), ["s:ConsumerNotFound"]);
    h.advance(5000.0);
    let req = h.request_to("$JS.API.CONSUMER.INFO.TASKS.workers");
    h.respond(&req, &info(None, true, r#","idle_heartbeat":1000000000"#));
    assert!(
        h.ops().is_empty(),
        "still subscribed: no second SUB, and bound is us"
    );
    h.feed(&h.task(1));
    h.feed(&h.status_on_deliver("409 Consumer Deleted", None, ""));
    assert_eq!(drain(&trace), ["m1", "s:ConsumerDeleted"]);
    // A reconnect: the SUB is re-sent by the connection, the machine checks the consumer.
    h.drop_connection();
    h.reconnect();
    let ops = h.ops();
    assert!(
        ops.iter()
            .any(|o| matches!(o, Op::Sub { subject, .. } if subject == "deliver.workers")),
        "{ops:?}"
    );
    assert!(
        ops.iter()
            .any(|o| o.subject() == "$JS.API.CONSUMER.INFO.TASKS.workers"),
        "{ops:?}"
    );

    // abort_on_missing_resource: a deleted consumer ends it.
    let mut h = H::connected();
    let c = get(&mut h, None);
    let (trace, _, sink) = recorder();
    let _run = c.push_consume(true, false, sink).unwrap();
    let req = h.request_to("$JS.API.CONSUMER.INFO.TASKS.workers");
    h.respond(&req, &info(None, false, ""));
    h.ops();
    h.feed(&h.status_on_deliver("409 Consumer Deleted", None, ""));
    assert_eq!(
        drain(&trace),
        ["started", "s:ConsumerDeleted", "ended:ConsumerDeleted"]
    );
}
