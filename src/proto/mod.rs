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

/// `s` in double quotes as `{:?}` shows it (`"a\"b\n"`) for messages, without core's `Debug` for
/// `str` (its `escape_debug` and Unicode printable tables, about 4 KB of wasm): `"` and `\` are
/// backslash-escaped, tab, CR, LF and NUL as `\t`, `\r`, `\n`, `\0`, other C0/C1 control characters
/// and DEL as `\u{..}`; everything else is written as is.
pub struct Quoted<'a>(pub &'a str);

impl core::fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        use core::fmt::Write;
        f.write_char('"')?;
        for c in self.0.chars() {
            let esc = match c {
                '"' | '\\' => c,
                '\t' => 't',
                '\r' => 'r',
                '\n' => 'n',
                '\0' => '0',
                '\u{1}'..='\u{1f}' | '\u{7f}'..='\u{9f}' => 'u',
                _ => {
                    f.write_char(c)?;
                    continue;
                }
            };
            f.write_char('\\')?;
            f.write_char(esc)?;
            if esc == 'u' {
                let n = c as u32;
                let hex = |d: u32| char::from_digit(d, 16).unwrap_or('0');
                f.write_char('{')?;
                if n >= 16 {
                    f.write_char(hex(n >> 4))?;
                }
                f.write_char(hex(n & 15))?;
                f.write_char('}')?;
            }
        }
        f.write_char('"')
    }
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

    #[test]
    fn quoted_is_debug_for_ascii_and_controls() {
        for s in [
            "",
            "a.b",
            "a b",
            "say \"hi\"",
            "back\\slash",
            "it's",
            "cr\rlf\n",
            "tab\there",
            "nul\0",
            "\u{1}\u{1b}\u{1f}\u{7f}",
            "\u{80}\u{9f}",
            "héllo wörld ✓ 日本",
        ] {
            assert_eq!(super::Quoted(s).to_string(), format!("{s:?}"));
        }
    }
}
