//! What the [`Connection`](super::Connection) asks of, and tells, the layer that drives it.

use crate::error::NatsError;
use crate::proto::Msg;

/// Connection status changes, as API.md's `Status` (`type` is [`Status::type_str`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    /// An established connection was lost.
    Disconnect {
        /// URL of the server it was connected to.
        server: String,
    },
    /// A reconnect attempt starts (one per attempt).
    Reconnecting {
        /// URL of the server being dialled.
        server: String,
    },
    /// Connected again (after CONNECT/PONG, re-SUBs and the buffered publishes).
    Reconnect {
        /// URL of the server now connected.
        server: String,
    },
    /// The pool changed after INFO `connect_urls`.
    Update {
        /// URLs gossiped for the first time.
        added: Vec<String>,
        /// Gossiped URLs no longer announced.
        deleted: Vec<String>,
    },
    /// The server announced lame-duck mode (it will shut down; the next reconnect prefers another).
    Ldm {
        /// URL of the server going away.
        server: String,
    },
    /// A non-fatal or asynchronous error (`-ERR`, protocol error before a reconnect, auth error…).
    Error(NatsError),
    /// Keep-alive PINGs went unanswered (`maxPingOut`): the connection is dropped and re-dialled.
    StaleConnection,
    /// Never produced by `Connection`; for the layer that bounds per-subscription queues.
    SlowConsumer {
        /// The subscription that dropped messages.
        sid: u64,
    },
    /// The connection is closed for good (followed by [`Event::Closed`]).
    Close,
}

impl Status {
    /// API.md's `type` string: "disconnect", "reconnecting", "reconnect", "update", "ldm", "error",
    /// "staleConnection", "slowConsumer", "close".
    pub fn type_str(&self) -> &'static str {
        match self {
            Status::Disconnect { .. } => "disconnect",
            Status::Reconnecting { .. } => "reconnecting",
            Status::Reconnect { .. } => "reconnect",
            Status::Update { .. } => "update",
            Status::Ldm { .. } => "ldm",
            Status::Error(_) => "error",
            Status::StaleConnection => "staleConnection",
            Status::SlowConsumer { .. } => "slowConsumer",
            Status::Close => "close",
        }
    }
}

/// Output of the state machine, taken with [`Connection::poll_event`](super::Connection::poll_event).
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// Transport command: open a WebSocket to `url` (the previous one, if any, is already closed),
    /// then call `on_open`, `on_bytes`, `on_closed` for it.
    Open {
        /// `ws://…` or `wss://…`.
        url: String,
    },
    /// Transport command: close the current WebSocket and detach its handlers; do not report
    /// `on_closed` for it. Send the bytes of `take_outbound()` first.
    CloseTransport,
    /// Sign `nonce` (its UTF-8 bytes) with the nkey seed (Ed25519) and call `on_signature` with the
    /// base64url signature (or `on_signature_failed`).
    Sign {
        /// The server's INFO `nonce`.
        nonce: String,
    },
    /// The first connection is established (`connect()` resolves); `info_json` is the server's INFO.
    Connected {
        /// The INFO line's JSON, as sent.
        info_json: String,
    },
    /// A message for subscription `sid`.
    Msg {
        /// The subscription it arrived on.
        sid: u64,
        /// The message.
        msg: Msg,
    },
    /// Subscription `sid` ended: max reached, unsubscribed, drained, connection closed (`error` None),
    /// or refused by the server (`PERMISSIONS_VIOLATION`).
    SubClosed {
        /// The subscription that ended.
        sid: u64,
        /// Why, if the server refused it.
        error: Option<NatsError>,
    },
    /// Outcome of request `id`: the reply, or `TIMEOUT`, `NO_RESPONDERS`, `PERMISSIONS_VIOLATION`,
    /// `CONNECTION_CLOSED`.
    Reply {
        /// The id `request()` returned.
        id: u64,
        /// The reply message, or why there is none.
        result: Result<Msg, NatsError>,
    },
    /// Outcome of flush `id`: the milliseconds between `flush()` and its PONG (the RTT), or
    /// `CONNECTION_CLOSED` (disconnected or closed first).
    Flushed {
        /// The id `flush()` returned.
        id: u64,
        /// The round-trip time in ms, or why the flush failed.
        result: Result<f64, NatsError>,
    },
    /// A status change for `onStatus` listeners.
    Status(Status),
    /// The connection is closed for good (last event). `error` is None after `close()` or a completed
    /// `drain()`; otherwise why it closed (CONNECTION_REFUSED, TIMEOUT, AUTHORIZATION_VIOLATION…).
    /// If it was never connected, `connect()` rejects with it (CONNECTION_CLOSED when None).
    Closed {
        /// Why it closed (`None`: `close()` or a completed `drain()`).
        error: Option<NatsError>,
    },
}
