//! The ordered consumer's configuration and its CONSUMER.CREATE request (ADR-17, KV-SPEC.md §1.5):
//! ephemeral, `ack_policy:"none"`, `max_deliver:1`, R1 in memory; a push one (KV watch) adds its
//! deliver subject, flow control and idle heartbeats, a pull one (`js.consumers.get(stream, opts)`)
//! has none of them. [`OrderedArgs`] are the JavaScript `OrderedConsumerOptions`, checked here.

use crate::proto::json::Json;

use crate::error::NatsError;
use crate::proto::subject::validate_subscribe;

use super::api::{ApiRequest, JsApi};
use super::config::validate_name;
use super::error::ErrorContext;
use super::time::{ms_to_ns, parse_rfc3339_ms, NANOS_PER_MS};

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
    /// From the config's `opt_start_time` on (`"by_start_time"`).
    ByStartTime,
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
            DeliverPolicy::ByStartTime => "by_start_time",
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
    /// `opt_start_time` (RFC 3339) of [`DeliverPolicy::ByStartTime`].
    pub opt_start_time: Option<String>,
    /// `replay_policy: "original"` (else `"instant"`).
    pub replay_original: bool,
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
            opt_start_time: None,
            replay_original: false,
        }
    }

    /// The consumer `config` JSON for consumer `name` delivering to `deliver_subject` from `policy`
    /// (an empty `deliver_subject`: a pull consumer, without flow control and heartbeats).
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
        let push = !deliver_subject.is_empty();
        let mut m: Vec<(String, Json)> = vec![("name".into(), s(name))];
        if push {
            m.push(("deliver_subject".into(), s(deliver_subject)));
        }
        m.push(("deliver_policy".into(), s(policy.as_str())));
        match policy {
            DeliverPolicy::ByStartSequence(seq) => {
                let seq = i64::try_from(seq).unwrap_or(i64::MAX);
                m.push(("opt_start_seq".into(), Json::Int(seq)));
            }
            DeliverPolicy::ByStartTime => {
                let t = self.opt_start_time.as_deref().unwrap_or_default();
                m.push(("opt_start_time".into(), s(t)));
            }
            _ => {}
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
        let replay = if self.replay_original {
            "original"
        } else {
            "instant"
        };
        m.push(("replay_policy".into(), s(replay)));
        if push {
            m.push(("flow_control".into(), Json::Bool(true)));
            m.push(("idle_heartbeat".into(), ns(self.idle_heartbeat_ms)));
        }
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

/// `OrderedConsumerOptions` as JavaScript gives them (`inactive_threshold` in ms).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OrderedArgs {
    /// `name_prefix`: consumers are named `<prefix>_<serial>` (default: a fresh NUID).
    pub name_prefix: Option<String>,
    /// `filter_subjects` (a string is one filter).
    pub filter_subjects: Vec<String>,
    /// `deliver_policy`.
    pub deliver_policy: Option<String>,
    /// `opt_start_seq`.
    pub opt_start_seq: Option<f64>,
    /// `opt_start_time` (RFC 3339).
    pub opt_start_time: Option<String>,
    /// `replay_policy`: `"instant"` or `"original"`.
    pub replay_policy: Option<String>,
    /// `inactive_threshold`, ms.
    pub inactive_threshold: Option<f64>,
    /// `headers_only`.
    pub headers_only: bool,
}

fn bad(what: &str) -> NatsError {
    NatsError::invalid_argument(format!("invalid ordered consumer option: {what}"))
}

impl OrderedArgs {
    /// Checks the options for a consumer of `stream` (already validated) and returns its config
    /// and name prefix (`INVALID_ARGUMENT` or `INVALID_SUBJECT` before anything is sent). As nats.js:
    /// `opt_start_seq` or `opt_start_time` alone imply their policy; `last_per_subject` without a
    /// filter reads `>`.
    pub fn config(&self, stream: &str, nuid: &str) -> Result<(OrderedConfig, String), NatsError> {
        let prefix = match &self.name_prefix {
            Some(p) => {
                validate_name("name_prefix", p)?;
                p.clone()
            }
            None => nuid.to_owned(),
        };
        let mut filters: Vec<String> = Vec::with_capacity(self.filter_subjects.len());
        for f in &self.filter_subjects {
            validate_subscribe(f)?;
            if !filters.contains(f) {
                filters.push(f.clone());
            }
        }
        let seq = match self.opt_start_seq {
            None => None,
            Some(n) if n.fract() == 0.0 && (1.0..=9_007_199_254_740_991.0).contains(&n) => {
                Some(n as u64)
            }
            Some(_) => return Err(bad("opt_start_seq must be a whole number ≥ 1")),
        };
        if let Some(t) = &self.opt_start_time {
            if parse_rfc3339_ms(t).is_none() {
                return Err(bad("opt_start_time must be an RFC 3339 time"));
            }
        }
        let policy = match (self.deliver_policy.as_deref(), seq, &self.opt_start_time) {
            (Some("by_start_sequence") | None, Some(seq), None) => {
                DeliverPolicy::ByStartSequence(seq)
            }
            (Some("by_start_time") | None, None, Some(_)) => DeliverPolicy::ByStartTime,
            (_, Some(_), _) | (_, _, Some(_)) => {
                return Err(bad(
                    "opt_start_seq and opt_start_time go with their deliver_policy",
                ))
            }
            (None | Some("all"), None, None) => DeliverPolicy::All,
            (Some("last"), None, None) => DeliverPolicy::Last,
            (Some("new"), None, None) => DeliverPolicy::New,
            (Some("last_per_subject"), None, None) => DeliverPolicy::LastPerSubject,
            (Some("by_start_sequence"), ..) => {
                return Err(bad("by_start_sequence needs opt_start_seq"))
            }
            (Some("by_start_time"), ..) => return Err(bad("by_start_time needs opt_start_time")),
            (Some(_), ..) => return Err(bad("unknown deliver_policy")),
        };
        if policy == DeliverPolicy::LastPerSubject && filters.is_empty() {
            filters.push(">".to_owned());
        }
        let replay_original = match self.replay_policy.as_deref() {
            None | Some("instant") => false,
            Some("original") => true,
            Some(_) => return Err(bad("replay_policy must be \"instant\" or \"original\"")),
        };
        let inactive_threshold_ms = match self.inactive_threshold {
            None => DEFAULT_INACTIVE_THRESHOLD_MS,
            Some(ms) if ms.fract() == 0.0 && (1.0..=9_007_199_254.0).contains(&ms) => ms as u64,
            Some(_) => return Err(bad("inactive_threshold must be a whole number of ms ≥ 1")),
        };
        let mut cfg = OrderedConfig::new(stream, filters, policy);
        cfg.opt_start_time.clone_from(&self.opt_start_time);
        cfg.replay_original = replay_original;
        cfg.inactive_threshold_ms = inactive_threshold_ms;
        cfg.headers_only = self.headers_only;
        Ok((cfg, prefix))
    }
}
