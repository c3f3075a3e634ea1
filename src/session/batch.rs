//! The one packed format for what crosses to JavaScript in bulk: a [`Batch`] of records of one
//! [`Kind`] (core messages, KV entries; JetStream messages and object infos next), as three values —
//! the records' strings joined with `\n`, a row of numbers per record, and their payloads one after
//! the other. The JS twin (`js/batch.js`) reads the layout from [`LAYOUT`] (exported by the API
//! layer), so the two cannot drift apart unnoticed; an end-to-end test packs known records here and
//! checks every field there.

use crate::kv::{KvEntry, Operation};
use crate::proto::Msg;

/// What the records of a batch are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Core messages (`Msg`).
    Msg = 1,
    /// KV entries (`KvEntry`), all of one bucket.
    Entry = 2,
}

/// A core message's numbers: `[sid, payload end, has reply, header pairs (−1: no headers), status code]`;
/// its strings: subject, reply (if any), then with headers the status description and each name and value.
pub mod msg {
    /// Subscription id.
    pub const SID: usize = 0;
    /// End of the payload in the batch's data.
    pub const END: usize = 1;
    /// 1 if a reply subject follows the subject among the strings.
    pub const HAS_REPLY: usize = 2;
    /// Number of header name/value pairs; −1 without headers.
    pub const HEADER_PAIRS: usize = 3;
    /// The status code of the headers' version line (0: none).
    pub const CODE: usize = 4;
    /// Numbers per record.
    pub const WIDTH: usize = 5;
}

/// A KV entry's numbers: `[value end, revision, created (ms), delta, length, flags]`, flags = operation
/// (0 PUT, 1 DEL, 2 PURGE) + 4 if it is an update; its string: the key. The batch's first string is
/// the bucket.
pub mod entry {
    /// End of the value in the batch's data.
    pub const END: usize = 0;
    /// The revision (stream sequence).
    pub const REVISION: usize = 1;
    /// Stored time, ms since the Unix epoch.
    pub const CREATED: usize = 2;
    /// Messages still pending for the consumer.
    pub const DELTA: usize = 3;
    /// The value's size.
    pub const LENGTH: usize = 4;
    /// Operation + 4 × is-update.
    pub const FLAGS: usize = 5;
    /// Numbers per record.
    pub const WIDTH: usize = 6;
}

/// The kinds of the events that accompany a delivery (`(kind, error?)` calls).
pub mod event {
    /// The consumer exists: the call that started it can resolve.
    pub const STARTED: u8 = 1;
    /// The initial values were delivered.
    pub const INITIALIZED: u8 = 2;
    /// The delivery ended (with an error, or `null`).
    pub const ENDED: u8 = 3;
    /// A view's map changed: a new snapshot is due.
    pub const NOTIFY: u8 = 4;
}

/// The layout the JS twin reads at start-up: kinds, the field positions and widths, then the event
/// kinds, in the order of `js/batch.js`.
pub const LAYOUT: [u8; 19] = [
    Kind::Msg as u8,
    Kind::Entry as u8,
    msg::SID as u8,
    msg::END as u8,
    msg::HAS_REPLY as u8,
    msg::HEADER_PAIRS as u8,
    msg::CODE as u8,
    msg::WIDTH as u8,
    entry::END as u8,
    entry::REVISION as u8,
    entry::CREATED as u8,
    entry::DELTA as u8,
    entry::LENGTH as u8,
    entry::FLAGS as u8,
    entry::WIDTH as u8,
    event::STARTED,
    event::INITIALIZED,
    event::ENDED,
    event::NOTIFY,
];

/// A batch being packed (buffers are reused from batch to batch).
#[derive(Debug)]
pub struct Batch {
    /// What the records are.
    pub kind: Kind,
    /// The records' strings, joined with `\n`.
    pub text: String,
    /// [`msg::WIDTH`] or [`entry::WIDTH`] numbers per record.
    pub nums: Vec<f64>,
    /// The payloads, one after the other.
    pub data: Vec<u8>,
    /// Strings in `text`.
    fields: usize,
}

impl Batch {
    /// An empty batch of `kind`.
    pub fn new(kind: Kind) -> Batch {
        Batch {
            kind,
            text: String::new(),
            nums: Vec::new(),
            data: Vec::new(),
            fields: 0,
        }
    }

    /// Empties the batch for the next records (of `kind`).
    pub fn reset(&mut self, kind: Kind) {
        self.kind = kind;
        self.text.clear();
        self.nums.clear();
        self.fields = 0;
        // Do not keep a burst's high-water mark forever.
        if self.data.capacity() > 1 << 20 {
            self.data = Vec::new();
        }
        self.data.clear();
    }

    /// The number of records.
    pub fn len(&self) -> usize {
        let width = match self.kind {
            Kind::Msg => msg::WIDTH,
            Kind::Entry => entry::WIDTH,
        };
        self.nums.len() / width
    }

    /// Whether it holds no record.
    pub fn is_empty(&self) -> bool {
        self.nums.is_empty()
    }

    /// Appends one string field (a `\n` in it, which no valid subject, key or header has, becomes a
    /// space so that the fields stay aligned).
    fn field(&mut self, s: &str) {
        if self.fields > 0 {
            self.text.push('\n');
        }
        self.fields += 1;
        if s.as_bytes().contains(&b'\n') {
            self.text.push_str(&s.replace('\n', " "));
        } else {
            self.text.push_str(s);
        }
    }

    /// Appends a core message.
    pub fn push_msg(&mut self, m: &Msg) {
        self.field(&m.subject);
        if let Some(r) = &m.reply {
            self.field(r);
        }
        let (pairs, code) = match &m.headers {
            Some(h) => {
                self.field(&h.description);
                let mut n = 0;
                for (k, v) in h.entries() {
                    self.field(k);
                    self.field(v);
                    n += 1;
                }
                (n as f64, h.code as f64)
            }
            None => (-1.0, 0.0),
        };
        self.data.extend_from_slice(&m.payload);
        self.nums.extend_from_slice(&[
            m.sid as f64,
            self.data.len() as f64,
            if m.reply.is_some() { 1.0 } else { 0.0 },
            pairs,
            code,
        ]);
    }

    /// Appends a KV entry (the first one also writes the bucket).
    pub fn push_entry(&mut self, e: &KvEntry) {
        if self.fields == 0 {
            self.field(&e.bucket);
        }
        self.field(&e.key);
        self.data.extend_from_slice(&e.value);
        let op = match e.operation {
            Operation::Put => 0.0,
            Operation::Del => 1.0,
            Operation::Purge => 2.0,
        };
        self.nums.extend_from_slice(&[
            self.data.len() as f64,
            e.revision as f64,
            e.created,
            e.delta as f64,
            e.length as f64,
            op + if e.is_update { 4.0 } else { 0.0 },
        ]);
    }
}
