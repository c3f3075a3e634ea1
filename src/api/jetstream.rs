//! JetStream exports: `WasmJsm`, the JetStream context behind `jetstreamManager()` and `jetstream()`
//! in `js/jetstream.js`. Configurations, options and infos cross as JSON text (API.md: nats.js's
//! snake_case shapes); the session layer checks them before anything is sent.

use js_sys::{Function, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;

use super::connection::WasmConnection;
use super::convert::{headers, headers_to_js, payload, string};
use super::kv_options::js_options;
use super::promise::{done, Settle, ToJs};
use crate::jetstream::api::JsApi;
use crate::jetstream::publish::PublishOptions;
use crate::jetstream::{PubAck, StoredMsg};
use crate::proto::json::Json;
use crate::session::JetStream;

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

fn set(o: &Object, k: &str, v: &JsValue) {
    let _ = Reflect::set(o, &JsValue::from_str(k), v);
}

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

    /// Settles with the account's JetStream usage and limits (the server's JSON).
    #[wasm_bindgen(js_name = accountInfo)]
    pub fn account_info(&self, settle: Function) {
        self.js.account_info(done(settle));
    }

    /// `streams.add(cfg)`; `cfg` is JSON text.
    #[wasm_bindgen(js_name = streamAdd)]
    pub fn stream_add(&self, cfg: &str, settle: Function) {
        self.js.stream_add(cfg, done(settle));
    }

    /// `streams.update(name, partial)`.
    #[wasm_bindgen(js_name = streamUpdate)]
    pub fn stream_update(&self, name: String, partial: &str, settle: Function) {
        self.js.stream_update(name, partial, done(settle));
    }

    /// `streams.info(name, opts)`.
    #[wasm_bindgen(js_name = streamInfo)]
    pub fn stream_info(&self, name: &str, opts: &str, settle: Function) {
        self.js.stream_info(name, opts, done(settle));
    }

    /// `streams.delete(name)`.
    #[wasm_bindgen(js_name = streamDelete)]
    pub fn stream_delete(&self, name: &str, settle: Function) {
        self.js.stream_delete(name, done(settle));
    }

    /// `streams.purge(name, opts)`.
    #[wasm_bindgen(js_name = streamPurge)]
    pub fn stream_purge(&self, name: &str, opts: &str, settle: Function) {
        self.js.stream_purge(name, opts, done(settle));
    }

    /// `streams.list(subject?)` (`names`: `streams.names(subject?)`): every item, page after page.
    #[wasm_bindgen(js_name = streamList)]
    pub fn stream_list(&self, subject: Option<String>, names: bool, settle: Function) {
        if names {
            self.js.stream_names(subject, done(settle));
        } else {
            self.js.stream_list(subject, done(settle));
        }
    }

    /// `streams.find(subject)`.
    #[wasm_bindgen(js_name = streamFind)]
    pub fn stream_find(&self, subject: String, settle: Function) {
        self.js.stream_find(subject, done(settle));
    }

    /// `streams.getMessage(stream, query)`; `query` is JSON text.
    #[wasm_bindgen(js_name = getMessage)]
    pub fn get_message(&self, stream: &str, query: &str, settle: Function) {
        self.js.msg_get(stream, query, done(settle));
    }

    /// `streams.deleteMessage(stream, seq, erase)`.
    #[wasm_bindgen(js_name = deleteMessage)]
    pub fn delete_message(&self, stream: &str, seq: f64, erase: bool, settle: Function) {
        self.js.msg_delete(stream, seq, erase, done(settle));
    }

    /// `consumers.add()` (`create`) / `addOrUpdate()` (`!create`); `cfg` is JSON text.
    #[wasm_bindgen(js_name = consumerAdd)]
    pub fn consumer_add(&self, stream: &str, cfg: &str, create: bool, settle: Function) {
        let action = create.then_some("create");
        self.js.consumer_add(stream, cfg, action, done(settle));
    }

    /// `consumers.update(stream, name, partial)`.
    #[wasm_bindgen(js_name = consumerUpdate)]
    pub fn consumer_update(&self, stream: String, name: String, partial: &str, settle: Function) {
        self.js.consumer_update(stream, name, partial, done(settle));
    }

    /// `consumers.info(stream, name)`.
    #[wasm_bindgen(js_name = consumerInfo)]
    pub fn consumer_info(&self, stream: &str, name: &str, settle: Function) {
        self.js.consumer_info(stream, name, done(settle));
    }

    /// `consumers.delete(stream, name)`.
    #[wasm_bindgen(js_name = consumerDelete)]
    pub fn consumer_delete(&self, stream: &str, name: &str, settle: Function) {
        self.js.consumer_delete(stream, name, done(settle));
    }

    /// `consumers.list(stream)`.
    #[wasm_bindgen(js_name = consumerList)]
    pub fn consumer_list(&self, stream: &str, settle: Function) {
        self.js.consumer_list(stream, done(settle));
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
