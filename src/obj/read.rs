//! [`ObjReader`]: the ordered push consumer ([`OrderedConsumer`]) reading an object store, as a
//! [`ConsumerMachine`] for the session layer's consumer run — either an object's chunks
//! ([`ObjReader::chunks`], `get()`: hashed as they arrive, verified against the info) or the meta
//! messages ([`ObjReader::metas`], `watch()`/`list()`: [`ObjectInfo`]s, with the initial-values signal).
//!
//! Chunks: each is handed on as it arrives, except the last, which is held until the SHA-256, the size
//! and the count match the info; a mismatch (also chunks missing when the consumer is caught up, or
//! more chunks than the info says) fails with `OBJECT_DIGEST_MISMATCH` instead, so a corrupted object
//! never ends as if it were whole. `Initialized` = the object was read and verified.
//!
//! Metas: `Initialized` exactly once, when the values pending at creation were delivered (at once
//! when none); entries before it have `is_update == false`. `ignore_deletes` drops delete markers.

use crate::error::{ErrorCode, NatsError};
use crate::jetstream::consumer::DeliverPolicy;
use crate::jetstream::error::ErrorContext;
use crate::jetstream::ordered::{OrderedConsumer, Output};
use crate::jetstream::time::format_iso_ms;
use crate::jetstream::{ConsumerMachine, JsApi, OrderedConfig, Step};
use crate::proto::Msg;
use crate::time::Mono;

use super::{chunk_subject, meta_filter, parse_digest, stream_name, ObjectInfo, Sha256};

/// What a reader delivers.
#[derive(Debug, Clone, PartialEq)]
pub enum ObjItem {
    /// The next bytes of the object.
    Chunk(Vec<u8>),
    /// A meta message, and whether it came after the initial values.
    Info(Box<ObjectInfo>, bool),
}

/// `watch()`'s options.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ObjWatchOptions {
    /// Every revision of every object (`all`) rather than the last (`last_per_subject`).
    pub include_history: bool,
    /// Nothing stored, only what comes next (`new`).
    pub updates_only: bool,
    /// Drop delete markers.
    pub ignore_deletes: bool,
}

impl ObjWatchOptions {
    /// The deliver policy; `includeHistory` with `updatesOnly` is `INVALID_ARGUMENT`.
    pub fn policy(&self) -> Result<DeliverPolicy, NatsError> {
        match (self.include_history, self.updates_only) {
            (true, true) => Err(NatsError::invalid_argument(
                "includeHistory and updatesOnly exclude each other",
            )),
            (true, false) => Ok(DeliverPolicy::All),
            (false, true) => Ok(DeliverPolicy::New),
            (false, false) => Ok(DeliverPolicy::LastPerSubject),
        }
    }
}

#[derive(Debug, Clone)]
struct ChunkState {
    expect: ObjectInfo,
    digest: [u8; 32],
    hasher: Option<Sha256>,
    size: u64,
    count: u64,
    held: Option<Vec<u8>>,
}

#[derive(Debug, Clone)]
enum Mode {
    Chunks(Box<ChunkState>),
    Metas {
        updates_only: bool,
        ignore_deletes: bool,
    },
}

/// An object store reader: the ordered consumer plus chunk verification or meta decoding.
#[derive(Debug, Clone)]
pub struct ObjReader {
    consumer: OrderedConsumer,
    bucket: String,
    mode: Mode,
    initialized: bool,
}

fn mismatch(what: &str, name: &str) -> NatsError {
    NatsError::new(
        ErrorCode::ObjectDigestMismatch,
        format!("object \"{name}\" is corrupt: {what} differs from its info"),
    )
}

impl ObjReader {
    /// A reader of `info`'s chunks (in `info.bucket`). Error: `OBJECT_DIGEST_MISMATCH` for an
    /// unreadable digest.
    pub fn chunks(
        api: JsApi,
        info: &ObjectInfo,
        nuid: &str,
        inbox_prefix: &str,
    ) -> Result<ObjReader, NatsError> {
        let digest =
            parse_digest(&info.digest).ok_or_else(|| mismatch("the digest", &info.name))?;
        let bucket = &info.bucket;
        let mut cfg = OrderedConfig::new(
            &stream_name(bucket),
            vec![chunk_subject(bucket, &info.nuid)],
            DeliverPolicy::All,
        );
        cfg.error_context = ErrorContext::Kv;
        Ok(ObjReader {
            consumer: OrderedConsumer::new(api, cfg, nuid, inbox_prefix),
            bucket: bucket.clone(),
            mode: Mode::Chunks(Box::new(ChunkState {
                expect: info.clone(),
                digest,
                hasher: Some(Sha256::new()),
                size: 0,
                count: 0,
                held: None,
            })),
            initialized: false,
        })
    }

    /// A reader of `bucket`'s meta messages (watch, list).
    pub fn metas(
        api: JsApi,
        bucket: &str,
        opts: ObjWatchOptions,
        nuid: &str,
        inbox_prefix: &str,
    ) -> Result<ObjReader, NatsError> {
        let mut cfg = OrderedConfig::new(
            &stream_name(bucket),
            vec![meta_filter(bucket)],
            opts.policy()?,
        );
        cfg.error_context = ErrorContext::Kv;
        Ok(ObjReader {
            consumer: OrderedConsumer::new(api, cfg, nuid, inbox_prefix),
            bucket: bucket.to_owned(),
            mode: Mode::Metas {
                updates_only: opts.updates_only,
                ignore_deletes: opts.ignore_deletes,
            },
            initialized: false,
        })
    }

    fn initialize(&mut self, out: &mut Vec<Step<ObjItem>>) {
        if !self.initialized {
            self.initialized = true;
            out.push(Step::Initialized);
        }
    }

    /// Stops the consumer and fails with `e` (once).
    fn fail(&mut self, e: NatsError, out: &mut Vec<Step<ObjItem>>) {
        if self.initialized {
            return;
        }
        self.initialized = true;
        for o in self.consumer.stop() {
            if let Output::Command(c) = o {
                out.push(Step::Command(c));
            }
        }
        out.push(Step::Failed(e));
    }

    /// A chunk arrived (or, `None`, nothing more will come): hand on, verify.
    fn on_chunk(&mut self, chunk: Option<Vec<u8>>, out: &mut Vec<Step<ObjItem>>) {
        let Mode::Chunks(st) = &mut self.mode else {
            return;
        };
        let ChunkState {
            expect,
            digest,
            hasher,
            size,
            count,
            held,
        } = &mut **st;
        let name = expect.name.clone();
        let Some(bytes) = chunk else {
            // Caught up without all the chunks.
            if *count < expect.chunks {
                return self.fail(mismatch("the number of chunks", &name), out);
            }
            return;
        };
        *count += 1;
        *size += bytes.len() as u64;
        if let Some(h) = hasher.as_mut() {
            h.update(&bytes);
        }
        if let Some(prev) = held.replace(bytes) {
            out.push(Step::Item(ObjItem::Chunk(prev)));
        }
        if *count > expect.chunks || *size > expect.size {
            return self.fail(mismatch("the size", &name), out);
        }
        if *count == expect.chunks {
            let sum = hasher.take().map(Sha256::finish);
            let (ok_size, ok_digest) = (*size == expect.size, sum.as_ref() == Some(digest));
            let last = held.take();
            if !ok_size {
                return self.fail(mismatch("the size", &name), out);
            }
            if !ok_digest {
                return self.fail(mismatch("the SHA-256 digest", &name), out);
            }
            if let Some(last) = last {
                out.push(Step::Item(ObjItem::Chunk(last)));
            }
            self.initialize(out);
        }
    }

    fn translate(&mut self, outputs: Vec<Output>) -> Vec<Step<ObjItem>> {
        let mut out = Vec::with_capacity(outputs.len());
        for o in outputs {
            match o {
                Output::Command(c) => out.push(Step::Command(c)),
                Output::Failed(e) => {
                    self.initialized = true;
                    out.push(Step::Failed(e));
                }
                Output::Created { caught_up, .. } => match self.mode {
                    Mode::Chunks(_) if caught_up => self.on_chunk(None, &mut out),
                    Mode::Chunks(_) => {}
                    Mode::Metas { updates_only, .. } => {
                        if caught_up || updates_only {
                            self.initialize(&mut out);
                        }
                    }
                },
                Output::Idle => match self.mode {
                    Mode::Chunks(_) => self.on_chunk(None, &mut out),
                    Mode::Metas { .. } => self.initialize(&mut out),
                },
                Output::Message {
                    msg,
                    info,
                    caught_up,
                } => {
                    if self.initialized && matches!(self.mode, Mode::Chunks(_)) {
                        continue;
                    }
                    match self.mode {
                        Mode::Chunks(_) => {
                            self.on_chunk(Some(msg.payload), &mut out);
                            if caught_up {
                                self.on_chunk(None, &mut out);
                            }
                        }
                        Mode::Metas {
                            updates_only,
                            ignore_deletes,
                        } => {
                            if updates_only {
                                self.initialize(&mut out);
                            }
                            let mtime = format_iso_ms(info.timestamp_ms() as i64);
                            // A meta that is not JSON is skipped (it is not an object).
                            if let Ok(mut i) =
                                ObjectInfo::from_meta(&msg.payload, info.stream_seq, mtime)
                            {
                                if i.bucket.is_empty() {
                                    i.bucket = self.bucket.clone();
                                }
                                if !(ignore_deletes && i.deleted) {
                                    out.push(Step::Item(ObjItem::Info(
                                        Box::new(i),
                                        self.initialized,
                                    )));
                                }
                            }
                            if caught_up {
                                self.initialize(&mut out);
                            }
                        }
                    }
                }
            }
        }
        out
    }
}

impl ConsumerMachine for ObjReader {
    type Item = ObjItem;
    fn start(&mut self, now: Mono) -> Vec<Step<ObjItem>> {
        let o = self.consumer.start(now);
        self.translate(o)
    }
    fn on_create_reply(
        &mut self,
        serial: u64,
        result: Result<Msg, NatsError>,
        now: Mono,
    ) -> Vec<Step<ObjItem>> {
        let o = self.consumer.on_create_reply(serial, result, now);
        self.translate(o)
    }
    fn on_messages(&mut self, subscription: &str, msgs: Vec<Msg>, now: Mono) -> Vec<Step<ObjItem>> {
        let mut out = Vec::new();
        for m in msgs {
            let o = self.consumer.on_message(subscription, m, now);
            if !o.is_empty() {
                out.extend(self.translate(o));
            }
        }
        out
    }
    fn poll_timeout(&self) -> Option<Mono> {
        self.consumer.poll_timeout()
    }
    fn handle_timeout(&mut self, now: Mono) -> Vec<Step<ObjItem>> {
        let o = self.consumer.handle_timeout(now);
        self.translate(o)
    }
    fn on_disconnect(&mut self) {
        self.consumer.on_disconnect()
    }
    fn on_reconnect(&mut self, now: Mono) -> Vec<Step<ObjItem>> {
        let o = self.consumer.on_reconnect(now);
        self.translate(o)
    }
    fn set_paused(&mut self, paused: bool) -> Vec<Step<ObjItem>> {
        let o = self.consumer.set_paused(paused);
        self.translate(o)
    }
    fn stop(&mut self) -> Vec<Step<ObjItem>> {
        let o = self.consumer.stop();
        self.translate(o)
    }
    fn is_started(&self) -> bool {
        self.consumer.is_started()
    }
}
