//! The one packed format for what crosses to JavaScript in bulk: a [`Batch`] of records of one
//! [`Kind`] (core messages, KV entries, JetStream messages; object infos next), as three values —
//! the records' strings joined with `\n`, a row of numbers per record, and their payloads one after
//! the other. The JS twin (`js/batch.js`) reads the layout from [`LAYOUT`] (exported by the API
//! layer), so the two cannot drift apart unnoticed; an end-to-end test packs known records here and
//! checks every field there.

use crate::jetstream::ack::JsMsg;
use crate::kv::{KvEntry, Operation};
use crate::proto::Msg;

/// What the records of a batch are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Core messages (`Msg`).
    Msg = 1,
    /// KV entries (`KvEntry`), all of one bucket.
    Entry = 2,
    /// JetStream messages (`JsMsg`) of a consumer.
    JsMsg = 3,
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

/// A JetStream message's numbers: `[payload end, header pairs (−1: no headers), status code, stream
/// sequence, delivery sequence, delivery count, pending, timestamp ns ÷ 2^32, timestamp ns mod 2^32,
/// ack state]` (the timestamp in two exact halves: JS joins them into a `bigint`); its strings: subject,
/// ack subject, stream, consumer, domain (`""`: none), account hash (`""`: none), then with headers the
/// status description and each name and value.
pub mod jsmsg {
    /// End of the payload in the batch's data.
    pub const END: usize = 0;
    /// Number of header name/value pairs; −1 without headers.
    pub const HEADER_PAIRS: usize = 1;
    /// The status code of the headers' version line (0: none).
    pub const CODE: usize = 2;
    /// Stream sequence.
    pub const STREAM_SEQ: usize = 3;
    /// Consumer (delivery) sequence.
    pub const DELIVERY_SEQ: usize = 4;
    /// Delivery count (1 on first delivery).
    pub const DELIVERED: usize = 5;
    /// Messages pending for the consumer after this one.
    pub const PENDING: usize = 6;
    /// Stored time in ns, high 32 bits.
    pub const TS_HI: usize = 7;
    /// Stored time in ns, low 32 bits.
    pub const TS_LO: usize = 8;
    /// First ack state (`AckState` as a number).
    pub const ACK_STATE: usize = 9;
    /// Numbers per record.
    pub const WIDTH: usize = 10;
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
/// kinds, then the JetStream message kind and its positions, in the order of `js/batch.js`.
pub const LAYOUT: [u8; 31] = [
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
    Kind::JsMsg as u8,
    jsmsg::END as u8,
    jsmsg::HEADER_PAIRS as u8,
    jsmsg::CODE as u8,
    jsmsg::STREAM_SEQ as u8,
    jsmsg::DELIVERY_SEQ as u8,
    jsmsg::DELIVERED as u8,
    jsmsg::PENDING as u8,
    jsmsg::TS_HI as u8,
    jsmsg::TS_LO as u8,
    jsmsg::ACK_STATE as u8,
    jsmsg::WIDTH as u8,
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
            Kind::JsMsg => jsmsg::WIDTH,
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
        let (pairs, code) = self.headers(m);
        self.data.extend_from_slice(&m.payload);
        self.nums.extend_from_slice(&[
            m.sid as f64,
            self.data.len() as f64,
            if m.reply.is_some() { 1.0 } else { 0.0 },
            pairs,
            code,
        ]);
    }

    /// Appends a JetStream message.
    pub fn push_js_msg(&mut self, j: &JsMsg) {
        let (m, i) = (&j.msg, &j.info);
        self.field(&m.subject);
        self.field(j.ack_subject());
        self.field(&i.stream);
        self.field(&i.consumer);
        self.field(i.domain.as_deref().unwrap_or(""));
        self.field(i.account_hash.as_deref().unwrap_or(""));
        let (pairs, code) = self.headers(m);
        self.data.extend_from_slice(&m.payload);
        self.nums.extend_from_slice(&[
            self.data.len() as f64,
            pairs,
            code,
            i.stream_seq as f64,
            i.consumer_seq as f64,
            i.delivered as f64,
            i.pending as f64,
            (i.timestamp_ns >> 32) as f64,
            (i.timestamp_ns & 0xffff_ffff) as f64,
            f64::from(j.ack_state() as u8),
        ]);
    }

    /// Writes a message's header fields; returns its (pairs, code) numbers.
    fn headers(&mut self, m: &Msg) -> (f64, f64) {
        match &m.headers {
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
        }
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
