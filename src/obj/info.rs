//! [`ObjectInfo`]: an object's meta message (JETSTREAM-SPEC.md §8.2), read from the stream and
//! written by `put()`, `delete()`, `link()` and `update()`.

use crate::error::NatsError;
use crate::proto::json::Json;

/// What the meta message of an object says, with the stream's view of it (`revision`, `mtime`).
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectInfo {
    /// The bucket holding the meta (for a link: the target's, as nats.js writes it).
    pub bucket: String,
    /// The object's name.
    pub name: String,
    /// Free text.
    pub description: String,
    /// `{"Name": ["value", …]}`.
    pub headers: Json,
    /// `{"key": "value"}`.
    pub metadata: Json,
    /// `{"link": {"bucket", "name"?}, "max_chunk_size"}` or `Null`.
    pub options: Json,
    /// The chunks' subject token.
    pub nuid: String,
    /// Bytes in all.
    pub size: u64,
    /// Number of chunks.
    pub chunks: u64,
    /// `SHA-256=` + base64url (empty for markers and links).
    pub digest: String,
    /// A delete marker.
    pub deleted: bool,
    /// When it was stored: the meta message's server time, as `Date.toISOString()`.
    pub mtime: String,
    /// The meta message's stream sequence.
    pub revision: u64,
}

fn obj_or_empty(v: Option<&Json>) -> Json {
    match v {
        Some(j @ Json::Obj(_)) => j.clone(),
        _ => Json::Obj(Vec::new()),
    }
}

impl ObjectInfo {
    /// A new object's info (before its chunks are written).
    pub fn new(bucket: &str, name: &str) -> ObjectInfo {
        ObjectInfo {
            bucket: bucket.to_owned(),
            name: name.to_owned(),
            description: String::new(),
            headers: Json::Obj(Vec::new()),
            metadata: Json::Obj(Vec::new()),
            options: Json::Null,
            nuid: String::new(),
            size: 0,
            chunks: 0,
            digest: String::new(),
            deleted: false,
            mtime: String::new(),
            revision: 0,
        }
    }

    /// Reads a meta message's JSON; `revision` and `mtime` are the message's sequence and server time
    /// (the JSON's own `mtime` is the writer's clock, year 1 for nats.go: not used). Absent fields read
    /// as empty; a payload that is not an object with a `name` is a `PROTOCOL_ERROR`.
    pub fn from_meta(
        payload: &[u8],
        revision: u64,
        mtime: String,
    ) -> Result<ObjectInfo, NatsError> {
        let json = core::str::from_utf8(payload)
            .ok()
            .and_then(|t| Json::parse(t).ok())
            .ok_or_else(|| NatsError::protocol("object meta is not JSON"))?;
        let text = |k: &str| json.get(k).and_then(Json::as_str).unwrap_or("").to_owned();
        let num = |k: &str| json.get(k).and_then(Json::as_u64).unwrap_or(0);
        let name = json
            .get("name")
            .and_then(Json::as_str)
            .ok_or_else(|| NatsError::protocol("object meta without a name"))?;
        Ok(ObjectInfo {
            bucket: text("bucket"),
            name: name.to_owned(),
            description: text("description"),
            headers: obj_or_empty(json.get("headers")),
            metadata: obj_or_empty(json.get("metadata")),
            options: match json.get("options") {
                Some(o @ Json::Obj(_)) => o.clone(),
                _ => Json::Null,
            },
            nuid: text("nuid"),
            size: num("size"),
            chunks: num("chunks"),
            digest: text("digest"),
            deleted: json.get("deleted").and_then(Json::as_bool).unwrap_or(false),
            mtime,
            revision,
        })
    }

    /// `options.link`: the target bucket and, for an object link, its name.
    pub fn link(&self) -> Option<(String, Option<String>)> {
        let link = self.options.get("link")?;
        let bucket = link.get("bucket").and_then(Json::as_str)?.to_owned();
        let name = link
            .get("name")
            .and_then(Json::as_str)
            .filter(|n| !n.is_empty())
            .map(str::to_owned);
        Some((bucket, name))
    }

    /// `options.max_chunk_size`, if set.
    pub fn max_chunk_size(&self) -> Option<u64> {
        self.options.get("max_chunk_size").and_then(Json::as_u64)
    }

    /// The fields every client writes and reads.
    fn members(&self) -> Vec<(String, Json)> {
        let s = |v: &str| Json::Str(v.to_owned());
        let mut m = vec![
            ("name".to_owned(), s(&self.name)),
            ("description".to_owned(), s(&self.description)),
            ("headers".to_owned(), self.headers.clone()),
            ("metadata".to_owned(), self.metadata.clone()),
        ];
        if !matches!(self.options, Json::Null) {
            m.push(("options".to_owned(), self.options.clone()));
        }
        m.extend([
            ("bucket".to_owned(), s(&self.bucket)),
            ("nuid".to_owned(), s(&self.nuid)),
            ("size".to_owned(), Json::Int(self.size as i64)),
            ("mtime".to_owned(), s(&self.mtime)),
            ("chunks".to_owned(), Json::Int(self.chunks as i64)),
            ("digest".to_owned(), s(&self.digest)),
        ]);
        if self.deleted {
            m.push(("deleted".to_owned(), Json::Bool(true)));
        }
        m
    }

    /// The meta message's payload; `mtime` is the writer's clock (as nats.js writes it).
    pub fn to_meta(&self) -> String {
        Json::Obj(self.members()).to_json_string()
    }

    /// The info as JavaScript sees it (API.md `ObjectInfo`, `deleted` and `revision` always there).
    pub fn to_json(&self) -> Json {
        let mut m = self.members();
        if !self.deleted {
            m.push(("deleted".to_owned(), Json::Bool(false)));
        }
        m.push(("revision".to_owned(), Json::Int(self.revision as i64)));
        Json::Obj(m)
    }
}
