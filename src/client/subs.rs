//! The subscription table: sids, subjects, auto-unsubscribe limits, delivery counts.

/// One live subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    /// Subscription id (stable across reconnects).
    pub sid: u64,
    /// Subject (wildcards allowed).
    pub subject: String,
    /// Queue group.
    pub queue: Option<String>,
    /// Auto-unsubscribe after this many messages in total.
    pub max: Option<u64>,
    /// Messages delivered so far.
    pub received: u64,
    /// UNSUB sent; messages until the drain PONG are still delivered.
    pub draining: bool,
    /// The request mux inbox (not a user subscription).
    pub internal: bool,
}

impl Subscription {
    /// Messages still allowed by `max` (for the UNSUB sent after a re-SUB).
    pub fn remaining(&self) -> Option<u64> {
        self.max.map(|m| m.saturating_sub(self.received))
    }
}

/// Subscriptions by sid; sids start at 1 and are never reused.
///
/// A `Vec` sorted by sid (new sids are the largest, so inserting is a push; lookups are a binary
/// search) rather than a `BTreeMap`: the same order and complexity that matters, much less wasm.
#[derive(Debug, Clone)]
pub struct Subs {
    list: Vec<Subscription>,
    next_sid: u64,
}

impl Default for Subs {
    fn default() -> Self {
        Subs {
            list: Vec::new(),
            next_sid: 1,
        }
    }
}

impl Subs {
    /// Adds a subscription and returns its sid.
    pub fn insert(
        &mut self,
        subject: &str,
        queue: Option<&str>,
        max: Option<u64>,
        internal: bool,
    ) -> u64 {
        let sid = self.next_sid;
        self.next_sid += 1;
        // `sid` is larger than every sid in the list.
        self.list.push(Subscription {
            sid,
            subject: subject.to_owned(),
            queue: queue.map(str::to_owned),
            max,
            received: 0,
            draining: false,
            internal,
        });
        sid
    }
    fn index(&self, sid: u64) -> Option<usize> {
        self.list.binary_search_by_key(&sid, |s| s.sid).ok()
    }
    /// The subscription `sid`.
    pub fn get(&self, sid: u64) -> Option<&Subscription> {
        self.index(sid).map(|i| &self.list[i])
    }
    /// Mutable access to `sid`.
    pub fn get_mut(&mut self, sid: u64) -> Option<&mut Subscription> {
        self.index(sid).map(|i| &mut self.list[i])
    }
    /// Removes `sid`.
    pub fn remove(&mut self, sid: u64) -> Option<Subscription> {
        self.index(sid).map(|i| self.list.remove(i))
    }
    /// All subscriptions in sid order.
    pub fn iter(&self) -> impl Iterator<Item = &Subscription> {
        self.list.iter()
    }
    /// Sids of user (non-internal) subscriptions, ascending.
    pub fn user_sids(&self) -> Vec<u64> {
        self.list
            .iter()
            .filter(|s| !s.internal)
            .map(|s| s.sid)
            .collect()
    }
    /// Number of subscriptions, internal ones included.
    pub fn len(&self) -> usize {
        self.list.len()
    }
    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
    /// Removes everything.
    pub fn clear(&mut self) {
        self.list.clear();
    }
}
