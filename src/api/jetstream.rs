//! JetStream manager exports: `WasmJsm` (wrapped by `jetstreamManager()` in `js/index.js`).

use js_sys::Function;
use wasm_bindgen::prelude::*;

use super::connection::WasmConnection;
use super::kv_options::js_options;
use super::promise::{done, Settle, ToJs};
use crate::jetstream::api::JsApi;
use crate::session::JetStream;

impl ToJs for crate::proto::json::Json {
    fn settle(self, s: Settle) {
        match js_sys::JSON::parse(&self.to_json_string()) {
            Ok(v) => s.resolve(&v),
            Err(e) => {
                let _ = s.0.call2(&JsValue::UNDEFINED, &JsValue::FALSE, &e);
            }
        }
    }
}

/// The JetStream manager (`jetstreamManager(nc, opts)` in `js/index.js`).
#[wasm_bindgen]
pub struct WasmJsm {
    js: JetStream,
}

#[wasm_bindgen]
impl WasmJsm {
    /// A manager on `conn` with `JetStreamOptions` (apiPrefix, domain, timeout).
    #[wasm_bindgen(constructor)]
    pub fn new(conn: &WasmConnection, opts: JsValue) -> Result<WasmJsm, JsValue> {
        let o = js_options(&opts)?;
        let api = JsApi::new(o.api_prefix.as_deref(), o.domain.as_deref())?;
        Ok(WasmJsm {
            js: JetStream::new(conn.client().clone(), api, o.timeout, o.watcher_prefix),
        })
    }

    /// Settles with the account's JetStream usage and limits (the server's JSON).
    #[wasm_bindgen(js_name = accountInfo)]
    pub fn account_info(&self, settle: Function) {
        self.js.account_info(done(settle));
    }
}
