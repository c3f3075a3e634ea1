//! The ordered push consumer's configuration and its CONSUMER.CREATE request (ADR-17, KV-SPEC.md §1.5):
//! ephemeral, `ack_policy:"none"`, `max_deliver:1`, flow control, idle heartbeats, R1 in memory.

use crate::proto::json::Json;

use super::api::{ApiRequest, JsApi};
use super::error::ErrorContext;
use super::time::{ms_to_ns, NANOS_PER_MS};

/// Idle heartbeat of ordered consumers: 5 s, as nats.go (nats.js uses 30 s; a shorter interval finds
/// a lost consumer sooner: after two missed heartbeats, 10 s).
pub const DEFAULT_IDLE_HEARTBEAT_MS: u64 = 5_000;
/// The server deletes an ordered consumer this long after its deliver subject lost interest: 5 min, as
/// nats.js (the consumer of a closed page goes away on its own).
pub const DEFAULT_INACTIVE_THRESHOLD_MS: u64 = 300_000;

/// Where a consumer starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliverPolicy {
    /// Every message (`"all"`).
    All,
    /// The last message (`"last"`).
    Last,
    /// Messages stored after creation only (`"new"`).
    New,
    /// The last message of every subject (`"last_per_subject"`).
    LastPerSubject,
    /// From this stream sequence on (`"by_start_sequence"`, `opt_start_seq`).
    ByStartSequence(u64),
}

impl DeliverPolicy {
    /// The `deliver_policy` string.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliverPolicy::All => "all",
            DeliverPolicy::Last => "last",
            DeliverPolicy::New => "new",
            DeliverPolicy::LastPerSubject => "last_per_subject",
            DeliverPolicy::ByStartSequence(_) => "by_start_sequence",
        }
    }
}

/// What an ordered consumer reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderedConfig {
    /// The stream to read.
    pub stream: String,
    /// Filter subjects: none = the whole stream, one → `filter_subject`, several → `filter_subjects`
    /// (server ≥ 2.10).
    pub filters: Vec<String>,
    /// Where the first consumer starts.
    pub deliver_policy: DeliverPolicy,
    /// Deliver headers only (`Nats-Msg-Size` carries the payload size).
    pub headers_only: bool,
    /// Idle heartbeat interval; two missed ones reset the consumer.
    pub idle_heartbeat_ms: u64,
    /// The server deletes the consumer after this long without a subscriber.
    pub inactive_threshold_ms: u64,
    /// How API errors of the consumer's requests read (KV: 10059 → `BUCKET_NOT_FOUND`).
    pub error_context: ErrorContext,
}

impl OrderedConfig {
    /// A consumer of `stream` with the default heartbeat and inactivity threshold.
    pub fn new(stream: &str, filters: Vec<String>, deliver_policy: DeliverPolicy) -> Self {
        OrderedConfig {
            stream: stream.to_owned(),
            filters,
            deliver_policy,
            headers_only: false,
            idle_heartbeat_ms: DEFAULT_IDLE_HEARTBEAT_MS,
            inactive_threshold_ms: DEFAULT_INACTIVE_THRESHOLD_MS,
            error_context: ErrorContext::General,
        }
    }

    /// The consumer `config` JSON for consumer `name` delivering to `deliver_subject` from `policy`.
    pub fn config_json(&self, name: &str, deliver_subject: &str, policy: DeliverPolicy) -> Json {
        let s = |v: &str| Json::Str(v.to_owned());
        let ns = |ms: u64| {
            Json::Int(
                i64::try_from(ms)
                    .ok()
                    .and_then(ms_to_ns)
                    .unwrap_or(i64::MAX / NANOS_PER_MS),
            )
        };
        let mut m: Vec<(String, Json)> = vec![
            ("name".into(), s(name)),
            ("deliver_subject".into(), s(deliver_subject)),
            ("deliver_policy".into(), s(policy.as_str())),
        ];
        if let DeliverPolicy::ByStartSequence(seq) = policy {
            let seq = i64::try_from(seq).unwrap_or(i64::MAX);
            m.push(("opt_start_seq".into(), Json::Int(seq)));
        }
        m.push(("ack_policy".into(), s("none")));
        m.push(("max_deliver".into(), Json::Int(1)));
        match self.filters.as_slice() {
            [] => {}
            [one] => m.push(("filter_subject".into(), s(one))),
            many => m.push((
                "filter_subjects".into(),
                Json::Arr(many.iter().map(|f| s(f)).collect()),
            )),
        }
        m.push(("replay_policy".into(), s("instant")));
        m.push(("flow_control".into(), Json::Bool(true)));
        m.push(("idle_heartbeat".into(), ns(self.idle_heartbeat_ms)));
        m.push(("inactive_threshold".into(), ns(self.inactive_threshold_ms)));
        m.push(("headers_only".into(), Json::Bool(self.headers_only)));
        m.push(("num_replicas".into(), Json::Int(1)));
        m.push(("mem_storage".into(), Json::Bool(true)));
        Json::Obj(m)
    }

    /// The CONSUMER.CREATE request: `CONSUMER.CREATE.<stream>.<name>[.<filter>]` for zero or one
    /// filter, the legacy `CONSUMER.CREATE.<stream>` for several; body
    /// `{"stream_name","config":{…}}`.
    pub fn create_request(
        &self,
        api: &JsApi,
        name: &str,
        deliver_subject: &str,
        policy: DeliverPolicy,
    ) -> ApiRequest {
        let subject = match self.filters.as_slice() {
            [] => api.consumer_create(&self.stream, name, None),
            [one] => api.consumer_create(&self.stream, name, Some(one)),
            _ => api.consumer_create_legacy(&self.stream),
        };
        let body = Json::Obj(vec![
            ("stream_name".into(), Json::Str(self.stream.clone())),
            (
                "config".into(),
                self.config_json(name, deliver_subject, policy),
            ),
        ]);
        ApiRequest::new(subject, body.to_json_string())
    }
}
