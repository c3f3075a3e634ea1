//! A bound bucket: its subjects and the requests of `KV` (KV-SPEC.md §1.4).
//!
//! Reads use `$KV.<bucket>.<key>`; writes too, prefixed with the JetStream API prefix when it is not
//! `$JS.API` (a domain or an import, ADR-19). A mirror holds its origin's subjects: reads use
//! `$KV.<origin>.`, writes go to the origin (`<external api>.$KV.<origin>.` for a mirror in another
//! domain, without the API prefix).

use crate::error::{ErrorCode, NatsError};
use crate::jetstream::error::ErrorContext;
use crate::jetstream::headers::{self as hdr, msg_ttl_value, MsgTtl};
use crate::jetstream::stored::{direct_get_reply, msg_get_reply};
use crate::jetstream::{ApiRequest, JsApi, StreamInfo};
use crate::proto::json::Json;
use crate::proto::{Headers, Msg};
use crate::time::Wall;

use super::entry::{KvEntry, Operation};
use super::validate::{has_wildcards, validate_bucket, validate_key, validate_search_key};
use super::{stream_name, STREAM_PREFIX};

/// A JetStream publish to send as a request: subject and headers (the payload is the caller's value,
/// or empty for delete/purge); the reply is a PubAck (`PubAck::from_reply`), its `seq` the revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteRequest {
    /// `$KV.<bucket>.<key>` (with the write prefix of a mirror or domain).
    pub subject: String,
    /// Revision check, operation marker, TTL, …; `None` for a plain put.
    pub headers: Option<Headers>,
}

/// How a get is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetRequest {
    /// DIRECT.GET or STREAM.MSG.GET request.
    pub request: ApiRequest,
    /// DIRECT.GET (raw reply) rather than STREAM.MSG.GET (JSON reply).
    pub direct: bool,
}

/// A bucket and its subjects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bucket {
    name: String,
    stream: String,
    api: JsApi,
    read_prefix: String,
    write_prefix: String,
    allow_direct: bool,
}

fn set(h: &mut Headers, name: &str, value: &str) -> Result<(), NatsError> {
    h.set(name, value).map_err(NatsError::from)
}

impl Bucket {
    /// Bucket `name` without server information (`allow_direct` assumed true, not a mirror).
    /// Error: `INVALID_BUCKET_NAME`.
    pub fn new(name: &str, api: JsApi) -> Result<Bucket, NatsError> {
        validate_bucket(name)?;
        let read_prefix = format!("$KV.{name}.");
        let write_prefix = if api.is_default() {
            read_prefix.clone()
        } else {
            format!("{}.{read_prefix}", api.prefix())
        };
        Ok(Bucket {
            name: name.to_owned(),
            stream: stream_name(name),
            api,
            read_prefix,
            write_prefix,
            allow_direct: true,
        })
    }

    /// Bucket `name` as its StreamInfo describes it (`allow_direct`, mirror prefixes).
    pub fn from_stream_info(
        name: &str,
        api: JsApi,
        info: &StreamInfo,
    ) -> Result<Bucket, NatsError> {
        let mut b = Bucket::new(name, api)?;
        b.allow_direct = info.config_bool("allow_direct");
        let Some(mirror) = info.config.get("mirror") else {
            return Ok(b);
        };
        let origin_stream = mirror.get("name").and_then(Json::as_str).unwrap_or("");
        let origin = origin_stream
            .strip_prefix(STREAM_PREFIX)
            .unwrap_or(origin_stream);
        if validate_bucket(origin).is_err() {
            return Ok(b);
        }
        b.read_prefix = format!("$KV.{origin}.");
        let external_api = mirror
            .get("external")
            .and_then(|e| e.get("api"))
            .and_then(Json::as_str)
            .filter(|a| !a.is_empty());
        b.write_prefix = match external_api {
            Some(api) => format!("{api}.$KV.{origin}."),
            None if b.api.is_default() => b.read_prefix.clone(),
            None => format!("{}.$KV.{origin}.", b.api.prefix()),
        };
        Ok(b)
    }

    /// The bucket name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The stream name, `KV_<bucket>`.
    pub fn stream(&self) -> &str {
        &self.stream
    }
    /// The JetStream API.
    pub fn api(&self) -> &JsApi {
        &self.api
    }
    /// `$KV.<bucket>.` (or the mirror origin's): the subject prefix of stored keys.
    pub fn read_prefix(&self) -> &str {
        &self.read_prefix
    }
    /// Whether gets use DIRECT.GET.
    pub fn allow_direct(&self) -> bool {
        self.allow_direct
    }
    /// Overrides `allow_direct`.
    pub fn set_allow_direct(&mut self, allow_direct: bool) {
        self.allow_direct = allow_direct;
    }
    /// The stored subject of `key` (not validated).
    pub fn key_subject(&self, key: &str) -> String {
        format!("{}{key}", self.read_prefix)
    }
    /// The subject writes of `key` go to (not validated).
    pub fn write_subject(&self, key: &str) -> String {
        format!("{}{key}", self.write_prefix)
    }

    fn write(&self, key: &str, headers: Headers) -> Result<WriteRequest, NatsError> {
        validate_key(key)?;
        let has_headers = !headers.entries().is_empty();
        Ok(WriteRequest {
            subject: self.write_subject(key),
            headers: has_headers.then_some(headers),
        })
    }

    fn expect(h: &mut Headers, seq: Option<u64>) -> Result<(), NatsError> {
        match seq {
            Some(seq) => set(h, hdr::EXPECTED_LAST_SUBJECT_SEQUENCE, &seq.to_string()),
            None => Ok(()),
        }
    }

    /// `put(key, value, {previousSeq})`: `previous_seq` `Some(0)` = the key must not exist.
    pub fn put(&self, key: &str, previous_seq: Option<u64>) -> Result<WriteRequest, NatsError> {
        let mut h = Headers::new();
        Self::expect(&mut h, previous_seq)?;
        self.write(key, h)
    }

    /// `create(key, value, ttl?)`: expected last subject sequence 0, with `Nats-TTL`. If it fails with
    /// `WRONG_LAST_REVISION`, see [`create_retry`].
    pub fn create(&self, key: &str, ttl: Option<MsgTtl<'_>>) -> Result<WriteRequest, NatsError> {
        self.create_at(key, 0, ttl)
    }

    /// The create retry over a DEL/PURGE marker at `revision` (see [`create_retry`]).
    pub fn create_at(
        &self,
        key: &str,
        revision: u64,
        ttl: Option<MsgTtl<'_>>,
    ) -> Result<WriteRequest, NatsError> {
        let mut h = Headers::new();
        Self::expect(&mut h, Some(revision))?;
        if let Some(ttl) = ttl {
            set(&mut h, hdr::MSG_TTL, &msg_ttl_value(ttl)?)?;
        }
        self.write(key, h)
    }

    /// `update(key, value, revision)`: expected last subject sequence `revision`. Revision 0 is allowed
    /// and means "the key must not exist" (as nats.go; nats.js throws).
    pub fn update(&self, key: &str, revision: u64) -> Result<WriteRequest, NatsError> {
        self.put(key, Some(revision))
    }

    /// `delete(key, {previousSeq})`: an empty message with `KV-Operation: DEL`.
    pub fn delete(&self, key: &str, previous_seq: Option<u64>) -> Result<WriteRequest, NatsError> {
        let mut h = Headers::new();
        set(&mut h, hdr::KV_OPERATION, "DEL")?;
        Self::expect(&mut h, previous_seq)?;
        self.write(key, h)
    }

    /// `purge(key, {previousSeq, ttl})`: an empty message with `KV-Operation: PURGE`,
    /// `Nats-Rollup: sub` (and `Nats-TTL`).
    pub fn purge(
        &self,
        key: &str,
        previous_seq: Option<u64>,
        ttl: Option<MsgTtl<'_>>,
    ) -> Result<WriteRequest, NatsError> {
        let mut h = Headers::new();
        set(&mut h, hdr::KV_OPERATION, "PURGE")?;
        set(&mut h, hdr::ROLLUP, hdr::ROLLUP_SUBJECT)?;
        Self::expect(&mut h, previous_seq)?;
        if let Some(ttl) = ttl {
            set(&mut h, hdr::MSG_TTL, &msg_ttl_value(ttl)?)?;
        }
        self.write(key, h)
    }

    /// `get(key, {revision})`. Direct: `DIRECT.GET.KV_b.$KV.b.<key>` with an empty payload for the
    /// last value, `DIRECT.GET.KV_b` `{"seq":n}` for a revision; otherwise STREAM.MSG.GET with
    /// `{"last_by_subj":…}` / `{"seq":n}`. Errors: `INVALID_KEY`; `INVALID_ARGUMENT` for revision 0
    /// (revisions start at 1; the server reads `{"seq":0}` as an empty request).
    pub fn get(&self, key: &str, revision: Option<u64>) -> Result<GetRequest, NatsError> {
        validate_key(key)?;
        if revision == Some(0) {
            return Err(NatsError::invalid_argument(
                "revision must be a whole number from 1",
            ));
        }
        let subject = self.key_subject(key);
        let request = match (self.allow_direct, revision) {
            (true, None) => ApiRequest::empty(self.api.direct_get_last(&self.stream, &subject)),
            (true, Some(seq)) => ApiRequest::new(
                self.api.direct_get(&self.stream),
                format!("{{\"seq\":{seq}}}"),
            ),
            (false, None) => {
                let mut body = String::from("{\"last_by_subj\":");
                crate::proto::json::write_str(&subject, &mut body);
                body.push('}');
                ApiRequest::new(self.api.stream_msg_get(&self.stream), body)
            }
            (false, Some(seq)) => ApiRequest::new(
                self.api.stream_msg_get(&self.stream),
                format!("{{\"seq\":{seq}}}"),
            ),
        };
        Ok(GetRequest {
            request,
            direct: self.allow_direct,
        })
    }

    /// The entry a get returned, markers included (`None`: no such key or revision, or the revision
    /// belongs to another key). `direct` as in the [`GetRequest`].
    pub fn decode_get(
        &self,
        key: &str,
        direct: bool,
        result: Result<Msg, NatsError>,
    ) -> Result<Option<KvEntry>, NatsError> {
        let stored = if direct {
            direct_get_reply(result, ErrorContext::Kv)?
        } else {
            msg_get_reply(result, ErrorContext::Kv)?
        };
        Ok(stored.and_then(|m| KvEntry::from_stored(&self.name, &self.read_prefix, key, m)))
    }

    /// `STREAM.INFO.KV_<b>` (for `status()` and `open()`; errors in KV context).
    pub fn info_request(&self) -> ApiRequest {
        ApiRequest::empty(self.api.stream_info(&self.stream))
    }
    /// `STREAM.DELETE.KV_<b>` (for `destroy()`; the reply's `success`).
    pub fn destroy_request(&self) -> ApiRequest {
        ApiRequest::empty(self.api.stream_delete(&self.stream))
    }

    /// `purgeDeletes(olderMillis)`: given the last entry of every key (a LastValue watch, or a keys
    /// scan with markers), one STREAM.PURGE per key whose last operation is DEL/PURGE:
    /// `{"filter":"$KV.b.k","keep":1}` when the marker is younger than `older_ms` (created at or after
    /// `now - older_ms`), else `{"filter":…,"keep":0}` (the marker goes too). Sum the `purged`.
    /// `now` is wall-clock time, like the entries' `created`.
    pub fn purge_deletes_plan(
        &self,
        last: &[KvEntry],
        now: Wall,
        older_ms: f64,
    ) -> Vec<ApiRequest> {
        let min = now.0 - older_ms;
        last.iter()
            .filter(|e| e.operation.is_delete())
            .map(|e| {
                let keep = if e.created >= min { 1 } else { 0 };
                let mut body = String::from("{\"filter\":");
                crate::proto::json::write_str(&self.key_subject(&e.key), &mut body);
                body.push_str(&format!(",\"keep\":{keep}}}"));
                ApiRequest::new(self.api.stream_purge(&self.stream), body)
            })
            .collect()
    }
}

/// Whether `delete(key)`/`purge(key)` is about several keys: a key with `*`/`>` tokens (`a.*`,
/// `a.>`) deletes or purges every live key it matches (the keys `keys(key)` lists), each with
/// its own marker, as nats.js does. `Ok(false)`: one key, which [`Bucket::delete`]/[`Bucket::purge`]
/// validate. Errors: `INVALID_KEY` for a bad search key; `INVALID_ARGUMENT` for a `previousSeq`
/// with wildcards (one revision cannot guard several keys; nats.js ignores it silently).
pub fn is_multi_key(key: &str, previous_seq: Option<u64>) -> Result<bool, NatsError> {
    if !has_wildcards(key) {
        return Ok(false);
    }
    validate_search_key(key)?;
    if previous_seq.is_some() {
        return Err(NatsError::invalid_argument(format!(
            "previousSeq cannot be used with the wildcard key {}",
            crate::proto::Quoted(key)
        )));
    }
    Ok(true)
}

/// `get()` semantics over [`Bucket::decode_get`]: by key, a DEL/PURGE marker reads as `None` (ADR-8);
/// by revision, the entry is returned whatever its operation.
pub fn get_result(entry: Option<KvEntry>, by_revision: bool) -> Option<KvEntry> {
    entry.filter(|e| by_revision || e.operation == Operation::Put)
}

/// What `create()` does after its first attempt failed with `err`, given the key's current entry
/// (markers included, from [`Bucket::decode_get`]): `Ok(rev)` = retry once with
/// [`Bucket::create_at`]`(key, rev)` — the key's last operation is DEL/PURGE at `rev`, or it has no
/// entry any more (`rev` 0, a marker purged meanwhile); `Err` = give up: `KEY_EXISTS` when the key
/// holds a value, `err` itself when it was not a revision conflict. A failed retry maps through
/// [`create_error`].
pub fn create_retry(err: NatsError, current: Option<&KvEntry>) -> Result<u64, NatsError> {
    if err.code != ErrorCode::WrongLastRevision {
        return Err(err);
    }
    match current {
        None => Ok(0),
        Some(e) if e.operation.is_delete() => Ok(e.revision),
        Some(_) => Err(create_error(err)),
    }
}

/// A failed `create()` write: `WRONG_LAST_REVISION` reads as `KEY_EXISTS` (API codes kept).
pub fn create_error(mut err: NatsError) -> NatsError {
    if err.code == ErrorCode::WrongLastRevision {
        err.code = ErrorCode::KeyExists;
        err.message = format!("key exists ({})", err.message);
    }
    err
}

/// A request whose subject holds a key (a write, a get by key, a watch's consumer create for one key
/// filter) that the client refused with `INVALID_SUBJECT`: the key passed validation, so it can only be
/// too long — the control line would exceed the server's `max_control_line` — and that reads as
/// `INVALID_KEY`. Other errors are unchanged.
pub fn key_subject_error(err: NatsError) -> NatsError {
    if err.code == ErrorCode::InvalidSubject {
        NatsError::new(
            ErrorCode::InvalidKey,
            format!("invalid key: too long ({})", err.message),
        )
    } else {
        err
    }
}
