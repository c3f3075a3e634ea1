// Builds the npm package per feature set (full into pkg/, core + Key/Value into pkg-kv/): `buildWasm` —
// wasm-pack, target web; for a release the pinned nightly, wasm-opt from npm binaryen and short wasm
// names — then prints the shipped size of each (.wasm + JS, gzip -9).
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

// One build per feature set (Cargo.toml [features]): the full package into pkg/ (js/index.js) and core +
// Key/Value into pkg-kv/ (js/index-kv.js). Each has its own cargo target dir, so neither rebuild
// invalidates the other's cache.
// `--only full|kv` builds one of them; `--only jetstream` builds core + Key/Value + JetStream without the
// Object Store into pkg-js/ (no entry ships it: it measures what each feature adds, README "Size").
const only = process.argv.includes("--only") ? process.argv[process.argv.indexOf("--only") + 1] : null;
const BUILDS = [
  { name: "full", features: [], outDir: "pkg", targetDir: "target" },
  { name: "kv", features: ["--no-default-features"], outDir: "pkg-kv", targetDir: "target/kv" },
  { name: "jetstream", features: ["--no-default-features", "--features", "jetstream"], outDir: "pkg-js", targetDir: "target/js", measureOnly: true },
].filter((b) => (only === null && !b.measureOnly) || b.name === only);
if (BUILDS.length === 0) throw new Error(`--only: no feature set named ${only}`);

/**
 * The crate with `features` (cargo flags) → `outDir` (wasm-bindgen glue, target web). Release: wasm-pack
 * on the pinned nightly (scripts/lib/release.mjs: std rebuilt for size), the size guard, wasm-opt, then
 * short import/export names in the .wasm and its glue. Dev: wasm-pack on the default (stable)
 * toolchain, nothing after but the glue's comments stripped.
 */
function buildWasm({ features, outDir, targetDir }) {
  const wasm = `${outDir}/nats_kv_wasm_bg.wasm`;
  const glue = `${outDir}/nats_kv_wasm.js`;
  const env = { CARGO_TARGET_DIR: join(ROOT, targetDir) };
  if (profile === "--dev") {
    run("wasm-pack", ["build", profile, "--target", "web", "--out-dir", outDir, "--no-pack", ".", "--", ...features], env);
    stripComments(glue);
    return;
  }
  // No fallback to another toolchain: what ships is built by the pinned one or not at all.
  try {
    execFileSync("rustup", ["run", RELEASE_TOOLCHAIN, "rustc", "--version"], { stdio: "ignore" });
  } catch {
    throw new Error(`the release toolchain ${RELEASE_TOOLCHAIN} is not installed: run \`bash scripts/setup.sh\``);
  }
  run("wasm-pack", ["build", profile, "--target", "web", "--out-dir", outDir, "--no-pack", ".", "--", ...RELEASE_CARGO_ARGS, ...features], {
    ...env,
    RUSTUP_TOOLCHAIN: RELEASE_TOOLCHAIN,
    RUSTFLAGS: RELEASE_RUSTFLAGS,
  });
  stripComments(glue);
  // Parts of core that this crate avoids on purpose (README "Size"): each came back once through one
  // innocent-looking line. The linked names are still in cargo's output before wasm-opt strips them (the
  // nightly's v0 mangling spells them out as the legacy one did).
  const linked = readFileSync(join(ROOT, targetDir, "wasm32-unknown-unknown/release/nats_kv_wasm.wasm"), "latin1");
  for (const [mark, what, instead] of [
    ["float_to_decimal_common", "core's float printer (a `{}` of an f64)", "proto::num::f64_text"],
    ["dec2flt", "core's float parser (`str::parse::<f64>`)", "proto::num::parse_f64"],
    ["TwoWaySearcher", "core's substring searcher (`str::contains(&str)`, `find`, `split(&str)`)", "proto::contains"],
    ["5btree", "a BTreeMap/BTreeSet", "a Vec or a HashMap"],
  ]) {
    if (linked.includes(mark)) console.warn(`size guard: the .wasm links ${what}; use ${instead}`);
  }
  run(join(ROOT, "node_modules/.bin/wasm-opt"), [...WASM_OPT_FLAGS, wasm, "-o", wasm]);
  minifyNames(wasm, glue);
}

/**
 * The generated glue carries every Rust doc comment as JSDoc, plus wasm-bindgen's own comments: about
 * 1.5 KB of its gzip. The public types are js/index.d.ts (pkg/nats_kv_wasm.d.ts keeps its comments), so
 * the shipped glue drops its comment blocks and whole-line comments; no code changes.
 */
function stripComments(glue) {
  const stripped = readFileSync(glue, "utf8")
    .replace(/^[ \t]*\/\*\*[\s\S]*?\*\/[ \t]*\n/gm, "")
    .replace(/^[ \t]*\/\/.*\n/gm, "");
  writeFileSync(glue, stripped);
}

for (const b of BUILDS) {
  const t0 = Date.now();
  buildWasm(b);
  console.log(`build ${b.name} (${b.outDir}/): ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

const gz = (f) => gzipSync(readFileSync(f), { level: 9 }).length;
const JS = readdirSync("js").filter((f) => f.endsWith(".js")).map((f) => `js/${f}`);
// The JS each entry ships: js/index-kv.js's imports (no JetStream client, consumers or Object Store).
const KV_JS = ["js/index-kv.js", "js/nats.js", "js/wasm.js", "js/kv.js", "js/errors.js", "js/headers.js", "js/queue.js", "js/guard.js", "js/batch.js", "js/context.js", "js/load.js"];
const minify = await import("esbuild").then((m) => m.transformSync, () => null);
for (const { name, outDir } of BUILDS) {
  const wasm = `${outDir}/nats_kv_wasm_bg.wasm`;
  const files = [wasm, `${outDir}/nats_kv_wasm.js`, ...(name === "kv" ? KV_JS : JS.filter((f) => f !== "js/index-kv.js"))];
  let total = 0;
  console.log(`${name}:`);
  for (const f of files) {
    const g = gz(f);
    total += g;
    console.log(`  ${f}: ${statSync(f).size} B, ${g} B gzip`);
  }
  console.log(`${name}: shipped (.wasm + JS, gzip -9): ${(total / 1024).toFixed(1)} KB`);
  // PERF.md P9 counts the JS minified (as an app's bundler would ship it): the same files through
  // esbuild --minify, measured only (the package ships them readable). esbuild is a devDependency;
  // without it there is no P9 figure.
  if (minify) {
    let min = gz(wasm);
    for (const f of files.slice(1)) {
      min += gzipSync(minify(readFileSync(f, "utf8"), { minify: true, format: "esm" }).code, { level: 9 }).length;
    }
    console.log(`${name}: shipped with the JS minified (P9): ${(min / 1024).toFixed(1)} KB`);
  }
}
