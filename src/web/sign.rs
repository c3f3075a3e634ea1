//! Ed25519 with the browser's WebCrypto (`crypto.subtle`, algorithm `"Ed25519"`): the nkey/JWT
//! authentication signs the server's nonce here, so no Ed25519 code ships in the wasm binary.
//!
//! A raw 32-byte nkey seed is imported as PKCS#8 (the fixed 16-byte RFC 8410 prefix + the seed,
//! [`ed25519_pkcs8`]); the signature is returned as base64url without padding, the form CONNECT's
//! `sig` takes. Works in windows and workers (`crypto` is looked up on the global object).
//! Needs Chromium ≥ 137, Firefox ≥ 129 or Safari ≥ 17 and a secure context (https or localhost).
//!
//! The encodings (PKCS#8 wrapping, base64url) are the sans-IO ones in [`crate::client::nkeys`].

use js_sys::{Array, ArrayBuffer, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::client::nkeys::{base64url_decode, base64url_encode, ed25519_pkcs8};

#[wasm_bindgen]
extern "C" {
    /// `SubtleCrypto`, bound by hand: only the three methods used here.
    type Subtle;

    #[wasm_bindgen(method, catch, js_name = importKey)]
    fn import_key(
        this: &Subtle,
        format: &str,
        key_data: &Uint8Array,
        algorithm: &str,
        extractable: bool,
        usages: &Array,
    ) -> Result<Promise, JsValue>;

    #[wasm_bindgen(method, catch)]
    fn sign(
        this: &Subtle,
        algorithm: &str,
        key: &JsValue,
        data: &Uint8Array,
    ) -> Result<Promise, JsValue>;

    #[wasm_bindgen(method, catch, js_name = exportKey)]
    fn export_key(this: &Subtle, format: &str, key: &JsValue) -> Result<Promise, JsValue>;
}

const ALG: &str = "Ed25519";

fn error(msg: &str) -> JsValue {
    js_sys::Error::new(msg).into()
}

/// `globalThis.crypto.subtle`, or an error saying why it is missing.
fn subtle() -> Result<Subtle, JsValue> {
    let crypto = Reflect::get(&js_sys::global(), &JsValue::from_str("crypto"))?;
    if crypto.is_undefined() || crypto.is_null() {
        return Err(error("WebCrypto is not available (no globalThis.crypto)"));
    }
    let subtle = Reflect::get(&crypto, &JsValue::from_str("subtle"))?;
    if subtle.is_undefined() || subtle.is_null() {
        return Err(error(
            "WebCrypto is not available (crypto.subtle needs a secure context: https or localhost)",
        ));
    }
    Ok(subtle.unchecked_into())
}

/// Turns an `importKey` rejection into a clearer error where the browser lacks Ed25519.
fn import_error(e: JsValue) -> JsValue {
    let name = Reflect::get(&e, &JsValue::from_str("name"))
        .ok()
        .and_then(|n| n.as_string());
    if name.as_deref() == Some("NotSupportedError") {
        return error("this browser's WebCrypto has no Ed25519 (needs Chromium 137+, Firefox 129+ or Safari 17+)");
    }
    e
}

/// An Ed25519 private key held by WebCrypto (a `CryptoKey`, usage `sign`). Importing once and
/// keeping this lets a connection sign every reconnect's nonce without keeping the raw seed in
/// wasm memory; a key imported with [`Ed25519Key::import`] cannot be exported again.
#[derive(Clone, Debug)]
pub struct Ed25519Key {
    key: JsValue,
}

impl Ed25519Key {
    /// Imports a raw 32-byte Ed25519 seed (an nkey seed's payload) as a non-extractable key.
    pub async fn import(seed32: &[u8; 32]) -> Result<Ed25519Key, JsValue> {
        Ok(Ed25519Key {
            key: import(seed32, false).await?,
        })
    }

    /// Signs `data`; the 64-byte signature.
    pub async fn sign(&self, data: &[u8]) -> Result<Vec<u8>, JsValue> {
        let data = Uint8Array::from(data);
        let promise = subtle()?.sign(ALG, &self.key, &data)?;
        let sig = JsFuture::from(promise).await?;
        let sig: ArrayBuffer = sig
            .dyn_into()
            .map_err(|_| error("crypto.subtle.sign: not an ArrayBuffer"))?;
        let sig = Uint8Array::new(&sig).to_vec();
        if sig.len() != 64 {
            return Err(error(
                "crypto.subtle.sign: an Ed25519 signature has 64 bytes",
            ));
        }
        Ok(sig)
    }

    /// Signs a server nonce as nats clients do (its bytes as sent in INFO); base64url without padding.
    pub async fn sign_nonce(&self, nonce: &[u8]) -> Result<String, JsValue> {
        Ok(base64url_encode(&self.sign(nonce).await?))
    }
}

/// `importKey("pkcs8", prefix ‖ seed, "Ed25519", extractable, ["sign"])`; the DER copies in wasm
/// and JS memory are zeroed afterwards (`importKey` copies its input when called).
async fn import(seed32: &[u8; 32], extractable: bool) -> Result<JsValue, JsValue> {
    let subtle = subtle()?;
    let mut der = ed25519_pkcs8(seed32);
    let der_js = Uint8Array::from(&der[..]);
    der.fill(0);
    let usages = Array::of1(&JsValue::from_str("sign"));
    let promise = subtle.import_key("pkcs8", &der_js, ALG, extractable, &usages);
    der_js.fill(0, 0, der_js.length());
    JsFuture::from(promise.map_err(import_error)?)
        .await
        .map_err(import_error)
}

/// Signs `nonce` (the UTF-8 bytes of INFO's `nonce` string, as nats clients do) with the Ed25519
/// key whose raw seed is `seed32`; returns the 64-byte signature as base64url without padding —
/// the value of CONNECT's `sig`.
pub async fn sign_nonce(seed32: &[u8; 32], nonce: &[u8]) -> Result<String, JsValue> {
    Ed25519Key::import(seed32).await?.sign_nonce(nonce).await
}

/// The raw 32-byte Ed25519 public key of the raw seed `seed32` (WebCrypto derives it: the key is
/// imported as extractable and exported as a JWK, whose `x` is the public key in base64url).
/// Encode it with [`crate::client::nkeys::encode_public`] to get the `U…` nkey for CONNECT's `nkey`.
pub async fn public_key(seed32: &[u8; 32]) -> Result<[u8; 32], JsValue> {
    let key = import(seed32, true).await?;
    let jwk = JsFuture::from(subtle()?.export_key("jwk", &key)?).await?;
    let x = Reflect::get(&jwk, &JsValue::from_str("x"))?.as_string();
    // The JWK also holds the private `d`; drop it from the object right away.
    let _ = Reflect::delete_property(
        jwk.unchecked_ref::<js_sys::Object>(),
        &JsValue::from_str("d"),
    );
    let raw = x
        .as_deref()
        .and_then(base64url_decode)
        .ok_or_else(|| error("exportKey(jwk): no valid `x`"))?;
    raw.try_into()
        .map_err(|_| error("exportKey(jwk): `x` is not 32 bytes"))
}
