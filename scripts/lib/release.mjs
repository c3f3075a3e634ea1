// The release build's wasm-opt flags (README "Size"), shared by scripts/build.mjs and scripts/size-report.mjs.

/**
 * wasm-opt after wasm-bindgen (size-report.mjs adds -g), repeated while it still shrinks (--converge).
 * -Os rather than -Oz, and no inlining of functions that have a single caller
 * (--one-caller-inline-max-function-size 0): more raw bytes, fewer gzip bytes; functions ordered by name,
 * so that similar code sits together for gzip; --low-memory-unused folds more constant offsets into loads and stores (Rust's stack grows down toward
 * address 0 from 1 MiB: only an overflow reaches the first 1 KiB). The producers/target_features custom
 * sections are informational only (tools, not browsers, read them).
 */
export const WASM_OPT_FLAGS = [
  "-Os", "--converge", "--one-caller-inline-max-function-size", "0", "--reorder-functions-by-name", "--low-memory-unused",
  "--strip-producers", "--strip-target-features", "--enable-bulk-memory", "--enable-nontrapping-float-to-int", "--enable-sign-ext",
  "--enable-mutable-globals", "--enable-reference-types", "--enable-multivalue",
];
