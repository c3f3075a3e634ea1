//! [`ConsumerRun`](crate::session::ConsumerRun) driving a KV watcher: stop, failures at start,
//! flow control held while paused, the connection's end.

use std::cell::RefCell;
use std::rc::Rc;

use super::server::{assert_dropped, bound, drain, js, open_in, pub_subjects, recorder, unsubs};
use super::watch::watch;
use super::{slot, take, Op, H};
use crate::jetstream::JsApi;
use crate::kv::{KvEntry, Operation, WatchOptions};
use crate::session::kv::WatchRun;
use crate::session::{JetStream, RunEvent, RunSink};

#[test]
fn stop_unsubscribes_deletes_the_consumer_and_ends_once() {
    let (mut h, kv) = bound();
    let (run, trace, c) = watch(&mut h, &kv);
    let sid = h.deliver_sid(&c);
    h.created(&c, 0);
    run.stop();
    let ops = h.ops();
    assert_dropped(&ops, &c, sid);
    assert_eq!(drain(&trace), ["started", "initialized", "ended"]);
    // Once: a second stop, and the heartbeat alarm, do nothing more.
    run.stop();
    h.advance(60_000.0);
    assert!(h.ops().is_empty());
    assert!(drain(&trace).is_empty());
}

#[test]
fn stop_before_the_create_reply_ends_without_starting() {
    let (mut h, kv) = bound();
    let (run, trace, c) = watch(&mut h, &kv);
    let sid = h.deliver_sid(&c);
    run.stop();
    assert_dropped(&h.ops(), &c, sid);
    h.created(&c, 3);
    assert_eq!(drain(&trace), ["ended"]);
    assert!(h.ops().is_empty());
}

#[test]
fn a_create_request_refused_at_once_fails_the_run_after_the_call() {
    let (mut h, kv) = bound();
    let (trace, sink) = recorder();
    // A key this long makes a CONSUMER.CREATE subject over the server's control line limit.
    let opts = WatchOptions {
        keys: vec!["k".repeat(5000)],
        ..WatchOptions::default()
    };
    let _run = kv.watch(&opts, sink).unwrap();
    let ops = h.ops();
    let [Op::Sub { sid, .. }] = ops.as_slice() else {
        panic!("only the SUB went out: {ops:?}")
    };
    assert!(drain(&trace).is_empty(), "no event inside watch()");
    h.run_deferred();
    assert_eq!(drain(&trace), ["ended:InvalidKey"]);
    let ops = h.ops();
    assert_eq!(unsubs(&ops), [*sid]);
    assert!(
        pub_subjects(&ops).is_empty(),
        "no consumer to delete: {ops:?}"
    );
}

#[test]
fn a_run_on_a_draining_connection_fails_once_and_writes_nothing() {
    let (mut h, kv) = bound();
    h.ops();
    h.client.drain(Box::new(|_| {}));
    h.ops();
    let (trace, sink) = recorder();
    let _run = kv.watch(&WatchOptions::default(), sink).unwrap();
    h.run_deferred();
    assert_eq!(drain(&trace), ["ended:Draining"]);
    assert!(h.ops().is_empty());
}

#[test]
fn a_run_whose_subscription_is_refused_sends_no_create_request() {
    let mut h = H::connected();
    // A watcher prefix that is no subject: the SUB of the deliver subject is refused.
    let js = JetStream::new(
        h.client.clone(),
        JsApi::default(),
        None,
        Some("bad prefix".into()),
    );
    let kv = open_in(&mut h, &js);
    let (trace, sink) = recorder();
    let _run = kv.watch(&WatchOptions::default(), sink).unwrap();
    h.run_deferred();
    assert_eq!(drain(&trace), ["ended:InvalidSubject"]);
    let ops = h.ops();
    assert!(
        ops.is_empty(),
        "no consumer created for a run that ended: {ops:?}"
    );
}

#[test]
fn paused_run_holds_the_flow_control_reply_until_resumed() {
    let (mut h, kv) = bound();
    let (run, trace, c) = watch(&mut h, &kv);
    h.created(&c, 0);
    let fc = format!("$JS.FC.KV_b.{}.x1", c.name);
    run.set_paused(true);
    h.flow_control(&c, &fc);
    h.feed(&h.delivery(&c, "a", 1, Operation::Put, 0));
    assert!(h.ops().is_empty(), "no reply while paused");
    assert_eq!(
        drain(&trace),
        ["started", "initialized", "a@1+"],
        "what came still goes on"
    );
    run.set_paused(false);
    let reply = h.one_pub();
    assert_eq!((reply.subject(), reply.payload()), (fc.as_str(), ""));
    assert!(matches!(reply, Op::Pub { reply: None, .. }), "{reply:?}");
    // Resumed: answered at once.
    let fc2 = format!("$JS.FC.KV_b.{}.x2", c.name);
    h.flow_control(&c, &fc2);
    assert_eq!(h.one_pub().subject(), fc2);
}

#[test]
fn a_run_ends_when_the_connection_closes() {
    let (mut h, kv) = bound();
    let (_run, trace, c) = watch(&mut h, &kv);
    h.created(&c, 0);
    h.client.close(Box::new(|_| {}));
    assert_eq!(drain(&trace), ["started", "initialized", "ended"]);
    h.advance(60_000.0);
    assert!(drain(&trace).is_empty());
}

#[test]
fn js_context_defaults_its_watcher_prefix_to_the_inbox_prefix() {
    let (mut h, kv) = bound();
    assert_eq!(js(&h).watcher_prefix, "_INBOX");
    let (_run, _trace, c) = watch(&mut h, &kv);
    assert!(c.deliver.starts_with("_INBOX."), "{}", c.deliver);
}

#[test]
fn a_run_ends_with_the_error_of_a_refused_deliver_subscription() {
    let (mut h, kv) = bound();
    let (_run, trace, c) = watch(&mut h, &kv);
    h.created(&c, 0);
    let err = format!(
        "-ERR 'Permissions Violation for Subscription to \"{}\"'\r\n",
        c.deliver
    );
    h.feed(&err);
    assert_eq!(
        drain(&trace),
        ["started", "initialized", "ended:PermissionsViolation"]
    );
}

#[test]
fn a_sink_may_stop_its_run_from_inside_a_delivery() {
    let (mut h, kv) = bound();
    let (trace, mut record) = recorder();
    let slot: Rc<RefCell<Option<WatchRun>>> = Rc::default();
    let run_slot = slot.clone();
    let sink: RunSink<KvEntry> = Box::new(move |ev| {
        let stop = matches!(ev, RunEvent::Items(_));
        record(ev);
        if stop {
            let run = run_slot.borrow_mut().take();
            run.expect("the run").stop();
        }
    });
    *slot.borrow_mut() = Some(kv.watch(&WatchOptions::default(), sink).unwrap());
    let c = h.consumer();
    let sid = h.deliver_sid(&c);
    h.created(&c, 2);
    // One frame: two entries, and a flow-control request after them.
    let fc = format!("$JS.FC.KV_b.{}.x1", c.name);
    let frame = [
        h.delivery(&c, "a", 1, Operation::Put, 1),
        h.delivery(&c, "b", 2, Operation::Put, 0),
        h.flow_control_request(&c, &fc),
    ]
    .concat();
    h.feed(&frame);
    assert_eq!(
        drain(&trace),
        ["started", "a@1", "b@2", "ended"],
        "no initialized after the end"
    );
    let ops = h.ops();
    assert_dropped(&ops, &c, sid);
    assert_eq!(
        pub_subjects(&ops),
        [c.delete_subject()],
        "nothing but the delete: {ops:?}"
    );
    h.advance(60_000.0);
    assert!(h.ops().is_empty() && drain(&trace).is_empty());
}

#[test]
fn a_run_ends_when_the_connection_drains() {
    let (mut h, kv) = bound();
    let (_run, trace, c) = watch(&mut h, &kv);
    h.created(&c, 0);
    let (drained, done) = slot();
    h.client.drain(done);
    // The server answers every PING of the drain.
    for _ in 0..3 {
        if h.ops().iter().any(|o| *o == Op::Other("PING".into())) {
            h.feed("PONG\r\n");
        }
    }
    take(&drained).unwrap();
    assert_eq!(drain(&trace), ["started", "initialized", "ended"]);
}
