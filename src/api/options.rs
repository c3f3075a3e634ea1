//! `ConnectionOptions` (a JS object) → [`Options`], plus the auth material the web layer needs.

use wasm_bindgen::prelude::*;

use super::convert::{member, opt_bool, opt_number, opt_string, options_object, string_or_array};
use crate::client::nkeys::{decode_seed, encode_public, KeyKind};
use crate::client::{parse_creds, Options};
use crate::error::NatsError;

/// Options plus the raw Ed25519 seed to sign nonces with (nkey or creds auth).
pub struct ParsedOptions {
    /// The connection options.
    pub options: Options,
    /// The raw Ed25519 seed of `nkeySeed` or `creds`.
    pub seed: Option<[u8; 32]>,
}

/// Reads every `ConnectionOptions` member with type checks.
pub fn parse(js: &JsValue) -> Result<ParsedOptions, NatsError> {
    options_object(js, "connect options")?;
    let mut o = Options::default();
    let servers =
        member(js, "servers").ok_or_else(|| NatsError::invalid_argument("servers is required"))?;
    o.servers = string_or_array(&servers, "servers")?;
    o.name = opt_string(js, "name")?;
    o.user = opt_string(js, "user")?;
    o.pass = opt_string(js, "pass")?;
    o.token = opt_string(js, "token")?;
    if let Some(v) = opt_number(js, "timeout")? {
        o.timeout_ms = v;
    }
    if let Some(v) = opt_bool(js, "reconnect")? {
        o.reconnect = v;
    }
    if let Some(v) = opt_number(js, "maxReconnectAttempts")? {
        if v.fract() != 0.0 || v < -1.0 {
            return Err(NatsError::invalid_argument(
                "maxReconnectAttempts must be -1 or a whole number ≥ 0",
            ));
        }
        o.max_reconnect_attempts = v as i64;
    }
    if let Some(v) = opt_number(js, "reconnectTimeWait")? {
        o.reconnect_time_wait_ms = v;
    }
    if let Some(v) = opt_number(js, "reconnectJitter")? {
        o.reconnect_jitter_ms = v;
    }
    if let Some(v) = opt_number(js, "pingInterval")? {
        o.ping_interval_ms = v;
    }
    if let Some(v) = opt_number(js, "maxPingOut")? {
        if v.fract() != 0.0 || !(1.0..=1_000_000.0).contains(&v) {
            return Err(NatsError::invalid_argument(
                "maxPingOut must be a whole number ≥ 1",
            ));
        }
        o.max_ping_out = v as u32;
    }
    o.no_echo = opt_bool(js, "noEcho")?.unwrap_or(false);
    o.no_randomize = opt_bool(js, "noRandomize")?.unwrap_or(false);
    o.ignore_cluster_updates = opt_bool(js, "ignoreClusterUpdates")?.unwrap_or(false);
    o.wait_on_first_connect = opt_bool(js, "waitOnFirstConnect")?.unwrap_or(false);
    if let Some(p) = opt_string(js, "inboxPrefix")? {
        o.inbox_prefix = p;
    }

    let mut seed = None;
    if let Some(text) = opt_string(js, "creds")? {
        let creds = parse_creds(&text)?;
        o.jwt = Some(creds.jwt);
        seed = Some(user_seed(&creds.seed)?);
    }
    if let Some(s) = opt_string(js, "nkeySeed")? {
        seed = Some(user_seed(&s)?);
    }
    o.validate()?;
    Ok(ParsedOptions { options: o, seed })
}

fn user_seed(text: &str) -> Result<[u8; 32], NatsError> {
    let (kind, raw) = decode_seed(text.trim())?;
    if kind != KeyKind::User {
        return Err(NatsError::invalid_argument(
            "the nkey seed is not a user seed (SU…)",
        ));
    }
    Ok(raw)
}

/// The public user nkey ("U…") for a raw seed, derived with WebCrypto. If the browser cannot, the
/// `INVALID_ARGUMENT` error keeps `web::sign`'s reason (no secure context, no Ed25519, …).
pub async fn public_nkey(seed: &[u8; 32]) -> Result<String, NatsError> {
    let pk = crate::web::sign::public_key(seed).await.map_err(|e| {
        let why = js_sys::Reflect::get(&e, &JsValue::from_str("message"))
            .ok()
            .and_then(|m| m.as_string())
            .unwrap_or_else(|| "WebCrypto failed".into());
        NatsError::invalid_argument(format!("this browser cannot use Ed25519 keys: {why}"))
    })?;
    Ok(encode_public(KeyKind::User, &pk))
}
