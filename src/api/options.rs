//! `ConnectionOptions` (a JS object) → [`Options`], plus the auth material the web layer needs.

use wasm_bindgen::prelude::*;

use super::convert::Fields;
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
    let mut f = Fields::new(js, "connect options");
    let d = Options::default();
    if f.member("servers").is_none() {
        f.check(Err(NatsError::invalid_argument("servers is required")));
    }
    let servers = f.strings("servers", "servers").unwrap_or_default();
    let name = f.string("name");
    let user = f.string("user");
    let pass = f.string("pass");
    let token = f.string("token");
    let timeout_ms = f.number("timeout").unwrap_or(d.timeout_ms);
    let reconnect = f.bool("reconnect").unwrap_or(d.reconnect);
    let mut max_reconnect_attempts = d.max_reconnect_attempts;
    if let Some(v) = f.number("maxReconnectAttempts") {
        if v.fract() != 0.0 || v < -1.0 {
            f.check(Err(NatsError::invalid_argument(
                "maxReconnectAttempts must be -1 or a whole number ≥ 0",
            )));
        }
        max_reconnect_attempts = v as i64;
    }
    let reconnect_time_wait_ms = f
        .number("reconnectTimeWait")
        .unwrap_or(d.reconnect_time_wait_ms);
    let reconnect_jitter_ms = f.number("reconnectJitter").unwrap_or(d.reconnect_jitter_ms);
    let ping_interval_ms = f.number("pingInterval").unwrap_or(d.ping_interval_ms);
    let mut max_ping_out = d.max_ping_out;
    if let Some(v) = f.number("maxPingOut") {
        if v.fract() != 0.0 || !(1.0..=1_000_000.0).contains(&v) {
            f.check(Err(NatsError::invalid_argument(
                "maxPingOut must be a whole number ≥ 1",
            )));
        }
        max_ping_out = v as u32;
    }
    let no_echo = f.bool("noEcho").unwrap_or(false);
    let no_randomize = f.bool("noRandomize").unwrap_or(false);
    let ignore_cluster_updates = f.bool("ignoreClusterUpdates").unwrap_or(false);
    let wait_on_first_connect = f.bool("waitOnFirstConnect").unwrap_or(false);
    let inbox_prefix = f.string("inboxPrefix").unwrap_or(d.inbox_prefix);

    let mut seed = None;
    let mut jwt = None;
    if let Some(text) = f.string("creds") {
        match parse_creds(&text) {
            Ok(creds) => {
                jwt = Some(creds.jwt);
                seed = f.keep(user_seed(&creds.seed).map(Some));
            }
            Err(e) => f.check(Err(e)),
        }
    }
    if let Some(s) = f.string("nkeySeed") {
        seed = f.keep(user_seed(&s).map(Some));
    }
    let o = f.finish(Options {
        servers,
        name,
        user,
        pass,
        token,
        jwt,
        timeout_ms,
        reconnect,
        max_reconnect_attempts,
        reconnect_time_wait_ms,
        reconnect_jitter_ms,
        ping_interval_ms,
        max_ping_out,
        no_echo,
        no_randomize,
        ignore_cluster_updates,
        wait_on_first_connect,
        inbox_prefix,
        ..d
    })?;
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
