//! The one delivery path: what crosses to JS in bulk goes as a packed [`Batch`] to a JS
//! `(text, nums, data, kind)` callback, which unpacks it with the twin in `js/batch.js`; the events
//! around it (started, initialized, ended, notify) go to a `(kind, error)` callback.

use js_sys::{Array, Function};
use wasm_bindgen::prelude::*;

use super::promise::{batch_values, to_js};
use crate::error::NatsError;
use crate::jetstream::ack::JsMsg;
use crate::kv::{KvEntry, Operation};
use crate::proto::{Headers, Msg};
use crate::session::batch::{Batch, Kind, LAYOUT};

/// The JS callbacks of one subscription, watcher or view, and the batch buffers they reuse.
pub struct Deliver {
    on_batch: Function,
    on_event: Function,
    batch: Batch,
}

impl Deliver {
    /// Delivers to `on_batch(text, nums, data, kind)` and `on_event(kind, error)`.
    pub fn new(on_batch: Function, on_event: Function) -> Deliver {
        Deliver {
            on_batch,
            on_event,
            batch: Batch::new(Kind::Msg),
        }
    }

    fn send(&mut self) {
        let (text, nums, data) = batch_values(&self.batch);
        // A throwing callback must not break delivery to the others.
        let _ = self.on_batch.call4(
            &JsValue::UNDEFINED,
            &text,
            &nums,
            &data,
            &JsValue::from(self.batch.kind as u32),
        );
    }

    /// Core messages, in one call.
    pub fn msgs(&mut self, ms: &[Msg]) {
        self.batch.reset(Kind::Msg);
        ms.iter().for_each(|m| self.batch.push_msg(m));
        self.send();
    }

    /// KV entries, in one call.
    pub fn entries(&mut self, es: &[KvEntry]) {
        self.batch.reset(Kind::Entry);
        es.iter().for_each(|e| self.batch.push_entry(e));
        self.send();
    }

    /// JetStream messages, in one call.
    pub fn js_msgs(&mut self, ms: &[JsMsg]) {
        self.batch.reset(Kind::JsMsg);
        ms.iter().for_each(|m| self.batch.push_js_msg(m));
        self.send();
    }

    /// An event of `kind` (see `session::batch::event`), with an error or `null`.
    pub fn event(&self, kind: u8, error: Option<&NatsError>) {
        let _ = self.on_event.call2(
            &JsValue::UNDEFINED,
            &JsValue::from(kind),
            &error.map_or(JsValue::NULL, to_js),
        );
    }
}

/// The batch layout and event kinds (see `session::batch::LAYOUT`), read once by `js/batch.js`.
#[wasm_bindgen(js_name = batchLayout)]
pub fn batch_layout() -> Vec<u8> {
    LAYOUT.to_vec()
}

/// Known records packed here, for the test that the JS twin unpacks every field as packed:
/// `[msgs: [text, nums, data, kind], entries: [text, nums, data, kind]]`.
#[wasm_bindgen(js_name = __batchSampleForTests)]
pub fn batch_sample_for_tests() -> Array {
    let mut h = Headers::new();
    let _ = h.append("Trace-Id", "a b");
    let _ = h.append("Trace-Id", "second");
    let msgs = [
        Msg {
            subject: "orders.new".into(),
            sid: 7,
            reply: Some("_INBOX.r.1".into()),
            headers: Some(h),
            payload: b"hello".to_vec(),
        },
        Msg {
            subject: "orders.\u{e9}".into(),
            sid: 9_007_199_254_740_991,
            reply: None,
            headers: None,
            payload: Vec::new(),
        },
    ];
    let entry = |key: &str, value: &[u8], revision: u64, operation, is_update| KvEntry {
        bucket: "cfg".into(),
        key: key.into(),
        value: value.to_vec(),
        revision,
        created: 1_742_465_472_123.0,
        delta: 3,
        operation,
        length: value.len() as u64,
        is_update,
    };
    let entries = [
        entry("ui.theme", b"dark", 1, Operation::Put, false),
        entry("ui.lang", b"", 2, Operation::Del, true),
        entry(
            "x",
            b"\x00\xff",
            9_007_199_254_740_991,
            Operation::Purge,
            true,
        ),
    ];
    let pack = |b: &Batch| -> JsValue {
        let (t, n, d) = batch_values(b);
        Array::of4(&t, &n, &d, &JsValue::from(b.kind as u32)).into()
    };
    let mut b = Batch::new(Kind::Msg);
    msgs.iter().for_each(|m| b.push_msg(m));
    let m = pack(&b);
    b.reset(Kind::Entry);
    entries.iter().for_each(|e| b.push_entry(e));
    Array::of2(&m, &pack(&b))
}
