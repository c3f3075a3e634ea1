//! Browser test: Ed25519 through WebCrypto (src/web/sign.rs) — RFC 8032 test 1 and a known nkey pair.
//! Needs no nats-server.
#![cfg(target_arch = "wasm32")]

#[path = "browser/util.rs"]
mod util;

use nats_kv_wasm::client::nkeys::{base64url_decode, decode_seed, encode_public, KeyKind};
use nats_kv_wasm::web::sign::{public_key, sign_nonce, Ed25519Key};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn seed32(s: &str) -> [u8; 32] {
    hex(s).try_into().unwrap()
}

// RFC 8032 §7.1, TEST 1 (empty message).
const SECRET: &str = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
const PUBLIC: &str = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
const SIGNATURE: &str = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";

#[wasm_bindgen_test]
async fn rfc8032_test1_public_key() {
    let pk = public_key(&seed32(SECRET)).await.expect("public_key");
    assert_eq!(pk.to_vec(), hex(PUBLIC));
}

#[wasm_bindgen_test]
async fn rfc8032_test1_signature_of_empty_message() {
    let sig = sign_nonce(&seed32(SECRET), b"").await.expect("sign_nonce");
    assert_eq!(sig.len(), 86, "64 bytes in base64url without padding");
    assert!(!sig.contains('=') && !sig.contains('+') && !sig.contains('/'));
    assert_eq!(base64url_decode(&sig).expect("base64url"), hex(SIGNATURE));
}

// RFC 8032 §7.1, TEST 2 (one byte 0x72).
#[wasm_bindgen_test]
async fn rfc8032_test2_one_byte() {
    let seed = seed32("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb");
    let pk = public_key(&seed).await.unwrap();
    assert_eq!(
        pk.to_vec(),
        hex("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c")
    );
    let sig = sign_nonce(&seed, &[0x72]).await.unwrap();
    assert_eq!(
        base64url_decode(&sig).unwrap(),
        hex("92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00")
    );
}

// A documented nkey pair: the seed's public key encodes to the user nkey; the key object signs
// the same bytes as the one-shot function (Ed25519 is deterministic).
#[wasm_bindgen_test]
async fn nkey_seed_to_user_public_key_and_reusable_key() {
    let (kind, raw) =
        decode_seed("SUAMLK2ZNL35WSMW37E7UD4VZ7ELPKW7DHC3BWBSD2GCZ7IUQQXZIORRBU").unwrap();
    assert_eq!(kind, KeyKind::User);
    let pk = public_key(&raw).await.unwrap();
    assert_eq!(
        encode_public(KeyKind::User, &pk),
        "UCK5N7N66OBOINFXAYC2ACJQYFSOD4VYNU6APEJTAVFZB2SVHLKGEW7L"
    );
    let nonce = b"pDnF2mR0YlYeLmAi-kQW5w";
    let key = Ed25519Key::import(&raw).await.unwrap();
    let a = key.sign_nonce(nonce).await.unwrap();
    let b = key.sign_nonce(nonce).await.unwrap();
    assert_eq!(a, b);
    assert_eq!(a, sign_nonce(&raw, nonce).await.unwrap());
    assert_ne!(a, key.sign_nonce(b"another nonce").await.unwrap());
}
