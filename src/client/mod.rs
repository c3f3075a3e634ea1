//! The sans-IO NATS client core: connection state machine, subscriptions, request mux, ping/pong,
//! reconnect policy and bounded outbound buffering. No web-sys/js-sys/wasm-bindgen here: time (a
//! [`Mono`](crate::time::Mono) instant) and random seeds are arguments, transport actions are
//! [`Event`]s (see [`connection`] for the driving loop).
//!
//! - [`connection`]: [`Connection`], the state machine;
//! - [`events`]: [`Event`] and [`Status`], its outputs;
//! - [`options`]: [`Options`] (API.md's `ConnectionOptions`);
//! - [`pool`]: the server pool and reconnect delays;
//! - [`subs`], [`requests`]: the subscription table and the muxed request inbox;
//! - [`handshake`], [`server_err`]: CONNECT JSON, INFO helpers and `-ERR` classification;
//! - [`nuid`]: PRNG and NUIDs; [`nkeys`], [`creds`]: nkey/creds encodings for nonce signing.
#![warn(missing_docs)]

pub mod connection;
pub mod creds;
pub mod events;
pub mod handshake;
pub mod nkeys;
pub mod nuid;
pub mod options;
pub mod pool;
pub mod requests;
pub mod server_err;
pub mod subs;

#[cfg(test)]
mod tests;

pub use connection::{Connection, Phase};
pub use creds::{parse_creds, Creds};
pub use events::{Event, Status};
pub use options::Options;
pub use subs::Subscription;
