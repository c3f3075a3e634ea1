//! wasm-bindgen exports: converts JS values to Rust types, hands the session layer a [`promise::done`]
//! (the one promise path) or a [`deliver::Deliver`] (the one delivery path); nothing else.

pub mod connection;
#[cfg(feature = "jetstream")]
pub mod consumer;
pub mod convert;
pub mod deliver;
pub mod jetstream;
pub mod kv;
pub mod kv_options;
#[cfg(feature = "obj")]
pub mod obj;
pub mod options;
pub mod panic;
pub mod promise;
