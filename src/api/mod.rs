//! wasm-bindgen exports: converts JS values to Rust types and Rust errors to `NatsError`; nothing else.
