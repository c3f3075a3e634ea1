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
use crate::jetstream::ordered::{OrderedConsumer, Output};
use crate::jetstream::{ConsumerMachine, OrderedConfig, Step};
use crate::proto::Msg;
use crate::time::Mono;

use super::bucket::{key_subject_error, Bucket};
use super::entry::KvEntry;
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
    /// Which entries: last values, full history, or updates only.
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

/// What the watcher produces, in order: commands, entries in revision order, `Initialized` exactly
/// once, or `Failed` (it already unsubscribed).
pub type WatchOutput = Step<KvEntry>;

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
                            out.push(WatchOutput::Item(e));
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
    pub fn start(&mut self, now: Mono) -> Vec<WatchOutput> {
        let o = self.consumer.start(now);
        self.translate(o)
    }
    /// The outcome of the `CreateConsumer` request `serial`.
    pub fn on_create_reply(
        &mut self,
        serial: u64,
        result: Result<Msg, NatsError>,
        now: Mono,
    ) -> Vec<WatchOutput> {
        let o = self.consumer.on_create_reply(serial, result, now);
        self.translate(o)
    }
    /// A message that arrived on the subscription to deliver subject `subscription` (see
    /// [`OrderedConsumer::on_message`]).
    pub fn on_message(&mut self, subscription: &str, msg: Msg, now: Mono) -> Vec<WatchOutput> {
        let o = self.consumer.on_message(subscription, msg, now);
        self.translate(o)
    }
    /// [`on_message`](Self::on_message) for consecutive messages of one subscription (a WebSocket
    /// frame's): the outputs of each, in order.
    pub fn on_messages(
        &mut self,
        subscription: &str,
        msgs: impl IntoIterator<Item = Msg>,
        now: Mono,
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
    pub fn poll_timeout(&self) -> Option<Mono> {
        self.consumer.poll_timeout()
    }
    /// Heartbeat supervision and create retries.
    pub fn handle_timeout(&mut self, now: Mono) -> Vec<WatchOutput> {
        let o = self.consumer.handle_timeout(now);
        self.translate(o)
    }
    /// The connection dropped.
    pub fn on_disconnect(&mut self) {
        self.consumer.on_disconnect();
    }
    /// The connection is back: resume after the last delivered revision.
    pub fn on_reconnect(&mut self, now: Mono) -> Vec<WatchOutput> {
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

/// The consumer run's view of a watcher (the inherent methods above).
impl ConsumerMachine for Watcher {
    type Item = KvEntry;
    fn start(&mut self, now: Mono) -> Vec<WatchOutput> {
        Watcher::start(self, now)
    }
    fn on_create_reply(
        &mut self,
        serial: u64,
        result: Result<Msg, NatsError>,
        now: Mono,
    ) -> Vec<WatchOutput> {
        Watcher::on_create_reply(self, serial, result, now)
    }
    fn on_messages(&mut self, subscription: &str, msgs: Vec<Msg>, now: Mono) -> Vec<WatchOutput> {
        Watcher::on_messages(self, subscription, msgs, now)
    }
    fn poll_timeout(&self) -> Option<Mono> {
        Watcher::poll_timeout(self)
    }
    fn handle_timeout(&mut self, now: Mono) -> Vec<WatchOutput> {
        Watcher::handle_timeout(self, now)
    }
    fn on_disconnect(&mut self) {
        Watcher::on_disconnect(self)
    }
    fn on_reconnect(&mut self, now: Mono) -> Vec<WatchOutput> {
        Watcher::on_reconnect(self, now)
    }
    fn set_paused(&mut self, paused: bool) -> Vec<WatchOutput> {
        Watcher::set_paused(self, paused)
    }
    fn stop(&mut self) -> Vec<WatchOutput> {
        Watcher::stop(self)
    }
    fn is_started(&self) -> bool {
        Watcher::is_started(self)
    }
}
