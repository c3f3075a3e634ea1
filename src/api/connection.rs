//! The `WasmConnection` the ES module wraps: JS calls in, promises and callbacks out.

use std::rc::Rc;

use js_sys::{Array, Function, Object, Promise, Reflect, Uint32Array, Uint8Array};
use wasm_bindgen::prelude::*;

use super::convert::{headers, headers_to_js, integer, payload, string};
use super::errors::{js_err, promise, to_js};
use super::options::{parse, public_nkey};
use crate::client::Status;
use crate::error::NatsError;
use crate::proto::Msg;
use crate::web::client::{SubEvent, WebClient};

/// A connection (wrapped by `js/index.js` as `NatsConnection`).
#[wasm_bindgen]
pub struct WasmConnection {
    client: WebClient,
}

impl WasmConnection {
    /// The connection for the KV layer.
    pub fn client(&self) -> &WebClient {
        &self.client
    }
}

/// Connects; resolves to a `WasmConnection` once CONNECT/PONG succeeded. `on_status(type, data)`
/// receives status events.
#[wasm_bindgen]
pub fn connect(opts: JsValue, on_status: Function) -> Promise {
    promise(Box::pin(async move {
        let mut parsed = parse(&opts).map_err(js_err)?;
        if let Some(seed) = parsed.seed.as_ref() {
            // Also for creds: a browser that cannot sign says why before anything is dialled.
            let nkey = public_nkey(seed).await.map_err(js_err)?;
            if parsed.options.jwt.is_none() {
                parsed.options.nkey = Some(nkey);
            }
        }
        let client = WebClient::connect(parsed.options, parsed.seed)
            .await
            .map_err(js_err)?;
        client.on_status(Rc::new(move |s: &Status| {
            call(
                &on_status,
                &[JsValue::from_str(s.type_str()), status_data(s)],
            );
        }));
        Ok(WasmConnection { client }.into())
    }))
}

fn call(f: &Function, args: &[JsValue]) {
    let arr: Array = args.iter().collect();
    // A throwing user callback must not break delivery to the others.
    let _ = f.apply(&JsValue::UNDEFINED, &arr);
}

/// `[subject, sid, reply, data, headers, code, description]` for the ES module's `Msg`.
fn msg_args(m: Msg) -> [JsValue; 7] {
    let (hdrs, code, desc) = match &m.headers {
        Some(h) => (
            headers_to_js(h).into(),
            JsValue::from(h.code),
            JsValue::from_str(&h.description),
        ),
        None => (JsValue::UNDEFINED, JsValue::from(0), JsValue::from_str("")),
    };
    [
        JsValue::from_str(&m.subject),
        JsValue::from_f64(m.sid as f64),
        m.reply
            .as_deref()
            .map_or(JsValue::UNDEFINED, JsValue::from_str),
        Uint8Array::from(m.payload.as_slice()).into(),
        hdrs,
        code,
        desc,
    ]
}

/// Reused buffers for packing a batch of messages into a few JS values.
#[derive(Default)]
struct Packer {
    subjects: String,
    replies: String,
    data: Vec<u8>,
    ends: Vec<u32>,
}

impl Packer {
    /// `on_msg(subjects, replies, data, ends, headers)` for a batch: `subjects` and `replies` are
    /// joined with spaces (server subjects never contain whitespace; an empty reply is none;
    /// `replies` is `undefined` when no message has one); message `i`'s payload is
    /// `data[ends[i-1]..ends[i]]` (each payload copied once into wasm memory and once out);
    /// `headers` is `undefined`, or an array with `[flat, code, description]` or `undefined` per message.
    fn deliver(&mut self, on_msg: &Function, ms: Vec<Msg>) {
        self.subjects.clear();
        self.replies.clear();
        self.data.clear();
        self.ends.clear();
        let mut any_reply = false;
        let mut any_headers = false;
        for (i, m) in ms.iter().enumerate() {
            if i > 0 {
                self.subjects.push(' ');
                self.replies.push(' ');
            }
            self.subjects.push_str(&m.subject);
            if let Some(r) = &m.reply {
                any_reply = true;
                self.replies.push_str(r);
            }
            any_headers |= m.headers.is_some();
            self.data.extend_from_slice(&m.payload);
            self.ends.push(self.data.len() as u32);
        }
        let hdrs = if any_headers {
            ms.iter()
                .map(|m| match &m.headers {
                    Some(h) => {
                        let a = Array::new();
                        a.push(&headers_to_js(h).into());
                        a.push(&JsValue::from(h.code));
                        a.push(&JsValue::from_str(&h.description));
                        a.into()
                    }
                    None => JsValue::UNDEFINED,
                })
                .collect::<Array>()
                .into()
        } else {
            JsValue::UNDEFINED
        };
        let replies = if any_reply {
            JsValue::from_str(&self.replies)
        } else {
            JsValue::UNDEFINED
        };
        // A throwing user callback must not break delivery to the others.
        let _ = on_msg.call5(
            &JsValue::UNDEFINED,
            &JsValue::from_str(&self.subjects),
            &replies,
            &Uint8Array::from(self.data.as_slice()).into(),
            &Uint32Array::from(self.ends.as_slice()).into(),
            &hdrs,
        );
        // Do not keep a burst's high-water mark forever.
        if self.data.capacity() > 1 << 20 {
            self.data = Vec::new();
        }
    }
}

fn status_data(s: &Status) -> JsValue {
    match s {
        Status::Disconnect { server }
        | Status::Reconnecting { server }
        | Status::Reconnect { server }
        | Status::Ldm { server } => JsValue::from_str(server),
        Status::Update { added, deleted } => {
            let o = Object::new();
            let list =
                |v: &Vec<String>| -> Array { v.iter().map(|s| JsValue::from_str(s)).collect() };
            let _ = Reflect::set(&o, &"added".into(), &list(added));
            let _ = Reflect::set(&o, &"deleted".into(), &list(deleted));
            o.into()
        }
        Status::Error(e) => to_js(e),
        Status::SlowConsumer { sid } => JsValue::from_f64(*sid as f64),
        Status::StaleConnection | Status::Close => JsValue::UNDEFINED,
    }
}

fn opt_u64(v: &JsValue, what: &str) -> Result<Option<u64>, NatsError> {
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    Ok(Some(integer(v, what, 0.0, 9_007_199_254_740_991.0)? as u64))
}

fn opt_str(v: &JsValue, what: &str) -> Result<Option<String>, NatsError> {
    if v.is_undefined() || v.is_null() {
        Ok(None)
    } else {
        string(v, what).map(Some)
    }
}

fn closed_value(r: Option<NatsError>) -> JsValue {
    r.as_ref().map_or(JsValue::UNDEFINED, to_js)
}

#[wasm_bindgen]
impl WasmConnection {
    /// The last INFO as JSON text.
    pub fn info(&self) -> Option<String> {
        self.client.info_json()
    }

    /// Publishes; throws `NatsError` for local errors.
    pub fn publish(
        &self,
        subject: JsValue,
        data: JsValue,
        reply: JsValue,
        hdrs: JsValue,
    ) -> Result<(), JsValue> {
        let subject = string(&subject, "subject").map_err(js_err)?;
        let data = payload(&data).map_err(js_err)?;
        let reply = opt_str(&reply, "reply").map_err(js_err)?;
        let hdrs = headers(&hdrs).map_err(js_err)?;
        self.client
            .publish(&subject, reply.as_deref(), hdrs.as_ref(), &data)
            .map_err(js_err)
    }

    /// Subscribes; `on_msg(subjects, replies, data, ends, headers)` per batch of messages (see
    /// `Packer::deliver`), `on_done(error | null)` once when the subscription ends. Returns the sid.
    pub fn subscribe(
        &self,
        subject: JsValue,
        queue: JsValue,
        max: JsValue,
        on_msg: Function,
        on_done: Function,
    ) -> Result<f64, JsValue> {
        let subject = string(&subject, "subject").map_err(js_err)?;
        let queue = opt_str(&queue, "queue").map_err(js_err)?;
        let max = opt_u64(&max, "max").map_err(js_err)?;
        let mut packer = Packer::default();
        let handler = Box::new(move |ev: SubEvent| match ev {
            SubEvent::Msgs(ms) => packer.deliver(&on_msg, ms),
            SubEvent::Closed(err) => call(&on_done, &[err.as_ref().map_or(JsValue::NULL, to_js)]),
        });
        let sid = self
            .client
            .subscribe(&subject, queue.as_deref(), max, handler)
            .map_err(js_err)?;
        Ok(sid as f64)
    }

    /// Unsubscribes now, or after `max` messages in all.
    pub fn unsubscribe(&self, sid: f64, max: JsValue) -> Result<(), JsValue> {
        let max = opt_u64(&max, "max").map_err(js_err)?;
        self.client.unsubscribe(sid as u64, max).map_err(js_err)
    }

    /// Drains one subscription; resolves when it has ended.
    #[wasm_bindgen(js_name = drainSubscription)]
    pub fn drain_subscription(&self, sid: f64) -> Promise {
        let client = self.client.clone();
        promise(Box::pin(async move {
            client
                .drain_subscription(sid as u64)
                .await
                .map_err(js_err)?;
            Ok(JsValue::UNDEFINED)
        }))
    }

    /// Request/reply over the muxed inbox; resolves to the `Msg` fields.
    pub fn request(
        &self,
        subject: JsValue,
        data: JsValue,
        hdrs: JsValue,
        timeout: JsValue,
    ) -> Promise {
        let client = self.client.clone();
        promise(Box::pin(async move {
            let subject = string(&subject, "subject").map_err(js_err)?;
            let data = payload(&data).map_err(js_err)?;
            let hdrs = headers(&hdrs).map_err(js_err)?;
            let timeout = match opt_u64(&timeout, "timeout").map_err(js_err)? {
                None => 1000.0,
                Some(t) if t >= 1 => t as f64,
                Some(_) => {
                    return Err(js_err(NatsError::invalid_argument(
                        "timeout must be at least 1 ms",
                    )))
                }
            };
            let m = client
                .request(&subject, &data, hdrs.as_ref(), timeout)
                .await
                .map_err(js_err)?;
            Ok(msg_args(m).iter().collect::<Array>().into())
        }))
    }

    /// PING → PONG; resolves to the round trip in ms.
    pub fn flush(&self) -> Promise {
        let client = self.client.clone();
        promise(Box::pin(async move {
            Ok(JsValue::from_f64(client.flush().await.map_err(js_err)?))
        }))
    }

    /// Drains every subscription, flushes, closes; rejects if it did not close cleanly.
    pub fn drain(&self) -> Promise {
        let client = self.client.clone();
        promise(Box::pin(async move {
            client.drain().await.map_err(js_err)?;
            Ok(JsValue::UNDEFINED)
        }))
    }

    /// Closes; resolves when closed. A second call is harmless.
    pub fn close(&self) -> Promise {
        let client = self.client.clone();
        promise(Box::pin(async move {
            client.close().await;
            Ok(JsValue::UNDEFINED)
        }))
    }

    /// Settles when the connection is closed for good: `undefined`, or the error that closed it.
    pub fn closed(&self) -> Promise {
        let client = self.client.clone();
        promise(Box::pin(
            async move { Ok(closed_value(client.closed().await)) },
        ))
    }

    /// Whether the connection is closed.
    #[wasm_bindgen(js_name = isClosed)]
    pub fn is_closed(&self) -> bool {
        self.client.is_closed()
    }
}
