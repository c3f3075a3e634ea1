//! Key/Value exports: `WasmKv`, `WasmWatcher`, `WasmView` (wrapped by `js/kv.js`; `Kvm` is
//! `WasmJsm`). Each converts its arguments and hands the session layer a [`done`] of the caller's
//! promise.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::convert::{integer, member, payload, string};
use super::deliver::Deliver;
use super::kv_options::{key_list, ttl, watch_options};
use super::promise::{batch_values, done, Settle, ToJs};
use crate::error::NatsError;
use crate::kv::{KvEntry, KvStatus};
use crate::session::batch::{event, Batch, Kind};
use crate::session::consumer::RunEvent;
use crate::session::kv::{ModifyFn, WatchRun};
use crate::session::view::{View, ViewEvent};
use crate::session::Kv;
use crate::time::{MAX_SAFE_INTEGER, MAX_TIMER_MS};

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

fn entries_batch<'a>(es: impl IntoIterator<Item = &'a KvEntry>) -> Batch {
    let mut b = Batch::new(Kind::Entry);
    es.into_iter().for_each(|e| b.push_entry(e));
    b
}

impl ToJs for Option<KvEntry> {
    fn settle(self, s: Settle) {
        s.resolve_batch(&entries_batch(&self), true)
    }
}

impl ToJs for Vec<KvEntry> {
    fn settle(self, s: Settle) {
        s.resolve_batch(&entries_batch(&self), false)
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

impl ToJs for KvStatus {
    fn settle(self, s: Settle) {
        s.resolve(&status_js(&self))
    }
}

impl ToJs for Vec<KvStatus> {
    fn settle(self, s: Settle) {
        s.resolve(&self.iter().map(status_js).collect::<Array>())
    }
}

impl ToJs for Kv {
    fn settle(self, s: Settle) {
        s.resolve(&WasmKv { kv: self }.into())
    }
}

/// A bound bucket.
#[wasm_bindgen]
pub struct WasmKv {
    kv: Kv,
}

#[wasm_bindgen]
impl WasmKv {
    /// The bucket name.
    #[wasm_bindgen(getter)]
    pub fn bucket(&self) -> String {
        self.kv.bucket().name().to_owned()
    }

    /// The bucket's calls that answer once, picked by `op` (see `OP` in `js/kv.js`): 0 `get(key,
    /// a = revision)`, 1 `put(key, value, a = previousSeq, b = timeout)`, 2 `create(key, value, a =
    /// markerTTL)`, 3 `update(key, value, a = revision, b = timeout)`, 4 `delete(key, a =
    /// previousSeq)`, 5 `purge(key, a = previousSeq, b = markerTTL)`, 6 `keys(key = filter)`, 7
    /// `history(key, a = headers_only)`, 8 `status()`, 9 `purgeDeletes(a = olderMillis)`, 10
    /// `destroy()`. One export rather than eleven: each export costs its own glue.
    pub fn call(
        &self,
        op: u32,
        key: JsValue,
        value: JsValue,
        a: JsValue,
        b: JsValue,
        settle: Function,
    ) -> Result<(), JsValue> {
        let kv = &self.kv;
        match op {
            6 => kv.keys(key_list(&key, "filter")?, done::<Vec<String>>(settle)),
            7 => kv.history(
                key_list(&key, "key")?,
                a.as_bool().unwrap_or(false),
                done::<Vec<KvEntry>>(settle),
            ),
            8 => kv.status(done::<KvStatus>(settle)),
            9 => {
                let older = if a.is_undefined() || a.is_null() {
                    30.0 * 60.0 * 1000.0
                } else {
                    integer(&a, "olderMillis", -MAX_SAFE_INTEGER, MAX_SAFE_INTEGER)?
                };
                kv.purge_deletes(older, done::<u64>(settle))
            }
            10 => kv.destroy(done::<bool>(settle)),
            _ => {
                let key = string(&key, "key")?;
                match op {
                    0 => kv.get(
                        &key,
                        opt_seq(&a, "revision")?,
                        done::<Option<KvEntry>>(settle),
                    ),
                    4 => kv.delete(&key, opt_seq(&a, "previousSeq")?, done::<()>(settle)),
                    5 => kv.purge(
                        &key,
                        opt_seq(&a, "previousSeq")?,
                        ttl(&b)?,
                        done::<()>(settle),
                    ),
                    _ => {
                        let value = value_bytes(&value)?;
                        match op {
                            1 => kv.put(
                                &key,
                                &value,
                                opt_seq(&a, "previousSeq")?,
                                opt_timeout(&b)?,
                                done::<u64>(settle),
                            ),
                            2 => kv.create(&key, value, ttl(&a)?, done::<u64>(settle)),
                            _ => kv.update(
                                &key,
                                &value,
                                integer(&a, "revision", 0.0, MAX_SAFE_INTEGER)? as u64,
                                opt_timeout(&b)?,
                                done::<u64>(settle),
                            ),
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// Starts a watch: entries to `on_batch`, `STARTED`, `INITIALIZED` and `ENDED` to `on_event`.
    pub fn watch(
        &self,
        opts: JsValue,
        on_batch: Function,
        on_event: Function,
    ) -> Result<WasmWatcher, JsValue> {
        let o = watch_options(&opts)?;
        let mut deliver = Deliver::new(on_batch, on_event);
        let run = self.kv.watch(
            &o,
            Box::new(move |ev| match ev {
                RunEvent::Started => deliver.event(event::STARTED, None),
                RunEvent::Items(es) => deliver.entries(&es),
                RunEvent::Initialized => deliver.event(event::INITIALIZED, None),
                RunEvent::Ended(err) => deliver.event(event::ENDED, err.as_ref()),
            }),
        )?;
        Ok(WasmWatcher { run })
    }

    /// Starts a view of `key` (a filter, or all): the entries that change its map to `on_batch`;
    /// `STARTED`, `INITIALIZED`, `NOTIFY` (a new snapshot is due) and `ENDED` to `on_event`.
    pub fn view(
        &self,
        key: JsValue,
        on_batch: Function,
        on_event: Function,
    ) -> Result<WasmView, JsValue> {
        let keys = key_list(&key, "key")?;
        let mut deliver = Deliver::new(on_batch, on_event);
        let view = View::start(
            &self.kv,
            keys,
            Box::new(move |ev| match ev {
                ViewEvent::Started => deliver.event(event::STARTED, None),
                ViewEvent::Changes { entries, notify } => {
                    deliver.entries(&entries);
                    if notify {
                        deliver.event(event::NOTIFY, None);
                    }
                }
                ViewEvent::Ready { notify } => {
                    deliver.event(event::INITIALIZED, None);
                    if notify {
                        deliver.event(event::NOTIFY, None);
                    }
                }
                ViewEvent::Ended(err) => deliver.event(event::ENDED, err.as_ref()),
            }),
        )?;
        Ok(WasmView { view })
    }

    /// `modify(key, fn, {maxRetries})`: `apply(text, nums, data, kind)` is the caller's function
    /// over the packed current entry (`undefined`s for none); settles with the written (or current)
    /// revision. A throw from it rejects with what was thrown.
    pub fn modify(
        &self,
        key: JsValue,
        apply: JsValue,
        opts: JsValue,
        settle: Function,
    ) -> Result<(), JsValue> {
        let apply: Function = apply
            .dyn_into()
            .map_err(|_| NatsError::invalid_argument("modify takes a function"))?;
        let max_retries = match member(&opts, "maxRetries") {
            Some(v) => integer(&v, "maxRetries", 0.0, 1_000_000.0)? as u32,
            None => 10,
        };
        let key = string(&key, "key")?;
        let thrown: Rc<RefCell<Option<JsValue>>> = Rc::new(RefCell::new(None));
        let caught = thrown.clone();
        let f: ModifyFn = Box::new(move |current| {
            let b = entries_batch(current);
            let (text, nums, data) = batch_values(&b);
            let kind = JsValue::from(b.kind as u32);
            let r = if current.is_some() {
                apply.call4(&JsValue::UNDEFINED, &text, &nums, &data, &kind)
            } else {
                apply.call0(&JsValue::UNDEFINED)
            };
            match r {
                Ok(v) if v.is_undefined() => Ok(None),
                Ok(v) => value_bytes(&v).map(Some),
                Err(e) => {
                    *caught.borrow_mut() = Some(e);
                    // Replaced by what was thrown when the promise settles.
                    Err(NatsError::invalid_argument("modify's function threw"))
                }
            }
        });
        self.kv.modify(
            key,
            f,
            max_retries,
            Box::new(move |r| {
                let thrown = thrown.borrow_mut().take();
                match thrown {
                    Some(e) => {
                        let _ = settle.call2(&JsValue::UNDEFINED, &JsValue::FALSE, &e);
                    }
                    None => Settle(settle).finish(r),
                }
            }),
        );
        Ok(())
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

/// A running view.
#[wasm_bindgen]
pub struct WasmView {
    view: View,
}

#[wasm_bindgen]
impl WasmView {
    /// Stops the updates.
    pub fn close(&self) {
        self.view.close();
    }

    /// The highest revision seen.
    #[wasm_bindgen(getter)]
    pub fn revision(&self) -> f64 {
        self.view.revision() as f64
    }
}
