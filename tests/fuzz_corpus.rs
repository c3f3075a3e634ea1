//! Replays the committed `cargo fuzz` corpora (fuzz/corpus/decoder, fuzz/corpus/headers,
//! fuzz/corpus/ack_subject) natively on every `cargo test`: no input may panic, buffering stays
//! bounded, decodable header blocks round-trip, and parsed ack subjects hold their tokens. The decoder inputs are replayed the way the fuzz target feeds them (chunk sizes from the
//! input's first bytes) and also whole, byte by byte, and through the client state machine's bounds.

use std::fs;
use std::path::PathBuf;

use nats_kv_wasm::jetstream::AckInfo;
use nats_kv_wasm::proto::{Decoder, Headers, ServerOp, MAX_INFO_LINE};

fn corpus(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut files: Vec<(String, Vec<u8>)> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.expect("corpus entry").path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, fs::read(&path).expect("corpus file"))
        })
        .collect();
    files.sort();
    files
}

/// Feeds `stream` in chunks of the given sizes (cycled), draining ops after every chunk.
fn replay(max_payload: usize, sizes: &[usize], stream: &[u8], name: &str) -> usize {
    let mut d = Decoder::new(max_payload);
    let mut rest = stream;
    let mut ops = 0;
    let mut i = 0;
    while !rest.is_empty() {
        let n = sizes[i % sizes.len()].clamp(1, rest.len());
        i += 1;
        let (chunk, tail) = rest.split_at(n);
        rest = tail;
        d.push(chunk);
        loop {
            match d.next_op() {
                Ok(Some(ServerOp::Msg(m))) => {
                    assert!(
                        m.payload.len() <= max_payload,
                        "{name}: payload over max_payload"
                    );
                    ops += 1;
                }
                Ok(Some(_)) => ops += 1,
                Ok(None) => break,
                Err(_) => {
                    // Errors are sticky: the decoder keeps failing rather than resyncing on garbage.
                    assert!(d.next_op().is_err(), "{name}: error not sticky");
                    return ops;
                }
            }
        }
        assert!(
            d.buffered() <= MAX_INFO_LINE + max_payload + 2,
            "{name}: buffered {} with max_payload {max_payload}",
            d.buffered()
        );
    }
    ops
}

#[test]
fn decoder_corpus_never_panics_and_stays_bounded() {
    let files = corpus("decoder");
    assert!(
        files.len() >= 20,
        "the decoder corpus is missing ({} files)",
        files.len()
    );
    let mut total_ops = 0;
    for (name, data) in &files {
        // As the fuzz target: byte 0 picks max_payload, bytes 1..9 the chunk sizes.
        if let [m, rest @ ..] = &data[..] {
            if rest.len() >= 8 {
                let max_payload = [0, 1, 16, 64, 1024, 1 << 20][usize::from(*m) % 6];
                let sizes: Vec<usize> = rest[..8].iter().map(|&s| usize::from(s) + 1).collect();
                total_ops += replay(max_payload, &sizes, &rest[8..], name);
            }
        }
        // The raw bytes as one chunk, and byte by byte, with the default max_payload.
        let whole = replay(1 << 20, &[data.len().max(1)], data, name);
        let bytewise = replay(1 << 20, &[1], data, name);
        assert_eq!(whole, bytewise, "{name}: chunking changed the ops decoded");
        total_ops += whole;
    }
    assert!(total_ops > 0, "the corpus decodes no op at all");
}

#[test]
fn headers_corpus_never_panics_and_round_trips() {
    let files = corpus("headers");
    assert!(
        files.len() >= 10,
        "the headers corpus is missing ({} files)",
        files.len()
    );
    let mut decoded = 0;
    for (name, data) in &files {
        if let Ok(h) = Headers::decode(data) {
            decoded += 1;
            let mut block = Vec::new();
            h.encode(&mut block);
            assert_eq!(block.len(), h.encoded_len(), "{name}");
            let again = Headers::decode(&block).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(again, h, "{name}");
        }
    }
    assert!(decoded > 0, "no corpus header block decodes");
}

#[test]
fn ack_subject_corpus_never_panics_and_parses_both_forms() {
    let files = corpus("ack_subject");
    assert!(
        files.len() >= 10,
        "the ack subject corpus is missing ({} files)",
        files.len()
    );
    let (mut v1, mut v2) = (0, 0);
    for (name, data) in &files {
        let Ok(text) = std::str::from_utf8(data) else {
            continue;
        };
        let Some(info) = AckInfo::parse(text) else {
            continue;
        };
        // As the fuzz target: only 9 or ≥ 11 tokens parse, and the fields are the tokens.
        let tokens: Vec<&str> = text.split('.').collect();
        let rest = match tokens.len() {
            9 => {
                v1 += 1;
                &tokens[2..]
            }
            n if n >= 11 => {
                v2 += 1;
                &tokens[4..]
            }
            n => panic!("{name}: {n} tokens parsed"),
        };
        assert_eq!(
            (rest[0], rest[1]),
            (&*info.stream, &*info.consumer),
            "{name}"
        );
        let nums = [
            info.delivered,
            info.stream_seq,
            info.consumer_seq,
            info.timestamp_ns,
            info.pending,
        ];
        for (i, n) in nums.iter().enumerate() {
            assert_eq!(rest[2 + i].parse::<u64>().ok(), Some(*n), "{name}");
        }
    }
    assert!(
        v1 > 0 && v2 > 0,
        "the corpus parses both forms ({v1}, {v2})"
    );
}
