//! Arbitrary reply subjects: parsing never panics, and whatever parses is a `$JS.ACK` subject of 9 or
//! at least 11 tokens whose numbers print back to the tokens they came from.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nats_kv_wasm::jetstream::AckInfo;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(info) = AckInfo::parse(text) {
        let tokens: Vec<&str> = text.split('.').collect();
        assert!(tokens.len() == 9 || tokens.len() >= 11);
        let rest = if tokens.len() == 9 { &tokens[2..] } else { &tokens[4..] };
        assert_eq!(rest[0], info.stream);
        assert_eq!(rest[1], info.consumer);
        let nums = [info.delivered, info.stream_seq, info.consumer_seq, info.timestamp_ns, info.pending];
        for (i, n) in nums.iter().enumerate() {
            assert_eq!(rest[2 + i].parse::<u64>().ok(), Some(*n));
        }
    }
});
