//! JetStream Key/Value operations over a [`WebClient`]: the sans-IO `jetstream`/`kv` builders and
//! parsers, with the requests actually sent.

use std::cell::RefCell;
use std::rc::Rc;

use crate::error::{ErrorCode, NatsError};
use crate::jetstream::api::{ApiRequest, JsApi};
use crate::jetstream::error::{api_reply, ErrorContext};
use crate::jetstream::headers::MsgTtl;
use crate::jetstream::types::{api_level, purged, PubAck, StreamInfo};
use crate::kv::bucket::{create_error, create_retry, get_result, is_multi_key, key_subject_error};
use crate::kv::validate::validate_bucket;
use crate::kv::{
    Bucket, HistoryCollector, KeysCollector, KvEntry, KvLister, KvOptions, KvStatus, WatchOptions,
    Watcher, WriteRequest,
};
use crate::proto::json::Json;
use crate::proto::Msg;
use crate::web::client::WebClient;
use crate::web::clock::wall_clock_ms;
use crate::web::oneshot::channel;
use crate::web::watch::{WatchEvent, WatchRun, WatchSink};

/// Default JetStream API timeout, ms.
pub const DEFAULT_TIMEOUT: f64 = 5000.0;

/// A JetStream context: the connection, the API prefix and the call timeout.
#[derive(Clone)]
pub struct JetStream {
    pub client: WebClient,
    pub api: JsApi,
    pub timeout_ms: f64,
    /// Inbox prefix for watcher deliver subjects.
    pub watcher_prefix: String,
}

impl JetStream {
    /// Sends one API request and returns the reply JSON (errors mapped in `ctx`).
    pub async fn call(&self, req: ApiRequest, ctx: ErrorContext) -> Result<Json, NatsError> {
        let r = self
            .client
            .request(&req.subject, req.body.as_bytes(), None, self.timeout_ms)
            .await;
        api_reply(r, ctx)
    }

    /// `Kvm.create()`: creates the bucket, or binds to it if it exists with the same configuration.
    pub async fn kv_create(&self, name: &str, opts: &KvOptions) -> Result<Kv, NatsError> {
        validate_bucket(name)?;
        if opts.marker_ttl.unwrap_or(0) > 0 {
            let info = self
                .call(
                    ApiRequest::empty(self.api.account_info()),
                    ErrorContext::General,
                )
                .await?;
            opts.check_api_level(api_level(&info))?;
        }
        let js = self.with_timeout(opts.timeout);
        let req = opts.create_request(&js.api, name)?;
        let info = match js.call(req, ErrorContext::Kv).await {
            Ok(json) => StreamInfo::from_json(json)?,
            Err(e) if e.code == ErrorCode::BucketExists => {
                let existing = js.stream_info(name).await?;
                if let Some(what) = opts.config_difference(name, &existing) {
                    return Err(NatsError {
                        message: format!(
                            "bucket {name} exists with a different configuration ({what})"
                        ),
                        ..e
                    });
                }
                existing
            }
            Err(e) => return Err(e),
        };
        Ok(Kv {
            js: js.clone(),
            bucket: Bucket::from_stream_info(name, js.api.clone(), &info)?,
        })
    }

    /// `Kvm.open()`: binds to an existing bucket (`BUCKET_NOT_FOUND` if none).
    pub async fn kv_open(&self, name: &str, timeout: Option<f64>) -> Result<Kv, NatsError> {
        validate_bucket(name)?;
        let js = self.with_timeout(timeout);
        let info = js.stream_info(name).await?;
        Ok(Kv {
            js: js.clone(),
            bucket: Bucket::from_stream_info(name, js.api.clone(), &info)?,
        })
    }

    /// `Kvm.list()`: the status of every bucket.
    pub async fn kv_list(&self) -> Result<Vec<KvStatus>, NatsError> {
        let mut lister = KvLister::new();
        let mut out = Vec::new();
        while let Some(body) = lister.next_body() {
            let page = self
                .call(
                    ApiRequest::new(self.api.stream_list(), body),
                    ErrorContext::General,
                )
                .await?;
            out.extend(lister.on_page(page)?);
        }
        Ok(out)
    }

    async fn stream_info(&self, name: &str) -> Result<StreamInfo, NatsError> {
        let b = Bucket::new(name, self.api.clone())?;
        StreamInfo::from_json(self.call(b.info_request(), ErrorContext::Kv).await?)
    }

    fn with_timeout(&self, timeout: Option<f64>) -> JetStream {
        let mut js = self.clone();
        if let Some(t) = timeout.filter(|t| *t > 0.0) {
            js.timeout_ms = t;
        }
        js
    }
}

/// Called once with the result of an operation, from the event handler that decoded its reply.
pub type Done<T> = Box<dyn FnOnce(Result<T, NatsError>)>;

/// A bound bucket.
#[derive(Clone)]
pub struct Kv {
    pub js: JetStream,
    pub bucket: Bucket,
}

impl Kv {
    /// A write's timeout: the caller's (when positive), else the JetStream default.
    fn write_timeout(&self, timeout: Option<f64>) -> f64 {
        timeout.filter(|t| *t > 0.0).unwrap_or(self.js.timeout_ms)
    }

    async fn write(
        &self,
        w: WriteRequest,
        value: &[u8],
        timeout: Option<f64>,
    ) -> Result<u64, NatsError> {
        let t = self.write_timeout(timeout);
        let r = self
            .js
            .client
            .request(&w.subject, value, w.headers.as_ref(), t)
            .await;
        write_result(r)
    }

    /// The entry of `key` (markers included), latest or at `revision`.
    async fn fetch(&self, key: &str, revision: Option<u64>) -> Result<Option<KvEntry>, NatsError> {
        let g = self.bucket.get(key, revision)?;
        let r = self
            .js
            .client
            .request(
                &g.request.subject,
                g.request.body.as_bytes(),
                None,
                self.js.timeout_ms,
            )
            .await
            .map_err(key_subject_error);
        self.bucket.decode_get(key, g.direct, r)
    }

    /// `get(key, {revision})`: `None` for a missing key, or a key whose last operation is DEL/PURGE.
    /// Without a future: sends the request now, and `done` gets the result from the reply handler.
    pub fn get_then(
        self: &Rc<Self>,
        key: &str,
        revision: Option<u64>,
        done: Done<Option<KvEntry>>,
    ) {
        let g = match self.bucket.get(key, revision) {
            Ok(g) => g,
            Err(e) => return done(Err(e)),
        };
        // The callback holds the bucket (and its connection), as the future did until the reply.
        let kv = self.clone();
        let key = key.to_owned();
        let direct = g.direct;
        self.js.client.request_then(
            &g.request.subject,
            g.request.body.as_bytes(),
            None,
            self.js.timeout_ms,
            Box::new(move |r| {
                let entry = kv
                    .bucket
                    .decode_get(&key, direct, r.map_err(key_subject_error));
                done(entry.map(|e| get_result(e, revision.is_some())))
            }),
        );
    }

    /// `put(key, value, {previousSeq, timeout})`. Without a future: sends the request now, and `done`
    /// gets the revision from the reply handler.
    pub fn put_then(
        self: &Rc<Self>,
        key: &str,
        value: &[u8],
        previous: Option<u64>,
        timeout: Option<f64>,
        done: Done<u64>,
    ) {
        let w = match self.bucket.put(key, previous) {
            Ok(w) => w,
            Err(e) => return done(Err(e)),
        };
        let t = self.write_timeout(timeout);
        // The callback holds the bucket (and its connection), as the future did until the reply.
        let kv = self.clone();
        self.js.client.request_then(
            &w.subject,
            value,
            w.headers.as_ref(),
            t,
            Box::new(move |r| {
                let _alive = &kv;
                done(write_result(r))
            }),
        );
    }

    /// `create(key, value, ttl)`: only if the key has no value (retries once over a DEL/PURGE marker).
    pub async fn create(
        &self,
        key: &str,
        value: &[u8],
        ttl: Option<MsgTtl<'_>>,
    ) -> Result<u64, NatsError> {
        let first = self.write(self.bucket.create(key, ttl)?, value, None).await;
        let err = match first {
            Ok(rev) => return Ok(rev),
            Err(e) => e,
        };
        if err.code != ErrorCode::WrongLastRevision {
            return Err(err);
        }
        let current = self.fetch(key, None).await?;
        let at = create_retry(err, current.as_ref())?;
        self.write(self.bucket.create_at(key, at, ttl)?, value, None)
            .await
            .map_err(create_error)
    }

    /// `update(key, value, revision, timeout)`: compare-and-swap at `revision`.
    pub async fn update(
        &self,
        key: &str,
        value: &[u8],
        revision: u64,
        timeout: Option<f64>,
    ) -> Result<u64, NatsError> {
        self.write(self.bucket.update(key, revision)?, value, timeout)
            .await
    }

    /// `delete(key, {previousSeq})`; a wildcard key deletes every live key it matches.
    pub async fn delete(&self, key: &str, previous: Option<u64>) -> Result<(), NatsError> {
        if is_multi_key(key, previous)? {
            for k in self.keys(vec![key.to_owned()]).await? {
                self.write(self.bucket.delete(&k, None)?, b"", None).await?;
            }
            return Ok(());
        }
        self.write(self.bucket.delete(key, previous)?, b"", None)
            .await
            .map(|_| ())
    }

    /// `purge(key, {previousSeq, ttl})`; a wildcard key purges every live key it matches.
    pub async fn purge(
        &self,
        key: &str,
        previous: Option<u64>,
        ttl: Option<MsgTtl<'_>>,
    ) -> Result<(), NatsError> {
        if is_multi_key(key, previous)? {
            for k in self.keys(vec![key.to_owned()]).await? {
                self.write(self.bucket.purge(&k, None, ttl)?, b"", None)
                    .await?;
            }
            return Ok(());
        }
        self.write(self.bucket.purge(key, previous, ttl)?, b"", None)
            .await
            .map(|_| ())
    }

    /// `status()`.
    pub async fn status(&self) -> Result<KvStatus, NatsError> {
        let json = self
            .js
            .call(self.bucket.info_request(), ErrorContext::Kv)
            .await?;
        Ok(KvStatus::from_stream_info(&StreamInfo::from_json(json)?))
    }

    /// `destroy()`: deletes the bucket's stream.
    pub async fn destroy(&self) -> Result<bool, NatsError> {
        let json = self
            .js
            .call(self.bucket.destroy_request(), ErrorContext::Kv)
            .await?;
        Ok(json.get("success").and_then(Json::as_bool).unwrap_or(false))
    }

    /// Starts a watch; `sink` receives entries, `Initialized` and the end.
    pub fn watch(&self, opts: &WatchOptions, sink: WatchSink) -> Result<WatchRun, NatsError> {
        let nuid = self.js.client.next_nuid();
        let watcher = Watcher::new(&self.bucket, opts, &nuid, &self.js.watcher_prefix)?;
        Ok(WatchRun::start(
            &self.js.client,
            watcher,
            self.js.timeout_ms,
            sink,
        ))
    }

    /// Runs a watch until its initial values are delivered, handing every entry to `each` (boxed:
    /// one `scan` for keys, history and purgeDeletes instead of one per closure type).
    async fn scan(
        &self,
        opts: &WatchOptions,
        mut each: Box<dyn FnMut(KvEntry)>,
    ) -> Result<(), NatsError> {
        let (tx, rx) = channel::<Result<(), NatsError>>();
        let tx = Rc::new(RefCell::new(Some(tx)));
        let run = self.watch(
            opts,
            Box::new(move |ev| match ev {
                WatchEvent::Started => {}
                WatchEvent::Entries(es) => es.into_iter().for_each(&mut each),
                WatchEvent::Initialized => {
                    if let Some(tx) = tx.borrow_mut().take() {
                        tx.send(Ok(()));
                    }
                }
                WatchEvent::Ended(err) => {
                    if let Some(tx) = tx.borrow_mut().take() {
                        tx.send(Err(err.unwrap_or_else(|| {
                            NatsError::connection_closed("connection closed")
                        })));
                    }
                }
            }),
        )?;
        let r = rx
            .await
            .unwrap_or_else(|| Err(NatsError::connection_closed("connection closed")));
        run.stop();
        r
    }

    /// `keys(filter)`: the keys whose last operation is PUT.
    pub async fn keys(&self, filters: Vec<String>) -> Result<Vec<String>, NatsError> {
        let keys = Rc::new(RefCell::new(KeysCollector::new()));
        let k = keys.clone();
        self.scan(
            &WatchOptions::for_keys(filters),
            Box::new(move |e| k.borrow_mut().push(&e)),
        )
        .await?;
        let collected = std::mem::take(&mut *keys.borrow_mut());
        Ok(collected.into_keys())
    }

    /// `history({key, headers_only})`: every stored revision, in order.
    pub async fn history(
        &self,
        keys: Vec<String>,
        headers_only: bool,
    ) -> Result<Vec<KvEntry>, NatsError> {
        let hist = Rc::new(RefCell::new(HistoryCollector::new()));
        let h = hist.clone();
        self.scan(
            &WatchOptions::for_history(keys, headers_only),
            Box::new(move |e| h.borrow_mut().push(e)),
        )
        .await?;
        let collected = std::mem::take(&mut *hist.borrow_mut());
        Ok(collected.into_entries())
    }

    /// `purgeDeletes(olderMillis)`: removes the history of deleted keys (and markers older than
    /// `older_ms`); the number of messages purged.
    pub async fn purge_deletes(&self, older_ms: f64) -> Result<u64, NatsError> {
        let last = Rc::new(RefCell::new(Vec::new()));
        let l = last.clone();
        self.scan(
            &WatchOptions::default(),
            Box::new(move |e| l.borrow_mut().push(e)),
        )
        .await?;
        let entries = std::mem::take(&mut *last.borrow_mut());
        let mut total = 0;
        for req in self
            .bucket
            .purge_deletes_plan(&entries, wall_clock_ms(), older_ms)
        {
            total += purged(&self.js.call(req, ErrorContext::Kv).await?);
        }
        Ok(total)
    }
}

/// A write's revision from its PubAck reply.
fn write_result(r: Result<Msg, NatsError>) -> Result<u64, NatsError> {
    Ok(PubAck::from_reply(r.map_err(key_subject_error))?.seq)
}
