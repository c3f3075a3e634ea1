//! The NATS header block: `NATS/1.0[ code[ description]]\r\n(Name: value\r\n)*\r\n`.
//! Keys are case-preserving and may repeat.

use super::decoder::{is_space, trim};
use super::ProtoError;

/// Message headers with an optional status (code 0 when the status line has none).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Headers {
    /// Status code from the first line (e.g. 503, 100, 404), 0 if none.
    pub code: u16,
    /// Status description from the first line, "" if none.
    pub description: String,
    entries: Vec<(String, String)>,
}

impl Headers {
    /// Empty headers, no status.
    pub fn new() -> Self {
        Self::default()
    }
    /// Parses a header block (the `hdr_bytes` part of an HMSG, through the final blank line).
    pub fn decode(block: &[u8]) -> Result<Headers, ProtoError> {
        // Shortest block: "NATS/1.0\r\n\r\n".
        if !block.starts_with(VERSION) {
            return Err(bad("does not start with NATS/1.0"));
        }
        let body = match block.strip_suffix(b"\r\n\r\n") {
            Some(body) if body.len() >= VERSION.len() => body,
            _ => return Err(bad("not terminated by an empty line")),
        };
        let mut all = Lines { rest: Some(body) };
        if all.any(|line| line.iter().any(|&b| b == b'\r' || b == b'\n')) {
            return Err(bad("bare CR or LF in a header line"));
        }
        let mut lines = Lines { rest: Some(body) };
        let status = lines.next().unwrap_or_default();
        let mut headers = Headers::new();
        headers.parse_status(status.get(VERSION.len()..).unwrap_or_default())?;
        for line in lines {
            let colon = line
                .iter()
                .position(|&b| b == b':')
                .ok_or_else(|| bad("header line without ':'"))?;
            let (name, value) = (&line[..colon], &line[colon + 1..]);
            let name = trim(name);
            if name.is_empty() {
                return Err(bad("empty header name"));
            }
            headers.entries.push((text(name), text(trim(value))));
        }
        Ok(headers)
    }

    /// The part of the status line after `NATS/1.0`.
    fn parse_status(&mut self, rest: &[u8]) -> Result<(), ProtoError> {
        if rest.first().is_some_and(|b| !is_space(*b)) {
            return Err(bad("bad status line"));
        }
        let rest = trim(rest);
        if rest.is_empty() {
            return Ok(());
        }
        let code_len = rest.iter().position(|&b| is_space(b)).unwrap_or(rest.len());
        let code = &rest[..code_len];
        if code.len() != 3 || !code.iter().all(u8::is_ascii_digit) {
            return Err(bad("status code is not 3 digits"));
        }
        self.code = code.iter().fold(0u16, |n, d| n * 10 + u16::from(d - b'0'));
        self.description = text(trim(&rest[code_len..]));
        Ok(())
    }

    /// Writes the block, ending with the blank line. The status line carries the code (3 digits) and
    /// description when either is set.
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.reserve(self.encoded_len());
        out.extend_from_slice(VERSION);
        if self.has_status() {
            out.push(b' ');
            if self.code < 100 {
                out.extend_from_slice(if self.code < 10 { b"00" } else { b"0" });
            }
            out.extend_from_slice(self.code.to_string().as_bytes());
            if !self.description.is_empty() {
                out.push(b' ');
                out.extend_from_slice(self.description.as_bytes());
            }
        }
        out.extend_from_slice(b"\r\n");
        for (name, value) in &self.entries {
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(value.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"\r\n");
    }
    /// Whether the status line carries a code (and maybe a description).
    fn has_status(&self) -> bool {
        self.code != 0 || !self.description.is_empty()
    }
    /// Length of [`encode`](Self::encode)'s output.
    pub fn encoded_len(&self) -> usize {
        let mut n = VERSION.len() + 4;
        if self.has_status() {
            n += 1 + decimal_len(self.code.into()).max(3);
            if !self.description.is_empty() {
                n += 1 + self.description.len();
            }
        }
        for (name, value) in &self.entries {
            n += name.len() + 2 + value.len() + 2;
        }
        n
    }
    /// Checks that the status line can be written as is (the entries are checked by `set`/`append`).
    pub fn validate_status(&self) -> Result<(), ProtoError> {
        if self.code > 999 {
            return Err(ProtoError::InvalidHeader(format!(
                "status code {} has more than 3 digits",
                self.code
            )));
        }
        if self
            .description
            .bytes()
            .any(|b| matches!(b, b'\r' | b'\n' | 0))
        {
            return Err(ProtoError::InvalidHeader(format!(
                "status description {} contains CR, LF or NUL",
                super::Quoted(&self.description)
            )));
        }
        Ok(())
    }
    /// First value of `name` (exact, case-sensitive match).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
    /// Every value of `name`, in order.
    pub fn values(&self, name: &str) -> Vec<&str> {
        self.entries
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
    /// Whether `name` is present.
    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }
    /// Replaces every value of `name` with `value`. Validates both first.
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), ProtoError> {
        validate(name, value)?;
        match self.entries.iter().position(|(n, _)| n == name) {
            Some(first) => {
                // Entries before `first` have other names, so `first` stays in place.
                self.entries.retain(|(n, _)| n != name);
                self.entries
                    .insert(first, (name.to_owned(), value.to_owned()));
            }
            None => self.entries.push((name.to_owned(), value.to_owned())),
        }
        Ok(())
    }
    /// Adds a value for `name`, keeping existing ones. Validates both first.
    pub fn append(&mut self, name: &str, value: &str) -> Result<(), ProtoError> {
        validate(name, value)?;
        self.entries.push((name.to_owned(), value.to_owned()));
        Ok(())
    }
    /// Distinct names, in first-seen order.
    pub fn keys(&self) -> Vec<&str> {
        let mut keys: Vec<&str> = Vec::new();
        for (name, _) in &self.entries {
            if !keys.contains(&name.as_str()) {
                keys.push(name);
            }
        }
        keys
    }
    /// All (name, value) pairs in order.
    pub fn entries(&self) -> &[(String, String)] {
        &self.entries
    }
    /// Whether the status code marks an error (code >= 400... as nats.js: any code other than 0 and 1xx/2xx).
    pub fn has_error(&self) -> bool {
        self.code >= 300
    }
}

const VERSION: &[u8] = b"NATS/1.0";

fn bad(msg: &str) -> ProtoError {
    ProtoError::BadHeaders(msg.to_owned())
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn decimal_len(mut n: u64) -> usize {
    let mut len = 1;
    while n >= 10 {
        n /= 10;
        len += 1;
    }
    len
}

/// Splits on CRLF (a bare CR or LF stays inside its line).
struct Lines<'a> {
    rest: Option<&'a [u8]>,
}

impl<'a> Iterator for Lines<'a> {
    type Item = &'a [u8];
    fn next(&mut self) -> Option<&'a [u8]> {
        let rest = self.rest?;
        match rest.windows(2).position(|w| w == b"\r\n") {
            Some(i) => {
                self.rest = rest.get(i + 2..);
                rest.get(..i)
            }
            None => {
                self.rest = None;
                Some(rest)
            }
        }
    }
}

/// A header name: non-empty, no CR, LF, space, ':', NUL or other control characters.
/// A value: no CR, LF or NUL.
fn validate(name: &str, value: &str) -> Result<(), ProtoError> {
    if name.is_empty() {
        return Err(ProtoError::InvalidHeader("empty header name".to_owned()));
    }
    if let Some(b) = name
        .bytes()
        .find(|&b| b == b' ' || b == b':' || b < 0x20 || b == 0x7f)
    {
        let what = match b {
            b' ' => "a space",
            b':' => "':'",
            b'\r' | b'\n' => "CR or LF",
            0 => "NUL",
            _ => "a control character",
        };
        return Err(ProtoError::InvalidHeader(format!(
            "header name {} contains {what}",
            super::Quoted(name)
        )));
    }
    if value.bytes().any(|b| matches!(b, b'\r' | b'\n' | 0)) {
        return Err(ProtoError::InvalidHeader(format!(
            "value {} of header {} contains CR, LF or NUL",
            super::Quoted(value),
            super::Quoted(name)
        )));
    }
    Ok(())
}
