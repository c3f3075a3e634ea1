//! Base64 (RFC 4648): decoding of the `hdrs`/`data` of STREAM.MSG.GET replies and of object digests
//! (standard and URL-safe alphabets both read), and padded encoding in either alphabet (Object Store
//! meta subjects and digests use the URL-safe one).

fn value(c: u8) -> Option<u32> {
    match c {
        b'A'..=b'Z' => Some(u32::from(c - b'A')),
        b'a'..=b'z' => Some(u32::from(c - b'a') + 26),
        b'0'..=b'9' => Some(u32::from(c - b'0') + 52),
        b'+' | b'-' => Some(62),
        b'/' | b'_' => Some(63),
        _ => None,
    }
}

/// Decodes base64 (`+/` or `-_`), with or without `=` padding; `None` on any other character, misplaced
/// padding or an impossible length.
pub fn decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let body = text.trim_end_matches('=').as_bytes();
    let pad = bytes.len() - body.len();
    if pad > 2 || (pad > 0 && bytes.len() % 4 != 0) || body.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(body.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for &c in body {
        acc = ((acc << 6) | value(c)?) & 0xFFFF;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
}

/// Encodes `bytes` with `=` padding, in the URL-safe alphabet (`-_`) when `url`, else the standard one.
pub fn encode(bytes: &[u8], url: bool) -> String {
    const STD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let alphabet = |i: u32| -> char {
        let c = STD[(i & 63) as usize];
        match (url, c) {
            (true, b'+') => '-',
            (true, b'/') => '_',
            _ => char::from(c),
        }
    };
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &b)| acc | (u32::from(b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(alphabet(n >> (18 - 6 * i)));
            } else {
                out.push('=');
            }
        }
    }
    out
}
