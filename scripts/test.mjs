// `npm test`: lint gates, native tests, then browser tests (wasm-pack, headless Chromium) against a real
// nats-server on free loopback ports. Ends with one line `N passed, M failed` summing every suite.
import { readdirSync, rmSync, existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { startNatsServer } from "./lib/nats-server.mjs";
import { runCheck, runCounted } from "./lib/run.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
process.chdir(ROOT);
const only = process.argv[2]; // optional: "lint" | "native" | "browser" | "e2e" | "reliability"
const results = [];
let built = false; // the e2e stage built the package

if (!only || only === "lint") {
  // Gates, each one check: formatting, and clippy with warnings as errors natively and for wasm32
  // (whose --all-targets includes the browser tests tests/browser_*.rs).
  const clippy = (...target) => ["clippy", ...target, "--all-targets", "--color", "never", "--", "-D", "warnings"];
  results.push(await runCheck("fmt", "cargo", ["fmt", "--check"]));
  results.push(await runCheck("clippy", "cargo", clippy()));
  results.push(await runCheck("clippy wasm32", "cargo", clippy("--target", "wasm32-unknown-unknown")));
}

if (!only || only === "native") {
  results.push(await runCounted("native", "cargo", ["test", "--color", "never"]));
}

if (!only || only === "browser") {
  const server = await startNatsServer();
  console.log(`nats-server ${server.wsUrl} (pid ${server.pid}, store ${server.dir})`);
  try {
    const browserTests = readdirSync("tests")
      .filter((f) => /^browser_.*\.rs$/.test(f))
      .flatMap((f) => ["--test", f.replace(/\.rs$/, "")]);
    results.push(await runCounted("browser", "wasm-pack", ["test", "--headless", "--chrome", "--", ...browserTests], {
      env: {
        NATS_WS_URL: server.wsUrl,
        CHROMEDRIVER: process.env.CHROMEDRIVER || "/usr/bin/chromedriver",
        WASM_BINDGEN_TEST_TIMEOUT: process.env.WASM_BINDGEN_TEST_TIMEOUT || "600",
      },
    }));
  } finally {
    await server.dispose();
  }
}

if (!only || only === "e2e") {
  // Playwright tests drive the built package and the page in Debian's Chromium.
  const build = await runCounted("build", "node", ["scripts/build.mjs"]);
  built = build.code === 0;
  if (build.code !== 0) results.push(build);
  else results.push(await runCounted("e2e", "node", ["--test", "--test-reporter=tap", "--test-concurrency=1", "--test-timeout=300000", "tests/e2e/"]));
}

if (!only || only === "reliability") {
  // Fault injection (server restart/kill/SIGSTOP, a 3-node cluster, lame duck) against the package
  // built by the e2e stage (built here when run alone); writes test-results/reliability.json.
  // (when the e2e stage's build failed, that failure is counted already and this stage is skipped)
  const build = built ? { code: 0 } : only ? await runCounted("build", "node", ["scripts/build.mjs"]) : { code: 1 };
  if (build.code !== 0) { if (only) results.push(build); }
  else {
    rmSync("test-results/reliability.json", { force: true });
    results.push(await runCounted("reliability", "node", ["--test", "--test-reporter=tap", "--test-concurrency=1", "tests/reliability/"]));
    printReliabilityTable("test-results/reliability.json");
  }
}

const passed = results.reduce((a, r) => a + r.passed, 0);
const failed = results.reduce((a, r) => a + r.failed, 0);
console.log("\n" + results.map((r) => `${r.label}: ${r.passed} passed, ${r.failed} failed`).join("\n"));
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);

/** Prints the reliability suite's per-scenario figures as a table. */
function printReliabilityTable(file) {
  if (!existsSync(file)) return;
  const rows = Object.entries(JSON.parse(readFileSync(file, "utf8")));
  const cols = ["faults", "written", "acknowledged", "seen", "lost", "duplicated", "storedUnacknowledged"];
  const w = Math.max(8, ...rows.map(([n]) => n.length));
  console.log("\n" + ["scenario".padEnd(w), ...cols.map((c) => c.padStart(c.length > 12 ? c.length : 12))].join(" "));
  for (const [name, r] of rows) console.log([name.padEnd(w), ...cols.map((c) => String(r[c] ?? "").padStart(c.length > 12 ? c.length : 12))].join(" "));
}
