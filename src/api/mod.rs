//! wasm-bindgen exports: converts JS values to Rust types and Rust errors to `NatsError`; nothing else.

pub mod connection;
pub mod convert;
pub mod errors;
pub mod kv;
pub mod kv_options;
pub mod options;
