//! The reply subject of a message delivered by a consumer carries its metadata:
//! v1 `$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<dseq>.<ts_ns>.<pending>` (9 tokens) and
//! v2 `$JS.ACK.<domain|_>.<acc_hash>.<stream>.<consumer>.<delivered>.<sseq>.<dseq>.<ts_ns>.<pending>[.<random>…]`
//! (11 or more tokens), as nats.js `parseInfo` and nats.go `getMetadataFields`; and the
//! acknowledgements sent back to it (ADR-15, JETSTREAM-SPEC.md §5.2) with their final-ack rule.

use crate::proto::Msg;

/// Delivery metadata from a `$JS.ACK` reply subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AckInfo {
    /// The JetStream domain (v2 only; `None` for v1 or `_`).
    pub domain: Option<String>,
    /// The account hash (v2 only).
    pub account_hash: Option<String>,
    /// The stream name.
    pub stream: String,
    /// The consumer name.
    pub consumer: String,
    /// Delivery count of this message (1 on first delivery).
    pub delivered: u64,
    /// Stream sequence: a KV revision.
    pub stream_seq: u64,
    /// Consumer (delivery) sequence: 1, 2, 3… per consumer.
    pub consumer_seq: u64,
    /// Stored time, nanoseconds since the Unix epoch.
    pub timestamp_ns: u64,
    /// Messages still pending for the consumer after this one.
    pub pending: u64,
}

impl AckInfo {
    /// Parses a reply subject; `None` if it is not a `$JS.ACK` subject of either form (empty stream,
    /// consumer or account tokens, and numbers that are not plain decimal u64s, are refused).
    pub fn parse(reply: &str) -> Option<AckInfo> {
        let tokens: Vec<&str> = reply.split('.').collect();
        if tokens.len() < 9 || tokens[0] != "$JS" || tokens[1] != "ACK" {
            return None;
        }
        if tokens.len() >= 11 && tokens[3].is_empty() {
            return None;
        }
        let (domain, account_hash, rest) = match tokens.len() {
            9 => (None, None, &tokens[2..]),
            10 => return None,
            _ => {
                let domain = (tokens[2] != "_" && !tokens[2].is_empty()).then(|| tokens[2]);
                (domain, Some(tokens[3]), &tokens[4..])
            }
        };
        let num = |i: usize| {
            rest.get(i)
                .filter(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|t| t.parse::<u64>().ok())
        };
        let name = |i: usize| {
            rest.get(i)
                .filter(|t| !t.is_empty())
                .map(|t| (*t).to_owned())
        };
        Some(AckInfo {
            domain: domain.map(str::to_owned),
            account_hash: account_hash.map(str::to_owned),
            stream: name(0)?,
            consumer: name(1)?,
            delivered: num(2)?,
            stream_seq: num(3)?,
            consumer_seq: num(4)?,
            timestamp_ns: num(5)?,
            pending: num(6)?,
        })
    }
    /// The stored time in milliseconds since the epoch (rounded down).
    pub fn timestamp_ms(&self) -> f64 {
        (self.timestamp_ns / 1_000_000) as f64
    }
}

/// An acknowledgement of a delivered message (JETSTREAM-SPEC.md §5.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AckKind {
    /// `+ACK`: processed (final).
    Ack,
    /// `-NAK`, or `-NAK {"delay":<ns>}` with a delay in ms: redeliver (final).
    Nak(Option<u64>),
    /// `+WPI`: still working, resets the ack wait (not final).
    Working,
    /// `+TERM`, or `+TERM <reason>`: never redeliver (final).
    Term(Option<String>),
}

impl AckKind {
    /// The payload sent to the ack subject.
    pub fn payload(&self) -> Vec<u8> {
        match self {
            AckKind::Ack => b"+ACK".to_vec(),
            AckKind::Nak(None) => b"-NAK".to_vec(),
            AckKind::Nak(Some(ms)) => {
                let ns = ms.saturating_mul(1_000_000);
                format!("-NAK {{\"delay\":{ns}}}").into_bytes()
            }
            AckKind::Working => b"+WPI".to_vec(),
            AckKind::Term(Some(r)) if !r.is_empty() => format!("+TERM {r}").into_bytes(),
            AckKind::Term(_) => b"+TERM".to_vec(),
        }
    }
    /// Whether it settles the message (everything but `+WPI`).
    pub fn is_final(&self) -> bool {
        !matches!(self, AckKind::Working)
    }
}

/// Where a message's acknowledgement stands (the state JS keeps per `JsMsg`, as a number).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AckState {
    /// Nothing final sent yet.
    #[default]
    Open = 0,
    /// A final ack (ack, nak, term) was sent: later ones are ignored.
    Settled = 1,
    /// The consumer's `ack_policy` is `none`: nothing is ever sent.
    NoAck = 2,
}

impl AckState {
    /// From its number (unknown numbers read as `Settled`: nothing more is sent).
    pub fn from_u8(n: u8) -> AckState {
        match n {
            0 => AckState::Open,
            2 => AckState::NoAck,
            _ => AckState::Settled,
        }
    }
    /// The rule of API.md: the first final ack is sent, later ones ignored; `working()` repeats
    /// before it; with `ack_policy: none` nothing is sent. Returns what to send and the new state.
    pub fn apply(self, kind: &AckKind) -> (Option<Vec<u8>>, AckState) {
        match self {
            AckState::Open if kind.is_final() => (Some(kind.payload()), AckState::Settled),
            AckState::Open => (Some(kind.payload()), AckState::Open),
            other => (None, other),
        }
    }
}

/// A message delivered by a consumer, with the metadata of its ack subject.
#[derive(Debug, Clone, PartialEq)]
pub struct JsMsg {
    /// The message as delivered (stored subject, `$JS.ACK` reply, headers, payload).
    pub msg: Msg,
    /// Its delivery metadata.
    pub info: AckInfo,
    /// The consumer acks nothing (`ack_policy: none`): acks send nothing, `ackAck()` is `false`.
    pub no_ack: bool,
}

impl JsMsg {
    /// A delivery with a `$JS.ACK` reply subject; `None` otherwise.
    pub fn from_msg(msg: Msg, no_ack: bool) -> Option<JsMsg> {
        let info = AckInfo::parse(msg.reply.as_deref()?)?;
        Some(JsMsg { msg, info, no_ack })
    }
    /// Its ack subject.
    pub fn ack_subject(&self) -> &str {
        self.msg.reply.as_deref().unwrap_or("")
    }
    /// Its first ack state.
    pub fn ack_state(&self) -> AckState {
        if self.no_ack {
            AckState::NoAck
        } else {
            AckState::Open
        }
    }
    /// Its size as ADR-37 counts it against `max_bytes`: subject + ack subject + headers + payload.
    pub fn size(&self) -> u64 {
        msg_size(&self.msg)
    }
}

/// A message's size as ADR-37 counts it: subject + reply + header block + payload.
pub fn msg_size(m: &Msg) -> u64 {
    let h = m.headers.as_ref().map_or(0, |h| h.encoded_len());
    (m.subject.len() + m.reply.as_ref().map_or(0, String::len) + h + m.payload.len()) as u64
}
