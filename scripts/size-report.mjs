// What the shipped .wasm is made of, by crate/module (optional; not part of `npm test`).
//
// Reproduces the shipped binary with its names kept: the release wasm that `node scripts/build.mjs` left in
// target/ goes through the same wasm-bindgen, wasm-opt (flags from scripts/lib/release.mjs) and short-names
// steps, plus `--keep-debug` / `-g` so the function names survive. twiggy (cargo install twiggy) then
// attributes every function and data segment; the name section itself is left out, so the total matches
// pkg/nats_kv_wasm_bg.wasm to within a few bytes.
//
//   node scripts/size-report.mjs            grouped table
//   node scripts/size-report.mjs --top 40   also the 40 largest items
//
// Sizes are raw bytes. gzip -9 compresses this code about 2.3:1 overall; code compresses less than
// strings, so read a group's share of the raw size as roughly its share of the gzip size.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { WASM_OPT_FLAGS } from "./lib/release.mjs";
import { minifyNames } from "./lib/minify-names.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const input = join(ROOT, "target/wasm32-unknown-unknown/release/nats_kv_wasm.wasm");
const PRIMITIVE = /^(&|&mut |\*const |\*mut )*(\[|\(|str$|bool$|char$|[iuf](8|16|32|64|128|size)$|dyn )/;
const topArg = process.argv.indexOf("--top");
const top = topArg > 0 ? Number(process.argv[topArg + 1]) : 0;

const have = (cmd) => {
  try {
    execFileSync(cmd, ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
};
if (!existsSync(input)) {
  console.error(`${input} is missing: run \`node scripts/build.mjs\` first`);
  process.exit(1);
}
for (const tool of ["twiggy", "wasm-bindgen"]) {
  if (!have(tool)) {
    console.error(`${tool} not found (cargo install ${tool}); no size report`);
    process.exit(0);
  }
}

const dir = mkdtempSync(join(tmpdir(), "size-report-"));
try {
  execFileSync("wasm-bindgen", ["--target", "web", "--keep-debug", "--out-dir", dir, input], { stdio: "inherit" });
  const named = join(dir, "named.wasm");
  execFileSync(join(ROOT, "node_modules/.bin/wasm-opt"), ["-g", ...WASM_OPT_FLAGS, join(dir, "nats_kv_wasm_bg.wasm"), "-o", named], {
    stdio: "inherit",
  });
  minifyNames(named);
  const items = JSON.parse(execFileSync("twiggy", ["top", "-n", "1000000", "-f", "json", named], {
    maxBuffer: 1 << 28,
  }).toString());
  report(items);
  const shipped = join(ROOT, "pkg/nats_kv_wasm_bg.wasm");
  if (existsSync(shipped)) {
    const b = readFileSync(shipped);
    console.log(`\npkg/nats_kv_wasm_bg.wasm: ${kb(b.length)} KB raw, ${kb(gzipSync(b, { level: 9 }).length)} KB gzip -9`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

function kb(n) {
  return (n / 1024).toFixed(1);
}

// Splits a Rust path at top-level `::` (not inside <...>).
function segments(path) {
  const out = [];
  let depth = 0;
  let cur = "";
  for (let i = 0; i < path.length; i++) {
    const c = path[i];
    if (c === "<") depth++;
    if (c === ">" && path[i - 1] !== "-") depth--;
    if (depth === 0 && c === ":" && path[i + 1] === ":") {
      out.push(cur);
      cur = "";
      i++;
      continue;
    }
    cur += c;
  }
  out.push(cur);
  return out;
}

// The crate/module an item is charged to.
function group(raw) {
  if (/^data segment/.test(raw)) return ".rodata/.data (strings, tables, panic locations)";
  if (/ shim$/.test(raw)) return "exports: wasm-bindgen shims with the export's inlined body";
  if (/^(import|export) /.test(raw) || /^__wbg_|^__wbindgen|^__externref/.test(raw)) {
    return "wasm-bindgen imports/exports (names, externref table)";
  }
  if (/^code\[\d+\]$|^elem\[|^table\[|^type\[|^global\[|^memory\[|^wasm magic|^custom section|subsection/.test(raw)) {
    return "wasm structure (types, tables, unnamed shims)";
  }
  let name = raw.replace(/\[[0-9a-f]{16}\]/g, "").replace(/::h[0-9a-f]{16}$/, "");
  // `<T as Trait>::f` is charged to T, or to Trait when T is a primitive/slice/reference.
  for (;;) {
    const m = /^<(.*)>(::.*)?$/.exec(name);
    if (!m) break;
    const inner = m[1];
    let depth = 0;
    let asAt = -1;
    for (let i = 0; i < inner.length; i++) {
      if (inner[i] === "<") depth++;
      else if (inner[i] === ">") depth--;
      else if (depth === 0 && inner.startsWith(" as ", i)) {
        asAt = i;
        break;
      }
    }
    if (asAt < 0) name = inner;
    else {
      const ty = inner.slice(0, asAt);
      name = PRIMITIVE.test(ty) || !ty.includes("::") ? inner.slice(asAt + 4) : ty;
    }
    name = name.replace(/^(&mut |&|dyn )+/, "");
  }
  const segs = segments(name).filter((s) => !s.startsWith("<impl") && !s.startsWith("{{"));
  if (segs[0] === "js_sys" && segs[1] === "futures" && segs[2] === "future_to_promise") {
    return "js_sys::futures::future_to_promise (async export bodies inlined)";
  }
  if (segs.length === 1 && PRIMITIVE.test(segs[0])) return `core::${segs[0]}`;
  if (segs.length === 1) return /^(mem|__|dl|rust_)/.test(segs[0]) ? "compiler-builtins/libc (memcpy, __multi3…)" : segs[0];
  const crate = segs[0];
  const mod = segs[1].replace(/<.*$/, "");
  // Types at a crate's root (e.g. dlmalloc::Dlmalloc) are charged to the crate.
  return /^[A-Z]/.test(mod) ? crate : `${crate}::${mod}`;
}

function report(items) {
  const names = items.filter((i) => /"(function|data|local) names" subsection|custom section 'producers'|custom section 'target_features'/.test(i.name));
  const shipped = items.filter((i) => !names.includes(i) && !/^Σ|^\.\.\. and/.test(i.name));
  const total = shipped.reduce((s, i) => s + i.shallow_size, 0);
  const groups = new Map();
  for (const i of shipped) {
    const g = group(i.name);
    const e = groups.get(g) ?? { bytes: 0, n: 0 };
    e.bytes += i.shallow_size;
    e.n += 1;
    groups.set(g, e);
  }
  const rows = [...groups.entries()].sort((a, b) => b[1].bytes - a[1].bytes);
  // Coarse summary: whose code it is.
  const coarse = new Map();
  for (const [g, e] of rows) {
    const c = g.startsWith("nats_kv_wasm::") || g.startsWith("exports:") || /^wasm(connection|kv|kvm|watcher)_/.test(g)
      ? "this crate (exports' shims hold their inlined bodies)"
      : g.startsWith(".rodata") ? "data (strings: error messages, JSON keys; tables; panic locations)"
      : /^(core|alloc|std|compiler-builtins|__rustc)/.test(g) || g.startsWith("__") ? "Rust std/core/alloc (generics, fmt, str, drop glue)"
      : /^(wasm_bindgen|js_sys|wasm-bindgen|wasm structure)/.test(g) ? "wasm-bindgen/js-sys (imports, glue, futures)"
      : /^(talc|dlmalloc|lock_api)/.test(g) ? "allocator"
      : "other crates (hashbrown, nom, memchr)";
    coarse.set(c, (coarse.get(c) ?? 0) + e.bytes);
  }
  console.log(`\nthe shipped .wasm (after wasm-bindgen + wasm-opt; raw bytes, name sections excluded)`);
  console.log(`\nsummary (raw KB, % of the .wasm):\n`);
  for (const [c, b] of [...coarse.entries()].sort((a, b) => b[1] - a[1])) {
    console.log(`${kb(b).padStart(7)} ${(100 * b / total).toFixed(1).padStart(5)}  ${c}`);
  }
  console.log(`\nNote: LLVM and wasm-opt inline single-use callees, so a caller is charged for them (e.g.
api::connection::connect holds option parsing and WebClient::connect; web::driver::Driver::open's
closure holds the connection's byte handling and the decoder).`);
  console.log(`\nby crate/module:\n`);
  console.log(`${"KB".padStart(7)} ${"%".padStart(5)} ${"items".padStart(5)}  group`);
  for (const [g, e] of rows) {
    if (e.bytes < 256) continue;
    console.log(`${kb(e.bytes).padStart(7)} ${(100 * e.bytes / total).toFixed(1).padStart(5)} ${String(e.n).padStart(5)}  ${g}`);
  }
  const small = rows.filter(([, e]) => e.bytes < 256).reduce((s, [, e]) => s + e.bytes, 0);
  console.log(`${kb(small).padStart(7)} ${(100 * small / total).toFixed(1).padStart(5)}        (groups under 256 B)`);
  console.log(`${kb(total).padStart(7)} 100.0        total`);
  if (top > 0) {
    console.log(`\nlargest ${top} items:`);
    for (const i of shipped.sort((a, b) => b.shallow_size - a.shallow_size).slice(0, top)) {
      console.log(`${String(i.shallow_size).padStart(7)}  ${i.name.replace(/\[[0-9a-f]{16}\]/g, "").slice(0, 140)}`);
    }
  }
}
