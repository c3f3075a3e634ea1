//! `view()`: only entries that change the map go on, subscribers are told only once ready and only
//! when the map changed (a no-op batch keeps the snapshot).

use std::cell::RefCell;
use std::rc::Rc;

use super::server::{bound, ended_trace, entry_trace, Consumer};
use super::H;
use crate::kv::Operation::{Del, Purge, Put};
use crate::session::view::ViewEvent;
use crate::session::View;

/// A view's events: `started`, `changes <entries>` (`changes!` when subscribers must be told),
/// `ready` / `ready!`, `ended`.
type Events = Rc<RefCell<Vec<String>>>;

/// A view of `keys` on a bound bucket, and its consumer.
fn view(keys: Vec<String>) -> (H, View, Events, Consumer) {
    let (mut h, kv) = bound();
    let events: Events = Rc::default();
    let e = events.clone();
    let sink = Box::new(move |ev: ViewEvent| {
        let bang = |notify: bool| if notify { "!" } else { "" };
        e.borrow_mut().push(match ev {
            ViewEvent::Started => "started".into(),
            ViewEvent::Changes { entries, notify } => {
                let list: Vec<String> = entries.iter().map(entry_trace).collect();
                format!("changes{} {}", bang(notify), list.join(" "))
            }
            ViewEvent::Ready { notify } => format!("ready{}", bang(notify)),
            ViewEvent::Ended(err) => ended_trace(err.as_ref()),
        })
    });
    let v = View::start(&kv, keys, sink).unwrap();
    let c = h.consumer();
    (h, v, events, c)
}

fn take(events: &Events) -> Vec<String> {
    std::mem::take(&mut *events.borrow_mut())
}

#[test]
fn view_passes_on_only_changes_and_notifies_once_ready() {
    let (h, v, events, c) = view(vec![]);
    h.created(&c, 3);
    // The initial values in one frame: the DEL of a key the view never had changes nothing.
    let initial = [
        h.delivery(&c, "a", 1, Put, 2),
        h.delivery(&c, "x", 2, Del, 1),
        h.delivery(&c, "b", 3, Put, 0),
    ];
    h.feed(&initial.concat());
    assert_eq!(take(&events), ["started", "changes a@1 b@3", "ready!"]);

    h.feed(&h.delivery(&c, "a", 4, Put, 0));
    assert_eq!(take(&events), ["changes! a@4+"]);
    // A no-op batch: no event, so the snapshot stays the same object.
    h.feed(&h.delivery(&c, "y", 5, Purge, 0));
    assert!(take(&events).is_empty());
    // A batch with a change among no-ops: only the change.
    let mixed = [
        h.delivery(&c, "z", 6, Del, 1),
        h.delivery(&c, "c", 7, Put, 0),
    ];
    h.feed(&mixed.concat());
    assert_eq!(take(&events), ["changes! c@7+"]);
    h.feed(&h.delivery(&c, "b", 8, Del, 0));
    assert_eq!(take(&events), ["changes! b@8:DEL+"]);
    assert_eq!(v.revision(), 8);
}

#[test]
fn view_ignores_a_repeated_or_stale_revision() {
    let (h, v, events, c) = view(vec![]);
    h.created(&c, 0);
    h.feed(&h.delivery(&c, "a", 5, Put, 0));
    assert_eq!(take(&events), ["started", "ready", "changes! a@5+"]);
    h.feed(&h.delivery(&c, "a", 5, Put, 0));
    h.feed(&h.delivery(&c, "b", 3, Put, 0));
    assert!(take(&events).is_empty());
    assert_eq!(v.revision(), 5);
}

#[test]
fn view_of_an_empty_bucket_is_ready_without_a_notify() {
    let (h, _v, events, c) = view(vec!["cfg.>".into()]);
    assert_eq!(
        c.config.get("filter_subject").and_then(|f| f.as_str()),
        Some("$KV.b.cfg.>")
    );
    h.created(&c, 0);
    assert_eq!(take(&events), ["started", "ready"]);
}

#[test]
fn view_of_a_bucket_of_deleted_keys_is_ready_without_a_notify() {
    let (h, _v, events, c) = view(vec![]);
    h.created(&c, 2);
    h.feed(&h.delivery(&c, "x", 1, Del, 1));
    h.feed(&h.delivery(&c, "y", 2, Purge, 0));
    assert_eq!(take(&events), ["started", "ready"]);
}

#[test]
fn view_close_ends_it_once() {
    let (mut h, v, events, c) = view(vec![]);
    let sid = h.deliver_sid(&c);
    h.created(&c, 0);
    v.close();
    v.close();
    super::server::assert_dropped(&h.ops(), &c, sid);
    assert_eq!(take(&events), ["started", "ready", "ended"]);
}
