//! `watch()`, `keys()` and `history()`: an ordered push consumer on the bucket
//! ([`OrderedConsumer`]) whose deliveries become [`KvEntry`]s (KV-SPEC.md §1.5).
//!
//! Initial values: [`WatchOutput::Initialized`] is produced exactly once — at once when the consumer's
//! create reply says `num_pending == 0` (also for an empty bucket), else right after the delivery whose
//! `pending` reaches 0 (or after `num_pending` deliveries), or at an idle heartbeat in step with us
//! (pending messages removed before delivery: a TTL, a purge). Every entry before it has
//! `is_update == false` (the last initial one included), every entry after it `true`. With
//! [`Include::UpdatesOnly`] everything is an update and `Initialized` comes first (with the first
//! create reply or delivery). `ignore_deletes` drops DEL and PURGE entries; they still count towards
//! initialization. Across resets and reconnects the watcher continues after the last delivered
//! revision: no revision is lost or delivered twice.
//!
//! `keys()` = [`WatchOptions::for_keys`], `history()` = [`WatchOptions::for_history`]: stop the watcher
//! at `Initialized` (complete) and collect with [`KeysCollector`](super::KeysCollector) /
//! [`HistoryCollector`](super::HistoryCollector).

use crate::error::NatsError;
use crate::jetstream::consumer::DeliverPolicy;
use crate::jetstream::error::ErrorContext;
use crate::jetstream::ordered::{Command, OrderedConsumer, Output};
use crate::jetstream::OrderedConfig;
use crate::proto::Msg;

use super::bucket::{key_subject_error, Bucket};
use super::entry::{KvEntry, Operation};
use super::validate::validate_search_key;

/// `KvWatchInclude`: which existing values a watch starts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Include {
    /// `""`: the last value of every key (`last_per_subject`).
    #[default]
    LastValue,
    /// `"history"`: every stored revision (`all`).
    AllHistory,
    /// `"updates"`: nothing stored, only what comes next (`new`).
    UpdatesOnly,
}

impl Include {
    /// From `KvWatchInclude`'s strings `""`, `"history"`, `"updates"`.
    pub fn parse(text: &str) -> Option<Include> {
        match text {
            "" => Some(Include::LastValue),
            "history" => Some(Include::AllHistory),
            "updates" => Some(Include::UpdatesOnly),
            _ => None,
        }
    }
}

/// API.md `KvWatchOptions` (callbacks aside).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WatchOptions {
    /// Key filters (wildcards allowed); empty = `>` (the whole bucket).
    pub keys: Vec<String>,
    pub include: Include,
    /// Start at this revision (`by_start_sequence`); 0 = not set.
    pub resume_from_revision: Option<u64>,
    /// Drop DEL and PURGE entries.
    pub ignore_deletes: bool,
    /// Deliver headers only: empty values, `length` from `Nats-Msg-Size`.
    pub headers_only: bool,
}

impl WatchOptions {
    /// `keys(filter)`: last value per key, headers only.
    pub fn for_keys(filters: Vec<String>) -> Self {
        WatchOptions {
            keys: filters,
            headers_only: true,
            ..Self::default()
        }
    }
    /// `history({key, headers_only})`: every revision.
    pub fn for_history(keys: Vec<String>, headers_only: bool) -> Self {
        WatchOptions {
            keys,
            include: Include::AllHistory,
            headers_only,
            ..Self::default()
        }
    }
}

/// What the watcher produces, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum WatchOutput {
    /// A transport action (see [`Command`]).
    Command(Command),
    /// The next entry, in revision order.
    Entry(KvEntry),
    /// The initial values were delivered (exactly once).
    Initialized,
    /// The watcher failed for good (it already unsubscribed).
    Failed(NatsError),
}

/// A bucket watcher: the ordered consumer plus entry decoding and initialization tracking.
#[derive(Debug, Clone)]
pub struct Watcher {
    consumer: OrderedConsumer,
    bucket: String,
    key_prefix: String,
    updates_only: bool,
    ignore_deletes: bool,
    initialized: bool,
}

impl Watcher {
    /// A watcher of `bucket` (not started). `nuid` must be fresh; deliver subjects are
    /// `<inbox_prefix>.<nuid>.<serial>` (`inbox_prefix`: JetStream `watcherPrefix`, else the
    /// connection's `inboxPrefix`). Error: `INVALID_KEY` for a bad filter.
    pub fn new(
        bucket: &Bucket,
        opts: &WatchOptions,
        nuid: &str,
        inbox_prefix: &str,
    ) -> Result<Watcher, NatsError> {
        let mut filters = Vec::with_capacity(opts.keys.len().max(1));
        for key in &opts.keys {
            validate_search_key(key)?;
            let subject = bucket.key_subject(key);
            if !filters.contains(&subject) {
                filters.push(subject);
            }
        }
        if filters.is_empty() {
            filters.push(bucket.key_subject(">"));
        }
        let policy = match (opts.resume_from_revision.filter(|&r| r > 0), opts.include) {
            (Some(rev), _) => DeliverPolicy::ByStartSequence(rev),
            (None, Include::LastValue) => DeliverPolicy::LastPerSubject,
            (None, Include::AllHistory) => DeliverPolicy::All,
            (None, Include::UpdatesOnly) => DeliverPolicy::New,
        };
        let mut cfg = OrderedConfig::new(bucket.stream(), filters, policy);
        cfg.headers_only = opts.headers_only;
        cfg.error_context = ErrorContext::Kv;
        Ok(Watcher {
            consumer: OrderedConsumer::new(bucket.api().clone(), cfg, nuid, inbox_prefix),
            bucket: bucket.name().to_owned(),
            key_prefix: bucket.read_prefix().to_owned(),
            updates_only: opts.include == Include::UpdatesOnly,
            ignore_deletes: opts.ignore_deletes,
            initialized: false,
        })
    }

    /// The ordered consumer (deliver subject, names, config).
    pub fn consumer(&self) -> &OrderedConsumer {
        &self.consumer
    }
    /// Whether `Initialized` was produced.
    pub fn is_initialized(&self) -> bool {
        self.initialized
    }
    /// Whether the first consumer was created (`watch()` resolves then).
    pub fn is_started(&self) -> bool {
        self.consumer.is_started()
    }
    /// Whether it stopped.
    pub fn is_stopped(&self) -> bool {
        self.consumer.is_stopped()
    }
    /// The last revision delivered (entries dropped by `ignore_deletes` included); 0 if none.
    pub fn last_revision(&self) -> u64 {
        self.consumer.last_stream_seq()
    }

    fn initialize(&mut self, out: &mut Vec<WatchOutput>) {
        if !self.initialized {
            self.initialized = true;
            out.push(WatchOutput::Initialized);
        }
    }

    fn translate(&mut self, outputs: Vec<Output>) -> Vec<WatchOutput> {
        let mut out = Vec::with_capacity(outputs.len());
        for o in outputs {
            match o {
                Output::Command(c) => out.push(WatchOutput::Command(c)),
                // A consumer create refused locally for its subject: a too long key filter.
                Output::Failed(e) => out.push(WatchOutput::Failed(key_subject_error(e))),
                Output::Created { caught_up, .. } => {
                    if caught_up || self.updates_only {
                        self.initialize(&mut out);
                    }
                }
                // What the create reply counted as pending and never came expired or was purged.
                Output::Idle => self.initialize(&mut out),
                Output::Message {
                    msg,
                    info,
                    caught_up,
                } => {
                    if self.updates_only {
                        self.initialize(&mut out);
                    }
                    let is_update = self.initialized;
                    let entry = KvEntry::from_delivery(
                        &self.bucket,
                        &self.key_prefix,
                        msg,
                        &info,
                        is_update,
                    );
                    if let Some(e) = entry {
                        if !(self.ignore_deletes && e.operation.is_delete()) {
                            out.push(WatchOutput::Entry(e));
                        }
                    }
                    if caught_up {
                        self.initialize(&mut out);
                    }
                }
            }
        }
        out
    }

    /// Creates the first consumer: `Subscribe` then `CreateConsumer`.
    pub fn start(&mut self, now: f64) -> Vec<WatchOutput> {
        let o = self.consumer.start(now);
        self.translate(o)
    }
    /// The outcome of the `CreateConsumer` request `serial`.
    pub fn on_create_reply(
        &mut self,
        serial: u64,
        result: Result<Msg, NatsError>,
        now: f64,
    ) -> Vec<WatchOutput> {
        let o = self.consumer.on_create_reply(serial, result, now);
        self.translate(o)
    }
    /// A message that arrived on the subscription to deliver subject `subscription` (see
    /// [`OrderedConsumer::on_message`]).
    pub fn on_message(&mut self, subscription: &str, msg: Msg, now: f64) -> Vec<WatchOutput> {
        let o = self.consumer.on_message(subscription, msg, now);
        self.translate(o)
    }
    /// [`on_message`](Self::on_message) for consecutive messages of one subscription (a WebSocket
    /// frame's): the outputs of each, in order.
    pub fn on_messages(
        &mut self,
        subscription: &str,
        msgs: impl IntoIterator<Item = Msg>,
        now: f64,
    ) -> Vec<WatchOutput> {
        let mut out = Vec::new();
        for m in msgs {
            let o = self.consumer.on_message(subscription, m, now);
            if !o.is_empty() {
                out.extend(self.translate(o));
            }
        }
        out
    }
    /// When [`handle_timeout`](Self::handle_timeout) is due.
    pub fn poll_timeout(&self) -> Option<f64> {
        self.consumer.poll_timeout()
    }
    /// Heartbeat supervision and create retries.
    pub fn handle_timeout(&mut self, now: f64) -> Vec<WatchOutput> {
        let o = self.consumer.handle_timeout(now);
        self.translate(o)
    }
    /// The connection dropped.
    pub fn on_disconnect(&mut self) {
        self.consumer.on_disconnect();
    }
    /// The connection is back: resume after the last delivered revision.
    pub fn on_reconnect(&mut self, now: f64) -> Vec<WatchOutput> {
        let o = self.consumer.on_reconnect(now);
        self.translate(o)
    }
    /// Backpressure from the application (see `OrderedConsumer::set_paused`).
    pub fn set_paused(&mut self, paused: bool) -> Vec<WatchOutput> {
        let o = self.consumer.set_paused(paused);
        self.translate(o)
    }
    /// `stop()`: unsubscribe and delete the consumer.
    pub fn stop(&mut self) -> Vec<WatchOutput> {
        let o = self.consumer.stop();
        self.translate(o)
    }
}

/// Numbers per entry in an [`EntryPacker`] batch.
pub const PACKED_FIELDS: usize = 6;

/// Packs a batch of watch entries (of one bucket) into a string and one byte buffer, so that they
/// cross to JavaScript in one call instead of one call and nine values per entry:
/// - `keys`: the keys joined with spaces (a key comes from a subject and has no whitespace);
/// - `data`: first [`PACKED_FIELDS`] little-endian `f64`s per entry (a `Float64Array` over the start
///   of the buffer): the end of its value (counted from the end of the numbers), revision, created
///   (ms), delta, length, and flags (operation: 0 PUT, 1 DEL, 2 PURGE; + 4 if `is_update`); then the
///   values one after the other.
///
/// The buffers are reused from batch to batch.
#[derive(Debug, Default)]
pub struct EntryPacker {
    pub keys: String,
    pub data: Vec<u8>,
}

impl EntryPacker {
    /// Packs `entries` (replacing the previous batch).
    pub fn pack(&mut self, entries: &[KvEntry]) {
        self.keys.clear();
        self.data.clear();
        let nums_len = entries.len() * PACKED_FIELDS * 8;
        self.data.resize(nums_len, 0);
        for (i, e) in entries.iter().enumerate() {
            if i > 0 {
                self.keys.push(' ');
            }
            self.keys.push_str(&e.key);
            self.data.extend_from_slice(&e.value);
            let op = match e.operation {
                Operation::Put => 0.0,
                Operation::Del => 1.0,
                Operation::Purge => 2.0,
            };
            let nums = [
                (self.data.len() - nums_len) as f64,
                e.revision as f64,
                e.created,
                e.delta as f64,
                e.length as f64,
                op + if e.is_update { 4.0 } else { 0.0 },
            ];
            let row = &mut self.data[i * PACKED_FIELDS * 8..(i + 1) * PACKED_FIELDS * 8];
            for (dst, n) in row.chunks_exact_mut(8).zip(nums) {
                dst.copy_from_slice(&n.to_le_bytes());
            }
        }
    }

    /// Frees buffers grown by a burst of large values.
    pub fn shrink(&mut self) {
        if self.data.capacity() > 1 << 20 {
            self.data = Vec::new();
        }
    }
}
