//! The only code that touches web-sys: the WebSocket transport, timers and the clock.

pub mod clock;
pub mod transport;

pub use transport::{TransportEvent, WsTransport};
