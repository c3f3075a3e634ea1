//! Native throughput of the streaming decoder (no browser, no network).
//!
//! `cargo run --release --example decoder_bench` prints MB/s and ns per op for streams of `MSG` and
//! `HMSG` with 16 B, 128 B and 1 KiB payloads, fed in 16 KiB chunks (like WebSocket frames).

use std::hint::black_box;
use std::time::Instant;

use nats_kv_wasm::proto::{Decoder, ServerOp};

fn stream(n: usize, size: usize, headers: bool) -> Vec<u8> {
    let payload = vec![b'x'; size];
    let mut out = Vec::new();
    let hdr = b"NATS/1.0\r\nKV-Operation: PUT\r\n\r\n";
    for i in 0..n {
        if headers {
            out.extend_from_slice(
                format!(
                    "HMSG bench.subject.{} 1 _INBOX.reply {} {}\r\n",
                    i % 10,
                    hdr.len(),
                    hdr.len() + size
                )
                .as_bytes(),
            );
            out.extend_from_slice(hdr);
        } else {
            out.extend_from_slice(
                format!("MSG bench.subject.{} 1 {}\r\n", i % 10, size).as_bytes(),
            );
        }
        out.extend_from_slice(&payload);
        out.extend_from_slice(b"\r\n");
    }
    out
}

fn run(label: &str, size: usize, headers: bool) {
    let n = if size >= 1024 { 50_000 } else { 200_000 };
    let bytes = stream(n, size, headers);
    let mut best = f64::MAX;
    for _ in 0..5 {
        let mut d = Decoder::new(8 * 1024 * 1024);
        let t = Instant::now();
        let mut count = 0usize;
        for chunk in bytes.chunks(16 * 1024) {
            d.push(chunk);
            while let Some(op) = d.next_op().expect("decode") {
                if let ServerOp::Msg(m) = op {
                    black_box(&m);
                    count += 1;
                }
            }
        }
        let secs = t.elapsed().as_secs_f64();
        assert_eq!(count, n);
        best = best.min(secs);
    }
    println!(
        "{label:<12} {size:>5} B  {:>8.1} MB/s  {:>7.1} ns/op  {:>6.2} M msg/s",
        bytes.len() as f64 / best / 1e6,
        best * 1e9 / n as f64,
        n as f64 / best / 1e6
    );
}

fn main() {
    println!("decoder: best of 5, 16 KiB chunks");
    for &size in &[16, 128, 1024] {
        run("MSG", size, false);
    }
    for &size in &[16, 128, 1024] {
        run("HMSG", size, true);
    }
}
