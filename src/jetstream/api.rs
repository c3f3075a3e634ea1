//! JetStream API subjects (KV-SPEC.md §1.6). The prefix is `$JS.API` by default, `$JS.<domain>.API`
//! for a JetStream domain, or a custom `apiPrefix` (an account import, ADR-19).
//!
//! Stream and consumer names passed to the builders must already be valid single tokens (KV builds them
//! from validated bucket names and NUIDs); the connection validates every subject again before writing.

use crate::error::NatsError;
use crate::proto::subject;

/// The default API prefix.
pub const DEFAULT_API_PREFIX: &str = "$JS.API";

/// A JetStream API request: a subject and a JSON body (`""` for an empty payload).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiRequest {
    /// The API subject, e.g. `$JS.API.STREAM.INFO.KV_b`.
    pub subject: String,
    /// The JSON body (`""` for an empty payload).
    pub body: String,
}

impl ApiRequest {
    /// A request with a body.
    pub fn new(subject: String, body: String) -> Self {
        ApiRequest { subject, body }
    }
    /// A request with an empty payload.
    pub fn empty(subject: String) -> Self {
        ApiRequest {
            subject,
            body: String::new(),
        }
    }
}

/// The JetStream API prefix and the subjects under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsApi {
    prefix: String,
}

impl Default for JsApi {
    fn default() -> Self {
        JsApi {
            prefix: DEFAULT_API_PREFIX.to_owned(),
        }
    }
}

impl JsApi {
    /// The API of `domain` (`$JS.<domain>.API`) if given and non-empty, else `api_prefix` (a trailing
    /// `.` is dropped) if given and non-empty, else `$JS.API`. As nats.js, `domain` wins when both are
    /// given. Errors: `INVALID_ARGUMENT` for a domain that is not one token or a prefix that is not a
    /// literal subject.
    pub fn new(api_prefix: Option<&str>, domain: Option<&str>) -> Result<JsApi, NatsError> {
        if let Some(domain) = domain.filter(|d| !d.is_empty()) {
            subject::validate_token(domain)
                .and_then(|()| subject::validate_publish(domain))
                .map_err(|e| NatsError::invalid_argument(format!("bad JetStream domain: {e}")))?;
            return Ok(JsApi {
                prefix: format!("$JS.{domain}.API"),
            });
        }
        match api_prefix.map(|p| p.trim_end_matches('.')) {
            Some(prefix) if !prefix.is_empty() => {
                subject::validate_publish(prefix).map_err(|e| {
                    NatsError::invalid_argument(format!("bad JetStream apiPrefix: {e}"))
                })?;
                Ok(JsApi {
                    prefix: prefix.to_owned(),
                })
            }
            _ => Ok(JsApi::default()),
        }
    }
    /// The prefix, e.g. `$JS.API`.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }
    /// Whether the prefix is `$JS.API` (KV writes are prefixed with the API prefix otherwise).
    pub fn is_default(&self) -> bool {
        self.prefix == DEFAULT_API_PREFIX
    }
    /// `<prefix>.<rest>`.
    pub fn subject(&self, rest: &str) -> String {
        format!("{}.{rest}", self.prefix)
    }
    /// `INFO` (account info; carries `api.level`).
    pub fn account_info(&self) -> String {
        self.subject("INFO")
    }
    /// `STREAM.CREATE.<stream>`.
    pub fn stream_create(&self, stream: &str) -> String {
        self.subject(&format!("STREAM.CREATE.{stream}"))
    }
    /// `STREAM.INFO.<stream>`.
    pub fn stream_info(&self, stream: &str) -> String {
        self.subject(&format!("STREAM.INFO.{stream}"))
    }
    /// `STREAM.UPDATE.<stream>`.
    pub fn stream_update(&self, stream: &str) -> String {
        self.subject(&format!("STREAM.UPDATE.{stream}"))
    }
    /// `STREAM.DELETE.<stream>`.
    pub fn stream_delete(&self, stream: &str) -> String {
        self.subject(&format!("STREAM.DELETE.{stream}"))
    }
    /// `STREAM.PURGE.<stream>`.
    pub fn stream_purge(&self, stream: &str) -> String {
        self.subject(&format!("STREAM.PURGE.{stream}"))
    }
    /// `STREAM.LIST` (body `{"offset":n}`, see [`Pager`](super::Pager)).
    pub fn stream_list(&self) -> String {
        self.subject("STREAM.LIST")
    }
    /// `STREAM.MSG.GET.<stream>` (body `{"last_by_subj":…}` or `{"seq":n}`; JSON reply).
    pub fn stream_msg_get(&self, stream: &str) -> String {
        self.subject(&format!("STREAM.MSG.GET.{stream}"))
    }
    /// `DIRECT.GET.<stream>` (body `{"seq":n}` or `{"last_by_subj":…}`; raw message reply).
    pub fn direct_get(&self, stream: &str) -> String {
        self.subject(&format!("DIRECT.GET.{stream}"))
    }
    /// `DIRECT.GET.<stream>.<subject>`: the last message on `subject`; the payload MUST be empty.
    pub fn direct_get_last(&self, stream: &str, subject: &str) -> String {
        self.subject(&format!("DIRECT.GET.{stream}.{subject}"))
    }
    /// `CONSUMER.CREATE.<stream>.<name>[.<filter>]` (server ≥ 2.9): the filter is appended, wildcards
    /// included (`…oc_1.$KV.b.a.>`), unless it is `>` alone, as nats.js and nats.go do, so that
    /// permissions can grant consumers per filter subject. A subject with wildcard tokens is sent with
    /// `api_request` (a plain publish of it is refused).
    pub fn consumer_create(&self, stream: &str, name: &str, filter: Option<&str>) -> String {
        match filter.filter(|f| *f != ">") {
            Some(f) => self.subject(&format!("CONSUMER.CREATE.{stream}.{name}.{f}")),
            None => self.subject(&format!("CONSUMER.CREATE.{stream}.{name}")),
        }
    }
    /// `CONSUMER.CREATE.<stream>`: the legacy form, used for `filter_subjects` (several filters).
    pub fn consumer_create_legacy(&self, stream: &str) -> String {
        self.subject(&format!("CONSUMER.CREATE.{stream}"))
    }
    /// `CONSUMER.DELETE.<stream>.<consumer>`.
    pub fn consumer_delete(&self, stream: &str, consumer: &str) -> String {
        self.subject(&format!("CONSUMER.DELETE.{stream}.{consumer}"))
    }
    /// `CONSUMER.INFO.<stream>.<consumer>`.
    pub fn consumer_info(&self, stream: &str, consumer: &str) -> String {
        self.subject(&format!("CONSUMER.INFO.{stream}.{consumer}"))
    }
    /// `CONSUMER.MSG.NEXT.<stream>.<consumer>`: a pull request (published with the inbox as reply).
    pub fn consumer_msg_next(&self, stream: &str, consumer: &str) -> String {
        self.subject(&format!("CONSUMER.MSG.NEXT.{stream}.{consumer}"))
    }
}
