//! Encoder of client ops. Every function validates its input first and writes nothing on error,
//! so no invalid byte (CR/LF, spaces, bad subjects) can reach the wire.

use super::decoder::MAX_CONTROL_LINE;
use super::subject::{validate_publish, validate_queue, validate_subscribe};
use super::{Headers, ProtoError};

/// Number of decimal digits of `n`.
fn decimal_len(n: u64) -> usize {
    n.checked_ilog10().map_or(1, |d| d as usize + 1)
}

/// The longest control line sent, CRLF included, is [`MAX_CONTROL_LINE`] (nats-server's default
/// `max_control_line`, which INFO does not announce): the server answers a longer `PUB`/`HPUB`/`SUB`
/// with `-ERR 'maximum control line exceeded'` and closes the connection, so it is refused here
/// (`InvalidSubject`: only a long subject, reply or queue group can make a line that long).
fn check_line(op: &str, len: usize) -> Result<(), ProtoError> {
    if len > MAX_CONTROL_LINE {
        return Err(ProtoError::InvalidSubject(format!(
            "subject too long: the {op} control line would be {len} bytes, more than the server's \
             max_control_line of {MAX_CONTROL_LINE}"
        )));
    }
    Ok(())
}

/// Length of the `PUB`/`HPUB` control line, CRLF included.
fn publish_line_len(
    subject: &str,
    reply: Option<&str>,
    hdr_len: Option<usize>,
    total: usize,
) -> usize {
    let verb = if hdr_len.is_some() { 5 } else { 4 };
    verb + subject.len()
        + reply.map_or(0, |r| r.len() + 1)
        + hdr_len.map_or(0, |h| decimal_len(h as u64) + 1)
        + 1
        + decimal_len(total as u64)
        + 2
}

/// Checks that `SUB subject [queue] <sid>` fits in a control line for any sid (20 digits assumed),
/// so that a subscription accepted now can be re-sent after a reconnect.
pub fn check_subscribe_line(subject: &str, queue: Option<&str>) -> Result<(), ProtoError> {
    check_line("SUB", subscribe_line_len(subject, queue, u64::MAX))
}

/// Length of the `SUB` control line, CRLF included.
fn subscribe_line_len(subject: &str, queue: Option<&str>, sid: u64) -> usize {
    4 + subject.len() + queue.map_or(0, |q| q.len() + 1) + 1 + decimal_len(sid) + 2
}

/// `CONNECT {json}\r\n`. `json` is the options object (built by the client); it must not contain CR/LF.
pub fn connect(out: &mut Vec<u8>, json: &str) -> Result<(), ProtoError> {
    if json.bytes().any(|b| b == b'\r' || b == b'\n') {
        return Err(ProtoError::Protocol(
            "CONNECT options contain CR or LF".to_owned(),
        ));
    }
    out.reserve(json.len() + 10);
    out.extend_from_slice(b"CONNECT ");
    out.extend_from_slice(json.as_bytes());
    out.extend_from_slice(b"\r\n");
    Ok(())
}

/// `PUB subject [reply] size\r\npayload\r\n`, or `HPUB` when `headers` is given.
/// `subject` must be a valid publish subject (no wildcards); `reply` likewise; the control line may
/// not exceed [`MAX_CONTROL_LINE`] bytes.
pub fn publish(
    out: &mut Vec<u8>,
    subject: &str,
    reply: Option<&str>,
    headers: Option<&Headers>,
    payload: &[u8],
) -> Result<(), ProtoError> {
    validate_publish(subject)?;
    write_publish(out, subject, reply, headers, payload)
}

/// [`publish`] to a JetStream API subject that carries a subject filter in its last tokens
/// (`$JS.API.CONSUMER.CREATE.<stream>.<name>.<filter>`, as nats.js and nats.go send it): `*` and `>`
/// are allowed there as whole tokens, as in a subscription (the server reads them literally and
/// matches permissions against them). Everything else as [`publish`].
pub fn publish_api(
    out: &mut Vec<u8>,
    subject: &str,
    reply: Option<&str>,
    headers: Option<&Headers>,
    payload: &[u8],
) -> Result<(), ProtoError> {
    validate_subscribe(subject)?;
    write_publish(out, subject, reply, headers, payload)
}

fn write_publish(
    out: &mut Vec<u8>,
    subject: &str,
    reply: Option<&str>,
    headers: Option<&Headers>,
    payload: &[u8],
) -> Result<(), ProtoError> {
    if let Some(reply) = reply {
        validate_publish(reply)?;
    }
    if let Some(headers) = headers {
        headers.validate_status()?;
    }
    let hdr_len = headers.map(Headers::encoded_len);
    let total = hdr_len.unwrap_or(0) + payload.len();
    check_line(
        if hdr_len.is_some() { "HPUB" } else { "PUB" },
        publish_line_len(subject, reply, hdr_len, total),
    )?;
    out.reserve(subject.len() + reply.map_or(0, str::len) + total + 48);
    out.extend_from_slice(if headers.is_some() { b"HPUB " } else { b"PUB " });
    out.extend_from_slice(subject.as_bytes());
    out.push(b' ');
    if let Some(reply) = reply {
        out.extend_from_slice(reply.as_bytes());
        out.push(b' ');
    }
    if let Some(hdr_len) = hdr_len {
        push_decimal(out, hdr_len as u64);
        out.push(b' ');
    }
    push_decimal(out, total as u64);
    out.extend_from_slice(b"\r\n");
    if let Some(headers) = headers {
        headers.encode(out);
    }
    out.extend_from_slice(payload);
    out.extend_from_slice(b"\r\n");
    Ok(())
}

/// Size on the wire of the message part that counts against `max_payload` (header block + payload).
pub fn message_size(headers: Option<&Headers>, payload: &[u8]) -> usize {
    headers.map_or(0, Headers::encoded_len) + payload.len()
}

/// `SUB subject [queue] sid\r\n`. Wildcards are allowed in `subject`; `queue` must be one token;
/// the control line may not exceed [`MAX_CONTROL_LINE`] bytes.
pub fn subscribe(
    out: &mut Vec<u8>,
    subject: &str,
    queue: Option<&str>,
    sid: u64,
) -> Result<(), ProtoError> {
    validate_subscribe(subject)?;
    if let Some(queue) = queue {
        validate_queue(queue)?;
    }
    check_line("SUB", subscribe_line_len(subject, queue, sid))?;
    out.extend_from_slice(b"SUB ");
    out.extend_from_slice(subject.as_bytes());
    out.push(b' ');
    if let Some(queue) = queue {
        out.extend_from_slice(queue.as_bytes());
        out.push(b' ');
    }
    push_decimal(out, sid);
    out.extend_from_slice(b"\r\n");
    Ok(())
}

/// `UNSUB sid [max]\r\n`.
pub fn unsubscribe(out: &mut Vec<u8>, sid: u64, max: Option<u64>) {
    out.extend_from_slice(b"UNSUB ");
    push_decimal(out, sid);
    if let Some(max) = max {
        out.push(b' ');
        push_decimal(out, max);
    }
    out.extend_from_slice(b"\r\n");
}

/// Appends `n` in decimal (without going through `core::fmt`).
fn push_decimal(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

/// `PING\r\n`.
pub fn ping(out: &mut Vec<u8>) {
    out.extend_from_slice(b"PING\r\n");
}

/// `PONG\r\n`.
pub fn pong(out: &mut Vec<u8>) {
    out.extend_from_slice(b"PONG\r\n");
}
