//! `ObjectStoreMeta` from JavaScript (JSON text): read and checked before anything is sent — the
//! name, headers that could not be written as NATS headers (CR/LF, bad names), metadata that is not
//! strings, `options.link` (only `link()`/`linkStore()` write links).

use crate::error::NatsError;
use crate::proto::json::Json;
use crate::proto::Headers;

use super::{validate_name, ObjectInfo};

/// Checks `{"Name": ["value", …]}` (or single strings): every name and value must be valid in a
/// NATS header block. Returns the normalised form (arrays of strings).
pub fn check_headers(h: &Json) -> Result<Json, NatsError> {
    let bad = || NatsError::invalid_argument("meta headers must map names to strings");
    let Json::Obj(members) = h else {
        return Err(bad());
    };
    let mut probe = Headers::new();
    let mut out = Vec::with_capacity(members.len());
    for (k, v) in members {
        let values: Vec<Json> = match v {
            Json::Str(_) => vec![v.clone()],
            Json::Arr(vs) if vs.iter().all(|x| x.as_str().is_some()) => vs.clone(),
            _ => return Err(bad()),
        };
        for x in &values {
            probe.append(k, x.as_str().unwrap_or("")).map_err(|e| {
                NatsError::invalid_argument(format!("meta header \"{k}\" is not valid: {e}"))
            })?;
        }
        out.push((k.clone(), Json::Arr(values)));
    }
    Ok(Json::Obj(out))
}

fn check_metadata(m: &Json) -> Result<Json, NatsError> {
    match m {
        Json::Obj(ms) if ms.iter().all(|(_, v)| v.as_str().is_some()) => Ok(m.clone()),
        _ => Err(NatsError::invalid_argument(
            "meta metadata must map names to strings",
        )),
    }
}

/// Which fields a meta may have.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum MetaUse {
    /// `put()`: `name` required, `options.max_chunk_size` allowed.
    Put,
    /// `update()`: every field optional, no `options`.
    Update,
}

/// The parts of an `ObjectStoreMeta` that were given.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Meta {
    /// `name`.
    pub name: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// `headers`, normalised.
    pub headers: Option<Json>,
    /// `metadata`.
    pub metadata: Option<Json>,
    /// `options.max_chunk_size`.
    pub max_chunk_size: Option<u64>,
}

impl Meta {
    /// Reads `text` (a JSON object). Error: `INVALID_ARGUMENT`.
    pub fn parse(text: &str, use_: MetaUse) -> Result<Meta, NatsError> {
        let json = Json::parse(text)
            .map_err(|_| NatsError::invalid_argument("object meta is not a JSON object"))?;
        let Json::Obj(members) = json else {
            return Err(NatsError::invalid_argument("object meta must be an object"));
        };
        let mut m = Meta::default();
        for (k, v) in members {
            if matches!(v, Json::Null) {
                continue;
            }
            let s = || {
                v.as_str().map(str::to_owned).ok_or_else(|| {
                    NatsError::invalid_argument(format!("object meta {k} must be a string"))
                })
            };
            match k.as_str() {
                "name" => {
                    let n = s()?;
                    validate_name(&n)?;
                    m.name = Some(n);
                }
                "description" => m.description = Some(s()?),
                "headers" => m.headers = Some(check_headers(&v)?),
                "metadata" => m.metadata = Some(check_metadata(&v)?),
                "options" if use_ == MetaUse::Put => {
                    if v.get("link").is_some_and(|l| !matches!(l, Json::Null)) {
                        return Err(NatsError::invalid_argument(
                            "options.link: use link() or linkStore()",
                        ));
                    }
                    if let Some(n) = v.get("max_chunk_size").filter(|n| !matches!(n, Json::Null)) {
                        m.max_chunk_size =
                            Some(n.as_u64().filter(|n| *n > 0).ok_or_else(|| {
                                NatsError::invalid_argument(
                                    "options.max_chunk_size must be positive",
                                )
                            })?);
                    }
                }
                "options" => {
                    return Err(NatsError::invalid_argument(
                        "update() cannot change options",
                    ))
                }
                _ => {}
            }
        }
        if use_ == MetaUse::Put && m.name.is_none() {
            return Err(NatsError::invalid_argument("object meta needs a name"));
        }
        Ok(m)
    }

    /// Applies the given fields to `info` (name, description, headers, metadata).
    pub fn apply(&self, info: &mut ObjectInfo) {
        if let Some(n) = &self.name {
            info.name = n.clone();
        }
        if let Some(d) = &self.description {
            info.description = d.clone();
        }
        if let Some(h) = &self.headers {
            info.headers = h.clone();
        }
        if let Some(m) = &self.metadata {
            info.metadata = m.clone();
        }
    }
}
