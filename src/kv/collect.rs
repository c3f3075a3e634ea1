//! What `keys()`, `history()` and `view()` make of a watcher's entries.

use std::collections::{BTreeMap, HashMap};

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

/// `view()`'s state: the live entries by key (a PUT sets, a DEL/PURGE removes), the highest revision
/// seen, and whether the initial values are loaded. Snapshots (immutable maps) are the JS layer's.
#[derive(Debug, Clone, Default)]
pub struct ViewState {
    entries: BTreeMap<String, KvEntry>,
    revision: u64,
    ready: bool,
}

impl ViewState {
    /// An empty view.
    pub fn new() -> Self {
        Self::default()
    }
    /// Applies an entry; whether the visible map changed (a DEL of an absent key does not). Entries
    /// older than the key's current revision are ignored.
    pub fn apply(&mut self, entry: KvEntry) -> bool {
        self.revision = self.revision.max(entry.revision);
        if entry.operation.is_delete() {
            return match self.entries.get(&entry.key) {
                Some(cur) if cur.revision < entry.revision => {
                    self.entries.remove(&entry.key);
                    true
                }
                _ => false,
            };
        }
        if self
            .entries
            .get(&entry.key)
            .is_some_and(|cur| cur.revision >= entry.revision)
        {
            return false;
        }
        self.entries.insert(entry.key.clone(), entry);
        true
    }
    /// The watcher's `Initialized`.
    pub fn set_ready(&mut self) {
        self.ready = true;
    }
    /// Whether the initial values are loaded.
    pub fn is_ready(&self) -> bool {
        self.ready
    }
    /// The entry of `key`.
    pub fn get(&self, key: &str) -> Option<&KvEntry> {
        self.entries.get(key)
    }
    /// The keys, sorted.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.keys().map(String::as_str)
    }
    /// The entries by key, sorted.
    pub fn entries(&self) -> &BTreeMap<String, KvEntry> {
        &self.entries
    }
    /// Number of live keys.
    pub fn len(&self) -> usize {
        self.entries.len()
    }
    /// Whether no key is live.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
    /// The highest revision seen (markers included).
    pub fn revision(&self) -> u64 {
        self.revision
    }
}
