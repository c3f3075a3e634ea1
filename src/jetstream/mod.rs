//! The sans-IO JetStream layer that Key/Value needs (KV-SPEC.md §1.6–1.8). Pure functions and state
//! machines over bytes, JSON and time-as-input; the driver sends the requests through
//! [`Connection::request`](crate::client::Connection::request) and feeds the replies back.
//!
//! - [`api`]: API subjects under `$JS.API`, `$JS.<domain>.API` or a custom prefix;
//! - [`error`]: `{"error":{…}}` responses → [`NatsError`](crate::error::NatsError);
//! - [`types`]: PubAck, StreamInfo, ConsumerInfo, list paging, purge and account INFO;
//! - [`config`]: stream and consumer administration requests, checked before sending;
//! - [`publish`]: `js.publish()` options, headers and retries;
//! - [`stored`]: DIRECT.GET / STREAM.MSG.GET replies → [`stored::StoredMsg`];
//! - [`headers`]: JetStream header names and the `Nats-TTL` value;
//! - [`ack`]: the `$JS.ACK.…` reply subject of a delivered message (v1 and v2 forms);
//! - [`consumer`]: the ordered push consumer's config and create request;
//! - [`ordered`]: the ordered push consumer state machine (ADR-17);
//! - [`pull`]: the pull consumer state machine (`fetch`, `next`, `consume`; ADR-37);
//! - [`time`], [`base64`]: RFC 3339 timestamps, Go durations, standard base64.
#![warn(missing_docs)]

pub mod ack;
pub mod api;
pub mod base64;
pub mod config;
pub mod consumer;
pub mod error;
pub mod headers;
pub mod machine;
pub mod ordered;
pub mod publish;
pub mod pull;
pub mod stored;
pub mod time;
pub mod types;

#[cfg(test)]
pub(crate) mod tests;

pub use ack::AckInfo;
pub use api::{ApiRequest, JsApi, DEFAULT_API_PREFIX};
pub use consumer::{DeliverPolicy, OrderedConfig};
pub use error::ErrorContext;
pub use machine::{ConsumerMachine, Step};
pub use ordered::{Command, OrderedConsumer, Output};
pub use stored::StoredMsg;
pub use types::{ConsumerInfo, Pager, PubAck, StreamInfo, StreamState};
