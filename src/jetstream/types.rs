//! The JetStream API responses KV reads (KV-SPEC.md §1.6): PubAck, StreamInfo, ConsumerInfo,
//! STREAM.LIST pages, STREAM.PURGE and account INFO. Missing optional fields read as 0/empty; a
//! response without its required fields is a `PROTOCOL_ERROR`.

use crate::error::{ErrorCode, NatsError};
use crate::proto::json::Json;
use crate::proto::Msg;

use super::error::{api_reply, error_of, parse_response, status_error, ErrorContext};

fn u64_at(j: &Json, key: &str) -> u64 {
    j.get(key).and_then(Json::as_u64).unwrap_or(0)
}

fn missing(what: &str) -> NatsError {
    NatsError::protocol(format!("JetStream API response without {what}"))
}

/// A JetStream publish acknowledgement `{"stream","seq","duplicate"?,"domain"?}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PubAck {
    /// The stream that stored the message.
    pub stream: String,
    /// The stream sequence: a KV revision.
    pub seq: u64,
    /// The message ID was seen before: nothing was stored.
    pub duplicate: bool,
    /// The JetStream domain, if the server has one.
    pub domain: Option<String>,
}

impl PubAck {
    /// Reads a PubAck body; `{"error"}` is mapped in KV context (10071/10164 →
    /// `WRONG_LAST_REVISION`).
    pub fn from_json(json: &Json) -> Result<PubAck, NatsError> {
        Self::from_json_in(json, ErrorContext::Kv)
    }

    /// Reads a PubAck body, mapping `{"error"}` in `ctx`.
    pub fn from_json_in(json: &Json, ctx: ErrorContext) -> Result<PubAck, NatsError> {
        if let Some(e) = error_of(json, ctx) {
            return Err(e);
        }
        let stream = json
            .get("stream")
            .and_then(Json::as_str)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| missing("\"stream\""))?;
        let seq = json
            .get("seq")
            .and_then(Json::as_u64)
            .ok_or_else(|| missing("\"seq\""))?;
        Ok(PubAck {
            stream: stream.to_owned(),
            seq,
            duplicate: json
                .get("duplicate")
                .and_then(Json::as_bool)
                .unwrap_or(false),
            domain: json.get("domain").and_then(Json::as_str).map(str::to_owned),
        })
    }

    /// The outcome of a JetStream publish (a request to a stream subject). A 503 stays
    /// `NO_RESPONDERS` (no stream listens on the subject), other errors unchanged.
    pub fn from_reply(result: Result<Msg, NatsError>) -> Result<PubAck, NatsError> {
        Self::from_reply_in(result, ErrorContext::Kv)
    }

    /// [`from_reply`](Self::from_reply) with errors mapped in `ctx`.
    pub fn from_reply_in(
        result: Result<Msg, NatsError>,
        ctx: ErrorContext,
    ) -> Result<PubAck, NatsError> {
        let msg = result?;
        if let Some(e) = status_error(&msg) {
            return Err(e);
        }
        let json = parse_response(&msg.payload, ctx)?;
        PubAck::from_json_in(&json, ctx)
    }
}

/// `state` of a StreamInfo.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StreamState {
    /// Messages stored.
    pub messages: u64,
    /// Bytes stored.
    pub bytes: u64,
    /// Sequence of the oldest stored message.
    pub first_seq: u64,
    /// Sequence of the newest message (also after it was deleted).
    pub last_seq: u64,
    /// Consumers of the stream.
    pub consumer_count: u64,
}

/// A StreamInfo (STREAM.CREATE/INFO/UPDATE response, STREAM.LIST item). `config` is kept as JSON
/// (read with the `config_*` helpers; it also serves as the base of a STREAM.UPDATE).
#[derive(Debug, Clone, PartialEq)]
pub struct StreamInfo {
    /// The stream configuration, as the server sent it.
    pub config: Json,
    /// The stream's counters.
    pub state: StreamState,
    /// `created` (RFC 3339), "" if absent.
    pub created: String,
    /// `cluster.name`, if reported.
    pub cluster: Option<String>,
}

impl StreamInfo {
    /// Reads a StreamInfo; `config.name` is required.
    pub fn from_json(mut json: Json) -> Result<StreamInfo, NatsError> {
        let config = take(&mut json, "config").ok_or_else(|| missing("\"config\""))?;
        if config.get("name").and_then(Json::as_str).is_none() {
            return Err(missing("\"config.name\""));
        }
        let state = json
            .get("state")
            .map(|s| StreamState {
                messages: u64_at(s, "messages"),
                bytes: u64_at(s, "bytes"),
                first_seq: u64_at(s, "first_seq"),
                last_seq: u64_at(s, "last_seq"),
                consumer_count: u64_at(s, "consumer_count"),
            })
            .unwrap_or_default();
        Ok(StreamInfo {
            config,
            state,
            created: json
                .get("created")
                .and_then(Json::as_str)
                .unwrap_or("")
                .to_owned(),
            cluster: json
                .get("cluster")
                .and_then(|c| c.get("name"))
                .and_then(Json::as_str)
                .map(str::to_owned),
        })
    }
    /// The reply of STREAM.CREATE/INFO/UPDATE → StreamInfo (errors mapped in `ctx`).
    pub fn from_reply(
        result: Result<Msg, NatsError>,
        ctx: ErrorContext,
    ) -> Result<StreamInfo, NatsError> {
        StreamInfo::from_json(api_reply(result, ctx)?)
    }
    /// `config.name`.
    pub fn name(&self) -> &str {
        self.config_str("name").unwrap_or("")
    }
    /// A string member of `config`.
    pub fn config_str(&self, key: &str) -> Option<&str> {
        self.config.get(key).and_then(Json::as_str)
    }
    /// An integer member of `config` (durations are ns).
    pub fn config_i64(&self, key: &str) -> Option<i64> {
        self.config.get(key).and_then(Json::as_i64)
    }
    /// A boolean member of `config` (absent = false).
    pub fn config_bool(&self, key: &str) -> bool {
        self.config
            .get(key)
            .and_then(Json::as_bool)
            .unwrap_or(false)
    }
}

/// Moves member `key` out of an object.
fn take(json: &mut Json, key: &str) -> Option<Json> {
    match json {
        Json::Obj(members) => {
            let i = members.iter().position(|(k, _)| k == key)?;
            Some(members.swap_remove(i).1)
        }
        _ => None,
    }
}

/// The part of a ConsumerInfo the ordered consumer uses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConsumerInfo {
    /// The consumer name.
    pub name: String,
    /// Messages matching the consumer that were not delivered yet when the info was taken.
    pub num_pending: u64,
    /// `delivered.stream_seq`: for a `new` consumer, the stream's last sequence at creation.
    pub delivered_stream_seq: u64,
    /// `delivered.consumer_seq`.
    pub delivered_consumer_seq: u64,
}

impl ConsumerInfo {
    /// Reads a ConsumerInfo (CONSUMER.CREATE/INFO response); `name` is required.
    pub fn from_json(json: &Json) -> Result<ConsumerInfo, NatsError> {
        if let Some(e) = error_of(json, ErrorContext::General) {
            return Err(e);
        }
        let name = json
            .get("name")
            .and_then(Json::as_str)
            .ok_or_else(|| missing("\"name\""))?;
        let delivered = json.get("delivered");
        Ok(ConsumerInfo {
            name: name.to_owned(),
            num_pending: u64_at(json, "num_pending"),
            delivered_stream_seq: delivered.map_or(0, |d| u64_at(d, "stream_seq")),
            delivered_consumer_seq: delivered.map_or(0, |d| u64_at(d, "consumer_seq")),
        })
    }
}

/// `purged` of a STREAM.PURGE response (`{"success":true,"purged":n}`).
pub fn purged(json: &Json) -> u64 {
    u64_at(json, "purged")
}

/// `api.level` of an account INFO response (0 when absent: servers before 2.11).
pub fn api_level(json: &Json) -> u32 {
    json.get("api")
        .and_then(|a| a.get("level"))
        .and_then(Json::as_u64)
        .and_then(|l| u32::try_from(l).ok())
        .unwrap_or(0)
}

/// Paging of a list API (STREAM.LIST/NAMES, CONSUMER.LIST): request [`next_body`](Self::next_body)
/// until it returns `None`, feeding each reply to [`on_page`](Self::on_page).
#[derive(Debug, Clone)]
pub struct Pager {
    key: &'static str,
    filter: Option<String>,
    offset: u64,
    done: bool,
}

impl Pager {
    /// A pager at offset 0 over the items under `key` (`streams`, `consumers`), with an optional
    /// `subject` filter in each request.
    pub fn new(key: &'static str, filter: Option<String>) -> Self {
        Pager {
            key,
            filter,
            offset: 0,
            done: false,
        }
    }
    /// The body of the next request, `None` when every page was read.
    pub fn next_body(&self) -> Option<String> {
        (!self.done).then(|| super::config::page_body(self.offset, self.filter.as_deref()))
    }
    /// Reads a page `{"total","offset","limit","<key>":[…]}`; its items, in order.
    pub fn on_page(&mut self, json: Json) -> Result<Vec<Json>, NatsError> {
        self.done = true;
        if let Some(e) = error_of(&json, ErrorContext::General) {
            return Err(e);
        }
        let total = u64_at(&json, "total");
        let items = match json {
            Json::Obj(members) => members
                .into_iter()
                .find(|(k, _)| k == self.key)
                .map(|(_, v)| v),
            _ => None,
        };
        let items = match items {
            Some(Json::Arr(items)) => items,
            Some(Json::Null) | None => Vec::new(),
            Some(_) => {
                return Err(NatsError::new(
                    ErrorCode::ProtocolError,
                    format!("list response \"{}\" is not an array", self.key),
                ))
            }
        };
        let count = items.len() as u64;
        self.offset = self.offset.saturating_add(count);
        self.done = count == 0 || self.offset >= total;
        Ok(items)
    }
}
