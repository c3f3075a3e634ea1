// `npm run bench`: PERF.md's cases with both clients in one headless Chromium page against one local
// nats-server, A/B interleaved for several rounds. Prints a table and writes bench/results.json.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { gzipSync } from "node:zlib";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { NATS_BIN } from "../scripts/lib/nats-server.mjs";
import { esbuild, openBenchPage } from "./lib.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
process.chdir(ROOT);
const arg = (name, dflt) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : dflt; };
const ROUNDS = Number(arg("--rounds", 5));
const ONLY = arg("--cases", "");
const BUILD = join(ROOT, "bench/.build");
// BENCH_BASELINE=<root of another checkout with its package built> (e.g. a worktree of the commit before a
// change, after `node scripts/build.mjs` there): its js/ + pkg/ run in the same page as the column
// "before", in the same rounds, so a change is measured A/B in one run.
const BASE = process.env.BENCH_BASELINE ? resolve(process.env.BENCH_BASELINE) : null;
mkdirSync(BUILD, { recursive: true });

if (!process.argv.includes("--no-build")) execFileSync("node", ["scripts/build.mjs"], { stdio: "inherit" });
esbuild("bench/natsjs-entry.mjs", join(BUILD, "natsjs.js"));
esbuild("bench/natsjs-core-entry.mjs", join(BUILD, "natsjs-core.js"));
esbuild("bench/ours-entry.mjs", join(BUILD, "ours.js"));
// P9 per feature set: a core + Key/Value app (our KV entry, js/index-kv.js + pkg-kv/) against nats.js core + kv.
esbuild("bench/natsjs-kv-entry.mjs", join(BUILD, "natsjs-kv.js"));
esbuild("bench/ours-kv-entry.mjs", join(BUILD, "ours-kv.js"));
if (BASE) {
  writeFileSync(join(BUILD, "before-entry.mjs"), `export { connect, Kvm } from ${JSON.stringify(join(BASE, "js/index.js"))};\n`);
  esbuild(join(BUILD, "before-entry.mjs"), join(BUILD, "before.js"));
}

// P9: shipped size, minified + gzip -9.
const gz = (f) => gzipSync(readFileSync(f), { level: 9 }).length;
const size = {
  ours: gz("pkg/nats_kv_wasm_bg.wasm") + gz(join(BUILD, "ours.js")),
  oursWasm: gz("pkg/nats_kv_wasm_bg.wasm"),
  oursJs: gz(join(BUILD, "ours.js")),
  theirs: gz(join(BUILD, "natsjs.js")),
  theirsCore: gz(join(BUILD, "natsjs-core.js")),
  kvWasm: gz("pkg-kv/nats_kv_wasm_bg.wasm"),
  kvJs: gz(join(BUILD, "ours-kv.js")),
  theirsKv: gz(join(BUILD, "natsjs-kv.js")),
};
size.kv = size.kvWasm + size.kvJs;
if (BASE) {
  size.beforeWasm = gz(join(BASE, "pkg/nats_kv_wasm_bg.wasm"));
  size.beforeJs = gz(join(BUILD, "before.js"));
  size.before = size.beforeWasm + size.beforeJs;
}

// P8 from navigation: a page whose own module script imports the client, connects, binds and gets
// (`?who=ours|theirs&u=<ws url>&b=<bucket>`); "/p8-preload" also has README's start-up links: a
// modulepreload per module of the client and, for ours, a preload of the .wasm.
const P8_SCRIPT = `<script type="module">
const q = new URLSearchParams(location.search);
const at = {}; const mark = (k) => { at[k] = performance.now(); };
window.p8 = (async () => {
  const ours = q.get("who") === "ours";
  const m = await import(ours ? "/js/index.js" : "/bench/.build/natsjs.js");
  mark("import");
  const nc = ours ? await m.connect({ servers: q.get("u") }) : await m.wsconnect({ servers: q.get("u") });
  mark("connected");
  const kv = await new m.Kvm(nc).open(q.get("b"));
  mark("bind");
  await kv.get("k");
  mark("get");
  await nc.close();
  const nav = performance.getEntriesByType("navigation")[0];
  const wasm = performance.getEntriesByType("resource").find((e) => e.name.endsWith(".wasm"));
  if (wasm) at.wasmFetched = wasm.responseEnd;
  // From the end of the HTML response: the same for both clients.
  for (const k in at) at[k] -= nav.responseEnd;
  return at;
})();
</script>`;
const OUR_MODULES = ["/pkg/nats_kv_wasm.js", ...readdirSync("js").filter((f) => f.endsWith(".js") && f !== "index-kv.js").map((f) => `/js/${f}`)];
const P8_PAGES = {
  "/p8": `<!doctype html><title>p8</title>${P8_SCRIPT}`,
  "/p8-preload-ours": `<!doctype html><title>p8</title>${OUR_MODULES.map((m) => `<link rel="modulepreload" href="${m}">`).join("")}`
    + `<link rel="preload" href="/pkg/nats_kv_wasm_bg.wasm" as="fetch" type="application/wasm" crossorigin>${P8_SCRIPT}`,
  "/p8-preload-theirs": `<!doctype html><title>p8</title><link rel="modulepreload" href="/bench/.build/natsjs.js">${P8_SCRIPT}`,
};

// `--cases P9`: sizes only, no page.
const P9_ONLY = ONLY !== "" && ONLY.split(",").every((o) => o.trim() === "P9");
const { server, web, browser, page, close } = P9_ONLY ? { browser: { version: () => "–" }, close: async () => {} } : await openBenchPage({ baseline: BASE, pages: P8_PAGES });

const CASES = [
  "P0 rtt",
  "P1 publish 16B", "P2 pubsub 16B", "P2 pubsub 128B", "P2 pubsub 1KiB", "P3 receive 16B",
  "P4 request seq", "P4 request x64", "P5 kv put", "P5 kv get", "P6 watch pipelined", "P7 replay 10k",
  "P11 js publish seq", "P11 js publish x256", "P12 consume 20k", "P12 fetch 20k", "P13 ordered 20k",
  "P14 object 1MiB", "P14 object 8MiB", "P14 object 64MiB stream",
].filter((c) => !ONLY || ONLY.split(",").some((o) => c.startsWith(o.trim())));

// The raw-WebSocket ceiling of a case (PERF.md P0), run in the same rounds as both clients so that all
// three see the same machine load.
const CEILING = {
  "P2 pubsub 16B": "P0 pubsub 16B", "P2 pubsub 128B": "P0 pubsub 128B", "P2 pubsub 1KiB": "P0 pubsub 1KiB",
  "P3 receive 16B": "P0 receive 16B", "P4 request seq": "P0 request seq",
  "P5 kv put": "P0 kv put", "P5 kv get": "P0 kv get", "P7 replay 10k": "P0 replay 10k",
  "P11 js publish seq": "P0 js publish", "P12 consume 20k": "P0 pull 20k", "P12 fetch 20k": "P0 pull 20k",
  "P13 ordered 20k": "P0 pull noack 20k", "P14 object 1MiB": "P0 object 1MiB", "P14 object 8MiB": "P0 object 8MiB",
};
// Cases the build before the session layer cannot run (it has no JetStream client): no "before" column.
const NO_BEFORE = /^P1[1-4] /;
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const lowerIsBetter = (unit) => unit === "µs" || unit === "ms";
const results = [];
const memory = [];
for (const id of CASES) {
  const raw = id.startsWith("P0");
  const ceiling = CEILING[id];
  const rounds = { ours: [], theirs: [], raw: [], before: [] };
  for (let r = 0; r < ROUNDS; r++) {
    let order = raw ? ["ours"] : BASE && !NO_BEFORE.test(id) ? [["ours", "before", "theirs"], ["theirs", "ours", "before"], ["before", "theirs", "ours"]][r % 3]
      : r % 2 === 0 ? ["ours", "theirs"] : ["theirs", "ours"];
    if (ceiling) order = [...order.slice(0, r % 3), "raw", ...order.slice(r % 3)];
    for (const who of order) {
      const caseId = who === "raw" ? ceiling : id;
      const res = await page.evaluate(({ caseId, who }) => window.bench.run(caseId, who), { caseId, who: who === "raw" ? "ours" : who });
      rounds[who].push(res);
      if (who === "ours" && /^P(2|6|12|14) /.test(id)) {
        memory.push({ case: id, round: r, ...(await page.evaluate(() => window.bench.memory())) });
      }
    }
  }
  const unit = rounds.ours[0].unit;
  const row = { case: id, unit, ours: median(rounds.ours.map((x) => x.value)) };
  if (rounds.ours[0].p99 !== undefined) row.oursP99 = median(rounds.ours.map((x) => x.p99));
  // P14's streamed case: the JS heap each client holds half-way (after a GC) and at its peak (garbage
  // included), and our wasm memory's growth (MB, the largest round).
  if (rounds.ours[0].peakHeapMB !== undefined) {
    row.oursHeldHeapMB = Math.max(...rounds.ours.map((x) => x.heldHeapMB));
    row.theirsHeldHeapMB = Math.max(...rounds.theirs.map((x) => x.heldHeapMB));
    row.oursPeakHeapMB = Math.max(...rounds.ours.map((x) => x.peakHeapMB));
    row.oursWasmGrowMB = Math.max(...rounds.ours.map((x) => x.wasmGrowMB));
    row.theirsPeakHeapMB = Math.max(...rounds.theirs.map((x) => x.peakHeapMB));
  }
  if (rounds.ours[0].p50 !== undefined) { row.oursP50us = median(rounds.ours.map((x) => x.p50)); row.oursP99us = median(rounds.ours.map((x) => x.p99)); }
  if (!raw) {
    row.theirs = median(rounds.theirs.map((x) => x.value));
    if (rounds.theirs[0].p99 !== undefined) row.theirsP99 = median(rounds.theirs.map((x) => x.p99));
    if (rounds.theirs[0].p50 !== undefined) { row.theirsP50us = median(rounds.theirs.map((x) => x.p50)); row.theirsP99us = median(rounds.theirs.map((x) => x.p99)); }
    row.ratio = row.ours / row.theirs;
    row.better = lowerIsBetter(unit) ? row.ratio < 1 : row.ratio > 1;
    if (rounds.before.length) {
      row.before = median(rounds.before.map((x) => x.value));
      if (rounds.before[0].p50 !== undefined) row.beforeP50us = median(rounds.before.map((x) => x.p50));
      if (rounds.before[0].p99 !== undefined) row.beforeP99 = median(rounds.before.map((x) => x.p99));
      row.beforeRatio = row.before / row.theirs;
    }
  }
  if (ceiling) {
    // Share of the ceiling reached (1 = as fast as hand-written protocol on a bare WebSocket).
    row.ceilingCase = ceiling;
    row.ceiling = median(rounds.raw.map((x) => x.value));
    const share = (v) => (lowerIsBetter(unit) ? row.ceiling / v : v / row.ceiling);
    row.oursOfCeiling = share(row.ours);
    row.theirsOfCeiling = share(row.theirs);
    if (rounds.raw[0].p50 !== undefined) row.ceilingP50us = median(rounds.raw.map((x) => x.p50));
  }
  row.rounds = rounds;
  results.push(row);
  console.log(`${id}: ours ${fmt(row.ours)} ${unit}` + (raw ? "" : ` | nats.js ${fmt(row.theirs)} | ours/nats.js ${row.ratio.toFixed(2)}`)
    + (row.before !== undefined ? ` | before ${fmt(row.before)} (before/nats.js ${row.beforeRatio.toFixed(2)})` : "")
    + (ceiling ? ` | raw ceiling ${fmt(row.ceiling)} (ours ${pct(row.oursOfCeiling)}, nats.js ${pct(row.theirsOfCeiling)})` : ""));
}

// P8: cold start in a fresh page per round (import → connected → first get).
if (!ONLY || ONLY.includes("P8")) {
  const bucket = await page.evaluate(async (u) => {
    const m = await import("/js/index.js");
    const nc = await m.connect({ servers: u });
    const name = `p8${Date.now().toString(36)}`;
    const kv = await new m.Kvm(nc).create(name);
    await kv.put("k", "v");
    await nc.close();
    return name;
  }, server.wsUrl);
  // Each round in a fresh page; the time is split with performance.now() marks: module import, wasm
  // ready (fetch + compile + instantiate, done by `connect()`; resource timing gives the fetch),
  // new WebSocket() → open → first frame (INFO) → connected (CONNECT/PING → PONG), bucket bind, first
  // get. The page's WebSocket is wrapped to timestamp its events and the protocol lines each client
  // sends (printed for the first round).
  // With BENCH_BASELINE the build "before" runs too (its /base/js/index.js), in the same rounds.
  // "bundled": ours as esbuild bundles it (bench/.build/ours.js, the .wasm next to it), as nats.js is
  // measured: no module graph to walk.
  copyFileSync("pkg/nats_kv_wasm_bg.wasm", join(BUILD, "nats_kv_wasm_bg.wasm"));
  const rounds = { ours: [], theirs: [], before: [], bundled: [] };
  const phases = { ours: [], theirs: [], before: [], bundled: [] };
  const WHO = BASE ? ["ours", "before", "bundled", "theirs"] : ["ours", "bundled", "theirs"];
  for (let r = 0; r < ROUNDS; r++) {
    for (const who of [...WHO.slice(r % WHO.length), ...WHO.slice(0, r % WHO.length)]) {
      const p = await browser.newPage();
      await p.goto(web.url + "blank");
      const res = await p.evaluate(async ({ who, u, bucket }) => {
        const marks = {};
        const sent = [];
        const t0 = performance.now();
        const mark = (k) => { marks[k] = performance.now() - t0; };
        const Native = WebSocket;
        window.WebSocket = class extends Native {
          constructor(...a) {
            mark("wsNew");
            super(...a);
            mark("wsCreated");
            this.addEventListener("open", () => mark("wsOpen"), { once: true });
            this.addEventListener("message", () => mark("info"), { once: true });
          }
          send(d) {
            const text = typeof d === "string" ? d : new TextDecoder().decode(d);
            for (const line of text.split("\r\n")) {
              if (/^(CONNECT|PING|PONG|SUB|UNSUB|PUB|HPUB)\b/.test(line)) sent.push(`${(performance.now() - t0).toFixed(1)} ${line.slice(0, 90)}`);
            }
            return super.send(d);
          }
        };
        let nc, kv;
        if (who !== "theirs") {
          const m = await import(who === "ours" ? "/js/index.js" : who === "bundled" ? "/bench/.build/ours.js" : "/base/js/index.js");
          mark("import");
          // `connect()` loads the wasm itself (same promise); this only times it (the bundle has no init).
          m.init?.().then(() => mark("wasm"));
          nc = await m.connect({ servers: u });
          mark("connected");
          kv = await new m.Kvm(nc).open(bucket);
        } else {
          const m = await import("/bench/.build/natsjs.js");
          mark("import");
          mark("wasm");
          nc = await m.wsconnect({ servers: u });
          mark("connected");
          kv = await new m.Kvm(nc).open(bucket);
        }
        mark("bind");
        await kv.get("k");
        mark("get");
        const ms = performance.now() - t0;
        window.WebSocket = Native;
        const wasm = performance.getEntriesByType("resource").find((e) => e.name.endsWith(".wasm"));
        if (wasm) marks.wasmFetched = wasm.responseEnd - t0;
        await nc.close();
        return { ms, marks, sent };
      }, { who, u: server.wsUrl, bucket });
      rounds[who].push(res.ms);
      phases[who].push(res.marks);
      if (r === 0) console.log(`P8 ${who} sends:\n  ${res.sent.join("\n  ")}`);
      await p.close();
    }
  }
  // The same from navigation, the clients' module scripts in the page, without and with preload links.
  const nav = {};
  const NAV = ["ours", "ours preload", "theirs", "theirs preload"];
  for (let r = 0; r < ROUNDS; r++) {
    for (const v of r % 2 === 0 ? NAV : [...NAV].reverse()) {
      const [who, pre] = v.split(" ");
      const p = await browser.newPage();
      await p.goto(`${web.url}${pre ? `p8-preload-${who}` : "p8"}?who=${who}&u=${encodeURIComponent(server.wsUrl)}&b=${bucket}`);
      (nav[v] ||= []).push(await p.evaluate(() => window.p8));
      await p.close();
    }
  }
  console.log("| P8 from the HTML response (median ms) | import | wasm fetched | connected | bound | first get |\n|---|---:|---:|---:|---:|---:|");
  for (const v of NAV) {
    const med = (k) => { const xs = nav[v].map((x) => x[k]).filter((x) => x !== undefined); return xs.length ? median(xs) : undefined; };
    console.log(`| ${v} | ${fmt(med("import"))} | ${fmt(med("wasmFetched"))} | ${fmt(med("connected"))} | ${fmt(med("bind"))} | ${fmt(med("get"))} |`);
  }
  const navGet = (v) => median(nav[v].map((x) => x.get));
  // Median time of each mark from the start, and the median duration of each step.
  const MARKS = [["import", "module imported"], ["wasm", "wasm ready (fetch + compile + instantiate)"],
    ["wsNew", "new WebSocket()"], ["wsOpen", "WebSocket open"], ["info", "INFO received"],
    ["connected", "connected (CONNECT/PING → PONG)"], ["bind", "bucket bound (Kvm.open)"], ["get", "first get done"]];
  const at = (who, k) => median(phases[who].map((m) => m[k]).filter((x) => x !== undefined));
  const STEPS = [["module import", null, "import"], ["wasm fetch + compile + instantiate", "import", "wasm"],
    ["wasm bytes fetched (resource timing, from import)", "import", "wasmFetched"],
    ["new WebSocket() → open", "wsNew", "wsOpen"], ["open → INFO", "wsOpen", "info"],
    ["INFO and wasm ready → connected", null, "connected"], ["bucket bind", "connected", "bind"], ["first get", "bind", "get"]];
  const dur = (who, from, to) => {
    const xs = phases[who].map((m) => {
      if (m[to] === undefined) return undefined;
      const start = from ? m[from] : to === "connected" ? Math.max(m.info, m.wasm ?? 0) : 0;
      return start === undefined ? undefined : m[to] - start;
    }).filter((x) => x !== undefined);
    return xs.length ? median(xs) : undefined;
  };
  const breakdown = {
    marks: MARKS.map(([k, label]) => ({ mark: label, ours: at("ours", k), theirs: k === "wasm" ? undefined : at("theirs", k), ...(BASE ? { before: at("before", k) } : {}) })),
    steps: STEPS.map(([label, from, to]) => ({ step: label, ours: dur("ours", from, to), theirs: to.startsWith("wasm") ? undefined : dur("theirs", from, to), ...(BASE ? { before: dur("before", from, to) } : {}) })),
  };
  for (const b of breakdown.marks) b.bundled = at("bundled", MARKS.find((m) => m[1] === b.mark)[0]);
  for (const b of breakdown.steps) { const [, from, to] = STEPS.find((s) => s[0] === b.step); b.bundled = dur("bundled", from, to); }
  const bh = BASE ? " before |" : "", bs = BASE ? "---:|" : "";
  console.log(`| P8 mark (median ms from start) | ours |${bh} ours bundled | nats.js |\n|---|---:|${bs}---:|---:|`);
  for (const b of breakdown.marks) console.log(`| ${b.mark} | ${fmt(b.ours)} |${BASE ? ` ${fmt(b.before)} |` : ""} ${fmt(b.bundled)} | ${fmt(b.theirs)} |`);
  console.log(`| P8 step (median ms) | ours |${bh} ours bundled | nats.js |\n|---|---:|${bs}---:|---:|`);
  for (const b of breakdown.steps) console.log(`| ${b.step} | ${fmt(b.ours)} |${BASE ? ` ${fmt(b.before)} |` : ""} ${fmt(b.bundled)} | ${fmt(b.theirs)} |`);
  const row = { case: "P8 cold start", unit: "ms", ours: median(rounds.ours), theirs: median(rounds.theirs), rounds, breakdown, phases,
    fromNavigation: Object.fromEntries(NAV.map((v) => [v, { get: navGet(v), rounds: nav[v] }])) };
  if (BASE) { row.before = median(rounds.before); row.beforeRatio = row.before / row.theirs; }
  row.bundled = median(rounds.bundled);
  row.bundledRatio = row.bundled / row.theirs;
  row.ratio = row.ours / row.theirs;
  row.better = row.ratio < 1;
  results.push(row);
  console.log(`P8 cold start: ours ${fmt(row.ours)} ms | nats.js ${fmt(row.theirs)} | ours/nats.js ${row.ratio.toFixed(2)}`
    + (BASE ? ` | before ${fmt(row.before)} (before/nats.js ${row.beforeRatio.toFixed(2)})` : "")
    + ` | ours bundled ${fmt(row.bundled)} (bundled/nats.js ${row.bundledRatio.toFixed(2)})`);
  console.log(`P8 from the HTML response: ours/nats.js ${(navGet("ours") / navGet("theirs")).toFixed(2)}, with preload links ${(navGet("ours preload") / navGet("theirs preload")).toFixed(2)}`);
}

results.push({ case: "P9 size core+KV (gzip -9)", unit: "KB", ours: size.kv / 1024, theirs: size.theirsKv / 1024, ratio: size.kv / size.theirsKv, better: size.kv < size.theirsKv,
  detail: { oursWasmKB: size.kvWasm / 1024, oursJsKB: size.kvJs / 1024 } });
results.push({ case: "P9 size everything (gzip -9)", unit: "KB", ours: size.ours / 1024, theirs: size.theirs / 1024, ratio: size.ours / size.theirs, better: size.ours < size.theirs, detail: { oursWasmKB: size.oursWasm / 1024, oursJsKB: size.oursJs / 1024, natsjsCoreOnlyKB: size.theirsCore / 1024, ...(BASE ? { beforeWasmKB: size.beforeWasm / 1024, beforeJsKB: size.beforeJs / 1024 } : {}) },
  ...(BASE ? { before: size.before / 1024, beforeRatio: size.before / size.theirs } : {}) });

function pct(x) { return `${Math.round(x * 100)} %`; }
function fmt(x) { return x === undefined ? "–" : x >= 1000 ? Math.round(x).toLocaleString("en-US") : x.toFixed(1); }

const versions = {
  chromium: browser.version(),
  natsServer: execFileSync(NATS_BIN, ["--version"]).toString().trim(),
  natsJs: JSON.parse(readFileSync("node_modules/@nats-io/nats-core/package.json", "utf8")).version,
  ours: JSON.parse(readFileSync("package.json", "utf8")).version,
};
const machine = { cpu: cpus()[0]?.model, cores: cpus().length, memGiB: Math.round(totalmem() / 2 ** 30) };
const out = { date: new Date().toISOString(), machine, versions, rounds: ROUNDS, results, memory, ...(BASE ? { baseline: BASE } : {}) };
writeFileSync("bench/results.json", JSON.stringify(out, null, 1));

console.log(`\n${out.date} · ${machine.cpu} · ${machine.cores} cores · Chromium ${versions.chromium} · ${versions.natsServer} · nats.js ${versions.natsJs}`);
const B = BASE !== null; // the "before" columns
console.log(`| case | unit | ours |${B ? " before | ours/before | before/nats.js |" : ""} nats.js | ours/nats.js | raw ceiling (ours / nats.js reach) |`);
console.log(`|---|---|---:|${B ? "---:|---:|---:|" : ""}---:|---:|---:|`);
for (const r of results) {
  const mem = r.oursPeakHeapMB === undefined ? "" : ` (JS heap held half-way ${fmt(r.oursHeldHeapMB)} / ${fmt(r.theirsHeldHeapMB)} MB, peak with garbage ${fmt(r.oursPeakHeapMB)} / ${fmt(r.theirsPeakHeapMB)} MB; our wasm memory +${fmt(r.oursWasmGrowMB)} MB)`;
  const extra = r.oursP50us !== undefined ? ` (p50 ${fmt(r.oursP50us)} µs / ${fmt(r.theirsP50us)} µs)` : r.oursP99 !== undefined ? ` (p99 ${fmt(r.oursP99)} / ${r.theirsP99 === undefined ? "–" : fmt(r.theirsP99)})` : "";
  const ceil = r.ceiling === undefined ? "–" : `${fmt(r.ceiling)} (${pct(r.oursOfCeiling)} / ${pct(r.theirsOfCeiling)})`;
  const before = !B ? "" : r.before === undefined ? " – | – | – |"
    : ` ${fmt(r.before)}${r.beforeP50us !== undefined ? ` (p50 ${fmt(r.beforeP50us)} µs)` : ""} | ${(r.ours / r.before).toFixed(2)} | ${r.beforeRatio.toFixed(2)} |`;
  console.log(`| ${r.case} | ${r.unit} | ${fmt(r.ours)} |${before} ${fmt(r.theirs)} | ${r.ratio === undefined ? "–" : r.ratio.toFixed(2)}${extra}${mem} | ${ceil} |`);
}
if (memory.length) {
  const first = memory[0], last = memory[memory.length - 1];
  console.log(`P10 memory: wasm ${first.wasm} → ${last.wasm} bytes, JS heap ${(first.heap / 1e6).toFixed(1)} → ${(last.heap / 1e6).toFixed(1)} MB over ${memory.length} samples`);
}
await close();
process.exit(0);
