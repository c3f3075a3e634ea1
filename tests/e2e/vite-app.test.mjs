// The package as users get it: `npm pack`, installed into a tiny Vite app, built with `vite build`,
// served by `vite preview` on 127.0.0.1 and opened in Chromium, where it watches a key that the test
// changes from another connection; then the same app under the Vite dev server. Prints the shipped
// size of the built app (.wasm + JS, gzip).
//
// Vite comes from the project's node_modules when it is a devDependency, else from $VITE_DEPS (a folder
// whose node_modules holds vite), else it is installed once per run from the npm registry into a temp
// folder; when none of these works (offline), the build tests are skipped with the reason.
// engines: chromium — the Vite dev server and build, checked through Playwright response events and locators
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import { launchBrowser, startStack, modulePage, ROOT, ARTIFACTS } from "./helpers.mjs";
import { freePort } from "../../scripts/lib/nats-server.mjs";

const VITE_VERSION = "7.3.8";
let stack, browser, writer, dir, tarball, packed, vite, viteWhy;
const children = [];

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: "utf8", timeout: 240000, ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** The vite package folder: the project's devDependency, $VITE_DEPS, or a fresh install. */
function findVite() {
  try { return dirname(createRequire(join(ROOT, "package.json")).resolve("vite/package.json")); } catch { /* not a devDependency */ }
  if (process.env.VITE_DEPS) {
    const d = join(process.env.VITE_DEPS, "node_modules/vite");
    if (existsSync(join(d, "package.json"))) return d;
  }
  const deps = join(dir, "vite-deps");
  mkdirSync(deps);
  writeFileSync(join(deps, "package.json"), JSON.stringify({ name: "vite-deps", private: true }));
  const r = spawnSync("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", `vite@${VITE_VERSION}`],
    { cwd: deps, encoding: "utf8", timeout: 240000 });
  if (r.status !== 0) {
    const code = (r.stderr || "").match(/npm error (?:code|errno) (\S+)/)?.[1] ?? `exit ${r.status}`;
    viteWhy = `vite@${VITE_VERSION} is not a devDependency and could not be installed from the registry (${code})`;
    return null;
  }
  return join(deps, "node_modules/vite");
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "nats-kv-wasm-vite-"));
  assert.ok(existsSync(join(ROOT, "pkg/nats_kv_wasm_bg.wasm")), "pkg/ is missing: run node scripts/build.mjs first");
  const out = run("npm", ["pack", "--json", "--pack-destination", dir], { cwd: ROOT });
  packed = JSON.parse(out.slice(out.indexOf("[")))[0];
  tarball = join(dir, packed.filename);
  vite = findVite();
  stack = await startStack();
  browser = await launchBrowser();
  writer = await modulePage(browser, stack.web);
  await writer.evaluate(async (url) => { window.nc = await nats.connect({ servers: url }); }, stack.server.wsUrl);
});
after(async () => {
  for (const child of children) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await exited;
  }
  await browser?.close();
  await stack?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test("npm pack ships the wasm, the JS module and the .d.ts (full and KV entries), and nothing else", () => {
  const files = packed.files.map((f) => f.path).sort();
  for (const f of ["package.json", "js/index.js", "js/kv.js", "js/errors.js", "js/index.d.ts", "pkg/nats_kv_wasm.js", "pkg/nats_kv_wasm_bg.wasm", "pkg/nats_kv_wasm.d.ts", "js/index-kv.js", "js/index-kv.d.ts", "pkg-kv/nats_kv_wasm.js", "pkg-kv/nats_kv_wasm_bg.wasm"]) {
    assert.ok(files.includes(f), `${f} in the tarball: ${files.join(", ")}`);
  }
  const stray = files.filter((f) => !/^(js\/|pkg(-kv)?\/|package\.json$|README\.md$|LICENSE)/.test(f));
  assert.deepEqual(stray, [], "only js/, pkg/, pkg-kv/, package.json, README");
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
  assert.equal(pkg.exports["."].default, "./js/index.js");
  assert.equal(pkg.exports["."].types, "./js/index.d.ts");
  assert.equal(pkg.exports["./kv"].default, "./js/index-kv.js");
  assert.equal(pkg.exports["./kv"].types, "./js/index-kv.d.ts");
  console.log(`# ${packed.filename}: ${packed.files.length} files, ${(packed.size / 1024).toFixed(1)} KB packed, ${(packed.unpackedSize / 1024).toFixed(1)} KB unpacked`);
});

/** Writes the app: index.html and main.js that watch one key named in the address. */
function writeApp(app) {
  mkdirSync(app);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "kv-vite-app", private: true, type: "module" }, null, 2));
  // Vite's dev server pre-bundles dependencies, which breaks wasm-bindgen's
  // `new URL("nats_kv_wasm_bg.wasm", import.meta.url)`: the package is excluded from it (README).
  writeFileSync(join(app, "vite.config.js"), `export default { optimizeDeps: { exclude: ["nats-kv-wasm"] } };\n`);
  writeFileSync(join(app, "index.html"), `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>kv watch</title></head>
<body><p id="state">starting</p><pre id="value"></pre><script type="module" src="/main.js"></script></body></html>
`);
  writeFileSync(join(app, "main.js"), `import { connect, Kvm, KvWatchInclude } from "nats-kv-wasm";

const q = new URLSearchParams(location.search);
const $ = (id) => document.getElementById(id);
async function main() {
  const nc = await connect({ servers: q.get("server") });
  const kv = await new Kvm(nc).create(q.get("bucket"));
  await kv.watch({
    key: q.get("key"),
    include: KvWatchInclude.LastValue,
    callback: (e) => { $("value").textContent = e.operation === "PUT" ? e.string() : ""; $("value").dataset.revision = e.revision; },
    onInitialized: () => { $("state").textContent = "watching"; },
  });
}
main().catch((e) => { $("state").textContent = "error: " + (e.code || "") + " " + e.message; });
`);
}

/** Starts `vite <args>` on a free port of 127.0.0.1; resolves to its URL once it listens. */
async function serve(app, args) {
  const port = await freePort();
  const child = spawn(process.execPath, [join(vite, "bin/vite.js"), ...args, "--host", "127.0.0.1", "--port", String(port), "--strictPort"],
    // No colours: with CI set, Vite colours the URL and the escape codes split "host:port".
    { cwd: app, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" } });
  children.push(child);
  let log = "";
  const plain = () => log.replace(/\x1b\[[0-9;]*m/g, "");
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`vite ${args.join(" ")} did not report listening in 60 s:\n${plain()}`)), 60000);
    child.stdout.on("data", (d) => { log += d; if (plain().includes(`127.0.0.1:${port}`)) { clearTimeout(timer); resolve(); } });
    child.stderr.on("data", (d) => { log += d; });
    child.once("exit", (code) => { clearTimeout(timer); reject(new Error(`vite ${args.join(" ")} exited (${code}):\n${plain()}`)); });
  });
  return `http://127.0.0.1:${port}/`;
}

/** Opens the app, sees the key's value, changes it from another connection, sees the change. */
async function watchLive(url, bucket, shotName) {
  await writer.evaluate(async ({ bucket }) => {
    window.kv = await new nats.Kvm(window.nc).create(bucket);
    await kv.put("greeting", "hello");
  }, { bucket });
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  const wasmResponses = [];
  page.on("response", (r) => { if (r.url().endsWith(".wasm")) wasmResponses.push([r.status(), r.headers()["content-type"]]); });
  const q = new URLSearchParams({ server: stack.server.wsUrl, bucket, key: "greeting" });
  await page.goto(`${url}?${q}`);
  await page.locator("#state", { hasText: /watching|error/ }).waitFor({ timeout: 30000 });
  assert.equal(await page.locator("#state").textContent(), "watching");
  assert.equal(await page.locator("#value").textContent(), "hello");
  await writer.evaluate(() => kv.put("greeting", "changed from another connection"));
  await page.locator("#value", { hasText: "changed from another connection" }).waitFor({ timeout: 10000 });
  assert.equal(await page.locator("#value").getAttribute("data-revision"), "2");
  assert.deepEqual(wasmResponses, [[200, "application/wasm"]]);
  assert.deepEqual(errors, []);
  await page.screenshot({ path: join(ARTIFACTS, shotName) });
  await page.close();
}

test("a Vite app installs the tarball, builds (vite build), and watches a key live under vite preview", async (t) => {
  if (!vite) { t.skip(viteWhy); return; }
  const app = join(dir, "app");
  writeApp(app);
  // The tarball, exactly as a user installs it (it has no dependencies, so no registry is needed).
  run("npm", ["install", "--no-audit", "--no-fund", "--offline", "--loglevel=error", tarball], { cwd: app });
  assert.ok(existsSync(join(app, "node_modules/nats-kv-wasm/pkg/nats_kv_wasm_bg.wasm")));

  const build = run(process.execPath, [join(vite, "bin/vite.js"), "build", "--logLevel", "warn"], { cwd: app });
  const assets = join(app, "dist/assets");
  const files = readdirSync(assets);
  const wasm = files.filter((f) => f.endsWith(".wasm"));
  const js = files.filter((f) => f.endsWith(".js"));
  assert.equal(wasm.length, 1, `one .wasm asset: ${files.join(", ")}\n${build}`);
  assert.ok(js.some((f) => readFileSync(join(assets, f), "utf8").includes(wasm[0])), "the bundle refers to the hashed .wasm asset");
  let total = 0;
  for (const f of [...wasm, ...js]) {
    const body = readFileSync(join(assets, f));
    const gz = gzipSync(body, { level: 9 }).length;
    total += gz;
    console.log(`# dist/assets/${f}: ${body.length} B, ${gz} B gzip`);
  }
  console.log(`# shipped by the Vite app (.wasm + JS, gzip -9): ${(total / 1024).toFixed(1)} KB`);
  writeFileSync(join(ARTIFACTS, "vite-app-size.txt"), `${(total / 1024).toFixed(1)} KB gzip (.wasm + JS): ${[...wasm, ...js].join(", ")}\n`);

  await watchLive(await serve(app, ["preview"]), "vitebuild", "vite-app-preview.png");
});

test("the same app under the Vite dev server (optimizeDeps.exclude) watches live too", async (t) => {
  if (!vite) { t.skip(viteWhy); return; }
  const app = join(dir, "app");
  if (!existsSync(join(app, "node_modules/nats-kv-wasm"))) { t.skip("the build test did not set up the app"); return; }
  await watchLive(await serve(app, []), "vitedev", "vite-app-dev.png");
});
