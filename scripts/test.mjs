// `npm test`: native tests, then browser tests (wasm-pack in headless Chromium and Firefox), the e2e and
// reliability suites in Chromium (Playwright), Firefox ESR and WebKitGTK (W3C WebDriver), against a real
// nats-server on free loopback ports. Prints passes, failures and time per part and engine, and ends
// with one line `N passed, M failed` summing every part.
//
// `node scripts/test.mjs [native|browser|e2e|reliability]` runs one part; E2E_ENGINES=firefox,webkit
// (comma-separated) limits the engines of the browser, e2e and reliability parts.
import { readdirSync, rmSync, existsSync, readFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { startNatsServer } from "./lib/nats-server.mjs";
import { runCheck, runCounted } from "./lib/run.mjs";
import { ENGINES, GECKODRIVER, ensureDisplay } from "./lib/browsers.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
process.chdir(ROOT);
const only = process.argv[2]; // optional: "lint" | "native" | "browser" | "e2e" | "reliability"
const engines = process.env.E2E_ENGINES ? process.env.E2E_ENGINES.split(",").map((e) => e.trim()) : ENGINES;
for (const e of engines) if (!ENGINES.includes(e)) throw new Error(`E2E_ENGINES: unknown engine ${e}`);
const results = [];
let built = false; // the e2e stage built the package

/** runCounted, timed. */
async function timed(label, cmd, args, opts) {
  const t0 = Date.now();
  const r = await runCounted(label, cmd, args, opts);
  return { ...r, seconds: (Date.now() - t0) / 1000 };
}

/** An X display for WebKit's MiniBrowser (no headless mode): our own Xvfb, never the desktop's. */
let display;
async function engineEnv(engine) {
  if (engine !== "webkit") return {};
  delete process.env.DISPLAY;
  display ??= await ensureDisplay();
  return { DISPLAY: display };
}

/**
 * The e2e files to run in `engine`: all of them in Chromium; elsewhere those without a
 * `// engines: chromium …` (Playwright/Chromium-only) or `// engines: node …` (no browser) line.
 */
function e2eFiles(engine) {
  const files = readdirSync("tests/e2e").filter((f) => f.endsWith(".test.mjs")).sort();
  if (engine === "chromium") return ["tests/e2e/"];
  return files.filter((f) => !/^\/\/ engines: (chromium|node)\b/m.test(readFileSync(join("tests/e2e", f), "utf8")))
    .map((f) => join("tests/e2e", f));
}

if (!only || only === "lint") {
  // Gates, each one check: formatting, and clippy with warnings as errors natively and for wasm32
  // (whose --all-targets includes the browser tests tests/browser_*.rs).
  const clippy = (...target) => ["clippy", ...target, "--all-targets", "--color", "never", "--", "-D", "warnings"];
  results.push(await runCheck("fmt", "cargo", ["fmt", "--check"]));
  results.push(await runCheck("clippy", "cargo", clippy()));
  results.push(await runCheck("clippy wasm32", "cargo", clippy("--target", "wasm32-unknown-unknown")));
}

if (!only || only === "native") {
  results.push(await timed("native", "cargo", ["test", "--color", "never"]));
}

if (!only || only === "browser") {
  // wasm-bindgen tests in headless Chromium and Firefox (wasm-bindgen-test-runner has no WebKitGTK driver).
  const server = await startNatsServer();
  console.log(`nats-server ${server.wsUrl} (pid ${server.pid}, store ${server.dir})`);
  const tmp = mkdtempSync(join(tmpdir(), "nats-kv-wasm-browser-")); // geckodriver's profiles
  try {
    const browserTests = readdirSync("tests")
      .filter((f) => /^browser_.*\.rs$/.test(f))
      .flatMap((f) => ["--test", f.replace(/\.rs$/, "")]);
    const env = { NATS_WS_URL: server.wsUrl, WASM_BINDGEN_TEST_TIMEOUT: process.env.WASM_BINDGEN_TEST_TIMEOUT || "600" };
    if (engines.includes("chromium")) {
      results.push(await timed("browser-chromium", "wasm-pack", ["test", "--headless", "--chrome", "--", ...browserTests], {
        env: { ...env, CHROMEDRIVER: process.env.CHROMEDRIVER || "/usr/bin/chromedriver" },
      }));
    }
    if (engines.includes("firefox")) {
      results.push(await timed("browser-firefox", "wasm-pack", ["test", "--headless", "--firefox", "--", ...browserTests], {
        env: { ...env, GECKODRIVER, TMPDIR: tmp },
      }));
    }
  } finally {
    await server.dispose();
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (!only || only === "e2e") {
  // The built package in each engine: Playwright + Chromium, WebDriver + Firefox ESR / WebKitGTK.
  const build = await timed("build", "node", ["scripts/build.mjs"]);
  built = build.code === 0;
  if (build.code !== 0) results.push(build);
  else {
    for (const engine of engines) {
      results.push(await timed(`e2e-${engine}`, "node", ["--test", "--test-reporter=tap", "--test-concurrency=1", "--test-timeout=300000", ...e2eFiles(engine)], {
        env: { E2E_ENGINE: engine, ...(await engineEnv(engine)) },
      }));
    }
  }
}

if (!only || only === "reliability") {
  // Fault injection (server restart/kill/SIGSTOP, a 3-node cluster, lame duck) in each engine, against
  // the package built by the e2e stage (built here when run alone); writes
  // test-results/reliability-<engine>.json.
  // (when the e2e stage's build failed, that failure is counted already and this stage is skipped)
  const build = built ? { code: 0 } : only ? await timed("build", "node", ["scripts/build.mjs"]) : { code: 1 };
  if (build.code !== 0) { if (only) results.push(build); }
  else {
    for (const engine of engines) {
      const file = `test-results/reliability-${engine}.json`;
      rmSync(file, { force: true });
      results.push(await timed(`reliability-${engine}`, "node", ["--test", "--test-reporter=tap", "--test-concurrency=1", "tests/reliability/"], {
        env: { E2E_ENGINE: engine, ...(await engineEnv(engine)) },
      }));
      printReliabilityTable(engine, file);
    }
  }
}

const passed = results.reduce((a, r) => a + r.passed, 0);
const failed = results.reduce((a, r) => a + r.failed, 0);
console.log("\n" + results.map((r) => `${r.label}: ${r.passed} passed, ${r.failed} failed (${Math.round(r.seconds ?? 0)} s)`).join("\n"));
const perEngine = engines.flatMap((e) => {
  const rs = results.filter((r) => r.label.endsWith(`-${e}`));
  if (!rs.length) return [];
  return [`${e}: ${rs.reduce((a, r) => a + r.passed, 0)} passed, ${rs.reduce((a, r) => a + r.failed, 0)} failed (${Math.round(rs.reduce((a, r) => a + (r.seconds ?? 0), 0))} s)`];
});
if (perEngine.length) console.log("per engine: " + perEngine.join("; "));
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);

/** Prints the reliability suite's per-scenario figures in `engine` as a table. */
function printReliabilityTable(engine, file) {
  if (!existsSync(file)) return;
  const rows = Object.entries(JSON.parse(readFileSync(file, "utf8")));
  const cols = ["faults", "written", "acknowledged", "seen", "lost", "duplicated", "storedUnacknowledged"];
  const w = Math.max(8, ...rows.map(([n]) => n.length));
  console.log("\n" + [`scenario (${engine})`.padEnd(w), ...cols.map((c) => c.padStart(c.length > 12 ? c.length : 12))].join(" "));
  for (const [name, r] of rows) console.log([name.padEnd(w), ...cols.map((c) => String(r[c] ?? "").padStart(c.length > 12 ? c.length : 12))].join(" "));
}
