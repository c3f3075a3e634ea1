// Shared set-up for the Playwright tests: Debian's Chromium, a nats-server, the static page server.
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { startNatsServer } from "../../scripts/lib/nats-server.mjs";
import { serveStatic } from "../../scripts/lib/static-server.mjs";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const ARTIFACTS = join(ROOT, "test-results");
mkdirSync(ARTIFACTS, { recursive: true });

const CHROMIUM_ARGS = [
  "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

/** Headless Chromium from Debian (no browser download); `extraArgs` are appended to its command line. */
export function launchBrowser(extraArgs = []) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: [...CHROMIUM_ARGS, ...extraArgs],
  });
}

/** A nats-server plus the page server pointing at it; `close()` stops both. */
export async function startStack(serverOpts = {}) {
  const server = await startNatsServer(serverOpts);
  const web = await serveStatic(ROOT, {
    extra: { "/config.json": { servers: [server.wsUrl] } },
    pages: { "/blank": "<!doctype html><title>blank</title>" },
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

/** A nats-server, the page server, Chromium and a module page: `{ stack, browser, page, url }`. */
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
