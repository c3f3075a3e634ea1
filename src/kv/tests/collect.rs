use crate::kv::{HistoryCollector, KeysCollector, KvEntry, Operation, ViewState};

fn e(key: &str, rev: u64, op: Operation) -> KvEntry {
    KvEntry {
        key: key.into(),
        revision: rev,
        operation: op,
        ..Default::default()
    }
}

#[test]
fn keys_collector_dedups_and_applies_deletes() {
    let mut k = KeysCollector::new();
    for x in [
        e("b", 1, Operation::Put),
        e("a", 2, Operation::Put),
        e("b", 3, Operation::Put),
        e("c", 4, Operation::Del),
        e("a", 5, Operation::Purge),
        e("d", 6, Operation::Put),
    ] {
        k.push(&x);
    }
    assert_eq!(k.into_keys(), ["b", "d"]);
    assert!(KeysCollector::new().into_keys().is_empty());
}

#[test]
fn history_collector_is_strictly_increasing() {
    let mut h = HistoryCollector::new();
    for rev in [1, 2, 2, 1, 5] {
        h.push(e("k", rev, Operation::Put));
    }
    assert_eq!(
        h.into_entries()
            .iter()
            .map(|e| e.revision)
            .collect::<Vec<_>>(),
        [1, 2, 5]
    );
}

#[test]
fn view_state() {
    let mut v = ViewState::new();
    assert!(v.is_empty() && !v.is_ready());
    assert!(v.apply(&e("a", 1, Operation::Put)));
    assert!(v.apply(&e("b", 2, Operation::Put)));
    assert!(
        !v.take_notify(),
        "nobody is told before the initial values are in"
    );
    assert!(
        !v.apply(&e("a", 1, Operation::Put)),
        "same revision again: no change"
    );
    assert!(
        !v.apply(&e("x", 3, Operation::Del)),
        "deleting an absent key: no change"
    );
    assert_eq!(v.revision(), 3);
    assert!(v.apply(&e("a", 4, Operation::Purge)));
    assert_eq!(v.keys().collect::<Vec<_>>(), ["b"]);
    assert_eq!(v.revision_of("b"), Some(2));
    assert_eq!(v.len(), 1);
    v.set_ready();
    assert!(v.is_ready());
    assert!(v.take_notify(), "changes before ready are told once ready");
    assert!(!v.take_notify(), "and only once");
    assert!(
        !v.apply(&e("b", 1, Operation::Put)),
        "a stale revision is ignored"
    );
    assert!(!v.take_notify());
    assert!(v.apply(&e("b", 5, Operation::Put)));
    assert!(v.take_notify());
}
