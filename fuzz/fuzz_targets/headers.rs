//! Arbitrary header blocks: decoding never panics, and whatever decodes re-encodes to a block that
//! decodes to the same headers.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nats_kv_wasm::proto::Headers;

fuzz_target!(|data: &[u8]| {
    if let Ok(h) = Headers::decode(data) {
        let mut block = Vec::new();
        h.encode(&mut block);
        assert_eq!(block.len(), h.encoded_len());
        let again = Headers::decode(&block).expect("re-encoded headers decode");
        assert_eq!(again, h);
    }
});
