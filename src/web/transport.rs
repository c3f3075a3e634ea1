//! A browser WebSocket as a byte stream.
//!
//! Frames are handed on as they arrive: one NATS op may span frames and one frame may hold many ops,
//! so the receiver feeds them into the streaming decoder. The `Closure`s live in the struct and are
//! detached on drop (no `forget()`).

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{ArrayBuffer, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{BinaryType, CloseEvent, Event, MessageEvent, WebSocket};

use super::panic::{poisoned, track, untrack};

/// What the transport reports.
#[derive(Debug)]
pub enum TransportEvent<'a> {
    /// The WebSocket is open.
    Open,
    /// A binary frame's bytes.
    Data(&'a [u8]),
    /// The socket closed (or failed to open).
    Closed {
        /// The close event's code (1006: closed abnormally or never opened).
        code: u16,
        /// The close event's reason text.
        reason: String,
    },
}

type Handler = Rc<dyn Fn(TransportEvent<'_>)>;

thread_local! {
    /// A socket `connect()` opened while the wasm loaded (js/load.js): the next `open` takes it rather
    /// than dialling again.
    static PREOPENED: RefCell<Option<WebSocket>> = const { RefCell::new(None) };
}

/// js/load.js: offers the socket it opened while the wasm loaded to the `connect` it is about to call,
/// and withdraws it (`undefined`) when that returns. It offers one only for a single server with no
/// sign-in step, so the one `open` in that call is of the socket's URL. The events the socket got
/// meanwhile are replayed by js/load.js after that, on a microtask.
#[wasm_bindgen(js_name = preopened)]
pub fn set_preopened(ws: Option<WebSocket>) {
    PREOPENED.with(|p| *p.borrow_mut() = ws);
}

/// An open (or opening) WebSocket and its event handlers.
pub struct WsTransport {
    ws: WebSocket,
    _on_open: Closure<dyn FnMut(Event)>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
}

impl WsTransport {
    /// Opens `url` (ws:// or wss://, no subprotocol, `binaryType = "arraybuffer"`).
    /// Errors (a malformed URL) come back at once; connection failures arrive as `Closed`.
    pub fn open(
        url: &str,
        handler: impl Fn(TransportEvent<'_>) + 'static,
    ) -> Result<Self, JsValue> {
        let ws = match PREOPENED.with(|p| p.borrow_mut().take()) {
            Some(ws) => ws,
            None => WebSocket::new(url)?,
        };
        ws.set_binary_type(BinaryType::Arraybuffer);
        let handler: Handler = Rc::new(handler);

        let h = handler.clone();
        let on_open = Closure::<dyn FnMut(Event)>::new(move |_e: Event| {
            if !poisoned() {
                h(TransportEvent::Open)
            }
        });
        let h = handler.clone();
        let mut scratch: Vec<u8> = Vec::new();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            if poisoned() {
                return;
            }
            let data = e.data();
            if let Some(buf) = data.dyn_ref::<ArrayBuffer>() {
                let view = Uint8Array::new(buf);
                let n = view.length() as usize;
                scratch.clear();
                scratch.resize(n, 0);
                view.copy_to(&mut scratch);
                h(TransportEvent::Data(&scratch));
            } else if let Some(text) = data.as_string() {
                h(TransportEvent::Data(text.as_bytes()));
            }
        });
        let h = handler;
        let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |e: CloseEvent| {
            if poisoned() {
                return;
            }
            h(TransportEvent::Closed {
                code: e.code(),
                reason: e.reason(),
            })
        });
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        track(&ws);
        Ok(WsTransport {
            ws,
            _on_open: on_open,
            _on_message: on_message,
            _on_close: on_close,
        })
    }

    /// Writes bytes as one binary frame.
    pub fn send(&self, bytes: &[u8]) -> Result<(), JsValue> {
        self.ws.send_with_u8_array(bytes)
    }

    /// Starts closing the socket; a `Closed` event follows.
    pub fn close(&self) {
        let _ = self.ws.close();
    }
}

impl Drop for WsTransport {
    fn drop(&mut self) {
        untrack(&self.ws);
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
        let _ = self.ws.close();
    }
}
