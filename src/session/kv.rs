//! [`Kv`]: a bound bucket's operations — get/put, create (with its retry over a DEL/PURGE marker),
//! update, delete/purge (one key, or every key a wildcard matches), keys/history scans, status,
//! destroy, purgeDeletes, watch and `modify()`'s compare-and-swap loop.

use std::cell::RefCell;
use std::rc::Rc;

use super::consumer::{ConsumerRun, RunEvent, RunSink};
use super::{Done, JetStream};
use crate::error::{ErrorCode, NatsError};
use crate::jetstream::error::ErrorContext;
use crate::jetstream::headers::Ttl;
use crate::jetstream::types::{purged, PubAck, StreamInfo};
use crate::kv::bucket::{create_error, create_retry, get_result, is_multi_key, key_subject_error};
use crate::kv::{
    Bucket, HistoryCollector, KeysCollector, KvEntry, KvStatus, WatchOptions, Watcher, WriteRequest,
};
use crate::proto::json::Json;
use crate::proto::Msg;

/// A running KV watch.
pub type WatchRun = ConsumerRun<Watcher>;

/// `modify()`'s function: the new value for the current entry (`None` for a missing or deleted
/// key), or `None` to leave it as it is.
pub type ModifyFn = Box<dyn FnMut(Option<&KvEntry>) -> Result<Option<Vec<u8>>, NatsError>>;

/// A bound bucket (cheap to clone).
#[derive(Clone)]
pub struct Kv {
    js: JetStream,
    bucket: Rc<Bucket>,
}

impl Kv {
    /// `bucket` on `js`.
    pub fn new(js: JetStream, bucket: Bucket) -> Kv {
        Kv {
            js,
            bucket: Rc::new(bucket),
        }
    }

    /// The bucket's subjects and rules.
    pub fn bucket(&self) -> &Bucket {
        &self.bucket
    }

    /// Sends a write; `done` gets the revision from its PubAck.
    fn write(
        &self,
        w: Result<WriteRequest, NatsError>,
        value: &[u8],
        timeout: Option<f64>,
        done: Done<u64>,
    ) {
        let w = match w {
            Ok(w) => w,
            Err(e) => return done(Err(e)),
        };
        let t = timeout.filter(|t| *t > 0.0).unwrap_or(self.js.timeout_ms);
        self.js.client.request(
            &w.subject,
            value,
            w.headers.as_ref(),
            t,
            Box::new(move |r| done(write_result(r))),
        );
    }

    /// The entry of `key` (markers included), latest or at `revision`.
    fn fetch(&self, key: &str, revision: Option<u64>, done: Done<Option<KvEntry>>) {
        let g = match self.bucket.get(key, revision) {
            Ok(g) => g,
            Err(e) => return done(Err(e)),
        };
        let bucket = self.bucket.clone();
        let key = key.to_owned();
        let direct = g.direct;
        self.js.client.request(
            &g.request.subject,
            g.request.body.as_bytes(),
            None,
            self.js.timeout_ms,
            Box::new(move |r| done(bucket.decode_get(&key, direct, r.map_err(key_subject_error)))),
        );
    }

    /// `get(key, {revision})`: `None` for a missing key, or (latest) a key whose last operation is
    /// DEL/PURGE; at a `revision`, that revision whatever its operation.
    pub fn get(&self, key: &str, revision: Option<u64>, done: Done<Option<KvEntry>>) {
        self.fetch(
            key,
            revision,
            Box::new(move |r| done(r.map(|e| get_result(e, revision.is_some())))),
        );
    }

    /// `put(key, value, {previousSeq, timeout})`: the new revision.
    pub fn put(
        &self,
        key: &str,
        value: &[u8],
        previous: Option<u64>,
        timeout: Option<f64>,
        done: Done<u64>,
    ) {
        self.write(self.bucket.put(key, previous), value, timeout, done);
    }

    /// `create(key, value, markerTTL)`: only if the key has no value; over a DEL/PURGE marker it
    /// retries once at the marker's revision (`KEY_EXISTS` if the key has a value).
    pub fn create(&self, key: &str, value: Vec<u8>, ttl: Option<Ttl>, done: Done<u64>) {
        let first = self.bucket.create(key, ttl.as_ref().map(Ttl::as_msg_ttl));
        let kv = self.clone();
        let key = key.to_owned();
        let retry_value = value.clone();
        self.write(
            first,
            &value,
            None,
            Box::new(move |r| match r {
                Err(e) if e.code == ErrorCode::WrongLastRevision => {
                    let again = kv.clone();
                    kv.fetch(
                        &key.clone(),
                        None,
                        Box::new(move |current| {
                            let at = current.and_then(|c| create_retry(e, c.as_ref()));
                            let req = at.and_then(|at| {
                                again
                                    .bucket
                                    .create_at(&key, at, ttl.as_ref().map(Ttl::as_msg_ttl))
                            });
                            again.write(
                                req,
                                &retry_value,
                                None,
                                Box::new(move |r| done(r.map_err(create_error))),
                            );
                        }),
                    );
                }
                other => done(other),
            }),
        );
    }

    /// `update(key, value, revision, timeout)`: compare-and-swap at `revision`.
    pub fn update(
        &self,
        key: &str,
        value: &[u8],
        revision: u64,
        timeout: Option<f64>,
        done: Done<u64>,
    ) {
        self.write(self.bucket.update(key, revision), value, timeout, done);
    }

    /// `delete(key, {previousSeq})`; a wildcard key deletes every live key it matches.
    pub fn delete(&self, key: &str, previous: Option<u64>, done: Done<()>) {
        self.remove(key, previous, None, false, done);
    }

    /// `purge(key, {previousSeq, ttl})`; a wildcard key purges every live key it matches.
    pub fn purge(&self, key: &str, previous: Option<u64>, ttl: Option<Ttl>, done: Done<()>) {
        self.remove(key, previous, ttl, true, done);
    }

    fn marker(
        &self,
        key: &str,
        previous: Option<u64>,
        ttl: &Option<Ttl>,
        purge: bool,
    ) -> Result<WriteRequest, NatsError> {
        if purge {
            self.bucket
                .purge(key, previous, ttl.as_ref().map(Ttl::as_msg_ttl))
        } else {
            self.bucket.delete(key, previous)
        }
    }

    fn remove(
        &self,
        key: &str,
        previous: Option<u64>,
        ttl: Option<Ttl>,
        purge: bool,
        done: Done<()>,
    ) {
        match is_multi_key(key, previous) {
            Err(e) => done(Err(e)),
            Ok(false) => self.write(
                self.marker(key, previous, &ttl, purge),
                b"",
                None,
                Box::new(move |r| done(r.map(|_| ()))),
            ),
            Ok(true) => {
                let kv = self.clone();
                self.keys(
                    vec![key.to_owned()],
                    Box::new(move |r| match r {
                        Ok(keys) => kv.remove_each(keys.into_iter(), ttl, purge, done),
                        Err(e) => done(Err(e)),
                    }),
                );
            }
        }
    }

    /// Writes a marker for each key, one after the other; stops at the first error.
    fn remove_each(
        &self,
        mut keys: std::vec::IntoIter<String>,
        ttl: Option<Ttl>,
        purge: bool,
        done: Done<()>,
    ) {
        let Some(key) = keys.next() else {
            return done(Ok(()));
        };
        let kv = self.clone();
        let req = self.marker(&key, None, &ttl, purge);
        self.write(
            req,
            b"",
            None,
            Box::new(move |r| match r {
                Ok(_) => kv.remove_each(keys, ttl, purge, done),
                Err(e) => done(Err(e)),
            }),
        );
    }

    /// `status()`.
    pub fn status(&self, done: Done<KvStatus>) {
        self.js.call(
            self.bucket.info_request(),
            ErrorContext::Kv,
            Box::new(move |r| {
                done(
                    r.and_then(StreamInfo::from_json)
                        .map(|i| KvStatus::from_stream_info(&i)),
                )
            }),
        );
    }

    /// `destroy()`: deletes the bucket's stream.
    pub fn destroy(&self, done: Done<bool>) {
        self.js.call(
            self.bucket.destroy_request(),
            ErrorContext::Kv,
            Box::new(move |r| {
                done(r.map(|json| json.get("success").and_then(Json::as_bool).unwrap_or(false)))
            }),
        );
    }

    /// Starts a watch; `sink` receives `Started`, entries, `Initialized` and the end.
    pub fn watch(
        &self,
        opts: &WatchOptions,
        sink: RunSink<KvEntry>,
    ) -> Result<WatchRun, NatsError> {
        let nuid = self.js.client.next_nuid();
        let watcher = Watcher::new(&self.bucket, opts, &nuid, &self.js.watcher_prefix)?;
        Ok(ConsumerRun::start(
            &self.js.client,
            watcher,
            self.js.timeout_ms,
            sink,
        ))
    }

    /// Runs a watch until its initial values are delivered, handing every entry to `each`; then
    /// stops it and calls `done`.
    fn scan(&self, opts: &WatchOptions, mut each: Box<dyn FnMut(KvEntry)>, done: Done<()>) {
        let done = Rc::new(RefCell::new(Some(done)));
        let finish = done.clone();
        let run_slot: Rc<RefCell<Option<WatchRun>>> = Rc::new(RefCell::new(None));
        let slot = run_slot.clone();
        let sink: RunSink<KvEntry> = Box::new(move |ev| match ev {
            RunEvent::Started => {}
            RunEvent::Items(es) => es.into_iter().for_each(&mut each),
            RunEvent::Initialized => {
                let run = slot.borrow_mut().take();
                if let Some(run) = run {
                    run.stop();
                }
                let d = finish.borrow_mut().take();
                if let Some(d) = d {
                    d(Ok(()));
                }
            }
            RunEvent::Ended(err) => {
                slot.borrow_mut().take();
                let d = finish.borrow_mut().take();
                if let Some(d) = d {
                    d(Err(err.unwrap_or_else(|| {
                        NatsError::connection_closed("connection closed")
                    })));
                }
            }
        });
        match self.watch(opts, sink) {
            // The run holds itself (through the sink's slot) until it ends; one that ended at once
            // is dropped with the slot.
            Ok(run) => *run_slot.borrow_mut() = Some(run),
            Err(e) => {
                let d = done.borrow_mut().take();
                if let Some(d) = d {
                    d(Err(e));
                }
            }
        }
    }

    /// `keys(filter)`: the keys whose last operation is PUT.
    pub fn keys(&self, filters: Vec<String>, done: Done<Vec<String>>) {
        let keys = Rc::new(RefCell::new(KeysCollector::new()));
        let k = keys.clone();
        self.scan(
            &WatchOptions::for_keys(filters),
            Box::new(move |e| k.borrow_mut().push(&e)),
            Box::new(move |r| {
                done(r.map(|()| std::mem::take(&mut *keys.borrow_mut()).into_keys()))
            }),
        );
    }

    /// `history({key, headers_only})`: every stored revision, in order.
    pub fn history(&self, keys: Vec<String>, headers_only: bool, done: Done<Vec<KvEntry>>) {
        let hist = Rc::new(RefCell::new(HistoryCollector::new()));
        let h = hist.clone();
        self.scan(
            &WatchOptions::for_history(keys, headers_only),
            Box::new(move |e| h.borrow_mut().push(e)),
            Box::new(move |r| {
                done(r.map(|()| std::mem::take(&mut *hist.borrow_mut()).into_entries()))
            }),
        );
    }

    /// `purgeDeletes(olderMillis)`: removes the history of deleted keys (and markers older than
    /// `older_ms`); the number of messages purged.
    pub fn purge_deletes(&self, older_ms: f64, done: Done<u64>) {
        let last = Rc::new(RefCell::new(Vec::new()));
        let l = last.clone();
        let kv = self.clone();
        self.scan(
            &WatchOptions::default(),
            Box::new(move |e| l.borrow_mut().push(e)),
            Box::new(move |r| {
                if let Err(e) = r {
                    return done(Err(e));
                }
                let entries = std::mem::take(&mut *last.borrow_mut());
                let now = kv.js.client.link().wall_clock();
                let plan = kv.bucket.purge_deletes_plan(&entries, now, older_ms);
                kv.purge_each(plan.into_iter(), 0, done);
            }),
        );
    }

    fn purge_each(
        &self,
        mut plan: std::vec::IntoIter<crate::jetstream::ApiRequest>,
        total: u64,
        done: Done<u64>,
    ) {
        let Some(req) = plan.next() else {
            return done(Ok(total));
        };
        let kv = self.clone();
        self.js.call(
            req,
            ErrorContext::Kv,
            Box::new(move |r| match r {
                Ok(json) => kv.purge_each(plan, total + purged(&json), done),
                Err(e) => done(Err(e)),
            }),
        );
    }

    /// `modify(key, fn, {maxRetries})`: reads the key, asks `f` for the new value and writes it with
    /// compare-and-swap (`update` at the read revision, or `create` for a missing key); on a conflict
    /// (`WRONG_LAST_REVISION`, `KEY_EXISTS`) it starts over, at most `max_retries` more times. `f`
    /// returning `None` changes nothing: the current revision (0 for none).
    pub fn modify(&self, key: String, f: ModifyFn, max_retries: u32, done: Done<u64>) {
        self.modify_attempt(key, f, 0, max_retries, done);
    }

    fn modify_attempt(
        &self,
        key: String,
        mut f: ModifyFn,
        attempt: u32,
        max_retries: u32,
        done: Done<u64>,
    ) {
        let kv = self.clone();
        self.get(
            &key.clone(),
            None,
            Box::new(move |current| {
                let current = match current {
                    Ok(c) => c,
                    Err(e) => return done(Err(e)),
                };
                let next = match f(current.as_ref()) {
                    Ok(Some(v)) => v,
                    Ok(None) => return done(Ok(current.map_or(0, |c| c.revision))),
                    Err(e) => return done(Err(e)),
                };
                let again = kv.clone();
                let k = key.clone();
                let written: Done<u64> = Box::new(move |r| match r {
                    Err(e)
                        if matches!(
                            e.code,
                            ErrorCode::WrongLastRevision | ErrorCode::KeyExists
                        ) =>
                    {
                        if attempt < max_retries {
                            again.modify_attempt(k, f, attempt + 1, max_retries, done)
                        } else {
                            done(Err(NatsError::new(
                                ErrorCode::WrongLastRevision,
                                format!(
                                    "modify of {k} still conflicted after {max_retries} retries"
                                ),
                            )))
                        }
                    }
                    other => done(other),
                });
                match current {
                    Some(c) => kv.update(&key, &next, c.revision, None, written),
                    None => kv.create(&key, next, None, written),
                }
            }),
        );
    }
}

/// A write's revision from its PubAck reply.
fn write_result(r: Result<Msg, NatsError>) -> Result<u64, NatsError> {
    Ok(PubAck::from_reply(r.map_err(key_subject_error))?.seq)
}
