// Builds the npm package into pkg/ (`buildWasm`: wasm-pack, target web; for a release the pinned nightly,
// wasm-opt from npm binaryen and short wasm names) and prints the shipped size (.wasm + JS, gzip -9).
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { RELEASE_CARGO_ARGS, RELEASE_RUSTFLAGS, RELEASE_TOOLCHAIN, WASM_OPT_FLAGS } from "./lib/release.mjs";
import { minifyNames } from "./lib/minify-names.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
process.chdir(ROOT);
const run = (cmd, args, env = {}) => execFileSync(cmd, args, { stdio: "inherit", env: { ...process.env, ...env } });

const profile = process.argv.includes("--dev") ? "--dev" : "--release";
const wasm = "pkg/nats_kv_wasm_bg.wasm";
buildWasm(profile);

/**
 * The crate → pkg/ (wasm-bindgen glue, target web). Release: wasm-pack on the pinned nightly
 * (scripts/lib/release.mjs: std rebuilt for size), the size guard, wasm-opt, then short import/export
 * names in the .wasm and its glue. Dev: wasm-pack on the default (stable) toolchain, nothing after.
 */
function buildWasm(profile) {
  if (profile === "--dev") {
    run("wasm-pack", ["build", profile, "--target", "web", "--out-dir", "pkg", "--no-pack"]);
    return;
  }
  // No fallback to another toolchain: what ships is built by the pinned one or not at all.
  try {
    execFileSync("rustup", ["run", RELEASE_TOOLCHAIN, "rustc", "--version"], { stdio: "ignore" });
  } catch {
    throw new Error(`the release toolchain ${RELEASE_TOOLCHAIN} is not installed: run \`bash scripts/setup.sh\``);
  }
  run("wasm-pack", ["build", profile, "--target", "web", "--out-dir", "pkg", "--no-pack", ".", "--", ...RELEASE_CARGO_ARGS], {
    RUSTUP_TOOLCHAIN: RELEASE_TOOLCHAIN,
    RUSTFLAGS: RELEASE_RUSTFLAGS,
  });
  // Parts of core that this crate avoids on purpose (README "Size"): each came back once through one
  // innocent-looking line. The linked names are still in cargo's output before wasm-opt strips them (the
  // nightly's v0 mangling spells them out as the legacy one did).
  const linked = readFileSync(join(ROOT, "target/wasm32-unknown-unknown/release/nats_kv_wasm.wasm"), "latin1");
  for (const [mark, what, instead] of [
    ["float_to_decimal_common", "core's float printer (a `{}` of an f64)", "proto::num::f64_text"],
    ["dec2flt", "core's float parser (`str::parse::<f64>`)", "proto::num::parse_f64"],
    ["TwoWaySearcher", "core's substring searcher (`str::contains(&str)`, `find`, `split(&str)`)", "proto::contains"],
    ["5btree", "a BTreeMap/BTreeSet", "a Vec or a HashMap"],
  ]) {
    if (linked.includes(mark)) console.warn(`size guard: the .wasm links ${what}; use ${instead}`);
  }
  run(join(ROOT, "node_modules/.bin/wasm-opt"), [...WASM_OPT_FLAGS, wasm, "-o", wasm]);
  minifyNames(wasm, "pkg/nats_kv_wasm.js");
}

// The generated glue carries every Rust doc comment as JSDoc, plus wasm-bindgen's own comments: about
// 1.5 KB of its gzip. The public types are js/index.d.ts (pkg/nats_kv_wasm.d.ts keeps its comments),
// so the shipped glue drops its comment blocks and whole-line comments; no code changes.
const glue = "pkg/nats_kv_wasm.js";
const stripped = readFileSync(glue, "utf8")
  .replace(/^[ \t]*\/\*\*[\s\S]*?\*\/[ \t]*\n/gm, "")
  .replace(/^[ \t]*\/\/.*\n/gm, "");
writeFileSync(glue, stripped);
const gz = (f) => gzipSync(readFileSync(f), { level: 9 }).length;
const files = [wasm, "pkg/nats_kv_wasm.js", ...readdirSync("js").filter((f) => f.endsWith(".js")).map((f) => `js/${f}`)];
let total = 0;
for (const f of files) {
  const g = gz(f);
  total += g;
  console.log(`${f}: ${statSync(f).size} B, ${g} B gzip`);
}
console.log(`shipped (.wasm + JS, gzip -9): ${(total / 1024).toFixed(1)} KB`);
// PERF.md P9 counts the JS minified (as an app's bundler would ship it): the same files through
// esbuild --minify, measured only (the package ships them readable).
try {
  const { transformSync } = await import("esbuild");
  let min = gz(wasm);
  for (const f of files.slice(1)) {
    min += gzipSync(transformSync(readFileSync(f, "utf8"), { minify: true, format: "esm" }).code, { level: 9 }).length;
  }
  console.log(`shipped with the JS minified (P9): ${(min / 1024).toFixed(1)} KB`);
} catch {
  // esbuild is a devDependency; without it there is no P9 figure.
}
