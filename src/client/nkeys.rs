//! NKey encodings (no cryptography): seeds and public keys are base32 (RFC 4648, no padding) of
//! `prefix bytes ‖ 32 raw bytes ‖ CRC16-XMODEM (little-endian)`.
//!
//! Ed25519 itself is done by the browser (WebCrypto): [`decode_seed`] gives the raw 32-byte seed,
//! [`ed25519_pkcs8`] wraps it for `importKey("pkcs8", …)`, the public key exported by WebCrypto goes back
//! through [`encode_public`], and the signature of the server nonce through [`base64url_encode`].
//! No function here puts key material into an error message.

use crate::error::NatsError;

/// What an nkey identifies (its public prefix character).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// `U…`
    User,
    /// `A…`
    Account,
    /// `O…`
    Operator,
    /// `N…`
    Server,
    /// `C…`
    Cluster,
}

const PREFIX_SEED: u8 = 18 << 3;

impl KeyKind {
    /// The prefix byte of the public key.
    pub fn prefix_byte(self) -> u8 {
        match self {
            KeyKind::User => 20 << 3,
            KeyKind::Account => 0,
            KeyKind::Operator => 14 << 3,
            KeyKind::Server => 13 << 3,
            KeyKind::Cluster => 2 << 3,
        }
    }
    fn from_prefix_byte(b: u8) -> Option<KeyKind> {
        [
            KeyKind::User,
            KeyKind::Account,
            KeyKind::Operator,
            KeyKind::Server,
            KeyKind::Cluster,
        ]
        .into_iter()
        .find(|k| k.prefix_byte() == b)
    }
}

/// CRC16-XMODEM (polynomial 0x1021, initial value 0), as nkeys uses.
pub fn crc16(data: &[u8]) -> u16 {
    let mut crc: u16 = 0;
    for &b in data {
        crc ^= (b as u16) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ 0x1021
            } else {
                crc << 1
            };
        }
    }
    crc
}

const B32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// Base32 (RFC 4648 alphabet) without padding.
pub fn base32_encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(5) * 8);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for &b in data {
        acc = (acc << 8) | b as u32;
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(B32[((acc >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(B32[((acc << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// Decodes unpadded base32 (upper-case RFC 4648 alphabet); `None` on any other character or an
/// impossible length.
pub fn base32_decode(text: &str) -> Option<Vec<u8>> {
    if matches!(text.len() % 8, 1 | 3 | 6) {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() * 5 / 8);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for c in text.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'2'..=b'7' => c - b'2' + 26,
            _ => return None,
        };
        acc = ((acc << 5) | v as u32) & 0xFFFF;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
}

/// Decodes `text`, checks its CRC and returns the bytes before the CRC.
fn decode_checked(text: &str, what: &str) -> Result<Vec<u8>, NatsError> {
    let mut raw = base32_decode(text)
        .ok_or_else(|| NatsError::invalid_argument(format!("{what}: not base32")))?;
    if raw.len() < 4 {
        return Err(NatsError::invalid_argument(format!("{what}: too short")));
    }
    let body_len = raw.len() - 2;
    let want = u16::from_le_bytes([raw[body_len], raw[body_len + 1]]);
    if crc16(&raw[..body_len]) != want {
        return Err(NatsError::invalid_argument(format!("{what}: bad checksum")));
    }
    raw.truncate(body_len);
    Ok(raw)
}

/// Decodes an nkey seed (`"SU…"`, `"SA…"`, …): its kind and the raw 32-byte Ed25519 seed.
/// Rejects bad base32, a wrong checksum, a non-seed prefix and a wrong length with `INVALID_ARGUMENT`.
pub fn decode_seed(seed: &str) -> Result<(KeyKind, [u8; 32]), NatsError> {
    let raw = decode_checked(seed.trim(), "nkey seed")?;
    if raw.len() != 34 {
        return Err(NatsError::invalid_argument("nkey seed: wrong length"));
    }
    if raw[0] & 0xF8 != PREFIX_SEED {
        return Err(NatsError::invalid_argument("nkey seed: not a seed"));
    }
    let kind_byte = ((raw[0] & 0x07) << 5) | ((raw[1] & 0xF8) >> 3);
    let kind = KeyKind::from_prefix_byte(kind_byte)
        .ok_or_else(|| NatsError::invalid_argument("nkey seed: unknown key type"))?;
    let mut out = [0u8; 32];
    out.copy_from_slice(&raw[2..]);
    Ok((kind, out))
}

/// Encodes a raw 32-byte Ed25519 public key as an nkey (`"U…"` for [`KeyKind::User`]).
pub fn encode_public(kind: KeyKind, raw: &[u8; 32]) -> String {
    let mut buf = Vec::with_capacity(35);
    buf.push(kind.prefix_byte());
    buf.extend_from_slice(raw);
    let crc = crc16(&buf);
    buf.extend_from_slice(&crc.to_le_bytes());
    base32_encode(&buf)
}

/// Decodes a public nkey (`"U…"`, `"A…"`, …) into its kind and raw 32-byte key, checking the CRC.
pub fn decode_public(key: &str) -> Result<(KeyKind, [u8; 32]), NatsError> {
    let raw = decode_checked(key, "public nkey")?;
    if raw.len() != 33 {
        return Err(NatsError::invalid_argument("public nkey: wrong length"));
    }
    let kind = KeyKind::from_prefix_byte(raw[0])
        .ok_or_else(|| NatsError::invalid_argument("public nkey: unknown key type"))?;
    let mut out = [0u8; 32];
    out.copy_from_slice(&raw[1..]);
    Ok((kind, out))
}

/// The fixed PKCS#8 prefix of an Ed25519 private key whose 32-byte seed follows (RFC 8410).
pub const ED25519_PKCS8_PREFIX: [u8; 16] = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];

/// PKCS#8 DER of an Ed25519 private key from its raw seed, for WebCrypto `importKey("pkcs8", …)`.
pub fn ed25519_pkcs8(seed: &[u8; 32]) -> [u8; 48] {
    let mut out = [0u8; 48];
    out[..16].copy_from_slice(&ED25519_PKCS8_PREFIX);
    out[16..].copy_from_slice(seed);
    out
}

const B64URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Base64url (RFC 4648 §5) without padding: the encoding of CONNECT's `sig`.
pub fn base64url_encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = ((b[0] as u32) << 16) | ((b[1] as u32) << 8) | b[2] as u32;
        let chars = chunk.len() + 1;
        for i in 0..chars {
            out.push(B64URL[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

/// Decodes base64url, with or without `=` padding; `None` on any other character or an impossible
/// length. (WebCrypto's JWK `x` of an Ed25519 key is in this form.)
pub fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    let text = text.trim_end_matches('=');
    if text.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for c in text.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            _ => return None,
        };
        acc = ((acc << 6) | v as u32) & 0xFFFF;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
}

/// Whether `sig` is a plausible base64url signature (non-empty, only base64url characters).
pub fn is_base64url(sig: &str) -> bool {
    !sig.is_empty()
        && sig
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Encodes a raw seed of `kind` as an nkey seed string (`"SU…"` for users): the inverse of
    /// [`decode_seed`], for round trips.
    fn encode_seed(kind: KeyKind, raw: &[u8; 32]) -> String {
        let p = kind.prefix_byte();
        let mut buf = Vec::with_capacity(36);
        buf.push(PREFIX_SEED | (p >> 5));
        buf.push((p & 0x1F) << 3);
        buf.extend_from_slice(raw);
        let crc = crc16(&buf);
        buf.extend_from_slice(&crc.to_le_bytes());
        base32_encode(&buf)
    }

    // Known pair (nkeys test suites): this seed's Ed25519 public key is this user nkey.
    const SEED: &str = "SUAMLK2ZNL35WSMW37E7UD4VZ7ELPKW7DHC3BWBSD2GCZ7IUQQXZIORRBU";
    const PUBLIC: &str = "UCK5N7N66OBOINFXAYC2ACJQYFSOD4VYNU6APEJTAVFZB2SVHLKGEW7L";

    #[test]
    fn crc16_xmodem_vectors() {
        assert_eq!(crc16(b""), 0);
        assert_eq!(crc16(b"abc"), 0x9DD6);
        assert_eq!(crc16(b"123456789"), 0x31C3);
    }

    #[test]
    fn base32_rfc4648_vectors() {
        for (plain, enc) in [
            ("", ""),
            ("f", "MY"),
            ("fo", "MZXQ"),
            ("foo", "MZXW6"),
            ("foob", "MZXW6YQ"),
            ("fooba", "MZXW6YTB"),
            ("foobar", "MZXW6YTBOI"),
        ] {
            assert_eq!(base32_encode(plain.as_bytes()), enc);
            assert_eq!(base32_decode(enc).as_deref(), Some(plain.as_bytes()));
        }
        assert_eq!(base32_decode("MZX"), None);
        assert_eq!(base32_decode("mzxw6"), None);
        assert_eq!(base32_decode("MZXW6=="), None);
    }

    #[test]
    fn base64url_vectors() {
        for (plain, enc) in [
            ("", ""),
            ("f", "Zg"),
            ("fo", "Zm8"),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg"),
        ] {
            assert_eq!(base64url_encode(plain.as_bytes()), enc);
            assert_eq!(base64url_decode(enc).as_deref(), Some(plain.as_bytes()));
        }
        assert_eq!(base64url_encode(&[0xfb, 0xff]), "-_8");
        assert_eq!(base64url_decode("-_8"), Some(vec![0xfb, 0xff]));
        assert_eq!(base64url_decode("Zm9vYg=="), Some(b"foob".to_vec()));
        assert_eq!(base64url_decode("Zm9v+g"), None);
        assert_eq!(base64url_decode("Z"), None);
        assert!(is_base64url("ab-_09"));
        assert!(!is_base64url("ab c"));
        assert!(!is_base64url(""));
    }

    #[test]
    fn known_seed_decodes_as_user_and_round_trips() {
        let (kind, raw) = decode_seed(SEED).unwrap();
        assert_eq!(kind, KeyKind::User);
        assert_eq!(encode_seed(kind, &raw), SEED);
    }

    #[test]
    fn known_public_key_round_trips() {
        let (kind, raw) = decode_public(PUBLIC).unwrap();
        assert_eq!(kind, KeyKind::User);
        assert_eq!(encode_public(KeyKind::User, &raw), PUBLIC);
        let acct = encode_public(KeyKind::Account, &raw);
        assert!(acct.starts_with('A'));
        assert_eq!(acct.len(), 56);
        assert!(encode_public(KeyKind::Operator, &raw).starts_with('O'));
        assert_eq!(decode_public(&acct).unwrap().0, KeyKind::Account);
    }

    #[test]
    fn seed_checksum_failure_is_rejected() {
        // Change one character: the CRC no longer matches.
        let mut bad = SEED.to_string();
        bad.replace_range(10..11, if &SEED[10..11] == "A" { "B" } else { "A" });
        let e = decode_seed(&bad).unwrap_err();
        assert_eq!(e.code, crate::error::ErrorCode::InvalidArgument);
        assert!(e.message.contains("checksum"));
        assert!(!e.message.contains(&bad));
        assert!(decode_seed("SU!!").is_err());
        assert!(decode_seed("").is_err());
        // A public key is not a seed.
        assert!(decode_seed(PUBLIC).is_err());
        // A seed is not a public key.
        assert!(decode_public(SEED).is_err());
    }

    #[test]
    fn public_encoding_of_rfc8032_key() {
        // RFC 8032 test 1 public key; encoding is deterministic and decodes back.
        let pk: [u8; 32] = [
            0xd7, 0x5a, 0x98, 0x01, 0x82, 0xb1, 0x0a, 0xb7, 0xd5, 0x4b, 0xfe, 0xd3, 0xc9, 0x64,
            0x07, 0x3a, 0x0e, 0xe1, 0x72, 0xf3, 0xda, 0xa6, 0x23, 0x25, 0xaf, 0x02, 0x1a, 0x68,
            0xf7, 0x07, 0x51, 0x1a,
        ];
        let u = encode_public(KeyKind::User, &pk);
        assert_eq!(u.len(), 56);
        assert!(u.starts_with('U'));
        assert_eq!(decode_public(&u).unwrap(), (KeyKind::User, pk));
    }

    #[test]
    fn pkcs8_wraps_seed() {
        let (_, raw) = decode_seed(SEED).unwrap();
        let der = ed25519_pkcs8(&raw);
        let hex: String = der[..16].iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, "302e020100300506032b657004220420");
        assert_eq!(&der[16..], &raw);
    }
}
