//! The end of a `keys()`/`history()` scan: an empty bucket, the last pending message, a count of
//! `num_pending` messages, heartbeats, reconnects; and the scan's consumer is dropped when done.

use super::server::{api_error, assert_dropped, bound, value_at, Consumer};
use super::{failed, slot, take, waiting, Slot, H};
use crate::error::ErrorCode;
use crate::kv::{KvEntry, Operation};

/// `kv.history()` of the whole bucket whose consumer was created with `num_pending` messages.
fn history(num_pending: u64) -> (H, Slot<Vec<KvEntry>>, Consumer) {
    let (mut h, kv) = bound();
    let (r, done) = slot();
    kv.history(vec![], false, done);
    let c = h.consumer();
    assert_eq!(c.policy(), ("all", None));
    assert!(!c.headers_only());
    h.created(&c, num_pending);
    (h, r, c)
}

/// Revisions and values of history entries.
fn revisions(entries: &[KvEntry]) -> Vec<(u64, String)> {
    entries
        .iter()
        .map(|e| (e.revision, String::from_utf8(e.value.clone()).unwrap()))
        .collect()
}

fn values(revs: &[u64]) -> Vec<(u64, String)> {
    revs.iter().map(|&r| (r, value_at(r))).collect()
}

#[test]
fn keys_of_an_empty_bucket_resolve_at_once_and_drop_the_consumer() {
    let (mut h, kv) = bound();
    let (r, done) = slot();
    kv.keys(vec![], done);
    let c = h.consumer();
    assert_eq!(
        c.req.subject(),
        format!("$JS.API.CONSUMER.CREATE.KV_b.{}.$KV.b.>", c.name)
    );
    let sid = h.deliver_sid(&c);
    h.created(&c, 0);
    assert_eq!(take(&r).unwrap(), Vec::<String>::new());
    assert_dropped(&h.ops(), &c, sid);
}

#[test]
fn keys_leave_out_deleted_and_purged_keys() {
    let (mut h, kv) = bound();
    let (r, done) = slot();
    kv.keys(vec!["a.>".into()], done);
    let c = h.consumer();
    assert!(c.headers_only());
    h.created(&c, 4);
    h.feed(&h.delivery(&c, "a.x", 1, Operation::Put, 3));
    h.feed(&h.delivery(&c, "a.y", 2, Operation::Del, 2));
    h.feed(&h.delivery(&c, "a.z", 3, Operation::Purge, 1));
    assert!(waiting(&r));
    h.feed(&h.delivery(&c, "a.w", 4, Operation::Put, 0));
    assert_eq!(take(&r).unwrap(), ["a.x", "a.w"]);
}

#[test]
fn history_ends_with_the_message_that_leaves_nothing_pending() {
    let (mut h, r, c) = history(3);
    let sid = h.deliver_sid(&c);
    h.feed(&h.delivery(&c, "a", 1, Operation::Put, 2));
    h.feed(&h.delivery(&c, "b", 2, Operation::Put, 1));
    assert!(waiting(&r));
    assert!(
        h.ops().is_empty(),
        "the consumer stays while messages are pending"
    );
    h.feed(&h.delivery(&c, "a", 3, Operation::Put, 0));
    assert_eq!(revisions(&take(&r).unwrap()), values(&[1, 2, 3]));
    assert_dropped(&h.ops(), &c, sid);
    // A late delivery on the dropped subscription goes nowhere.
    assert!(!h.subs.iter().any(|(s, _)| *s == c.deliver));
}

#[test]
fn history_ends_after_num_pending_messages_when_pending_never_reaches_0() {
    let (h, r, c) = history(2);
    // The server's pending counts are off (nats-server #3148): the count of the create reply ends it.
    h.feed(&h.delivery(&c, "a", 1, Operation::Put, 5));
    assert!(waiting(&r));
    h.feed(&h.delivery(&c, "a", 2, Operation::Put, 4));
    assert_eq!(revisions(&take(&r).unwrap()), values(&[1, 2]));
}

#[test]
fn history_ends_at_an_idle_heartbeat_in_step_when_a_pending_message_expired() {
    let (mut h, r, c) = history(2);
    h.feed(&h.delivery(&c, "a", 1, Operation::Put, 1));
    assert!(waiting(&r));
    // Idle, and it agrees that one message was delivered: the message the create reply counted as
    // pending is gone (expired or purged), so the initial values are complete; nothing is re-created.
    h.heartbeat(&c, 1);
    assert_eq!(revisions(&take(&r).unwrap()), values(&[1]));
    assert!(!h
        .ops()
        .iter()
        .any(|o| o.subject().contains("CONSUMER.CREATE")));
}

#[test]
fn history_re_creates_its_consumer_after_a_heartbeat_reports_a_lost_message() {
    let (mut h, r, c) = history(3);
    let sid = h.deliver_sid(&c);
    h.feed(&h.delivery(&c, "a", 1, Operation::Put, 2));
    // The server delivered 2, we saw 1: a new consumer from revision 2.
    h.heartbeat(&c, 2);
    let ops = h.ops();
    assert_dropped(&ops, &c, sid);
    let c2 = super::server::consumer_in(&ops);
    assert_eq!(c2.policy(), ("by_start_sequence", Some(2)));
    assert_ne!(c2.deliver, c.deliver);
    assert!(waiting(&r));
    h.created(&c2, 2);
    h.deliver_puts(&c2, &[("b", 2), ("c", 3)]);
    assert_eq!(revisions(&take(&r).unwrap()), values(&[1, 2, 3]));
}

#[test]
fn history_re_creates_its_consumer_after_two_missed_heartbeats() {
    let (mut h, r, c) = history(2);
    h.feed(&h.delivery(&c, "a", 1, Operation::Put, 1));
    // Heartbeats every 5 s: at 9.9 s still patient, at 10 s the consumer is presumed lost.
    h.advance(9_900.0);
    assert!(h.ops().is_empty());
    h.advance(100.0);
    let c2 = h.consumer();
    assert_eq!(c2.policy(), ("by_start_sequence", Some(2)));
    h.created(&c2, 1);
    h.deliver_puts(&c2, &[("b", 2)]);
    assert_eq!(revisions(&take(&r).unwrap()), values(&[1, 2]));
}

#[test]
fn history_continues_after_a_reconnect_instead_of_ending_short() {
    let (mut h, r, c) = history(3);
    h.feed(&h.delivery(&c, "a", 1, Operation::Put, 2));
    h.drop_connection();
    assert!(
        waiting(&r),
        "a dropped link is not the end of the history (nats.js#426)"
    );
    h.reconnect();
    let c2 = h.consumer();
    assert_eq!(c2.policy(), ("by_start_sequence", Some(2)));
    h.created(&c2, 2);
    h.deliver_puts(&c2, &[("b", 2), ("c", 3)]);
    assert_eq!(revisions(&take(&r).unwrap()), values(&[1, 2, 3]));
}

#[test]
fn a_scan_whose_consumer_cannot_be_created_rejects() {
    let (mut h, kv) = bound();
    let (r, done) = slot();
    kv.keys(vec![], done);
    let c = h.consumer();
    let sid = h.deliver_sid(&c);
    h.respond(&c.req, &api_error(404, 10059, "stream not found"));
    assert_eq!(failed(&r).code, ErrorCode::BucketNotFound);
    assert!(super::server::unsubs(&h.ops()).contains(&sid));
}

#[test]
fn a_scan_rejects_with_connection_closed_when_the_connection_closes() {
    let (h, r, c) = history(2);
    h.feed(&h.delivery(&c, "a", 1, Operation::Put, 1));
    let (closed, done) = slot();
    h.client.close(done);
    take(&closed).unwrap();
    assert_eq!(failed(&r).code, ErrorCode::ConnectionClosed);
}

#[test]
fn a_scan_of_an_invalid_filter_rejects_before_anything_is_sent() {
    let (mut h, kv) = bound();
    let (r, done) = slot();
    kv.keys(vec!["a..b".into()], done);
    assert_eq!(failed(&r).code, ErrorCode::InvalidKey);
    assert!(h.ops().is_empty());
}
