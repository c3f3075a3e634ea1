//! JetStream exports: `WasmJsm`, the JetStream context behind `jetstreamManager()`, `jetstream()`,
//! `Kvm` and `Objm` in `js/*.js` (the Key/Value build keeps `kvm` and `Kvm.list` only). Configurations, options and infos cross as JSON text (API.md:
//! nats.js's snake_case shapes); the session layer checks them before anything is sent.

use js_sys::Function;
#[cfg(feature = "jetstream")]
use js_sys::{Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;

use super::connection::WasmConnection;
use super::convert::string;
use super::kv_options::{js_options, kv_options};
use super::promise::{done, Settle, ToJs};
use crate::jetstream::api::JsApi;
use crate::kv::KvStatus;
use crate::proto::json::Json;
use crate::session::{JetStream, Kv};
#[cfg(feature = "jetstream")]
use {
    super::consumer::ordered_args,
    super::convert::{headers, headers_to_js, payload},
    crate::jetstream::publish::PublishOptions,
    crate::jetstream::{PubAck, StoredMsg},
    crate::session::pull::Consumer,
};
#[cfg(feature = "obj")]
use {crate::obj::StoreOptions, crate::session::obj::ObjectStore};

impl ToJs for Json {
    fn settle(self, s: Settle) {
        match js_sys::JSON::parse(&self.to_json_string()) {
            Ok(v) => s.resolve(&v),
            Err(e) => {
                let _ = s.0.call2(&JsValue::UNDEFINED, &JsValue::FALSE, &e);
            }
        }
    }
}

impl ToJs for Vec<Json> {
    fn settle(self, s: Settle) {
        Json::Arr(self).settle(s)
    }
}

#[cfg(feature = "jetstream")]
fn set(o: &Object, k: &str, v: &JsValue) {
    let _ = Reflect::set(o, &JsValue::from_str(k), v);
}

#[cfg(feature = "jetstream")]
impl ToJs for PubAck {
    fn settle(self, s: Settle) {
        let o = Object::new();
        set(&o, "stream", &JsValue::from_str(&self.stream));
        set(&o, "seq", &JsValue::from_f64(self.seq as f64));
        set(&o, "duplicate", &JsValue::from_bool(self.duplicate));
        if let Some(d) = &self.domain {
            set(&o, "domain", &JsValue::from_str(d));
        }
        s.resolve(&o)
    }
}

#[cfg(feature = "jetstream")]
impl ToJs for Option<StoredMsg> {
    /// `{subject, seq, timestamp, time (ms), data, headers: [name, value, …]}` or `null`; `js/jetstream.js`
    /// wraps it in a `StoredMsg`.
    fn settle(self, s: Settle) {
        let Some(m) = self else {
            return s.resolve(&JsValue::NULL);
        };
        let o = Object::new();
        set(&o, "subject", &JsValue::from_str(&m.subject));
        set(&o, "seq", &JsValue::from_f64(m.seq as f64));
        set(&o, "time", &JsValue::from_f64(m.time_ms as f64));
        set(&o, "timestamp", &JsValue::from_str(&m.timestamp));
        set(&o, "data", &Uint8Array::from(m.data.as_slice()).into());
        if let Some(h) = &m.headers {
            set(&o, "headers", &headers_to_js(h).into());
        }
        s.resolve(&o)
    }
}

/// The JetStream context of `jetstreamManager(nc, opts)` and `jetstream(nc, opts)`.
#[wasm_bindgen]
pub struct WasmJsm {
    js: JetStream,
}

#[wasm_bindgen]
impl WasmJsm {
    /// A context on `conn` with `JetStreamOptions` (apiPrefix, domain, timeout).
    #[wasm_bindgen(constructor)]
    pub fn new(conn: &WasmConnection, opts: JsValue) -> Result<WasmJsm, JsValue> {
        let o = js_options(&opts)?;
        let api = JsApi::new(o.api_prefix.as_deref(), o.domain.as_deref())?;
        Ok(WasmJsm {
            js: JetStream::new(conn.client().clone(), api, o.timeout, o.watcher_prefix),
        })
    }

    /// The API prefix, e.g. `$JS.API`.
    #[wasm_bindgen(js_name = apiPrefix)]
    pub fn api_prefix(&self) -> String {
        self.js.api.prefix().to_owned()
    }

    /// The calls that take names and JSON text, picked by `op` (see `ADMIN` in `js/jetstream.js`):
    /// the manager's (answering with JSON; `getMessage` with a stored message or `null`),
    /// `Kvm.list`, `Objm`'s and binding a named consumer. `a`,
    /// `b` are stream/consumer/bucket names or a subject, `text` a JSON configuration, options
    /// object or query. One export rather than twenty: each export costs its own glue.
    pub fn admin(&self, op: u32, a: String, b: String, text: &str, settle: Function) {
        if op == 16 {
            return self.js.kv_list(done::<Vec<KvStatus>>(settle));
        }
        #[cfg(feature = "jetstream")]
        self.jetstream_admin(op, a, b, text, settle);
        #[cfg(not(feature = "jetstream"))]
        {
            let _ = (a, b, text);
            let e = crate::error::NatsError::invalid_argument("not in the Key/Value build");
            Settle(settle).reject(&e);
        }
    }

    /// `new Kvm(…)`'s `create` (`op` 0) and `open` (1) of `bucket` with `KvOptions`; settles with a
    /// `WasmKv`.
    pub fn kvm(
        &self,
        op: u32,
        bucket: JsValue,
        opts: JsValue,
        settle: Function,
    ) -> Result<(), JsValue> {
        let name = string(&bucket, "bucket")?;
        let o = kv_options(&opts)?;
        let d = done::<Kv>(settle);
        match op {
            0 => self.js.kv_create(name, o, d),
            _ => self.js.kv_open(name, o.timeout, d),
        }
        Ok(())
    }
}

#[cfg(feature = "jetstream")]
impl WasmJsm {
    /// `admin`'s calls other than `Kvm.list`.
    fn jetstream_admin(&self, op: u32, a: String, b: String, text: &str, settle: Function) {
        let js = &self.js;
        let opt = |s: String| (!s.is_empty()).then_some(s);
        match op {
            5 => return js.stream_list(opt(a), done(settle)),
            6 => return js.stream_names(opt(a), done(settle)),
            14 => return js.consumer_list(&a, done(settle)),
            #[cfg(feature = "obj")]
            17 => return js.obj_list(done::<Vec<Json>>(settle)),
            #[cfg(feature = "obj")]
            18 => return js.obj_open(a, b.is_empty(), done::<ObjectStore>(settle)),
            #[cfg(feature = "obj")]
            19 => {
                return match StoreOptions::parse(text) {
                    Ok(o) => js.obj_create(a, o, done(settle)),
                    Err(e) => Settle(settle).reject(&e),
                }
            }
            20 | 21 => return js.named_consumer(a, b, op == 21, done::<Consumer>(settle)),
            22 => return js.msg_get(&a, text, done::<Option<StoredMsg>>(settle)),
            _ => {}
        }
        let d = done::<Json>(settle);
        match op {
            0 => js.stream_add(text, d),
            1 => js.stream_update(a, text, d),
            2 => js.stream_info(&a, text, d),
            3 => js.stream_delete(&a, d),
            4 => js.stream_purge(&a, text, d),
            7 => js.stream_find(a, d),
            8 => {
                let seq = crate::proto::num::parse_f64(text).unwrap_or(f64::NAN);
                js.msg_delete(&a, seq, b == "erase", d)
            }
            9 => js.consumer_add(&a, text, Some("create"), d),
            10 => js.consumer_add(&a, text, None, d),
            11 => js.consumer_update(a, b, text, d),
            12 => js.consumer_info(&a, &b, d),
            13 => js.consumer_delete(&a, &b, d),
            _ => js.account_info(d), // 15
        }
    }
}

#[cfg(feature = "jetstream")]
#[wasm_bindgen]
impl WasmJsm {
    /// `js.consumers.get(stream, opts)`: creates an ordered consumer (`OrderedConsumerOptions`
    /// `ordered`), settles with a `WasmConsumer`.
    pub fn ordered(
        &self,
        stream: JsValue,
        ordered: JsValue,
        settle: Function,
    ) -> Result<(), JsValue> {
        let stream = string(&stream, "stream")?;
        let args = ordered_args(&ordered)?;
        self.js
            .ordered_consumer(stream, &args, done::<Consumer>(settle));
        Ok(())
    }

    /// `js.publish(subject, payload, opts)`: `opts` is JSON text (msgID, expect, ttl, timeout,
    /// retries), `hdrs` the flattened headers.
    pub fn publish(
        &self,
        subject: JsValue,
        data: JsValue,
        hdrs: JsValue,
        opts: &str,
        settle: Function,
    ) -> Result<(), JsValue> {
        let subject = string(&subject, "subject")?;
        let data = payload(&data)?;
        let opts = PublishOptions::parse(opts, headers(&hdrs)?)?;
        self.js.publish(subject, data, opts, done(settle));
        Ok(())
    }
}
