//! The reply subject of a message delivered by a consumer carries its metadata:
//! v1 `$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<dseq>.<ts_ns>.<pending>` (9 tokens) and
//! v2 `$JS.ACK.<domain|_>.<acc_hash>.<stream>.<consumer>.<delivered>.<sseq>.<dseq>.<ts_ns>.<pending>[.<random>…]`
//! (11 or more tokens), as nats.js `parseInfo` and nats.go `getMetadataFields`.

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
    /// Parses a reply subject; `None` if it is not a `$JS.ACK` subject of either form.
    pub fn parse(reply: &str) -> Option<AckInfo> {
        let tokens: Vec<&str> = reply.split('.').collect();
        if tokens.len() < 9 || tokens[0] != "$JS" || tokens[1] != "ACK" {
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
        let num = |i: usize| rest.get(i).and_then(|t| t.parse::<u64>().ok());
        Some(AckInfo {
            domain: domain.map(str::to_owned),
            account_hash: account_hash.map(str::to_owned),
            stream: (*rest.first()?).to_owned(),
            consumer: (*rest.get(1)?).to_owned(),
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
