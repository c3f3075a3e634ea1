//! The only code that touches web-sys: the WebSocket transport, timers, the clock, randomness and
//! WebCrypto signing, and the driver that runs the sans-IO connection with them.

pub mod clock;
pub mod driver;
pub mod panic;
pub mod random;
pub mod sign;
pub mod timer;
pub mod transport;

pub use transport::{TransportEvent, WsTransport};

/// `spawn_local` for every background task of this layer, boxed so that its task machinery is
/// instantiated once instead of once per call site (binary size).
pub fn spawn(f: std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>) {
    wasm_bindgen_futures::spawn_local(f);
}
