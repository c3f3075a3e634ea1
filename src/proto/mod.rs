//! The sans-IO NATS protocol core: no web-sys, js-sys or wasm-bindgen below this line.
//!
//! - [`decoder`]: streaming decoder of server ops (INFO, MSG, HMSG, PING, PONG, +OK, -ERR);
//! - [`encoder`]: client ops (CONNECT, PUB, HPUB, SUB, UNSUB, PING, PONG);
//! - [`headers`]: the `NATS/1.0` header block;
//! - [`subject`]: subject and token validation;
//! - [`json`]: a small JSON reader/writer for INFO, CONNECT and the JetStream API;
//! - [`num`]: small f64 ⇄ text conversions (instead of core's, for binary size).

pub mod decoder;
pub mod encoder;
pub mod error;
pub mod headers;
pub mod json;
pub mod num;
pub mod subject;

pub use decoder::{Decoder, Msg, ServerOp, MAX_CONTROL_LINE, MAX_INFO_LINE};
pub use error::ProtoError;
pub use headers::Headers;
