// The bench page set-up shared by run.mjs, profile.mjs and p7-bound.mjs: one nats-server, the static
// server with the bench page, headless Chromium, and the page ready with the server's URL.
import { execFileSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { startNatsServer } from "../scripts/lib/nats-server.mjs";
import { serveStatic } from "../scripts/lib/static-server.mjs";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Bundles an entry of bench/ with esbuild (minified ES module, the wasm left external). */
export function esbuild(entry, out) {
  execFileSync(join(ROOT, "node_modules/.bin/esbuild"), [
    entry, "--bundle", "--format=esm", "--minify", `--outfile=${out}`, "--log-level=warning",
    "--external:*.wasm", "--platform=browser",
    // @nats-io/obj imports node:crypto for its optional native hash backend; browsers never load it.
    "--external:node:crypto",
  ], { stdio: "inherit", cwd: ROOT });
}

const ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync", "--enable-precise-memory-info",
  "--js-flags=--expose-gc"];

/** Every file below `dir` as URL path → file, the paths under `prefix`. */
function filesUnder(dir, prefix) {
  const out = {};
  for (const f of readdirSync(dir, { recursive: true })) {
    const full = join(dir, f);
    if (statSync(full).isFile()) out[`${prefix}/${f}`] = full;
  }
  return out;
}

/**
 * Starts everything; `close()` stops it all. `baseline`: the root of another build of ours (its js/
 * and pkg/), served under /base/ and loaded into the page as the adapter "before". `pages`: more HTML
 * pages (path → text).
 */
export async function openBenchPage({ baseline, pages = {} } = {}) {
  const server = await startNatsServer();
  const files = baseline ? { ...filesUnder(join(baseline, "js"), "/base/js"), ...filesUnder(join(baseline, "pkg"), "/base/pkg") } : {};
  const web = await serveStatic(ROOT, {
    files,
    // Cross-origin isolated, so that performance.now() has 5 µs steps rather than 100 µs (latencies).
    headers: { "cross-origin-opener-policy": "same-origin", "cross-origin-embedder-policy": "require-corp" },
    pages: {
      "/bench": '<!doctype html><title>bench</title><script type="module" src="/bench/page.js"></script>',
      "/blank": "<!doctype html><title>blank</title>",
      ...pages,
    },
  });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", args: ARGS });
  const page = await browser.newPage();
  page.on("pageerror", (e) => console.error("pageerror:", e));
  await page.goto(web.url + "bench");
  await page.waitForFunction(() => window.bench);
  await page.evaluate((u) => window.bench.setUrl(u), server.wsUrl);
  if (baseline) await page.evaluate(() => window.bench.addBaseline());
  const close = async () => { await browser.close(); await web.close(); await server.dispose(); };
  return { server, web, browser, page, close };
}
