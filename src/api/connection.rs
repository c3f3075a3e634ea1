//! The `WasmConnection` the ES module wraps: JS calls in, promises and deliveries out.

use std::rc::Rc;

use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::prelude::*;

use super::convert::{headers, integer, payload, string};
use super::deliver::Deliver;
use super::options::{parse, public_nkey};
use super::promise::{done, to_js, Settle, ToJs};
use crate::client::{Options, Status};
use crate::error::NatsError;
use crate::proto::Msg;
use crate::session::batch::{event, Batch, Kind};
use crate::session::{Client, Done, SubEvent};
use crate::time::MAX_SAFE_INTEGER;
use crate::web::driver::Driver;

/// A connection (wrapped by `js/index.js` as `NatsConnection`).
#[wasm_bindgen]
pub struct WasmConnection {
    client: Client,
}

impl WasmConnection {
    /// The connection, for the KV exports.
    pub fn client(&self) -> &Client {
        &self.client
    }
}

impl ToJs for WasmConnection {
    fn settle(self, s: Settle) {
        s.resolve(&self.into())
    }
}

impl ToJs for Msg {
    fn settle(self, s: Settle) {
        let mut b = Batch::new(Kind::Msg);
        b.push_msg(&self);
        s.resolve_batch(&b, true)
    }
}

/// Connects; settles with a `WasmConnection` once CONNECT/PONG succeeded. `on_status(type, data)`
/// receives status events.
#[wasm_bindgen]
pub fn connect(opts: JsValue, on_status: Function, settle: Function) -> Result<(), JsValue> {
    let parsed = parse(&opts)?;
    let options = parsed.options;
    let seed = parsed.seed;
    let connected = done::<WasmConnection>(settle);
    match seed {
        // The public nkey comes from WebCrypto (a promise): sign-in starts when it is in. Also for
        // creds: a browser that cannot sign says why before anything is dialled.
        Some(seed) => crate::web::spawn(Box::pin(async move {
            let mut options = options;
            match public_nkey(&seed).await {
                Ok(nkey) => {
                    if options.jwt.is_none() {
                        options.nkey = Some(nkey);
                    }
                    start(options, Some(seed), on_status, connected)
                }
                Err(e) => connected(Err(e)),
            }
        })),
        _ => start(options, None, on_status, connected),
    }
    Ok(())
}

/// Dials with `options`; `connected` settles with the connection, whose statuses go to
/// `on_status`. Not inlined: `connect` calls it from two places.
#[inline(never)]
fn start(
    options: Options,
    seed: Option<[u8; 32]>,
    on_status: Function,
    connected: Done<WasmConnection>,
) {
    Driver::connect(
        options,
        seed,
        Box::new(move |r| {
            connected(r.map(|client| {
                client.on_status(Rc::new(move |s: &Status| {
                    let _ = on_status.call2(
                        &JsValue::UNDEFINED,
                        &JsValue::from_str(s.type_str()),
                        &status_data(s),
                    );
                }));
                WasmConnection { client }
            }))
        }),
    )
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
    Ok(Some(integer(v, what, 0.0, MAX_SAFE_INTEGER)? as u64))
}

fn opt_str(v: &JsValue, what: &str) -> Result<Option<String>, NatsError> {
    if v.is_undefined() || v.is_null() {
        Ok(None)
    } else {
        string(v, what).map(Some)
    }
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
        let subject = string(&subject, "subject")?;
        let data = payload(&data)?;
        let reply = opt_str(&reply, "reply")?;
        let hdrs = headers(&hdrs)?;
        Ok(self
            .client
            .publish(&subject, reply.as_deref(), hdrs.as_ref(), &data)?)
    }

    /// Subscribes; messages go to `on_batch` (packed), the end to `on_event(ENDED, error | null)`.
    /// Returns the sid.
    pub fn subscribe(
        &self,
        subject: JsValue,
        queue: JsValue,
        max: JsValue,
        on_batch: Function,
        on_event: Function,
    ) -> Result<f64, JsValue> {
        let subject = string(&subject, "subject")?;
        let queue = opt_str(&queue, "queue")?;
        let max = opt_u64(&max, "max")?;
        let mut deliver = Deliver::new(on_batch, on_event);
        let handler = Box::new(move |ev: SubEvent| match ev {
            SubEvent::Msgs(ms) => deliver.msgs(&ms),
            SubEvent::Closed(err) => deliver.event(event::ENDED, err.as_ref()),
        });
        let sid = self
            .client
            .subscribe(&subject, queue.as_deref(), max, handler)?;
        Ok(sid as f64)
    }

    /// Unsubscribes now, or after `max` messages in all.
    pub fn unsubscribe(&self, sid: f64, max: JsValue) -> Result<(), JsValue> {
        let max = opt_u64(&max, "max")?;
        Ok(self.client.unsubscribe(sid as u64, max)?)
    }

    /// Request/reply over the muxed inbox; settles with the reply `Msg`.
    pub fn request(
        &self,
        subject: JsValue,
        data: JsValue,
        hdrs: JsValue,
        timeout: JsValue,
        settle: Function,
    ) -> Result<(), JsValue> {
        let subject = string(&subject, "subject")?;
        let data = payload(&data)?;
        let hdrs = headers(&hdrs)?;
        let timeout = match opt_u64(&timeout, "timeout")? {
            None => 1000.0,
            Some(t) if t >= 1 => t as f64,
            Some(_) => {
                return Err(NatsError::invalid_argument("timeout must be at least 1 ms").into())
            }
        };
        self.client
            .request(&subject, &data, hdrs.as_ref(), timeout, done::<Msg>(settle));
        Ok(())
    }

    /// The calls that only settle, picked by `op` (see `CALL` in `js/index.js`): 0 `flush` (PING →
    /// PONG; the round trip in ms), 1 `drain` (every subscription, flush, close; rejects if it did
    /// not close cleanly), 2 `close` (a second call is harmless), 3 `closed` (settles when closed
    /// for good: `undefined`, or the error that closed it), 4 drain subscription `sid` (settles when
    /// it has ended). One export rather than five: each export costs its own glue.
    pub fn call(&self, op: u32, sid: f64, settle: Function) {
        let c = &self.client;
        match op {
            0 => c.flush(done::<f64>(settle)),
            1 => c.drain(done::<()>(settle)),
            2 => c.close(done::<()>(settle)),
            3 => c.closed(Box::new(move |r| {
                Settle(settle).resolve(&r.as_ref().map_or(JsValue::UNDEFINED, to_js))
            })),
            _ => c.drain_subscription(sid as u64, done::<()>(settle)),
        }
    }

    /// Whether the connection is closed.
    #[wasm_bindgen(js_name = isClosed)]
    pub fn is_closed(&self) -> bool {
        self.client.is_closed()
    }
}
