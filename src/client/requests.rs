//! Request/reply over one muxed inbox: `SUB <prefix>.*` once, each request replies to
//! `<prefix>.<id>`, and the last token routes the reply back. Deadlines are kept ordered so expiry and
//! the next timeout are cheap with many requests in flight.

use std::cmp::Ordering;

use crate::time::Mono;

/// A deadline ordered with `total_cmp` (deadlines are finite).
#[derive(Debug, Clone, Copy, PartialEq)]
struct At(Mono);

impl Eq for At {}
impl PartialOrd for At {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for At {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0 .0.total_cmp(&other.0 .0)
    }
}

/// The muxed inbox subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mux {
    /// Its subscription id.
    pub sid: u64,
    /// `<inboxPrefix>.<nuid>`; replies go to `<prefix>.<id>`.
    pub prefix: String,
}

impl Mux {
    /// The reply subject of request `id`.
    pub fn reply_subject(&self, id: u64) -> String {
        format!("{}.{}", self.prefix, id)
    }
    /// The request id a reply subject routes to.
    pub fn route(&self, subject: &str) -> Option<u64> {
        let token = subject
            .strip_prefix(self.prefix.as_str())?
            .strip_prefix('.')?;
        token.parse().ok()
    }
}

#[derive(Debug, Clone)]
struct Pending {
    subject: String,
    deadline: Mono,
}

/// Requests waiting for a reply.
///
/// Both tables are sorted `Vec`s rather than a `BTreeMap`/`BTreeSet` (binary size): ids grow and
/// deadlines mostly do too, so inserts land at or near the end, and expiry drains a prefix.
#[derive(Debug, Clone, Default)]
pub struct Requests {
    /// The mux inbox, created lazily by the first request.
    pub mux: Option<Mux>,
    /// By id, ascending.
    pending: Vec<(u64, Pending)>,
    /// Ascending by deadline, then id; no duplicates.
    deadlines: Vec<(At, u64)>,
}

impl Requests {
    /// Registers request `id` to `subject`, failing with TIMEOUT at `deadline`.
    pub fn insert(&mut self, id: u64, subject: &str, deadline: Mono) {
        let p = Pending {
            subject: subject.to_owned(),
            deadline,
        };
        match self.pending.binary_search_by_key(&id, |e| e.0) {
            Ok(i) => self.pending[i].1 = p,
            Err(i) => self.pending.insert(i, (id, p)),
        }
        let d = (At(deadline), id);
        if let Err(i) = self.deadlines.binary_search(&d) {
            self.deadlines.insert(i, d);
        }
    }
    /// Removes request `id`; whether it was pending.
    pub fn remove(&mut self, id: u64) -> bool {
        match self.pending.binary_search_by_key(&id, |e| e.0) {
            Ok(i) => {
                let (_, p) = self.pending.remove(i);
                if let Ok(j) = self.deadlines.binary_search(&(At(p.deadline), id)) {
                    self.deadlines.remove(j);
                }
                true
            }
            Err(_) => false,
        }
    }
    /// Removes and returns the requests whose deadline is `<= now`, oldest deadline first.
    pub fn take_expired(&mut self, now: Mono) -> Vec<u64> {
        let n = self.deadlines.partition_point(|(At(d), _)| *d <= now);
        let out: Vec<u64> = self.deadlines.drain(..n).map(|(_, id)| id).collect();
        for id in &out {
            if let Ok(i) = self.pending.binary_search_by_key(id, |e| e.0) {
                self.pending.remove(i);
            }
        }
        out
    }
    /// The earliest deadline.
    pub fn next_deadline(&self) -> Option<Mono> {
        self.deadlines.first().map(|(At(d), _)| *d)
    }
    /// Removes and returns the pending requests published to `subject`.
    pub fn take_for_subject(&mut self, subject: &str) -> Vec<u64> {
        let ids: Vec<u64> = self
            .pending
            .iter()
            .filter(|(_, p)| p.subject == subject)
            .map(|(id, _)| *id)
            .collect();
        for id in &ids {
            self.remove(*id);
        }
        ids
    }
    /// Removes and returns every pending request, by id.
    pub fn take_all(&mut self) -> Vec<u64> {
        self.deadlines.clear();
        let ids = self.pending.iter().map(|(id, _)| *id).collect();
        self.pending.clear();
        ids
    }
    /// Number of pending requests.
    pub fn len(&self) -> usize {
        self.pending.len()
    }
    /// Whether none is pending.
    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_last_token() {
        let m = Mux {
            sid: 1,
            prefix: "_INBOX.abc".into(),
        };
        assert_eq!(m.reply_subject(7), "_INBOX.abc.7");
        assert_eq!(m.route("_INBOX.abc.7"), Some(7));
        assert_eq!(m.route("_INBOX.abcd.7"), None);
        assert_eq!(m.route("_INBOX.abc.x"), None);
        assert_eq!(m.route("_INBOX.abc"), None);
    }

    #[test]
    fn deadlines_expire_in_order() {
        let mut r = Requests::default();
        r.insert(1, "a", Mono(300.0));
        r.insert(2, "b", Mono(100.0));
        r.insert(3, "a", Mono(200.0));
        assert_eq!(r.next_deadline(), Some(Mono(100.0)));
        assert_eq!(r.take_expired(Mono(250.0)), vec![2, 3]);
        assert_eq!(r.next_deadline(), Some(Mono(300.0)));
        assert!(r.remove(1));
        assert!(!r.remove(1));
        assert_eq!(r.next_deadline(), None);
        r.insert(4, "x", Mono(10.0));
        r.insert(5, "y", Mono(10.0));
        assert_eq!(r.take_for_subject("x"), vec![4]);
        assert_eq!(r.take_all(), vec![5]);
        assert!(r.is_empty());
    }
}
