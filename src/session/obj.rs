//! The Object Store (API.md "Object Store", JETSTREAM-SPEC.md §8): `Objm` create/open/list on the
//! [`JetStream`] context, and a bound store's operations ([`ObjectStore`]): info, put (a [`Put`] the
//! caller pushes bytes into, chunks pipelined within a window), get and watch/list (an
//! [`ObjReader`] in the one consumer run), delete, link, update, status, seal, destroy.

use std::cell::RefCell;
use std::rc::Rc;

use super::consumer::{ConsumerRun, RunEvent, RunSink};
use super::{Done, JetStream};
use crate::error::{ErrorCode, NatsError};
use crate::jetstream::error::ErrorContext;
use crate::jetstream::headers as hdr;
use crate::jetstream::stored::direct_get_reply;
use crate::jetstream::time::format_iso_ms;
use crate::jetstream::types::purged;
use crate::jetstream::{ApiRequest, Pager, PubAck};
use crate::obj::{
    chunk_size, chunk_subject, config_difference, digest_text, meta_subject, status_json,
    stream_name, validate_bucket, validate_name, Meta, MetaUse, ObjItem, ObjReader,
    ObjWatchOptions, ObjectInfo, Sha256, StoreOptions, EMPTY_DIGEST, PUT_WINDOW,
};
use crate::proto::json::Json;
use crate::proto::Headers;

/// A running object reader (get, watch).
pub type ObjRun = ConsumerRun<ObjReader>;

/// `{"success","purged"}` of `delete()`.
pub type Deleted = (bool, u64);

fn ctx() -> ErrorContext {
    ErrorContext::Kv
}

fn obj_str(k: &str, v: &str) -> (String, Json) {
    (k.to_owned(), Json::Str(v.to_owned()))
}

impl JetStream {
    /// `Objm.create()`: creates the bucket's stream, or binds to it if it exists with the same
    /// configuration (`BUCKET_EXISTS` if it differs).
    pub fn obj_create(&self, bucket: String, opts: StoreOptions, done: Done<ObjectStore>) {
        if let Err(e) = validate_bucket(&bucket) {
            return done(Err(e));
        }
        let config = opts.stream_config(&bucket);
        let stream = stream_name(&bucket);
        let req = ApiRequest::new(self.api.stream_create(&stream), config.to_json_string());
        let js = self.clone();
        self.call(
            req,
            ctx(),
            Box::new(move |r| match r {
                Ok(_) => done(Ok(ObjectStore::new(js, &bucket))),
                Err(e) if e.code == ErrorCode::BucketExists => {
                    let again = js.clone();
                    js.call(
                        ApiRequest::empty(js.api.stream_info(&stream)),
                        ctx(),
                        Box::new(move |r| {
                            done(r.and_then(|info| {
                                let existing = info.get("config").cloned().unwrap_or(Json::Null);
                                match config_difference(&config, &existing) {
                                    Some(what) => {
                                        let mut e = e;
                                        e.message = format!(
                                            "object store {bucket} exists with a different configuration ({what})"
                                        );
                                        Err(e)
                                    }
                                    None => Ok(ObjectStore::new(again, &bucket)),
                                }
                            }))
                        }),
                    );
                }
                Err(e) => done(Err(e)),
            }),
        );
    }

    /// `Objm.open()`: binds to an existing bucket (`BUCKET_NOT_FOUND` if none); `check = false`
    /// binds without a lookup.
    pub fn obj_open(&self, bucket: String, check: bool, done: Done<ObjectStore>) {
        if let Err(e) = validate_bucket(&bucket) {
            return done(Err(e));
        }
        let store = ObjectStore::new(self.clone(), &bucket);
        if !check {
            return done(Ok(store));
        }
        store
            .clone()
            .status(Box::new(move |r| done(r.map(|_| store))));
    }

    /// `Objm.list()`: the status of every object store.
    pub fn obj_list(&self, done: Done<Vec<Json>>) {
        self.list(
            self.api.stream_list(),
            Pager::new("streams", None),
            Box::new(move |r| done(r.map(|all| all.iter().filter_map(status_json).collect()))),
        );
    }
}

/// A bound object store (cheap to clone).
#[derive(Clone)]
pub struct ObjectStore(Rc<Inner>);

/// What a bound store holds (behind one `Rc`: the closures of its operations capture and drop one
/// pointer, not the JetStream context's fields).
pub struct Inner {
    js: JetStream,
    bucket: String,
}

impl std::ops::Deref for ObjectStore {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl ObjectStore {
    /// `bucket` (already checked) on `js`.
    pub fn new(js: JetStream, bucket: &str) -> ObjectStore {
        ObjectStore(Rc::new(Inner {
            js,
            bucket: bucket.to_owned(),
        }))
    }

    /// The bucket's name.
    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    fn stream(&self) -> String {
        stream_name(&self.bucket)
    }

    fn other(&self, bucket: &str) -> ObjectStore {
        ObjectStore::new(self.js.clone(), bucket)
    }

    /// `status()`.
    pub fn status(&self, done: Done<Json>) {
        self.js.call(
            ApiRequest::empty(self.js.api.stream_info(&self.stream())),
            ctx(),
            Box::new(move |r| {
                done(r.and_then(|i| {
                    status_json(&i).ok_or_else(|| NatsError::protocol("stream info without config"))
                }))
            }),
        );
    }

    /// `seal()`: the stream's configuration with `sealed: true`; the new status.
    pub fn seal(&self, done: Done<Json>) {
        let store = self.clone();
        self.js.call(
            ApiRequest::empty(self.js.api.stream_info(&self.stream())),
            ctx(),
            Box::new(move |r| {
                let config = match r.map(|i| i.get("config").cloned()) {
                    Ok(Some(Json::Obj(mut c))) => {
                        c.retain(|(k, _)| k != "sealed");
                        c.push(("sealed".into(), Json::Bool(true)));
                        Json::Obj(c)
                    }
                    Ok(_) => return done(Err(NatsError::protocol("stream info without config"))),
                    Err(e) => return done(Err(e)),
                };
                store.js.call(
                    ApiRequest::new(
                        store.js.api.stream_update(&store.stream()),
                        config.to_json_string(),
                    ),
                    ctx(),
                    Box::new(move |r| {
                        done(r.and_then(|i| {
                            status_json(&i)
                                .ok_or_else(|| NatsError::protocol("stream info without config"))
                        }))
                    }),
                );
            }),
        );
    }

    /// `destroy()`: deletes the stream.
    pub fn destroy(&self, done: Done<bool>) {
        self.js.call(
            ApiRequest::empty(self.js.api.stream_delete(&self.stream())),
            ctx(),
            Box::new(move |r| {
                done(r.map(|j| j.get("success").and_then(Json::as_bool).unwrap_or(false)))
            }),
        );
    }

    /// `info(name)`: the last meta of `name` (delete markers too), `None` if there is none.
    pub fn info(&self, name: &str, done: Done<Option<ObjectInfo>>) {
        if let Err(e) = validate_name(name) {
            return done(Err(e));
        }
        let subject = self
            .js
            .api
            .direct_get_last(&self.stream(), &meta_subject(&self.bucket, name));
        let bucket = self.bucket.clone();
        self.js.client.request(
            &subject,
            b"",
            None,
            self.js.timeout_ms,
            Box::new(move |r| {
                done(direct_get_reply(r, ctx()).and_then(|m| match m {
                    None => Ok(None),
                    Some(m) => {
                        let mut i =
                            ObjectInfo::from_meta(&m.data, m.seq, format_iso_ms(m.time_ms))?;
                        if i.bucket.is_empty() {
                            i.bucket = bucket.to_string();
                        }
                        Ok(Some(i))
                    }
                }))
            }),
        );
    }

    /// Purges `subject` from the stream; the number of messages removed.
    fn purge(&self, subject: &str, done: Done<u64>) {
        let body = Json::Obj(vec![obj_str("filter", subject)]).to_json_string();
        self.js.call(
            ApiRequest::new(self.js.api.stream_purge(&self.stream()), body),
            ctx(),
            Box::new(move |r| done(r.map(|j| purged(&j)))),
        );
    }

    /// Publishes `info` as the meta of `info.name` (`Nats-Rollup: sub`, and the subject's last
    /// sequence when `previous` is given); the PubAck.
    fn write_meta(
        &self,
        info: &ObjectInfo,
        previous: Option<u64>,
        timeout: f64,
        done: Done<PubAck>,
    ) {
        let mut h = Headers::new();
        let mut set = |n: &str, v: &str| h.set(n, v).map_err(NatsError::from);
        let checked = set(hdr::ROLLUP, hdr::ROLLUP_SUBJECT).and_then(|()| match previous {
            Some(p) => set(hdr::EXPECTED_LAST_SUBJECT_SEQUENCE, &p.to_string()),
            None => Ok(()),
        });
        if let Err(e) = checked {
            return done(Err(e));
        }
        self.js.client.request(
            &meta_subject(&self.bucket, &info.name),
            info.to_meta().as_bytes(),
            Some(&h),
            timeout,
            Box::new(move |r| done(PubAck::from_reply_in(r, ctx()))),
        );
    }

    /// Writes `info` and resolves it as stored (read back: revision and the server's time).
    fn write_and_read(&self, info: ObjectInfo, done: Done<ObjectInfo>) {
        let store = self.clone();
        let name = info.name.clone();
        self.write_meta(
            &info,
            None,
            self.js.timeout_ms,
            Box::new(move |r| match r {
                Ok(_) => store.info(&name, Box::new(move |r| done(r.and_then(found)))),
                Err(e) => done(Err(e)),
            }),
        );
    }

    /// Starts a `put(meta, …, {previousRevision, timeout})`: the caller pushes the bytes with
    /// [`Put::write`] and ends with [`Put::finish`] (or [`Put::abort`]). Every check of `meta_json`
    /// happens here, before anything is sent.
    pub fn put(
        &self,
        meta_json: &str,
        previous: Option<u64>,
        timeout: Option<f64>,
        progress: Option<Box<dyn FnMut(u64)>>,
    ) -> Result<Put, NatsError> {
        let meta = Meta::parse(meta_json, MetaUse::Put)?;
        let mut info = ObjectInfo::new(&self.bucket, meta.name.as_deref().unwrap_or(""));
        meta.apply(&mut info);
        if let Some(n) = meta.max_chunk_size {
            info.options = Json::Obj(vec![("max_chunk_size".into(), Json::Int(n as i64))]);
        }
        info.nuid = self.js.client.next_nuid();
        // The chunk subject is short: what the request adds is its reply subject, no headers.
        let chunk = chunk_size(meta.max_chunk_size, self.js.client.max_payload(), 0);
        let subject = chunk_subject(&self.bucket, &info.nuid);
        Ok(Put(Rc::new(RefCell::new(PutState {
            store: self.clone(),
            info,
            chunk,
            subject,
            previous,
            timeout: timeout.filter(|t| *t > 0.0).unwrap_or(self.js.timeout_ms),
            progress,
            buf: Vec::new(),
            start: 0,
            hasher: Some(Sha256::new()),
            sent_bytes: 0,
            acked_bytes: 0,
            chunks: 0,
            in_flight: 0,
            writer: None,
            finish: None,
            failed: None,
            state: PutPhase::Writing,
        }))))
    }

    /// `delete(name)`: a delete marker (rollup) and the purge of the chunks; `(false, 0)` for a
    /// missing or deleted object (nothing is written).
    pub fn delete(&self, name: &str, done: Done<Deleted>) {
        let store = self.clone();
        self.info(
            name,
            Box::new(move |r| {
                let old = match r {
                    Ok(Some(i)) if !i.deleted => i,
                    Ok(_) => return done(Ok((false, 0))),
                    Err(e) => return done(Err(e)),
                };
                let mut marker = ObjectInfo::new(&old.bucket, &old.name);
                marker.nuid = old.nuid.clone();
                marker.headers = old.headers.clone();
                marker.deleted = true;
                let again = store.clone();
                store.write_meta(
                    &marker,
                    None,
                    store.js.timeout_ms,
                    Box::new(move |r| match r {
                        Err(e) => done(Err(e)),
                        Ok(_) if old.nuid.is_empty() => done(Ok((true, 0))),
                        Ok(_) => again.purge(
                            &chunk_subject(&again.bucket, &old.nuid),
                            Box::new(move |r| done(r.map(|n| (true, n)))),
                        ),
                    }),
                );
            }),
        );
    }

    /// `link(name, target)`: a link to the live object `target` (read again from its bucket).
    /// Errors: `OBJECT_NOT_FOUND` (deleted or gone), `INVALID_ARGUMENT` (a link), `OBJECT_EXISTS`
    /// (`name` holds a live object that is not a link).
    pub fn link(&self, name: &str, target: ObjectInfo, done: Done<ObjectInfo>) {
        if let Err(e) = validate_name(name).and_then(|()| validate_bucket(&target.bucket)) {
            return done(Err(e));
        }
        if target.link().is_some() {
            return done(Err(NatsError::invalid_argument(
                "a link cannot point to a link",
            )));
        }
        let store = self.clone();
        let name = name.to_owned();
        let tbucket = target.bucket.clone();
        let tname = target.name.clone();
        self.other(&target.bucket).info(
            &tname,
            Box::new(move |r| {
                let t = match r {
                    Ok(Some(t)) if !t.deleted && t.link().is_none() => t,
                    Ok(Some(t)) if t.link().is_some() => {
                        return done(Err(NatsError::invalid_argument(
                            "a link cannot point to a link",
                        )))
                    }
                    Ok(_) => return done(Err(not_found(&target.name))),
                    Err(e) => return done(Err(e)),
                };
                let link = Json::Obj(vec![obj_str("bucket", &tbucket), obj_str("name", &t.name)]);
                store.write_link(name, link, done);
            }),
        );
    }

    /// `linkStore(name, bucket)`: a link to a whole bucket.
    pub fn link_store(&self, name: &str, bucket: &str, done: Done<ObjectInfo>) {
        if let Err(e) = validate_name(name).and_then(|()| validate_bucket(bucket)) {
            return done(Err(e));
        }
        let link = Json::Obj(vec![obj_str("bucket", bucket)]);
        self.write_link(name.to_owned(), link, done);
    }

    fn write_link(&self, name: String, link: Json, done: Done<ObjectInfo>) {
        let store = self.clone();
        self.info(
            &name.clone(),
            Box::new(move |r| {
                match r {
                    Ok(Some(i)) if !i.deleted && i.link().is_none() => {
                        return done(Err(exists(&name)))
                    }
                    Err(e) => return done(Err(e)),
                    Ok(_) => {}
                }
                let mut info = ObjectInfo::new(&store.bucket, &name);
                info.nuid = store.js.client.next_nuid();
                info.options = Json::Obj(vec![("link".into(), link)]);
                store.write_and_read(info, done);
            }),
        );
    }

    /// `update(name, meta)`: new description, headers, metadata or name of a live object; a rename
    /// purges the old meta. Errors: `OBJECT_NOT_FOUND`, `OBJECT_EXISTS` (renaming onto a live
    /// object), `INVALID_ARGUMENT` (`options`).
    pub fn update(&self, name: &str, meta_json: &str, done: Done<PubAck>) {
        let meta = match validate_name(name).and_then(|()| Meta::parse(meta_json, MetaUse::Update))
        {
            Ok(m) => m,
            Err(e) => return done(Err(e)),
        };
        let store = self.clone();
        let old_name = name.to_owned();
        self.info(
            name,
            Box::new(move |r| {
                let mut info = match r {
                    Ok(Some(i)) if !i.deleted => i,
                    Ok(_) => return done(Err(not_found(&old_name))),
                    Err(e) => return done(Err(e)),
                };
                meta.apply(&mut info);
                let renamed = info.name != old_name;
                let write = move |store: ObjectStore, info: ObjectInfo, done: Done<PubAck>| {
                    let again = store.clone();
                    store.write_meta(
                        &info,
                        None,
                        store.js.timeout_ms,
                        Box::new(move |r| match r {
                            Ok(ack) if renamed => again.purge(
                                &meta_subject(&again.bucket, &old_name),
                                Box::new(move |p| done(p.map(|_| ack))),
                            ),
                            other => done(other),
                        }),
                    );
                };
                if !renamed {
                    return write(store, info, done);
                }
                let again = store.clone();
                store.info(
                    &info.name.clone(),
                    Box::new(move |r| match r {
                        Ok(Some(i)) if !i.deleted => done(Err(exists(&i.name))),
                        Ok(_) => write(again, info, done),
                        Err(e) => done(Err(e)),
                    }),
                );
            }),
        );
    }

    /// The info `get(name)` reads: links followed (into other buckets too; a bucket link is
    /// `INVALID_ARGUMENT`), `None` for a missing or deleted object or link target.
    pub fn resolve(&self, name: &str, done: Done<Option<ObjectInfo>>) {
        let store = self.clone();
        self.info(
            name,
            Box::new(move |r| match r {
                Ok(Some(i)) if !i.deleted => match i.link() {
                    None => done(Ok(Some(i))),
                    Some((_, None)) => done(Err(NatsError::invalid_argument(
                        "the object is a link to a bucket",
                    ))),
                    Some((b, Some(n))) => {
                        if validate_bucket(&b).is_err() {
                            return done(Ok(None));
                        }
                        store.other(&b).info(
                            &n,
                            Box::new(move |r| match r {
                                // The target's bucket is gone: the link reads as nothing.
                                Err(e) if e.code == ErrorCode::BucketNotFound => done(Ok(None)),
                                r => {
                                    done(r.map(|t| t.filter(|t| !t.deleted && t.link().is_none())))
                                }
                            }),
                        )
                    }
                },
                Ok(_) => done(Ok(None)),
                Err(e) => done(Err(e)),
            }),
        );
    }

    /// Reads the chunks of `info` (from [`resolve`](Self::resolve)) into `sink`: `Items` of
    /// [`ObjItem::Chunk`], `Initialized` once all arrived and were verified, then the run stops by
    /// itself (`Ended(None)`); a mismatch ends it with `OBJECT_DIGEST_MISMATCH`. An empty object is
    /// verified at once (`None`: nothing to run).
    pub fn read(&self, info: &ObjectInfo, mut sink: RunSink<ObjItem>) -> Option<ObjRun> {
        if info.chunks == 0 && info.size == 0 {
            let ok = crate::obj::parse_digest(&info.digest)
                == crate::obj::parse_digest(EMPTY_DIGEST)
                || info.digest.is_empty();
            sink(RunEvent::Started);
            if ok {
                sink(RunEvent::Initialized);
                sink(RunEvent::Ended(None));
            } else {
                sink(RunEvent::Ended(Some(NatsError::new(
                    ErrorCode::ObjectDigestMismatch,
                    format!(
                        "object \"{}\" is corrupt: the SHA-256 digest differs from its info",
                        info.name
                    ),
                ))));
            }
            return None;
        }
        let nuid = self.js.client.next_nuid();
        let reader =
            match ObjReader::chunks(self.js.api.clone(), info, &nuid, &self.js.watcher_prefix) {
                Ok(r) => r,
                Err(e) => {
                    sink(RunEvent::Ended(Some(e)));
                    return None;
                }
            };
        Some(self.run_until_initialized(reader, sink))
    }

    /// Runs `reader` until `Initialized` (handed on first), then stops it.
    fn run_until_initialized(&self, reader: ObjReader, mut sink: RunSink<ObjItem>) -> ObjRun {
        let slot: Rc<RefCell<Option<ObjRun>>> = Rc::new(RefCell::new(None));
        let s = slot.clone();
        let wrapped: RunSink<ObjItem> = Box::new(move |ev| {
            let init = matches!(ev, RunEvent::Initialized);
            let end = matches!(ev, RunEvent::Ended(_));
            sink(ev);
            if init {
                let run = s.borrow_mut().take();
                if let Some(run) = run {
                    run.stop();
                }
            } else if end {
                s.borrow_mut().take();
            }
        });
        let run = ConsumerRun::start(&self.js.client, reader, self.js.timeout_ms, wrapped);
        *slot.borrow_mut() = Some(run.clone());
        run
    }

    /// `watch(opts)`: the current objects (or every revision, or nothing), then changes, into `sink`.
    pub fn watch(
        &self,
        opts: ObjWatchOptions,
        sink: RunSink<ObjItem>,
    ) -> Result<ObjRun, NatsError> {
        let nuid = self.js.client.next_nuid();
        let reader = ObjReader::metas(
            self.js.api.clone(),
            &self.bucket,
            opts,
            &nuid,
            &self.js.watcher_prefix,
        )?;
        Ok(ConsumerRun::start(
            &self.js.client,
            reader,
            self.js.timeout_ms,
            sink,
        ))
    }

    /// `list()`: the live objects and links, in revision order.
    pub fn list(&self, done: Done<Vec<ObjectInfo>>) {
        let found = Rc::new(RefCell::new(Vec::new()));
        let done = Rc::new(RefCell::new(Some(done)));
        let (f, d) = (found.clone(), done.clone());
        let opts = ObjWatchOptions {
            ignore_deletes: true,
            ..ObjWatchOptions::default()
        };
        let sink: RunSink<ObjItem> = Box::new(move |ev| match ev {
            RunEvent::Items(items) => {
                f.borrow_mut()
                    .extend(items.into_iter().filter_map(|i| match i {
                        ObjItem::Info(i, _) => Some(*i),
                        ObjItem::Chunk(_) => None,
                    }))
            }
            RunEvent::Initialized => {
                let all = std::mem::take(&mut *f.borrow_mut());
                if let Some(d) = d.borrow_mut().take() {
                    d(Ok(all));
                }
            }
            RunEvent::Ended(e) => {
                if let Some(d) = d.borrow_mut().take() {
                    d(Err(e.unwrap_or_else(|| {
                        NatsError::connection_closed("connection closed")
                    })));
                }
            }
            RunEvent::Started => {}
        });
        let nuid = self.js.client.next_nuid();
        match ObjReader::metas(
            self.js.api.clone(),
            &self.bucket,
            opts,
            &nuid,
            &self.js.watcher_prefix,
        ) {
            Ok(reader) => {
                self.run_until_initialized(reader, sink);
            }
            Err(e) => {
                if let Some(d) = done.borrow_mut().take() {
                    d(Err(e));
                }
            }
        }
    }
}

fn found(r: Option<ObjectInfo>) -> Result<ObjectInfo, NatsError> {
    r.ok_or_else(|| NatsError::protocol("the meta just written is gone"))
}

fn not_found(name: &str) -> NatsError {
    NatsError::new(
        ErrorCode::ObjectNotFound,
        format!("object \"{name}\" not found"),
    )
}

fn exists(name: &str) -> NatsError {
    NatsError::new(ErrorCode::ObjectExists, format!("object \"{name}\" exists"))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PutPhase {
    /// Taking bytes.
    Writing,
    /// All chunks acknowledged: the meta is being written.
    Meta,
    /// Settled.
    Done,
}

struct PutState {
    store: ObjectStore,
    info: ObjectInfo,
    chunk: usize,
    subject: String,
    previous: Option<u64>,
    timeout: f64,
    progress: Option<Box<dyn FnMut(u64)>>,
    /// Bytes not yet sent: `buf[start..]`.
    buf: Vec<u8>,
    start: usize,
    hasher: Option<Sha256>,
    sent_bytes: u64,
    acked_bytes: u64,
    chunks: u64,
    in_flight: usize,
    /// A `write` waiting for room in the window.
    writer: Option<Done<()>>,
    /// `finish`'s callback.
    finish: Option<Done<ObjectInfo>>,
    /// Why the put failed (the new chunks are purged once none is in flight).
    failed: Option<NatsError>,
    state: PutPhase,
}

/// A put under way (cheap to clone): bytes in with [`write`](Self::write), as fast as the window of
/// [`PUT_WINDOW`] unacknowledged chunks allows; [`finish`](Self::finish) writes the meta.
#[derive(Clone)]
pub struct Put(Rc<RefCell<PutState>>);

impl Put {
    /// The chunk size in use.
    pub fn chunk_size(&self) -> usize {
        self.0.borrow().chunk
    }

    /// Takes `bytes`; `done` when more may be written (the window has room for the full chunks
    /// held), or with the put's error.
    pub fn write(&self, bytes: &[u8], done: Done<()>) {
        {
            let mut st = self.0.borrow_mut();
            if let Some(e) = st.failed.clone() {
                drop(st);
                return done(Err(e));
            }
            if st.state != PutPhase::Writing || st.finish.is_some() || st.writer.is_some() {
                drop(st);
                return done(Err(NatsError::invalid_argument(
                    "write after finish, or before the last write was taken",
                )));
            }
            if st.start > 0 && st.start >= st.buf.len() / 2 {
                let s = st.start;
                st.buf.drain(..s);
                st.start = 0;
            }
            st.buf.extend_from_slice(bytes);
            st.writer = Some(done);
        }
        self.pump();
    }

    /// No more bytes: sends the rest, then the meta; `done` with the stored info.
    pub fn finish(&self, done: Done<ObjectInfo>) {
        {
            let mut st = self.0.borrow_mut();
            if st.finish.is_some() || st.state != PutPhase::Writing {
                drop(st);
                return done(Err(NatsError::invalid_argument("put finished twice")));
            }
            st.finish = Some(done);
        }
        self.pump();
    }

    /// The source failed: nothing is stored, the new chunks are purged; the put settles with
    /// `INVALID_ARGUMENT` (`reason` in its message) once no chunk is in flight.
    pub fn abort(&self, reason: &str) {
        let e = NatsError::invalid_argument(format!("the source of the put failed: {reason}"));
        self.fail(e);
        // With no finish pending, the error has nowhere to go but a later finish.
        self.pump();
    }

    fn fail(&self, e: NatsError) {
        let writer = {
            let mut st = self.0.borrow_mut();
            if st.failed.is_none() && st.state == PutPhase::Writing {
                st.failed = Some(e.clone());
            }
            st.writer.take()
        };
        if let Some(w) = writer {
            w(Err(e));
        }
    }

    /// Sends what the window allows; releases the writer; moves on to the meta or the clean-up.
    fn pump(&self) {
        loop {
            let send = {
                let mut st = self.0.borrow_mut();
                let pending = st.buf.len() - st.start;
                let last = st.finish.is_some() && pending > 0;
                if st.failed.is_none()
                    && st.state == PutPhase::Writing
                    && st.in_flight < PUT_WINDOW
                    && (pending >= st.chunk || last)
                {
                    let n = pending.min(st.chunk);
                    let s = st.start;
                    let bytes = st.buf[s..s + n].to_vec();
                    st.start += n;
                    if let Some(h) = st.hasher.as_mut() {
                        h.update(&bytes);
                    }
                    st.in_flight += 1;
                    st.chunks += 1;
                    st.sent_bytes += n as u64;
                    Some((
                        bytes,
                        st.subject.clone(),
                        st.timeout,
                        st.store.js.client.clone(),
                    ))
                } else {
                    None
                }
            };
            let Some((bytes, subject, timeout, client)) = send else {
                break;
            };
            let put = self.clone();
            let n = bytes.len() as u64;
            client.request(
                &subject,
                &bytes,
                None,
                timeout,
                Box::new(move |r| put.on_ack(n, PubAck::from_reply_in(r, ctx()))),
            );
        }
        // The writer may go on once every full chunk is out.
        let writer = {
            let mut st = self.0.borrow_mut();
            let pending = st.buf.len() - st.start;
            if st.failed.is_none() && pending < st.chunk {
                st.writer.take()
            } else {
                None
            }
        };
        if let Some(w) = writer {
            w(Ok(()));
        }
        self.settle_if_ready();
    }

    fn on_ack(&self, n: u64, r: Result<PubAck, NatsError>) {
        let progress = {
            let mut st = self.0.borrow_mut();
            st.in_flight -= 1;
            match r {
                Ok(_) => {
                    st.acked_bytes += n;
                    Some((st.acked_bytes, st.progress.take()))
                }
                Err(e) => {
                    drop(st);
                    self.fail(e);
                    None
                }
            }
        };
        if let Some((done_bytes, Some(mut f))) = progress {
            f(done_bytes);
            let mut st = self.0.borrow_mut();
            if st.progress.is_none() && st.state != PutPhase::Done {
                st.progress = Some(f);
            }
        }
        self.pump();
    }

    /// When nothing is in flight: after a failure, purge the new chunks and reject `finish`; after
    /// the last chunk, write the meta.
    fn settle_if_ready(&self) {
        let mut st = self.0.borrow_mut();
        if st.in_flight > 0 || st.state != PutPhase::Writing {
            return;
        }
        if let Some(e) = st.failed.clone() {
            let Some(done) = st.finish.take() else { return };
            st.state = PutPhase::Done;
            st.progress = None;
            let (store, subject, sent) = (st.store.clone(), st.subject.clone(), st.chunks > 0);
            drop(st);
            if sent {
                return store.purge(&subject, Box::new(move |_| done(Err(e))));
            }
            return done(Err(e));
        }
        if st.finish.is_none() || st.start < st.buf.len() {
            return;
        }
        st.state = PutPhase::Meta;
        st.buf = Vec::new();
        st.start = 0;
        let digest = st.hasher.take().map(Sha256::finish).unwrap_or_default();
        st.info.digest = digest_text(&digest);
        st.info.size = st.sent_bytes;
        st.info.chunks = st.chunks;
        st.info.mtime = format_iso_ms(st.store.js.client.link().wall_clock().0 as i64);
        let empty = st.sent_bytes == 0;
        let mut progress = st.progress.take();
        let (store, info, previous, timeout) =
            (st.store.clone(), st.info.clone(), st.previous, st.timeout);
        drop(st);
        if empty {
            if let Some(f) = progress.as_mut() {
                f(0);
            }
        }
        let put = self.clone();
        // The object it replaces (its chunks go once the new meta is stored).
        store.clone().info(
            &info.name.clone(),
            Box::new(move |old| {
                let old_nuid = match old {
                    Ok(Some(o)) if !o.deleted && !o.nuid.is_empty() && o.nuid != info.nuid => {
                        Some(o.nuid)
                    }
                    _ => None,
                };
                let s = store.clone();
                let meta = info.clone();
                store.write_meta(
                    &meta,
                    previous,
                    timeout,
                    Box::new(move |r| put.on_meta(s, info, old_nuid, r)),
                );
            }),
        );
    }

    fn on_meta(
        &self,
        store: ObjectStore,
        info: ObjectInfo,
        old_nuid: Option<String>,
        r: Result<PubAck, NatsError>,
    ) {
        let done = {
            let mut st = self.0.borrow_mut();
            st.state = PutPhase::Done;
            st.finish.take()
        };
        let Some(done) = done else { return };
        match r {
            Err(e) => {
                let sent = info.chunks > 0;
                if sent {
                    store.purge(
                        &chunk_subject(&store.bucket, &info.nuid),
                        Box::new(move |_| done(Err(e))),
                    );
                } else {
                    done(Err(e));
                }
            }
            Ok(ack) => {
                let reply = move |store: ObjectStore| {
                    // Resolve the stored info (the server's time); if that read fails, the info
                    // as written.
                    let name = info.name.clone();
                    store.info(
                        &name,
                        Box::new(move |r| match r {
                            Ok(Some(i)) if i.revision == ack.seq => done(Ok(i)),
                            _ => done(Ok(ObjectInfo {
                                revision: ack.seq,
                                ..info
                            })),
                        }),
                    );
                };
                match old_nuid {
                    Some(old) => {
                        let s = store.clone();
                        store.purge(
                            &chunk_subject(&store.bucket, &old),
                            Box::new(move |_| reply(s)),
                        )
                    }
                    None => reply(store),
                }
            }
        }
    }
}
