//! The `NatsConnection` the ES module wraps: JS calls in, client events out as callbacks/promises.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;

use super::convert::{headers, headers_to_js, integer, payload, string};
use super::errors::{js_err, to_js};
use super::options::{parse, public_nkey};
use crate::client::{Connection, Event, Status};
use crate::error::NatsError;
use crate::proto::Msg;
use crate::web::clock::now_ms;
use crate::web::driver::Driver;
use crate::web::random;

type Settle = (Function, Function);

struct SubHooks {
    on_msg: Function,
    on_done: Function,
    drained: Vec<Function>,
}

/// JS-side bookkeeping of one connection: callbacks and pending promises by id.
struct Inner {
    driver: Rc<Driver>,
    on_status: Function,
    subs: RefCell<HashMap<u64, SubHooks>>,
    requests: RefCell<HashMap<u64, Settle>>,
    flushes: RefCell<HashMap<u64, Settle>>,
    connecting: RefCell<Option<Settle>>,
    /// `Some(result)` once closed for good: `undefined` or the error.
    closed: RefCell<Option<JsValue>>,
    closed_waiters: RefCell<Vec<Function>>,
}

/// A connection (wrapped by `js/index.js` as `NatsConnection`).
#[wasm_bindgen]
pub struct WasmConnection {
    inner: Rc<Inner>,
}

/// Connects; resolves to a `WasmConnection` once CONNECT/PONG succeeded. `on_status(type, data)`
/// receives status events.
#[wasm_bindgen]
pub fn connect(opts: JsValue, on_status: Function) -> Promise {
    wasm_bindgen_futures::future_to_promise(async move {
        let mut parsed = parse(&opts).map_err(js_err)?;
        if let Some(seed) = parsed.seed.as_ref() {
            if parsed.options.jwt.is_none() {
                parsed.options.nkey = Some(public_nkey(seed).await.map_err(js_err)?);
            }
        }
        let conn = Connection::new(parsed.options, now_ms(), random::seed()).map_err(js_err)?;
        let driver = Driver::new(conn, parsed.seed);
        let inner = Rc::new(Inner {
            driver: driver.clone(),
            on_status,
            subs: RefCell::default(),
            requests: RefCell::default(),
            flushes: RefCell::default(),
            connecting: RefCell::new(None),
            closed: RefCell::new(None),
            closed_waiters: RefCell::default(),
        });
        let done = Promise::new(&mut |resolve, reject| {
            *inner.connecting.borrow_mut() = Some((resolve, reject));
        });
        // The sink keeps the connection alive while it is open; it is dropped on Closed.
        let sink_inner = inner.clone();
        driver.set_sink(Rc::new(move |ev| sink_inner.handle(ev)));
        driver.start();
        wasm_bindgen_futures::JsFuture::from(done).await?;
        Ok(WasmConnection { inner }.into())
    })
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

impl Inner {
    fn handle(&self, ev: Event) {
        match ev {
            Event::Connected { .. } => {
                if let Some((resolve, _)) = self.connecting.borrow_mut().take() {
                    let _ = resolve.call0(&JsValue::UNDEFINED);
                }
            }
            Event::Msg { sid, msg } => {
                let f = self.subs.borrow().get(&sid).map(|h| h.on_msg.clone());
                if let Some(f) = f {
                    call(&f, &msg_args(msg));
                }
            }
            Event::SubClosed { sid, error } => {
                if let Some(h) = self.subs.borrow_mut().remove(&sid) {
                    let err = error.as_ref().map_or(JsValue::NULL, to_js);
                    call(&h.on_done, &[err]);
                    for d in h.drained {
                        let _ = d.call0(&JsValue::UNDEFINED);
                    }
                }
            }
            Event::Reply { id, result } => {
                if let Some((resolve, reject)) = self.requests.borrow_mut().remove(&id) {
                    match result {
                        Ok(m) => {
                            let arr: Array = msg_args(m).iter().collect();
                            let _ = resolve.call1(&JsValue::UNDEFINED, &arr);
                        }
                        Err(e) => {
                            let _ = reject.call1(&JsValue::UNDEFINED, &to_js(&e));
                        }
                    }
                }
            }
            Event::Flushed { id, result } => {
                if let Some((resolve, reject)) = self.flushes.borrow_mut().remove(&id) {
                    let _ = match result {
                        Ok(rtt) => resolve.call1(&JsValue::UNDEFINED, &JsValue::from_f64(rtt)),
                        Err(e) => reject.call1(&JsValue::UNDEFINED, &to_js(&e)),
                    };
                }
            }
            Event::Status(s) => {
                let data = status_data(&s);
                call(&self.on_status, &[JsValue::from_str(s.type_str()), data]);
            }
            Event::Closed { error } => self.finish(error),
            // Transport commands are handled by the driver.
            Event::Open { .. } | Event::CloseTransport | Event::Sign { .. } => {}
        }
    }

    fn finish(&self, error: Option<NatsError>) {
        let result = error.as_ref().map_or(JsValue::UNDEFINED, to_js);
        if let Some((_, reject)) = self.connecting.borrow_mut().take() {
            let e = error.unwrap_or_else(|| {
                NatsError::connection_closed("connection closed before it was established")
            });
            let _ = reject.call1(&JsValue::UNDEFINED, &to_js(&e));
        }
        *self.closed.borrow_mut() = Some(result.clone());
        for w in self.closed_waiters.borrow_mut().drain(..) {
            let _ = w.call1(&JsValue::UNDEFINED, &result);
        }
        let closed = NatsError::connection_closed("connection closed");
        for (_, (_, reject)) in self.requests.borrow_mut().drain() {
            let _ = reject.call1(&JsValue::UNDEFINED, &to_js(&closed));
        }
        for (_, (_, reject)) in self.flushes.borrow_mut().drain() {
            let _ = reject.call1(&JsValue::UNDEFINED, &to_js(&closed));
        }
        // Break the driver → sink → Inner cycle so everything is freed.
        self.driver.set_sink(Rc::new(|_| {}));
    }

    fn closed_promise(&self) -> Promise {
        if let Some(r) = self.closed.borrow().clone() {
            return Promise::resolve(&r);
        }
        Promise::new(&mut |resolve, _| self.closed_waiters.borrow_mut().push(resolve))
    }
}

fn rejected(e: NatsError) -> Promise {
    Promise::reject(&to_js(&e))
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

#[wasm_bindgen]
impl WasmConnection {
    /// The last INFO as JSON text.
    pub fn info(&self) -> Option<String> {
        self.inner.driver.read(|c| c.info_json().map(str::to_owned))
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
        self.inner
            .driver
            .with(|c, _| c.publish(&subject, reply.as_deref(), hdrs.as_ref(), &data))
            .map_err(js_err)
    }

    /// Subscribes; `on_msg(subject, sid, reply, data, headers, code, description)` per message,
    /// `on_done(error | null)` once when the subscription ends. Returns the sid.
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
        let sid = self
            .inner
            .driver
            .with(|c, _| c.subscribe(&subject, queue.as_deref(), max))
            .map_err(js_err)?;
        self.inner.subs.borrow_mut().insert(
            sid,
            SubHooks {
                on_msg,
                on_done,
                drained: Vec::new(),
            },
        );
        Ok(sid as f64)
    }

    /// Unsubscribes now, or after `max` messages in all.
    pub fn unsubscribe(&self, sid: f64, max: JsValue) -> Result<(), JsValue> {
        let max = opt_u64(&max, "max").map_err(js_err)?;
        self.inner
            .driver
            .with(|c, _| c.unsubscribe(sid as u64, max))
            .map_err(js_err)
    }

    /// Drains one subscription; resolves when it has ended.
    #[wasm_bindgen(js_name = drainSubscription)]
    pub fn drain_subscription(&self, sid: f64) -> Promise {
        let sid = sid as u64;
        match self.inner.driver.with(|c, _| c.drain_subscription(sid)) {
            Err(e) => rejected(e),
            Ok(false) => Promise::resolve(&JsValue::UNDEFINED),
            Ok(true) => Promise::new(&mut |resolve, _| {
                if let Some(h) = self.inner.subs.borrow_mut().get_mut(&sid) {
                    h.drained.push(resolve);
                } else {
                    let _ = resolve.call0(&JsValue::UNDEFINED);
                }
            }),
        }
    }

    /// Request/reply over the muxed inbox; resolves to the `Msg` fields.
    pub fn request(
        &self,
        subject: JsValue,
        data: JsValue,
        hdrs: JsValue,
        timeout: JsValue,
    ) -> Promise {
        let args = (|| -> Result<_, NatsError> {
            let subject = string(&subject, "subject")?;
            let data = payload(&data)?;
            let hdrs = headers(&hdrs)?;
            let timeout = if timeout.is_undefined() || timeout.is_null() {
                1000.0
            } else {
                integer(&timeout, "timeout", 1.0, 2_147_483_647.0)?
            };
            Ok((subject, data, hdrs, timeout))
        })();
        let (subject, data, hdrs, timeout) = match args {
            Ok(a) => a,
            Err(e) => return rejected(e),
        };
        match self
            .inner
            .driver
            .with(|c, now| c.request(&subject, &data, hdrs.as_ref(), timeout, now))
        {
            Err(e) => rejected(e),
            Ok(id) => Promise::new(&mut |resolve, reject| {
                self.inner
                    .requests
                    .borrow_mut()
                    .insert(id, (resolve, reject));
            }),
        }
    }

    /// PING → PONG; resolves to the round trip in ms.
    pub fn flush(&self) -> Promise {
        match self.inner.driver.with(|c, now| c.flush(now)) {
            Err(e) => rejected(e),
            Ok(id) => Promise::new(&mut |resolve, reject| {
                self.inner
                    .flushes
                    .borrow_mut()
                    .insert(id, (resolve, reject));
            }),
        }
    }

    /// Drains every subscription, flushes, closes; resolves with `closed()`'s value.
    pub fn drain(&self) -> Promise {
        if let Err(e) = self.inner.driver.with(|c, now| c.drain(now)) {
            return rejected(e);
        }
        self.inner.closed_promise()
    }

    /// Closes; resolves with `closed()`'s value. A second call is harmless.
    pub fn close(&self) -> Promise {
        self.inner.driver.with(|c, now| c.close(now));
        self.inner.closed_promise()
    }

    /// Settles when the connection is closed for good: `undefined`, or the error that closed it.
    pub fn closed(&self) -> Promise {
        self.inner.closed_promise()
    }

    /// Whether the connection is closed.
    #[wasm_bindgen(js_name = isClosed)]
    pub fn is_closed(&self) -> bool {
        self.inner.driver.read(|c| c.is_closed())
    }
}
