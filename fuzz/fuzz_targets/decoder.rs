//! Feeds arbitrary bytes into the streaming decoder in chunks whose sizes come from the first bytes,
//! draining ops after every chunk; nothing may panic and buffering must stay bounded.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nats_kv_wasm::proto::{Decoder, ServerOp, MAX_INFO_LINE};

fuzz_target!(|data: &[u8]| {
    // Byte 0: max_payload choice; bytes 1..9: chunk sizes (cycled); the rest: the stream.
    let (max_payload, sizes, stream) = match data {
        [m, rest @ ..] if rest.len() >= 8 => (
            [0, 1, 16, 64, 1024, 1 << 20][usize::from(*m) % 6],
            &rest[..8],
            &rest[8..],
        ),
        _ => (1 << 20, &[7u8][..], data),
    };
    let mut d = Decoder::new(max_payload);
    let mut rest = stream;
    let mut i = 0;
    while !rest.is_empty() {
        let n = (usize::from(sizes[i % sizes.len()]) + 1).min(rest.len());
        i += 1;
        let (chunk, tail) = rest.split_at(n);
        rest = tail;
        d.push(chunk);
        loop {
            match d.next_op() {
                Ok(Some(ServerOp::Msg(m))) => assert!(m.payload.len() <= max_payload),
                Ok(Some(_)) => {}
                Ok(None) => break,
                Err(_) => return,
            }
        }
        assert!(
            d.buffered() <= MAX_INFO_LINE + max_payload + 2,
            "buffered {} with max_payload {max_payload}",
            d.buffered()
        );
    }
});
