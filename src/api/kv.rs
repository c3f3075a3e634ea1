//! Key/Value exports: `WasmKvm`, `WasmKv`, `WasmWatcher` (wrapped by `js/kv.js`).

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;

use super::connection::WasmConnection;
use super::convert::{integer, payload, string};
use super::errors::{js_err, promise, settle_later, to_js};
use super::kv_options::{js_options, key_list, kv_options, ttl, watch_options};
use crate::error::NatsError;
use crate::jetstream::api::JsApi;
use crate::kv::watch::EntryPacker;
use crate::kv::{KvEntry, KvStatus, Operation};
use crate::time::{MAX_SAFE_INTEGER, MAX_TIMER_MS};
use crate::web::kv::{JetStream, Kv, DEFAULT_TIMEOUT};
use crate::web::watch::{WatchEvent, WatchRun};

fn opt_seq(v: &JsValue, what: &str) -> Result<Option<u64>, NatsError> {
    if v.is_undefined() || v.is_null() {
        Ok(None)
    } else {
        integer(v, what, 0.0, MAX_SAFE_INTEGER).map(|n| Some(n as u64))
    }
}

/// A KV value: a string or a `Uint8Array` (required: `undefined`/`null` are not a value).
fn value_bytes(v: &JsValue) -> Result<Vec<u8>, NatsError> {
    if v.is_undefined() || v.is_null() {
        return Err(NatsError::invalid_argument(
            "value must be a string or a Uint8Array",
        ));
    }
    payload(v)
}

fn opt_timeout(v: &JsValue) -> Result<Option<f64>, NatsError> {
    if v.is_undefined() || v.is_null() {
        Ok(None)
    } else {
        integer(v, "timeout", 1.0, MAX_TIMER_MS).map(Some)
    }
}

/// `[bucket, key, value, revision, created, delta, operation, length, isUpdate]` for `js/kv.js`.
fn entry_js(e: KvEntry) -> JsValue {
    let arr = Array::new_with_length(9);
    arr.set(0, JsValue::from_str(&e.bucket));
    arr.set(1, JsValue::from_str(&e.key));
    arr.set(2, Uint8Array::from(e.value.as_slice()).into());
    arr.set(3, JsValue::from_f64(e.revision as f64));
    arr.set(4, JsValue::from_f64(e.created));
    arr.set(5, JsValue::from_f64(e.delta as f64));
    arr.set(6, JsValue::from_str(e.operation.as_str()));
    arr.set(7, JsValue::from_f64(e.length as f64));
    arr.set(8, JsValue::from_bool(e.is_update));
    arr.into()
}

#[wasm_bindgen]
extern "C" {
    /// `(bucket, key, value, revision, created, delta, operation, length, isUpdate) => KvEntry`,
    /// registered by `js/index.js`; `operation` is 0 PUT, 1 DEL, 2 PURGE.
    type EntryFactory;
    #[wasm_bindgen(method, js_name = call)]
    #[allow(clippy::too_many_arguments)]
    fn make(
        this: &EntryFactory,
        this_arg: &JsValue,
        bucket: &JsValue,
        key: &JsValue,
        value: Uint8Array,
        revision: f64,
        created: f64,
        delta: f64,
        operation: u32,
        length: f64,
        is_update: bool,
    ) -> JsValue;
}

thread_local! {
    static ENTRY_FACTORY: RefCell<Option<EntryFactory>> = const { RefCell::new(None) };
}

/// Registers the `KvEntry` factory used by `get` (one call per entry instead of an array of 9 values
/// set one by one and rebuilt into an entry by an `async` wrapper); called once by `js/index.js`.
#[wasm_bindgen(js_name = setEntryFactory)]
pub fn set_entry_factory(factory: Function) {
    ENTRY_FACTORY.with(|f| *f.borrow_mut() = Some(factory.unchecked_into()));
}

/// The JS `KvEntry` for `e` (the entry array if no factory is registered). `bucket` and `key` are
/// the JS strings of `e.bucket` and `e.key` (the caller has them: no string crosses back).
fn entry_obj(e: KvEntry, bucket: &JsValue, key: &JsValue) -> JsValue {
    let made = ENTRY_FACTORY.with(|f| {
        f.borrow().as_ref().map(|f| {
            let op = match e.operation {
                Operation::Put => 0,
                Operation::Del => 1,
                Operation::Purge => 2,
            };
            f.make(
                &JsValue::UNDEFINED,
                bucket,
                key,
                Uint8Array::from(e.value.as_slice()),
                e.revision as f64,
                e.created,
                e.delta as f64,
                op,
                e.length as f64,
                e.is_update,
            )
        })
    });
    match made {
        Some(v) => v,
        None => entry_js(e),
    }
}

fn set(o: &Object, k: &str, v: JsValue) {
    let _ = Reflect::set(o, &JsValue::from_str(k), &v);
}

/// API.md `KvStatus` as a plain object.
fn status_js(s: &KvStatus) -> JsValue {
    let o = Object::new();
    set(&o, "bucket", JsValue::from_str(&s.bucket));
    set(&o, "values", JsValue::from_f64(s.values as f64));
    set(&o, "history", JsValue::from_f64(s.history as f64));
    set(&o, "ttl", JsValue::from_f64(s.ttl as f64));
    set(&o, "markerTTL", JsValue::from_f64(s.marker_ttl as f64));
    set(&o, "storage", JsValue::from_str(s.storage.as_str()));
    set(&o, "replicas", JsValue::from_f64(s.replicas as f64));
    set(&o, "size", JsValue::from_f64(s.size as f64));
    set(&o, "compression", JsValue::from_bool(s.compression));
    set(&o, "description", JsValue::from_str(&s.description));
    let md = Object::new();
    for (k, v) in &s.metadata {
        set(&md, k, JsValue::from_str(v));
    }
    set(&o, "metadata", md.into());
    set(&o, "maxBytes", JsValue::from_f64(s.max_bytes as f64));
    set(
        &o,
        "maxValueSize",
        JsValue::from_f64(s.max_value_size as f64),
    );
    o.into()
}

/// The JetStream KV manager (`new Kvm(nc, opts)` in `js/kv.js`).
#[wasm_bindgen]
pub struct WasmKvm {
    js: JetStream,
}

#[wasm_bindgen]
impl WasmKvm {
    /// A manager on `conn` with `JetStreamOptions` (apiPrefix, domain, timeout, watcherPrefix).
    #[wasm_bindgen(constructor)]
    pub fn new(conn: &WasmConnection, opts: JsValue) -> Result<WasmKvm, JsValue> {
        let o = js_options(&opts).map_err(js_err)?;
        let api = JsApi::new(o.api_prefix.as_deref(), o.domain.as_deref()).map_err(js_err)?;
        let client = conn.client().clone();
        let watcher_prefix = o.watcher_prefix.unwrap_or_else(|| client.inbox_prefix());
        Ok(WasmKvm {
            js: JetStream {
                client,
                api,
                timeout_ms: o.timeout.unwrap_or(DEFAULT_TIMEOUT),
                watcher_prefix,
            },
        })
    }

    /// Creates (or binds to an identical) bucket; resolves to a `WasmKv`.
    pub fn create(&self, bucket: JsValue, opts: JsValue) -> Promise {
        let js = self.js.clone();
        promise(Box::pin(async move {
            let name = string(&bucket, "bucket").map_err(js_err)?;
            let o = kv_options(&opts).map_err(js_err)?;
            Ok(WasmKv::new(js.kv_create(&name, &o).await.map_err(js_err)?).into())
        }))
    }

    /// Binds to an existing bucket; resolves to a `WasmKv`.
    pub fn open(&self, bucket: JsValue, opts: JsValue) -> Promise {
        let js = self.js.clone();
        promise(Box::pin(async move {
            let name = string(&bucket, "bucket").map_err(js_err)?;
            let o = kv_options(&opts).map_err(js_err)?;
            Ok(WasmKv::new(js.kv_open(&name, o.timeout).await.map_err(js_err)?).into())
        }))
    }

    /// The status of every bucket.
    pub fn list(&self) -> Promise {
        let js = self.js.clone();
        promise(Box::pin(async move {
            let all = js.kv_list().await.map_err(js_err)?;
            Ok(all.iter().map(status_js).collect::<Array>().into())
        }))
    }
}

/// A bound bucket.
#[wasm_bindgen]
pub struct WasmKv {
    /// Shared, not cloned, by each call (a `Kv` holds several strings).
    kv: Rc<Kv>,
    /// The bucket name as a JS string, for the entries `get` makes.
    bucket_js: JsValue,
}

impl WasmKv {
    fn new(kv: Kv) -> WasmKv {
        WasmKv {
            bucket_js: JsValue::from_str(kv.bucket.name()),
            kv: Rc::new(kv),
        }
    }
}

#[wasm_bindgen]
impl WasmKv {
    /// The bucket name.
    #[wasm_bindgen(getter)]
    pub fn bucket(&self) -> String {
        self.kv.bucket.name().to_owned()
    }

    /// Settles `settle` (see `settled` in js/panic.js) with a `KvEntry` or `null`.
    pub fn get(&self, key: JsValue, revision: JsValue, settle: Function) {
        let kv = self.kv.clone();
        let bucket = self.bucket_js.clone();
        settle_later(settle, move |settle| {
            let args = string(&key, "key").and_then(|k| Ok((k, opt_seq(&revision, "revision")?)));
            let (k, rev) = match args {
                Ok(a) => a,
                Err(e) => return settle.reject(&e),
            };
            // An entry's key is the key asked for (`KvEntry::from_stored`): the caller's JS string.
            kv.get_then(
                &k,
                rev,
                Box::new(move |r| match r {
                    Ok(e) => {
                        settle.resolve(&e.map_or(JsValue::NULL, |e| entry_obj(e, &bucket, &key)))
                    }
                    Err(e) => settle.reject(&e),
                }),
            );
        })
    }

    /// Settles `settle` (see `settled` in js/panic.js) with the new revision.
    pub fn put(
        &self,
        key: JsValue,
        value: JsValue,
        previous_seq: JsValue,
        timeout: JsValue,
        settle: Function,
    ) {
        let kv = self.kv.clone();
        settle_later(settle, move |settle| {
            let args = (|| {
                Ok::<_, NatsError>((
                    string(&key, "key")?,
                    value_bytes(&value)?,
                    opt_seq(&previous_seq, "previousSeq")?,
                    opt_timeout(&timeout)?,
                ))
            })();
            let (key, value, prev, timeout) = match args {
                Ok(a) => a,
                Err(e) => return settle.reject(&e),
            };
            kv.put_then(
                &key,
                &value,
                prev,
                timeout,
                Box::new(move |r| match r {
                    Ok(seq) => settle.resolve(&JsValue::from_f64(seq as f64)),
                    Err(e) => settle.reject(&e),
                }),
            );
        })
    }

    /// Resolves to the new revision; `KEY_EXISTS` if the key has a value.
    pub fn create(&self, key: JsValue, value: JsValue, marker_ttl: JsValue) -> Promise {
        let kv = self.kv.clone();
        promise(Box::pin(async move {
            let key = string(&key, "key").map_err(js_err)?;
            let value = value_bytes(&value).map_err(js_err)?;
            let t = ttl(&marker_ttl).map_err(js_err)?;
            let rev = kv
                .create(&key, &value, t.as_ref().map(|t| t.as_msg_ttl()))
                .await
                .map_err(js_err)?;
            Ok(JsValue::from_f64(rev as f64))
        }))
    }

    /// Resolves to the new revision; `WRONG_LAST_REVISION` if `revision` is not the key's last.
    pub fn update(
        &self,
        key: JsValue,
        value: JsValue,
        revision: JsValue,
        timeout: JsValue,
    ) -> Promise {
        let kv = self.kv.clone();
        promise(Box::pin(async move {
            let key = string(&key, "key").map_err(js_err)?;
            let value = value_bytes(&value).map_err(js_err)?;
            let rev = integer(&revision, "revision", 0.0, MAX_SAFE_INTEGER).map_err(js_err)? as u64;
            let timeout = opt_timeout(&timeout).map_err(js_err)?;
            Ok(JsValue::from_f64(
                kv.update(&key, &value, rev, timeout)
                    .await
                    .map_err(js_err)? as f64,
            ))
        }))
    }

    /// Writes a DEL marker.
    pub fn delete(&self, key: JsValue, previous_seq: JsValue) -> Promise {
        let kv = self.kv.clone();
        promise(Box::pin(async move {
            let key = string(&key, "key").map_err(js_err)?;
            let prev = opt_seq(&previous_seq, "previousSeq").map_err(js_err)?;
            kv.delete(&key, prev).await.map_err(js_err)?;
            Ok(JsValue::UNDEFINED)
        }))
    }

    /// Writes a PURGE marker (older revisions removed).
    pub fn purge(&self, key: JsValue, previous_seq: JsValue, marker_ttl: JsValue) -> Promise {
        let kv = self.kv.clone();
        promise(Box::pin(async move {
            let key = string(&key, "key").map_err(js_err)?;
            let prev = opt_seq(&previous_seq, "previousSeq").map_err(js_err)?;
            let t = ttl(&marker_ttl).map_err(js_err)?;
            kv.purge(&key, prev, t.as_ref().map(|t| t.as_msg_ttl()))
                .await
                .map_err(js_err)?;
            Ok(JsValue::UNDEFINED)
        }))
    }

    /// Resolves to the keys (array of strings).
    pub fn keys(&self, filter: JsValue) -> Promise {
        let kv = self.kv.clone();
        promise(Box::pin(async move {
            let filters = key_list(&filter, "filter").map_err(js_err)?;
            let keys = kv.keys(filters).await.map_err(js_err)?;
            Ok(keys
                .iter()
                .map(|k| JsValue::from_str(k))
                .collect::<Array>()
                .into())
        }))
    }

    /// Resolves to entry arrays, in revision order.
    pub fn history(&self, key: JsValue, headers_only: JsValue) -> Promise {
        let kv = self.kv.clone();
        promise(Box::pin(async move {
            let keys = key_list(&key, "key").map_err(js_err)?;
            let headers_only = headers_only.as_bool().unwrap_or(false);
            let entries = kv.history(keys, headers_only).await.map_err(js_err)?;
            Ok(entries.into_iter().map(entry_js).collect::<Array>().into())
        }))
    }

    /// Starts a watch. `on_entries(keys, data)` per batch of entries (see `EntryPacker`),
    /// `on_event(1)` once initialized, `on_event(2, error | null)` when it ends, `on_event(3)` once
    /// its consumer exists.
    pub fn watch(
        &self,
        opts: JsValue,
        on_entries: Function,
        on_event: Function,
    ) -> Result<WasmWatcher, JsValue> {
        let o = watch_options(&opts).map_err(js_err)?;
        let mut packer = EntryPacker::default();
        let run = self
            .kv
            .watch(
                &o,
                Box::new(move |ev| {
                    let _ = match ev {
                        WatchEvent::Entries(es) => {
                            packer.pack(&es);
                            let r = on_entries.call2(
                                &JsValue::UNDEFINED,
                                &JsValue::from_str(&packer.keys),
                                &Uint8Array::from(packer.data.as_slice()).into(),
                            );
                            packer.shrink();
                            r
                        }
                        WatchEvent::Initialized => {
                            on_event.call1(&JsValue::UNDEFINED, &JsValue::from(1))
                        }
                        WatchEvent::Started => {
                            on_event.call1(&JsValue::UNDEFINED, &JsValue::from(3))
                        }
                        WatchEvent::Ended(err) => on_event.call2(
                            &JsValue::UNDEFINED,
                            &JsValue::from(2),
                            &err.as_ref().map_or(JsValue::NULL, to_js),
                        ),
                    };
                }),
            )
            .map_err(js_err)?;
        Ok(WasmWatcher { run })
    }

    /// Resolves to the status object.
    pub fn status(&self) -> Promise {
        let kv = self.kv.clone();
        promise(Box::pin(async move {
            Ok(status_js(&kv.status().await.map_err(js_err)?))
        }))
    }

    /// Resolves to the number of messages purged.
    #[wasm_bindgen(js_name = purgeDeletes)]
    pub fn purge_deletes(&self, older_millis: JsValue) -> Promise {
        let kv = self.kv.clone();
        promise(Box::pin(async move {
            let older = if older_millis.is_undefined() || older_millis.is_null() {
                30.0 * 60.0 * 1000.0
            } else {
                integer(
                    &older_millis,
                    "olderMillis",
                    -MAX_SAFE_INTEGER,
                    MAX_SAFE_INTEGER,
                )
                .map_err(js_err)?
            };
            Ok(JsValue::from_f64(
                kv.purge_deletes(older).await.map_err(js_err)? as f64,
            ))
        }))
    }

    /// Deletes the bucket; resolves to `true`.
    pub fn destroy(&self) -> Promise {
        let kv = self.kv.clone();
        promise(Box::pin(async move {
            Ok(JsValue::from_bool(kv.destroy().await.map_err(js_err)?))
        }))
    }
}

/// A running watch.
#[wasm_bindgen]
pub struct WasmWatcher {
    run: WatchRun,
}

#[wasm_bindgen]
impl WasmWatcher {
    /// Stops the watch (its consumer is deleted).
    pub fn stop(&self) {
        self.run.stop();
    }

    /// Pauses (`true`) or resumes delivery: `js/kv.js` pauses while a `for await` consumer lags.
    pub fn pause(&self, paused: bool) {
        self.run.set_paused(paused);
    }
}
