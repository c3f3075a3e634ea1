//! Streaming decoder of server ops.
//!
//! Bytes arrive in arbitrary chunks (WebSocket frames do not line up with NATS ops). [`Decoder::push`]
//! appends a chunk; [`Decoder::next_op`] returns the next complete op, `Ok(None)` when more bytes are
//! needed. Buffering is bounded: a control line may not exceed [`MAX_CONTROL_LINE`] bytes and a
//! message's total size may not exceed the configured `max_payload`.

use nom::branch::alt;
use nom::bytes::streaming::{tag_no_case, take_until};
use nom::combinator::value;
use nom::error::ErrorKind;
use nom::{IResult, Parser};

use super::{Headers, ProtoError};

/// Longest control line the decoder accepts, CRLF included (nats-server's `MAX_CONTROL_LINE_SIZE`).
pub const MAX_CONTROL_LINE: usize = 4096;

/// Longest `INFO` line accepted: a cluster's gossiped `connect_urls` can make INFO longer than
/// [`MAX_CONTROL_LINE`], so INFO alone gets a larger (still bounded) allowance.
pub const MAX_INFO_LINE: usize = 64 * 1024;

/// A message delivered by the server (`MSG` or `HMSG`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Msg {
    /// The subject it was published to.
    pub subject: String,
    /// The subscription it is delivered for.
    pub sid: u64,
    /// Where to respond, if the publisher asked for a reply.
    pub reply: Option<String>,
    /// Present for `HMSG`.
    pub headers: Option<Headers>,
    /// The body (without headers).
    pub payload: Vec<u8>,
}

/// One op from the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerOp {
    /// `INFO {json}`: the raw JSON text.
    Info(String),
    /// `MSG` or `HMSG`.
    Msg(Msg),
    /// `PING`: answer with `PONG`.
    Ping,
    /// `PONG`: the answer to our oldest unanswered `PING`.
    Pong,
    /// `+OK` (verbose mode only).
    Ok,
    /// `-ERR 'text'`: the text without the quotes.
    Err(String),
}

/// Streaming decoder state.
///
/// Bytes live in one buffer with a read offset; consumed bytes are dropped when they outweigh the
/// unconsumed ones, so decoding is linear in the input however it is chunked. A control line is scanned
/// for CRLF only once (the scan resumes where it stopped), and once a `MSG`/`HMSG` line is parsed it is
/// remembered while the payload arrives.
#[derive(Debug)]
pub struct Decoder {
    buf: Vec<u8>,
    /// Start of the unconsumed bytes in `buf`.
    pos: usize,
    /// Bytes of the current control line (from `pos`) known not to start a CRLF.
    scanned: usize,
    max_payload: usize,
    /// A parsed `MSG`/`HMSG` control line whose payload has not fully arrived.
    pending: Option<Pending>,
    /// The error returned by `next_op`; sticky until `reset`.
    failed: Option<ProtoError>,
}

#[derive(Debug)]
struct Pending {
    /// Length of the consumed control line, CRLF included (still counted by `buffered`).
    line_len: usize,
    subject: String,
    sid: u64,
    reply: Option<String>,
    hdr_len: Option<usize>,
    total: usize,
}

impl Decoder {
    /// A decoder that rejects messages whose header + payload size exceeds `max_payload`.
    pub fn new(max_payload: usize) -> Self {
        Decoder {
            buf: Vec::new(),
            pos: 0,
            scanned: 0,
            max_payload,
            pending: None,
            failed: None,
        }
    }
    /// Changes the payload bound (after INFO announces `max_payload`).
    pub fn set_max_payload(&mut self, max_payload: usize) {
        self.max_payload = max_payload;
    }
    /// Appends bytes received from the transport. After an error, bytes are dropped until
    /// [`reset`](Self::reset).
    pub fn push(&mut self, chunk: &[u8]) {
        if self.failed.is_some() {
            return;
        }
        if self.pos == self.buf.len() {
            self.buf.clear();
            self.pos = 0;
        } else if self.pos >= self.buf.len() - self.pos {
            // Moving the rest costs no more than what was consumed since the last move: linear overall.
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        self.buf.extend_from_slice(chunk);
    }
    /// The next complete op; `Ok(None)` if more bytes are needed. After an error the decoder must be
    /// [`reset`](Self::reset) (the connection is then closed and reopened).
    pub fn next_op(&mut self) -> Result<Option<ServerOp>, ProtoError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        let result = self.step();
        if let Err(e) = &result {
            self.failed = Some(e.clone());
        }
        result
    }
    /// Bytes held that do not yet form a complete op.
    pub fn buffered(&self) -> usize {
        self.buf.len() - self.pos + self.pending.as_ref().map_or(0, |p| p.line_len)
    }
    /// [`reset`](Self::reset), and gives the buffer's memory back (the connection closed for good).
    pub fn release(&mut self) {
        self.reset();
        self.buf = Vec::new();
    }

    /// Drops all buffered bytes (new connection).
    pub fn reset(&mut self) {
        self.buf.clear();
        self.buf.shrink_to(64 * 1024);
        self.pos = 0;
        self.scanned = 0;
        self.pending = None;
        self.failed = None;
    }

    fn consume(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.buf.len());
        self.scanned = 0;
    }

    fn step(&mut self) -> Result<Option<ServerOp>, ProtoError> {
        if self.pending.is_none() {
            let Some(line_len) = self.control_line()? else {
                return Ok(None);
            };
            let line = &self.buf[self.pos..self.pos + line_len];
            let parsed = parse_line(line, self.max_payload)?;
            self.consume(line_len + 2);
            match parsed {
                Line::Op(op) => return Ok(Some(op)),
                Line::Msg(pending) => {
                    self.pending = Some(Pending {
                        line_len: line_len + 2,
                        ..pending
                    })
                }
            }
        }
        self.payload()
    }

    /// Length of the complete control line at `pos` (CRLF excluded), `None` if its CRLF has not arrived.
    fn control_line(&mut self) -> Result<Option<usize>, ProtoError> {
        let rest = &self.buf[self.pos..];
        let limit = if rest.len() >= 4 && rest[..4].eq_ignore_ascii_case(b"INFO") {
            MAX_INFO_LINE
        } else {
            MAX_CONTROL_LINE
        };
        let end = self.buf.len().min(self.pos.saturating_add(limit));
        let window = &self.buf[self.pos..end];
        let from = self.scanned.min(window.len());
        match take_until::<_, _, NomError<'_>>(&b"\r\n"[..])(&window[from..]) {
            Ok((_, before)) => Ok(Some(from + before.len())),
            Err(nom::Err::Incomplete(_)) => {
                // Reject an unknown verb without waiting for the end of the line.
                if let Err(nom::Err::Error(_) | nom::Err::Failure(_)) = verb(window) {
                    return Err(unknown_op(window));
                }
                if window.len() >= limit {
                    // Even a CRLF right after these bytes would make the line too long.
                    return Err(ProtoError::ControlLineTooLong);
                }
                // The last byte may be the CR of a CRLF split across chunks.
                self.scanned = window.len().saturating_sub(1);
                Ok(None)
            }
            Err(_) => Err(ProtoError::Protocol(
                "cannot find end of control line".to_owned(),
            )),
        }
    }

    /// The payload of the pending `MSG`/`HMSG`, once all of it and its CRLF are buffered.
    fn payload(&mut self) -> Result<Option<ServerOp>, ProtoError> {
        let Some(pending) = &self.pending else {
            return Ok(None);
        };
        let need = pending
            .total
            .checked_add(2)
            .ok_or_else(|| ProtoError::Protocol("message size overflows".to_owned()))?;
        let Some(data) = self.buf.get(self.pos..).and_then(|rest| rest.get(..need)) else {
            return Ok(None);
        };
        let (body, crlf) = data.split_at(pending.total);
        if crlf != b"\r\n" {
            return Err(ProtoError::Protocol(
                "message payload not followed by CRLF".to_owned(),
            ));
        }
        let (headers, payload) = match pending.hdr_len {
            Some(hdr_len) => {
                let (block, payload) = body.split_at(hdr_len.min(body.len()));
                (Some(Headers::decode(block)?), payload)
            }
            None => (None, body),
        };
        let payload = payload.to_vec();
        self.consume(need);
        let Some(pending) = self.pending.take() else {
            return Ok(None);
        };
        Ok(Some(ServerOp::Msg(Msg {
            subject: pending.subject,
            sid: pending.sid,
            reply: pending.reply,
            headers,
            payload,
        })))
    }
}

type NomError<'a> = nom::error::Error<&'a [u8]>;

#[derive(Debug, Clone, Copy)]
enum Verb {
    Info,
    Msg,
    Hmsg,
    Ping,
    Pong,
    Ok,
    Err,
}

enum Line {
    Op(ServerOp),
    Msg(Pending),
}

/// A space or a tab (the argument separators of the protocol).
pub(crate) fn is_space(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

fn unknown_op(line: &[u8]) -> ProtoError {
    let shown = &line[..line.len().min(16)];
    ProtoError::Protocol(format!(
        "unknown op {}",
        super::Quoted(&String::from_utf8_lossy(shown))
    ))
}

/// The verb (any case) at the start of a control line, followed by whitespace or the line's end.
/// Streaming: a strict prefix of a verb is `Incomplete`.
fn verb(input: &[u8]) -> IResult<&[u8], Verb, NomError<'_>> {
    let (rest, verb) = alt((
        value(Verb::Msg, tag_no_case(&b"MSG"[..])),
        value(Verb::Hmsg, tag_no_case(&b"HMSG"[..])),
        value(Verb::Ping, tag_no_case(&b"PING"[..])),
        value(Verb::Pong, tag_no_case(&b"PONG"[..])),
        value(Verb::Info, tag_no_case(&b"INFO"[..])),
        value(Verb::Ok, tag_no_case(&b"+OK"[..])),
        value(Verb::Err, tag_no_case(&b"-ERR"[..])),
    ))
    .parse(input)?;
    match rest.first() {
        Some(&b) if !is_space(b) && b != b'\r' => {
            Err(nom::Err::Error(NomError::new(input, ErrorKind::Tag)))
        }
        _ => Ok((rest, verb)),
    }
}

/// `s` without leading and trailing spaces and tabs.
pub(crate) fn trim(mut s: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = s {
        if !is_space(*first) {
            break;
        }
        s = rest;
    }
    while let [rest @ .., last] = s {
        if !is_space(*last) {
            break;
        }
        s = rest;
    }
    s
}

fn utf8(field: &str, b: &[u8]) -> Result<String, ProtoError> {
    String::from_utf8(b.to_vec()).map_err(|_| ProtoError::Protocol(format!("{field} is not UTF-8")))
}

/// A decimal number without sign; overflow is an error.
fn number(field: &str, digits: &[u8]) -> Result<u64, ProtoError> {
    let bad = || {
        ProtoError::Protocol(format!(
            "bad {field} {}",
            super::Quoted(&String::from_utf8_lossy(&digits[..digits.len().min(24)]))
        ))
    };
    if digits.is_empty() {
        return Err(bad());
    }
    digits.iter().try_fold(0u64, |n, &d| {
        if !d.is_ascii_digit() {
            return Err(bad());
        }
        n.checked_mul(10)
            .and_then(|n| n.checked_add(u64::from(d - b'0')))
            .ok_or_else(bad)
    })
}

fn size(field: &str, digits: &[u8]) -> Result<usize, ProtoError> {
    let n = number(field, digits)?;
    usize::try_from(n).map_err(|_| ProtoError::Protocol(format!("{field} {n} too large")))
}

/// Parses a complete control line (without its CRLF).
fn parse_line(line: &[u8], max_payload: usize) -> Result<Line, ProtoError> {
    let (rest, verb) = match verb(line) {
        Ok(parsed) => parsed,
        Err(_) => return Err(unknown_op(line)),
    };
    let args = trim(rest);
    let no_args = |name: &str, op: ServerOp| {
        if args.is_empty() {
            Ok(Line::Op(op))
        } else {
            Err(ProtoError::Protocol(format!(
                "unexpected arguments after {name}"
            )))
        }
    };
    match verb {
        Verb::Ping => no_args("PING", ServerOp::Ping),
        Verb::Pong => no_args("PONG", ServerOp::Pong),
        Verb::Ok => no_args("+OK", ServerOp::Ok),
        Verb::Info if args.is_empty() => Err(ProtoError::Protocol("INFO without JSON".to_owned())),
        Verb::Info => Ok(Line::Op(ServerOp::Info(utf8("INFO", args)?))),
        Verb::Err => {
            let text = match args {
                [b'\'', inner @ .., b'\''] => trim(inner),
                _ => args,
            };
            Ok(Line::Op(ServerOp::Err(
                String::from_utf8_lossy(text).into_owned(),
            )))
        }
        Verb::Msg | Verb::Hmsg => {
            parse_msg(matches!(verb, Verb::Hmsg), args, max_payload).map(Line::Msg)
        }
    }
}

/// `MSG <subject> <sid> [reply] <#bytes>` / `HMSG <subject> <sid> [reply] <#hdr_bytes> <#total_bytes>`.
fn parse_msg(with_headers: bool, args: &[u8], max_payload: usize) -> Result<Pending, ProtoError> {
    let op = if with_headers { "HMSG" } else { "MSG" };
    let mut fields: [&[u8]; 5] = [&[]; 5];
    let mut count = 0;
    for field in args.split(|&b| is_space(b)).filter(|f| !f.is_empty()) {
        let slot = fields
            .get_mut(count)
            .ok_or_else(|| ProtoError::Protocol(format!("too many arguments to {op}")))?;
        *slot = field;
        count += 1;
    }
    let sizes = if with_headers { 2 } else { 1 };
    let reply = match count.checked_sub(2 + sizes) {
        Some(0) => None,
        Some(1) => Some(utf8("reply subject", fields[2])?),
        Some(_) => return Err(ProtoError::Protocol(format!("too many arguments to {op}"))),
        None => return Err(ProtoError::Protocol(format!("missing arguments to {op}"))),
    };
    let subject = utf8("subject", fields[0])?;
    let sid = number("sid", fields[1])?;
    let total = size("size", fields[count - 1])?;
    let hdr_len = if with_headers {
        let hdr_len = size("header size", fields[count - 2])?;
        if hdr_len > total {
            return Err(ProtoError::Protocol(format!(
                "header size {hdr_len} exceeds total size {total}"
            )));
        }
        Some(hdr_len)
    } else {
        None
    };
    if total > max_payload {
        return Err(ProtoError::MaxPayloadExceeded {
            size: total,
            max: max_payload,
        });
    }
    Ok(Pending {
        line_len: 0,
        subject,
        sid,
        reply,
        hdr_len,
        total,
    })
}
