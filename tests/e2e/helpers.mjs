// Shared set-up of the e2e tests: the browser of E2E_ENGINE (chromium: Debian's Chromium through
// Playwright; firefox, webkit: Firefox ESR and WebKitGTK through W3C WebDriver, scripts/lib/browsers.mjs,
// with the same page API), a nats-server, the static page server.
import { chromium } from "playwright-core";
import { mkdirSync, mkdtempSync, rmSync, readFileSync, readdirSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { startNatsServer } from "../../scripts/lib/nats-server.mjs";
import { serveStatic } from "../../scripts/lib/static-server.mjs";
import { currentEngine, launchWebDriverBrowser } from "../../scripts/lib/browsers.mjs";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** The first ```js block of the README section `heading` (README.md, else a README-*.md not merged yet),
 * runnable in a module page as an async function body: its import line becomes `window.nats`, its server
 * URL `url`. */
export function readmeBlock(heading, url) {
  const files = ["README.md", ...readdirSync(ROOT).filter((f) => /^README-.+\.md$/.test(f))];
  const text = files.map((f) => readFileSync(join(ROOT, f), "utf8")).find((t) => t.includes(`\n${heading}\n`));
  const section = text.slice(text.indexOf(`\n${heading}\n`));
  return /```js\n([\s\S]*?)```/.exec(section)[1]
    .replace(/^import \{([^}]*)\} from "nats-kv-wasm";$/m, "const {$1} = window.nats;")
    .replaceAll("ws://127.0.0.1:8080", url);
}
export const ARTIFACTS = join(ROOT, "test-results");
mkdirSync(ARTIFACTS, { recursive: true });
/** "chromium" | "firefox" | "webkit" (E2E_ENGINE; scripts/test.mjs runs the suite once per engine). */
export const ENGINE = currentEngine();

const CHROMIUM_ARGS = [
  "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

/**
 * The browser of E2E_ENGINE. `chromiumArgs` are appended to Chromium's command line (Chromium-only
 * tests). `trust`: { caFile, certFile, spkiHash } — a TLS certificate that this browser alone accepts
 * (Chromium: an SPKI pin; Firefox: a profile trusting the CA; WebKit: the certificate allowed for its host).
 */
export function launchBrowser(chromiumArgs = [], { trust } = {}) {
  if (ENGINE !== "chromium") {
    if (chromiumArgs.length) throw new Error(`Chromium switches (${chromiumArgs}) in a ${ENGINE} run: mark the test file "// engines: chromium"`);
    return launchWebDriverBrowser(ENGINE, { trust });
  }
  const args = [...CHROMIUM_ARGS, ...chromiumArgs];
  if (trust) args.push(`--ignore-certificate-errors-spki-list=${trust.spkiHash}`);
  return chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", headless: true, args });
}

/** A nats-server plus the page server pointing at it; `close()` stops both. `files`: path → file to serve. */
export async function startStack(serverOpts = {}, { files } = {}) {
  const server = await startNatsServer(serverOpts);
  const web = await serveStatic(ROOT, {
    extra: { "/config.json": { servers: [server.wsUrl] } },
    pages: { "/blank": "<!doctype html><title>blank</title>" },
    files,
  });
  return { server, web, close: async () => { await web.close(); await server.dispose(); } };
}

/** A page on the test origin with the package's module loaded as `window.nats`. */
export async function modulePage(browser, web) {
  const page = await browser.newPage();
  page.on("pageerror", (e) => console.error("pageerror:", e));
  await page.goto(web.url + "blank");
  await page.evaluate(async () => { window.nats = await import("/js/index.js"); });
  return page;
}

/**
 * Page side (run with `page.evaluate`): `window.objHelpers` for the Object Store tests — `chunks(stream)`
 * (a reader loop: WebKit's ReadableStream has no async iterator), deterministic `bytes(n, seed)`, `same(a, b)`.
 */
export function installObjHelpers() {
  window.objHelpers = {
    async *chunks(stream) {
      const reader = stream.getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          yield value;
        }
      } finally {
        reader.releaseLock();
      }
    },
    bytes(n, seed = 1) {
      const b = new Uint8Array(n);
      let x = seed >>> 0 || 1;
      for (let i = 0; i < n; i++) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; b[i] = x & 0xff; }
      return b;
    },
    same(a, b) {
      if (!a || !b || a.length !== b.length) return false;
      for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
      return true;
    },
  };
}

/** A nats-server, the page server, the browser and a module page: `{ stack, browser, page, url }`. */
export async function openModuleStack() {
  const stack = await startStack();
  const browser = await launchBrowser();
  const page = await modulePage(browser, stack.web);
  return { stack, browser, page, url: stack.server.wsUrl };
}

/** Closes what `openModuleStack()` opened. */
export async function closeModuleStack({ stack, browser } = {}) {
  await browser?.close();
  await stack?.close();
}

/**
 * The official nats.js 3.4 client for interop tests (CommonJS only): `tests/e2e/<entry>` bundled to one ES
 * module with esbuild in a temp folder. `{ file, dispose() }`; serve `file` to the page with startStack's
 * `files`.
 */
export function bundleNatsjs(entry, extraArgs = []) {
  const dir = mkdtempSync(join(tmpdir(), "natsjs-bundle-"));
  const file = join(dir, entry.replace(/-entry\.mjs$/, ".js"));
  execFileSync(join(ROOT, "node_modules/.bin/esbuild"), [
    "--bundle", "--format=esm", "--platform=browser", "--log-level=warning", ...extraArgs,
    join(ROOT, "tests/e2e", entry), `--outfile=${file}`,
  ], { stdio: "inherit" });
  return { file, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}
