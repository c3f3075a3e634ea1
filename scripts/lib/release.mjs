// The release build's toolchain and flags (README "Size"), shared by scripts/build.mjs and
// scripts/size-report.mjs. scripts/setup.sh installs the toolchain named in scripts/release-toolchain.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The pinned nightly of the release .wasm (by date; setup.sh installs it with rust-src and wasm32). */
export const RELEASE_TOOLCHAIN = readFileSync(
  join(dirname(fileURLToPath(import.meta.url)), "../release-toolchain"),
  "utf8",
).trim();

/**
 * std rebuilt with the crate (its own LTO, opt-level "z"), tuned for size; panics abort without
 * file:line:col locations (the panic hook still runs: panic containment); a derived `Debug` prints only
 * the type or variant name (hand-written ones such as `str`'s, which quote the error messages' values,
 * are unchanged); WebAssembly SIMD (every target browser has it).
 */
export const RELEASE_RUSTFLAGS = "-Cpanic=abort -Zlocation-detail=none -Zfmt-debug=shallow -Ctarget-feature=+simd128";
export const RELEASE_CARGO_ARGS = ["-Zbuild-std=std,panic_abort", "-Zbuild-std-features=optimize_for_size"];

/**
 * wasm-opt after wasm-bindgen (size-report.mjs adds -g), repeated while it still shrinks (--converge).
 * -Os rather than -Oz, and no inlining of functions that have a single caller
 * (--one-caller-inline-max-function-size 0): more raw bytes, fewer gzip bytes; functions ordered by
 * name, so that similar code sits together for gzip; --low-memory-unused folds more constant offsets
 * into loads and stores (Rust's stack grows down toward address 0 from 1 MiB: only an overflow reaches
 * the first 1 KiB). The producers/target_features custom sections are informational only (tools, not
 * browsers, read them).
 */
export const WASM_OPT_FLAGS = [
  "-Os", "--converge", "--one-caller-inline-max-function-size", "0", "--reorder-functions-by-name", "--low-memory-unused",
  "--strip-producers", "--strip-target-features", "--enable-bulk-memory", "--enable-nontrapping-float-to-int", "--enable-sign-ext",
  "--enable-mutable-globals", "--enable-reference-types", "--enable-multivalue", "--enable-simd",
];
