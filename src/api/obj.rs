//! Object Store exports: `WasmObjStore`, `WasmObjPut`, `WasmObjRun` (wrapped by `js/obj.js`;
//! `Objm` is `WasmJsm`). Names and JSON cross as plain strings (checked in JS for type, in the
//! session layer for content); infos and statuses go back as JSON; reads and watches report through
//! one `on(kind, value)` callback.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Function, Uint8Array};
use wasm_bindgen::prelude::*;

use super::promise::{done, to_js, Settle, ToJs};
use crate::error::NatsError;
use crate::jetstream::PubAck;
use crate::obj::{ObjItem, ObjWatchOptions, ObjectInfo};
use crate::proto::json::Json;
use crate::session::consumer::{RunEvent, RunSink};
use crate::session::obj::{Deleted, ObjRun, ObjectStore, Put};

impl ToJs for ObjectInfo {
    fn settle(self, s: Settle) {
        self.to_json().settle(s)
    }
}

impl ToJs for Option<ObjectInfo> {
    fn settle(self, s: Settle) {
        match self {
            Some(i) => i.settle(s),
            None => s.resolve(&JsValue::NULL),
        }
    }
}

impl ToJs for Vec<ObjectInfo> {
    fn settle(self, s: Settle) {
        Json::Arr(self.iter().map(ObjectInfo::to_json).collect()).settle(s)
    }
}

impl ToJs for ObjectStore {
    fn settle(self, s: Settle) {
        s.resolve(&WasmObjStore { store: self }.into())
    }
}

/// `{success, purged}` of `delete()`.
struct DeleteResult(Deleted);

impl ToJs for DeleteResult {
    fn settle(self, s: Settle) {
        let (success, purged) = self.0;
        Json::Obj(vec![
            ("success".into(), Json::Bool(success)),
            ("purged".into(), Json::Int(purged as i64)),
        ])
        .settle(s)
    }
}

/// A bound object store.
#[wasm_bindgen]
pub struct WasmObjStore {
    store: ObjectStore,
}

fn deliver(on: &Function, kind: u32, v: &JsValue) {
    let _ = on.call2(&JsValue::UNDEFINED, &JsValue::from(kind), v);
}

/// A consumer run's events as `on(kind, value)`: 0 started, 1 items (an array of `Uint8Array`
/// chunks, or the JSON text of `[info, …]` with `isUpdate`), 2 initialized (a read: verified), 3
/// ended (`null` or the error).
fn run_sink(on: Function) -> RunSink<ObjItem> {
    Box::new(move |ev| match ev {
        RunEvent::Started => deliver(&on, 0, &JsValue::NULL),
        RunEvent::Items(items) => {
            let chunks = Array::new();
            let mut infos = Vec::new();
            for i in items {
                match i {
                    ObjItem::Chunk(c) => {
                        chunks.push(&Uint8Array::from(c.as_slice()));
                    }
                    ObjItem::Info(i, update) => {
                        let Json::Obj(mut m) = i.to_json() else {
                            continue;
                        };
                        m.push(("isUpdate".into(), Json::Bool(update)));
                        infos.push(Json::Obj(m));
                    }
                }
            }
            if chunks.length() > 0 {
                deliver(&on, 1, &chunks);
            }
            if !infos.is_empty() {
                deliver(
                    &on,
                    1,
                    &JsValue::from_str(&Json::Arr(infos).to_json_string()),
                );
            }
        }
        RunEvent::Initialized => deliver(&on, 2, &JsValue::NULL),
        RunEvent::Ended(e) => deliver(&on, 3, &e.as_ref().map_or(JsValue::NULL, to_js)),
    })
}

fn info_arg(text: &str) -> Result<ObjectInfo, NatsError> {
    let j = Json::parse(text).map_err(|_| NatsError::invalid_argument("not an ObjectInfo"))?;
    let revision = j.get("revision").and_then(Json::as_u64).unwrap_or(0);
    let mtime = j
        .get("mtime")
        .and_then(Json::as_str)
        .unwrap_or("")
        .to_owned();
    ObjectInfo::from_meta(text.as_bytes(), revision, mtime)
        .map_err(|_| NatsError::invalid_argument("not an ObjectInfo"))
}

#[wasm_bindgen]
impl WasmObjStore {
    /// The bucket name.
    #[wasm_bindgen(getter)]
    pub fn bucket(&self) -> String {
        self.store.bucket().to_owned()
    }

    /// Reads the chunks of `info` (JSON text from `resolve`), or with `flags` ≥ 0 starts a
    /// `watch()` (`flags` = 1 includeHistory | 2 updatesOnly | 4 ignoreDeletes); events to `on`
    /// (see `run_sink`).
    pub fn run(&self, flags: i32, info: &str, on: Function) -> Result<WasmObjRun, JsValue> {
        let sink = run_sink(on);
        let run = if flags < 0 {
            self.store.read(&info_arg(info)?, sink)
        } else {
            let opts = ObjWatchOptions {
                include_history: flags & 1 != 0,
                updates_only: flags & 2 != 0,
                ignore_deletes: flags & 4 != 0,
            };
            Some(self.store.watch(opts, sink)?)
        };
        Ok(WasmObjRun { run })
    }

    /// Starts a put of `meta` (JSON text); `previous` < 0: none; `timeout` ≤ 0: the default;
    /// `progress(bytesDone)` after each acknowledged chunk.
    pub fn put(
        &self,
        meta: &str,
        previous: f64,
        timeout: f64,
        progress: Option<Function>,
    ) -> Result<WasmObjPut, JsValue> {
        let previous = (previous >= 0.0).then_some(previous as u64);
        let progress = progress.map(|f| {
            Box::new(move |n: u64| {
                let _ = f.call1(&JsValue::UNDEFINED, &JsValue::from_f64(n as f64));
            }) as Box<dyn FnMut(u64)>
        });
        let put = self.store.put(meta, previous, Some(timeout), progress)?;
        Ok(WasmObjPut {
            put: Rc::new(RefCell::new(Some(put))),
        })
    }

    /// The store's calls that answer once, picked by `op` (see `OP` in `js/obj.js`): `a` is an
    /// object name, `b` a second argument (JSON text or a bucket). One export rather than ten.
    pub fn call(&self, op: u32, a: &str, b: &str, settle: Function) {
        let st = &self.store;
        match op {
            0 => st.status(done::<Json>(settle)),
            1 => st.seal(done::<Json>(settle)),
            2 => st.destroy(done::<bool>(settle)),
            3 => st.info(a, done::<Option<ObjectInfo>>(settle)),
            4 => st.resolve(a, done::<Option<ObjectInfo>>(settle)),
            5 => st.list(done::<Vec<ObjectInfo>>(settle)),
            6 => st.delete(
                a,
                Box::new(move |r| Settle(settle).finish(r.map(DeleteResult))),
            ),
            7 => match info_arg(b) {
                Ok(t) => st.link(a, t, done::<ObjectInfo>(settle)),
                Err(e) => Settle(settle).reject(&e),
            },
            8 => st.link_store(a, b, done::<ObjectInfo>(settle)),
            _ => st.update(a, b, done::<PubAck>(settle)), // 9
        }
    }
}

/// A put under way.
#[wasm_bindgen]
pub struct WasmObjPut {
    put: Rc<RefCell<Option<Put>>>,
}

#[wasm_bindgen]
impl WasmObjPut {
    /// Takes `bytes`; settles when more may be written.
    pub fn write(&self, bytes: &[u8], settle: Function) {
        match self.put.borrow().clone() {
            Some(p) => p.write(bytes, done::<()>(settle)),
            None => Settle(settle).reject(&NatsError::invalid_argument("put already ended")),
        }
    }

    /// Ends the data; settles with the stored info.
    pub fn finish(&self, settle: Function) {
        match self.put.borrow_mut().take() {
            Some(p) => p.finish(done::<ObjectInfo>(settle)),
            None => Settle(settle).reject(&NatsError::invalid_argument("put already ended")),
        }
    }

    /// The source failed: the put ends without storing (finish still settles it).
    pub fn abort(&self, reason: &str) {
        if let Some(p) = self.put.borrow().clone() {
            p.abort(reason);
        }
    }
}

/// A running read or watch.
#[wasm_bindgen]
pub struct WasmObjRun {
    run: Option<ObjRun>,
}

#[wasm_bindgen]
impl WasmObjRun {
    /// Stops it (the consumer is deleted; `on` gets `ended(null)`).
    pub fn stop(&self) {
        if let Some(r) = &self.run {
            r.stop();
        }
    }

    /// Holds (or resumes) delivery while the reader catches up.
    pub fn pause(&self, paused: bool) {
        if let Some(r) = &self.run {
            r.set_paused(paused);
        }
    }
}
