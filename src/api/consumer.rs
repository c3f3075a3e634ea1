//! Consumer exports: `WasmConsumer` (info, delete, next, fetch/consume, the acks of its messages;
//! bound by `WasmJsm`'s `admin` and `ordered`) and `WasmPullRun` (a running fetch or consume),
//! wrapped by `js/consumer.js`. Messages go through the one delivery path as `JsMsg` batches;
//! status notifications as `(json)` calls, in order with them.

use js_sys::Function;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::convert::Fields;
use super::deliver::Deliver;
use super::promise::{done, Settle, ToJs};
use crate::error::NatsError;
use crate::jetstream::ack::{AckKind, AckState, JsMsg};
use crate::jetstream::consumer::OrderedArgs;
use crate::jetstream::pull::{PullArgs, PullItem};
use crate::session::batch::{event, Batch, Kind};
use crate::session::pull::{ack, ack_ack, Consumer, PullRun};
use crate::session::{RunEvent, RunSink};

impl ToJs for Consumer {
    fn settle(self, s: Settle) {
        s.resolve(&WasmConsumer { consumer: self }.into())
    }
}

impl ToJs for Option<JsMsg> {
    fn settle(self, s: Settle) {
        let mut b = Batch::new(Kind::JsMsg);
        if let Some(m) = &self {
            b.push_js_msg(m);
        }
        s.resolve_batch(&b, true)
    }
}

/// `OrderedConsumerOptions` of `js.consumers.get(stream, opts)`.
pub fn ordered_args(ordered: &JsValue) -> Result<OrderedArgs, NatsError> {
    let mut f = Fields::new(ordered, "ordered consumer options");
    let filter_subjects = f
        .strings("filter_subjects", "filter_subjects")
        .unwrap_or_default();
    let name_prefix = f.string("name_prefix");
    let deliver_policy = f.string("deliver_policy");
    let opt_start_seq = f.number("opt_start_seq");
    let opt_start_time = f.string("opt_start_time");
    let replay_policy = f.string("replay_policy");
    let inactive_threshold = f.number("inactive_threshold");
    let headers_only = f.bool("headers_only").unwrap_or(false);
    f.finish(OrderedArgs {
        name_prefix,
        filter_subjects,
        deliver_policy,
        opt_start_seq,
        opt_start_time,
        replay_policy,
        inactive_threshold,
        headers_only,
    })
}

/// `FetchOptions` / `ConsumeOptions` (the callback aside).
fn pull_args(opts: &JsValue, buffered: bool) -> Result<PullArgs, NatsError> {
    let mut f = Fields::new(opts, "pull options");
    let max_messages = f.number("max_messages");
    let max_bytes = f.number("max_bytes");
    let expires = f.number("expires");
    let idle_heartbeat = f.number("idle_heartbeat");
    let no_wait = f.bool("no_wait").unwrap_or(false);
    let threshold_messages = f.number("threshold_messages");
    let threshold_bytes = f.number("threshold_bytes");
    let abort_on_missing_resource = f.bool("abort_on_missing_resource").unwrap_or(false);
    f.finish(PullArgs {
        max_messages,
        max_bytes,
        expires,
        idle_heartbeat,
        no_wait,
        threshold_messages,
        threshold_bytes,
        abort_on_missing_resource,
        buffered,
    })
}

/// A sink that hands messages to `on_batch` (JsMsg batches), statuses to `on_status(json)` and the
/// run's events to `on_event`, in order.
fn sink(on_batch: Function, on_event: Function, on_status: Function) -> RunSink<PullItem> {
    let mut deliver = Deliver::new(on_batch, on_event);
    Box::new(move |ev| match ev {
        RunEvent::Started => deliver.event(event::STARTED, None),
        RunEvent::Items(items) => {
            let mut msgs = Vec::new();
            for item in items {
                match item {
                    PullItem::Msg(m) => msgs.push(m),
                    PullItem::Status(n) => {
                        if !msgs.is_empty() {
                            deliver.js_msgs(&std::mem::take(&mut msgs));
                        }
                        let json = JsValue::from_str(&n.to_json().to_json_string());
                        let _ = on_status.call1(&JsValue::UNDEFINED, &json);
                    }
                }
            }
            if !msgs.is_empty() {
                deliver.js_msgs(&msgs);
            }
        }
        RunEvent::Initialized => deliver.event(event::INITIALIZED, None),
        RunEvent::Ended(err) => deliver.event(event::ENDED, err.as_ref()),
    })
}

/// A bound pull consumer.
#[wasm_bindgen]
pub struct WasmConsumer {
    consumer: Consumer,
}

#[wasm_bindgen]
impl WasmConsumer {
    /// The stream's name.
    #[wasm_bindgen(getter)]
    pub fn stream(&self) -> String {
        self.consumer.stream().to_owned()
    }
    /// The consumer's name.
    #[wasm_bindgen(getter)]
    pub fn name(&self) -> String {
        self.consumer.name()
    }
    /// The calls that answer once, picked by `op`: 0 the ConsumerInfo (`arg` true: the cached one),
    /// 1 delete (`true` once deleted), 2 the next message or `null` after `expires` (`arg`: the
    /// next options). One export rather than three.
    pub fn call(&self, op: u32, arg: JsValue, settle: Function) -> Result<(), JsValue> {
        let c = &self.consumer;
        match op {
            0 => c.info(arg.as_bool().unwrap_or(false), done(settle)),
            1 => c.delete(done(settle)),
            _ => {
                let mut f = Fields::new(&arg, "next options");
                let expires = f.number("expires");
                c.next(f.finish(expires)?, done(settle));
            }
        }
        Ok(())
    }
    /// Starts a fetch, or with `consume` a consume (`buffered`, no callback: report taken messages
    /// with `handedOut`): messages to `on_batch`, statuses to `on_status`, events to `on_event`.
    pub fn run(
        &self,
        consume: bool,
        opts: JsValue,
        buffered: bool,
        on_batch: Function,
        on_event: Function,
        on_status: Function,
    ) -> Result<WasmPullRun, JsValue> {
        let sink = sink(on_batch, on_event, on_status);
        let c = &self.consumer;
        let run = if !consume {
            c.fetch(&pull_args(&opts, false)?, sink)?
        } else if c.is_push() {
            let mut f = Fields::new(&opts, "consume options");
            let abort = f.bool("abort_on_missing_resource");
            let abort = f.finish(abort)?.unwrap_or(false);
            c.push_consume(abort, buffered, sink)?
        } else {
            c.consume(&pull_args(&opts, buffered)?, sink)?
        };
        Ok(WasmPullRun { run })
    }
    /// Acks a message in ack state `state` (`kind`: 0 ack, 1 nak, 2 working, 3 term, 4 ackAck;
    /// `arg`: the nak delay in ms, the term reason or the ackAck timeout); returns the new state.
    /// An ackAck settles `settle` with `true`/`false`.
    pub fn ack(
        &self,
        subject: &str,
        state: u8,
        kind: u8,
        arg: JsValue,
        settle: JsValue,
    ) -> Result<u8, JsValue> {
        let client = self.consumer.client();
        let state = AckState::from_u8(state);
        let kind = match kind {
            0 => AckKind::Ack,
            1 => AckKind::Nak(match arg.as_f64() {
                Some(ms) if ms.is_finite() && ms >= 0.0 => Some(ms as u64),
                Some(_) => {
                    return Err(NatsError::invalid_argument("nak delay must be ≥ 0 ms").into())
                }
                None => None,
            }),
            2 => AckKind::Working,
            3 => AckKind::Term(arg.as_string()),
            _ => {
                let timeout = arg
                    .as_f64()
                    .filter(|t| t.is_finite() && *t > 0.0)
                    .unwrap_or(self.consumer.timeout_ms());
                return Ok(ack_ack(
                    client,
                    subject,
                    state,
                    timeout,
                    done(settle.unchecked_into()),
                ) as u8);
            }
        };
        Ok(ack(client, subject, state, &kind)? as u8)
    }
}

/// A running fetch or consume (pull, ordered or push).
#[wasm_bindgen]
pub struct WasmPullRun {
    run: PullRun,
}

#[wasm_bindgen]
impl WasmPullRun {
    /// No more pulls (deliveries); the run ends.
    pub fn stop(&self) {
        self.run.stop();
    }
    /// The application took `count` messages out of its buffer.
    #[wasm_bindgen(js_name = handedOut)]
    pub fn handed_out(&self, count: u32) {
        self.run.handed_out(u64::from(count));
    }
    /// Messages requested and not received (a push consumer: held and not handed out).
    pub fn pending(&self) -> f64 {
        self.run.with_machine(|m| m.pending() as f64)
    }
    /// Messages received.
    pub fn received(&self) -> f64 {
        self.run.with_machine(|m| m.received() as f64)
    }
    /// Messages handed out.
    pub fn processed(&self) -> f64 {
        self.run.with_machine(|m| m.processed() as f64)
    }
}
