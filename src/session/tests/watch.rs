//! A KV watch through its consumer run: initial values then updates, and the resume after a
//! reconnect from the revision after the last one delivered.

use super::server::{bound, consumer_in, drain, recorder, Consumer, Trace};
use super::H;
use crate::kv::{Operation, WatchOptions};
use crate::session::kv::WatchRun;
use crate::session::Kv;

/// A watch of the whole bucket (last value per key), its trace and the consumer it asked for.
pub(crate) fn watch(h: &mut H, kv: &Kv) -> (WatchRun, Trace, Consumer) {
    let (trace, sink) = recorder();
    let run = kv.watch(&WatchOptions::default(), sink).unwrap();
    let c = h.consumer();
    assert_eq!(c.policy(), ("last_per_subject", None));
    (run, trace, c)
}

#[test]
fn watch_delivers_initial_values_then_updates() {
    let (mut h, kv) = bound();
    let (_run, trace, c) = watch(&mut h, &kv);
    assert!(drain(&trace).is_empty(), "nothing before the create reply");
    h.created(&c, 2);
    assert_eq!(drain(&trace), ["started"]);
    h.feed(&h.delivery(&c, "a", 4, Operation::Put, 1));
    h.feed(&h.delivery(&c, "b", 6, Operation::Del, 0));
    h.feed(&h.delivery(&c, "a", 7, Operation::Put, 0));
    assert_eq!(drain(&trace), ["a@4", "b@6:DEL", "initialized", "a@7+"]);
}

#[test]
fn watch_resumes_after_the_last_delivered_revision_when_the_connection_comes_back() {
    let (mut h, kv) = bound();
    let (_run, trace, c) = watch(&mut h, &kv);
    h.created(&c, 0);
    h.deliver_puts(&c, &[("a", 1), ("b", 2), ("a", 3)]);
    assert_eq!(
        drain(&trace),
        ["started", "initialized", "a@1+", "b@2+", "a@3+"]
    );
    let old_sid = h.deliver_sid(&c);

    h.drop_connection();
    h.reconnect();
    let ops = h.ops();
    let c2 = consumer_in(&ops);
    assert_eq!(c2.policy(), ("by_start_sequence", Some(4)));
    assert_ne!((&c2.name, &c2.deliver), (&c.name, &c.deliver));
    super::server::assert_dropped(&ops, &c, old_sid);
    h.created(&c2, 0);
    // A revision delivered before is not delivered again, whoever sends it.
    let bytes = [
        h.delivery(&c2, "a", 3, Operation::Put, 1),
        h.delivery(&c2, "c", 4, Operation::Put, 0),
    ]
    .concat();
    h.feed(&bytes);
    h.feed(&h.delivery(&c2, "a", 5, Operation::Put, 0));
    assert_eq!(
        drain(&trace),
        ["c@4+", "a@5+"],
        "nothing lost, nothing repeated"
    );
}

#[test]
fn watch_resumes_at_its_start_when_nothing_was_delivered_before_the_reconnect() {
    let (mut h, kv) = bound();
    let (_run, trace, c) = watch(&mut h, &kv);
    h.created(&c, 0);
    h.drop_connection();
    h.reconnect();
    let c2 = h.consumer();
    assert_eq!(c2.policy(), ("last_per_subject", None));
    h.created(&c2, 1);
    h.deliver_puts(&c2, &[("a", 9)]);
    assert_eq!(drain(&trace), ["started", "initialized", "a@9+"]);
}

#[test]
fn watch_re_creates_its_consumer_once_after_a_long_outage() {
    let (mut h, kv) = bound();
    let (_run, trace, c) = watch(&mut h, &kv);
    h.created(&c, 0);
    h.deliver_puts(&c, &[("a", 1)]);
    h.drop_connection();
    // Longer than two heartbeats: no consumer is re-created while there is no connection.
    for _ in 0..6 {
        h.advance(5_000.0);
    }
    h.reconnect();
    let c2 = h.consumer();
    assert_eq!(c2.policy(), ("by_start_sequence", Some(2)));
    h.created(&c2, 0);
    h.deliver_puts(&c2, &[("b", 2)]);
    assert_eq!(drain(&trace), ["started", "initialized", "a@1+", "b@2+"]);
}
