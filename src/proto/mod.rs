//! The sans-IO NATS protocol core: no web-sys, js-sys or wasm-bindgen below this line.
//!
//! - [`decoder`]: streaming decoder of server ops (INFO, MSG, HMSG, PING, PONG, +OK, -ERR);
//! - [`encoder`]: client ops (CONNECT, PUB, HPUB, SUB, UNSUB, PING, PONG);
//! - [`headers`]: the `NATS/1.0` header block;
//! - [`subject`]: subject and token validation;
//! - [`json`]: a small JSON reader/writer for INFO, CONNECT and the JetStream API;
//! - [`num`]: small f64 ⇄ text conversions (instead of core's, for binary size).
#![warn(missing_docs)]

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

/// Whether `needle` occurs in `haystack`: `str::contains` without core's two-way searcher (about
/// 2.5 KB of wasm for a few short, rare checks).
pub fn contains(haystack: &str, needle: &str) -> bool {
    needle.is_empty()
        || haystack
            .as_bytes()
            .windows(needle.len())
            .any(|w| w == needle.as_bytes())
}

#[cfg(test)]
mod tests {
    #[test]
    fn contains_matches_str_contains() {
        for (h, n) in [
            ("authorization violation", "violation"),
            ("abc", "abcd"),
            ("abc", ""),
            ("", ""),
            ("", "a"),
            ("a..b", ".."),
            ("a.b", ".."),
            ("héllo", "éll"),
        ] {
            assert_eq!(super::contains(h, n), h.contains(n), "{h:?} {n:?}");
        }
    }
}
