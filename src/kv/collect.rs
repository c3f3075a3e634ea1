//! What `keys()`, `history()` and `view()` make of a watcher's entries.

use std::collections::HashMap;

use super::entry::KvEntry;

/// `keys()`: the live keys, in order of first delivery. A later DEL/PURGE of a key (possible after a
/// consumer reset replays newer revisions) removes it again; a key is never listed twice.
///
/// No `BTreeMap` and no sort (binary size): live keys sit in `order` by first delivery (a removed one
/// leaves a hole), and a `HashMap` (the client already links one) finds a key's slot.
#[derive(Debug, Clone, Default)]
pub struct KeysCollector {
    /// key → its slot in `order`.
    live: HashMap<String, usize>,
    order: Vec<Option<String>>,
}

impl KeysCollector {
    /// An empty collector.
    pub fn new() -> Self {
        Self::default()
    }
    /// Applies one entry.
    pub fn push(&mut self, entry: &KvEntry) {
        if entry.operation.is_delete() {
            if let Some(slot) = self.live.remove(&entry.key) {
                self.order[slot] = None;
            }
        } else if !self.live.contains_key(&entry.key) {
            self.live.insert(entry.key.clone(), self.order.len());
            self.order.push(Some(entry.key.clone()));
        }
    }
    /// The live keys, in order of first delivery.
    pub fn into_keys(self) -> Vec<String> {
        self.order.into_iter().flatten().collect()
    }
}

/// `history()`: every entry, in revision order (the watcher never delivers a revision twice; entries
/// at or below the last kept revision are dropped defensively).
#[derive(Debug, Clone, Default)]
pub struct HistoryCollector {
    entries: Vec<KvEntry>,
}

impl HistoryCollector {
    /// An empty collector.
    pub fn new() -> Self {
        Self::default()
    }
    /// Applies one entry.
    pub fn push(&mut self, entry: KvEntry) {
        if self
            .entries
            .last()
            .is_none_or(|l| entry.revision > l.revision)
        {
            self.entries.push(entry);
        }
    }
    /// The entries.
    pub fn into_entries(self) -> Vec<KvEntry> {
        self.entries
    }
}

/// `view()`'s state: the revision of every live key (a PUT sets it, a DEL/PURGE removes it), the
/// highest revision seen, whether the initial values are loaded, and whether the visible map changed
/// since subscribers were last told. The entries themselves (and the snapshots) are the JS layer's
/// mirror, which applies exactly the entries [`apply`](Self::apply) accepts. A `HashMap`, not a
/// `BTreeMap` (binary size: the client links a `HashMap` already; nothing here needs the order).
#[derive(Debug, Clone, Default)]
pub struct ViewState {
    revisions: HashMap<String, u64>,
    revision: u64,
    ready: bool,
    dirty: bool,
}

impl ViewState {
    /// An empty view.
    pub fn new() -> Self {
        Self::default()
    }
    /// Applies an entry; whether the visible map changed (a DEL of an absent key does not). Entries
    /// not newer than the key's current revision are ignored.
    pub fn apply(&mut self, entry: &KvEntry) -> bool {
        self.revision = self.revision.max(entry.revision);
        let current = self.revisions.get(&entry.key).copied();
        let changed = if entry.operation.is_delete() {
            match current {
                Some(cur) if cur < entry.revision => self.revisions.remove(&entry.key).is_some(),
                _ => false,
            }
        } else if current.is_some_and(|cur| cur >= entry.revision) {
            false
        } else {
            self.revisions.insert(entry.key.clone(), entry.revision);
            true
        };
        self.dirty |= changed;
        changed
    }
    /// The watcher's `Initialized`.
    pub fn set_ready(&mut self) {
        self.ready = true;
    }
    /// Whether the initial values are loaded.
    pub fn is_ready(&self) -> bool {
        self.ready
    }
    /// Whether subscribers must be told now (ready, and changed since they were last told); resets
    /// the change mark. A view keeps its snapshot until this says `true`.
    pub fn take_notify(&mut self) -> bool {
        let notify = self.ready && self.dirty;
        if notify {
            self.dirty = false;
        }
        notify
    }
    /// The live keys, in no particular order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.revisions.keys().map(String::as_str)
    }
    /// The revision of `key`, if live.
    pub fn revision_of(&self, key: &str) -> Option<u64> {
        self.revisions.get(key).copied()
    }
    /// Number of live keys.
    pub fn len(&self) -> usize {
        self.revisions.len()
    }
    /// Whether no key is live.
    pub fn is_empty(&self) -> bool {
        self.revisions.is_empty()
    }
    /// The highest revision seen (markers included).
    pub fn revision(&self) -> u64 {
        self.revision
    }
}
