#![warn(missing_docs)]
//! nats-kv-wasm: a NATS client for the browser, compiled to WebAssembly.
//!
//! Layers, with dependencies pointing down only (see DESIGN.md):
//! - `api` — wasm-bindgen exports (wasm32 only);
//! - `web` — the only code that touches web-sys: WebSocket, timers, clock (wasm32 only);
//! - `proto` — the sans-IO protocol core: decoder, encoder, headers, subjects, JSON;
//! - `time` — monotonic and wall-clock instants, the time inputs of the sans-IO layers.

pub mod client;
pub mod error;
pub mod jetstream;
pub mod kv;
pub mod obj;
pub mod proto;
pub mod session;
pub mod time;

#[cfg(target_arch = "wasm32")]
pub mod web;

#[cfg(target_arch = "wasm32")]
pub mod api;

/// talc instead of std's dlmalloc: smaller and faster on wasm (see the crate's README_WASM).
/// SAFETY: wasm32-unknown-unknown without the atomics feature is single-threaded.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: talc::TalckWasm = unsafe { talc::TalckWasm::new_global() };
