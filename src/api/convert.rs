//! Reading JS values with type checks: every wrong type is an `INVALID_ARGUMENT` error, never a
//! panic or a bare TypeError.

use js_sys::{Array, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::error::{ErrorCode, NatsError};
use crate::proto::Headers;

fn invalid(what: &str, expected: &str) -> NatsError {
    NatsError::new(
        ErrorCode::InvalidArgument,
        format!("{what} must be {expected}"),
    )
}

/// Member `key` of an options object; `None` when absent, undefined or null.
pub fn member(obj: &JsValue, key: &str) -> Option<JsValue> {
    if obj.is_undefined() || obj.is_null() {
        return None;
    }
    let v = Reflect::get(obj, &JsValue::from_str(key)).ok()?;
    if v.is_undefined() || v.is_null() {
        None
    } else {
        Some(v)
    }
}

/// Checks that `opts` is an object (or absent).
pub fn options_object(opts: &JsValue, what: &str) -> Result<(), NatsError> {
    if opts.is_undefined() || opts.is_null() || (opts.is_object() && !opts.is_function()) {
        Ok(())
    } else {
        Err(invalid(what, "an object"))
    }
}

/// A string value.
pub fn string(v: &JsValue, what: &str) -> Result<String, NatsError> {
    v.as_string().ok_or_else(|| invalid(what, "a string"))
}

/// An optional string member.
pub fn opt_string(obj: &JsValue, key: &str) -> Result<Option<String>, NatsError> {
    member(obj, key).map(|v| string(&v, key)).transpose()
}

/// An optional finite number member.
pub fn opt_number(obj: &JsValue, key: &str) -> Result<Option<f64>, NatsError> {
    member(obj, key).map(|v| number(&v, key)).transpose()
}

/// A finite number.
pub fn number(v: &JsValue, what: &str) -> Result<f64, NatsError> {
    match v.as_f64() {
        Some(n) if n.is_finite() => Ok(n),
        _ => Err(invalid(what, "a finite number")),
    }
}

/// A whole number in `min..=max` (e.g. a count or a sequence).
pub fn integer(v: &JsValue, what: &str, min: f64, max: f64) -> Result<f64, NatsError> {
    let n = number(v, what)?;
    if n.fract() != 0.0 || n < min || n > max {
        return Err(invalid(
            what,
            // Whole numbers within ±2^53: the same text as f64 Display, without its code.
            &format!("a whole number from {} to {}", min as i64, max as i64),
        ));
    }
    Ok(n)
}

/// An optional boolean member.
pub fn opt_bool(obj: &JsValue, key: &str) -> Result<Option<bool>, NatsError> {
    member(obj, key)
        .map(|v| v.as_bool().ok_or_else(|| invalid(key, "a boolean")))
        .transpose()
}

/// A string or an array of strings.
pub fn string_or_array(v: &JsValue, what: &str) -> Result<Vec<String>, NatsError> {
    if let Some(s) = v.as_string() {
        return Ok(vec![s]);
    }
    if Array::is_array(v) {
        let arr: &Array = v.unchecked_ref();
        return arr.iter().map(|x| string(&x, what)).collect();
    }
    Err(invalid(what, "a string or an array of strings"))
}

/// A payload: `undefined`/`null` (empty), a string (UTF-8) or a `Uint8Array`.
pub fn payload(v: &JsValue) -> Result<Vec<u8>, NatsError> {
    if v.is_undefined() || v.is_null() {
        return Ok(Vec::new());
    }
    if let Some(s) = v.as_string() {
        return Ok(s.into_bytes());
    }
    if let Some(a) = v.dyn_ref::<Uint8Array>() {
        return Ok(a.to_vec());
    }
    Err(invalid("payload", "a string or a Uint8Array"))
}

/// Headers flattened by the ES module as `[name, value, name, value, …]` (or undefined).
pub fn headers(v: &JsValue) -> Result<Option<Headers>, NatsError> {
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    if !Array::is_array(v) {
        return Err(invalid("headers", "MsgHdrs or a record of strings"));
    }
    let arr: &Array = v.unchecked_ref();
    let mut h = Headers::new();
    let mut i = 0;
    while i + 1 < arr.length() {
        let name = string(&arr.get(i), "header name")?;
        let value = string(&arr.get(i + 1), "header value")?;
        h.append(&name, &value)?;
        i += 2;
    }
    Ok(Some(h))
}

/// Headers as `[name, value, …]` for the ES module.
pub fn headers_to_js(h: &Headers) -> Array {
    let out = Array::new();
    for (k, v) in h.entries() {
        out.push(&JsValue::from_str(k));
        out.push(&JsValue::from_str(v));
    }
    out
}

/// The members of an options object, read in order with the first error kept: a member's read is a
/// call and a store, with no early return (and no cleanup of what was read before) at each call
/// site. `finish` gives the first error, as `?` after each member would have.
pub struct Fields<'a> {
    obj: Option<&'a JsValue>,
    err: Option<NatsError>,
}

impl<'a> Fields<'a> {
    /// The members of `obj`, which must be an object (or absent): else the error says `what`.
    pub fn new(obj: &'a JsValue, what: &str) -> Fields<'a> {
        let err = options_object(obj, what).err();
        Fields {
            obj: err.is_none().then_some(obj),
            err,
        }
    }

    /// Keeps `r`'s error if it is the first.
    #[inline(never)]
    pub fn check(&mut self, r: Result<(), NatsError>) {
        if let (Err(e), None) = (r, &self.err) {
            self.err = Some(e);
        }
    }

    /// `r`'s value, or `None` keeping its error if it is the first.
    pub fn keep<T>(&mut self, r: Result<Option<T>, NatsError>) -> Option<T> {
        match r {
            Ok(v) => v,
            Err(e) => {
                self.check(Err(e));
                None
            }
        }
    }

    /// Member `key` (absent, undefined or null: `None`; also after an error).
    #[inline(never)]
    pub fn member(&self, key: &str) -> Option<JsValue> {
        match (self.obj, &self.err) {
            (Some(o), None) => member(o, key),
            _ => None,
        }
    }

    /// An optional string member.
    #[inline(never)]
    pub fn string(&mut self, key: &str) -> Option<String> {
        let r = self.member(key).map(|v| string(&v, key)).transpose();
        self.keep(r)
    }

    /// An optional finite number member.
    #[inline(never)]
    pub fn number(&mut self, key: &str) -> Option<f64> {
        let r = self.member(key).map(|v| number(&v, key)).transpose();
        self.keep(r)
    }

    /// An optional whole number member in `min..=max`.
    #[inline(never)]
    pub fn int(&mut self, key: &str, min: f64, max: f64) -> Option<f64> {
        let r = self
            .member(key)
            .map(|v| integer(&v, key, min, max))
            .transpose();
        self.keep(r)
    }

    /// An optional boolean member.
    #[inline(never)]
    pub fn bool(&mut self, key: &str) -> Option<bool> {
        let r = self
            .member(key)
            .map(|v| v.as_bool().ok_or_else(|| invalid(key, "a boolean")))
            .transpose();
        self.keep(r)
    }

    /// An optional member of `string | string[]`; `what` names it in the error.
    #[inline(never)]
    pub fn strings(&mut self, key: &str, what: &str) -> Option<Vec<String>> {
        let r = self
            .member(key)
            .map(|v| string_or_array(&v, what))
            .transpose();
        self.keep(r)
    }

    /// `v`, or the first error.
    pub fn finish<T>(self, v: T) -> Result<T, NatsError> {
        match self.err {
            None => Ok(v),
            Some(e) => Err(e),
        }
    }
}
