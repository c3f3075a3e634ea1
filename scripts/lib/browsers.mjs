// Firefox ESR and WebKitGTK (MiniBrowser) through W3C WebDriver, with the small page API the e2e tests
// use from Playwright (`evaluate`, `waitForFunction`, `goto`, `on("pageerror")`, `locator(css)`,
// `screenshot`, `close`), so that one test body runs in Chromium (Playwright), Firefox and WebKit.
//
// Each page is its own WebDriver session with its own driver process (geckodriver serves one session
// at a time), started in its own process group and temp dir and killed with it. WebKit's MiniBrowser has
// no headless mode: an Xvfb display is started once per process when $DISPLAY is not set.
//
// `evaluate(fn, arg)` runs `fn.toString()` in the page with `arg`, like Playwright: values cross as
// JSON with tags for what JSON lacks (undefined, NaN, ±Infinity, -0, BigInt, Date, RegExp, Error, URL,
// typed arrays, ArrayBuffer, shared references), one codec for both directions (`codec` below, shipped
// to the page as source). WebDriver runs one command at a time per session, so a long evaluation is
// awaited in slices (`SLICE_MS`): between slices other commands of the test (another evaluate) get
// their turn, as they would with Playwright.
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { WebDriver } from "selenium-webdriver";
import { Executor, HttpClient } from "selenium-webdriver/http/index.js";
import { freePort } from "./nats-server.mjs";

export const ENGINES = ["chromium", "firefox", "webkit"];
export const GECKODRIVER = process.env.GECKODRIVER || join(homedir(), ".cargo/bin/geckodriver");
export const FIREFOX = process.env.FIREFOX || "/usr/bin/firefox-esr";
export const WEBKITDRIVER = process.env.WEBKITDRIVER || "/usr/bin/WebKitWebDriver";
const SLICE_MS = 1000;

/** The engine the e2e tests run in: `E2E_ENGINE` (default chromium). */
export function currentEngine() {
  const e = process.env.E2E_ENGINE || "chromium";
  if (!ENGINES.includes(e)) throw new Error(`E2E_ENGINE must be one of ${ENGINES.join(", ")}, not ${e}`);
  return e;
}

// One temp dir per process for drivers' TMPDIR, profiles and the X server; removed at exit.
let runDir;
function tempRoot() {
  if (!runDir) {
    runDir = mkdtempSync(join(tmpdir(), "nats-kv-wasm-wd-"));
    process.on("exit", () => rmSync(runDir, { recursive: true, force: true }));
  }
  return runDir;
}

const children = new Set(); // process groups to kill at exit
function killGroup(child) {
  if (child.exitCode === null && child.signalCode === null) {
    try { process.kill(-child.pid, "SIGKILL"); } catch { /* gone */ }
  }
  children.delete(child);
}
function killAll() { for (const c of [...children]) killGroup(c); }
process.on("exit", killAll);
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => process.exit(130));

/** Spawns `cmd` in its own process group; its output goes to `log` (a file) or nowhere. */
function spawnGroup(cmd, args, env = {}, stdio = ["ignore", "ignore", "ignore"]) {
  const child = spawn(cmd, args, { detached: true, stdio, env: { ...process.env, ...env } });
  children.add(child);
  child.on("exit", () => children.delete(child));
  return child;
}

/**
 * An X display for MiniBrowser: $DISPLAY if set, else one Xvfb for this process (started once).
 * Resolves to the display string (":N").
 */
let xvfb;
export function ensureDisplay() {
  if (process.env.DISPLAY) return Promise.resolve(process.env.DISPLAY);
  xvfb ??= new Promise((resolve, reject) => {
    const child = spawnGroup("Xvfb", ["-displayfd", "1", "-screen", "0", "1280x1024x24", "-nolisten", "tcp"],
      {}, ["ignore", "pipe", "ignore"]);
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/^(\d+)\n/);
      if (m) {
        child.stdout.destroy(); // nothing more to read; neither keeps this process alive
        child.unref();
        resolve(`:${m[1]}`);
      }
    });
    child.on("error", reject);
    child.on("exit", (code) => reject(new Error(`Xvfb exited (${code}) before announcing a display`)));
  });
  return xvfb;
}

/** Starts a WebDriver server for `engine` on a free port; resolves to { url, child }. */
async function startDriver(engine, dir) {
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const env = { TMPDIR: dir, XDG_CACHE_HOME: join(dir, "cache"), XDG_CONFIG_HOME: join(dir, "config"), XDG_DATA_HOME: join(dir, "data") };
    let child;
    if (engine === "firefox") {
      child = spawnGroup(GECKODRIVER, ["--host", "127.0.0.1", "--port", String(port), "--websocket-port", String(await freePort()),
        "--profile-root", dir, "--binary", FIREFOX, "--log", "error"], env);
    } else {
      env.DISPLAY = await ensureDisplay();
      child = spawnGroup(WEBKITDRIVER, [`--port=${port}`, "--host=local"], env);
    }
    const url = `http://127.0.0.1:${port}`;
    const end = Date.now() + 15000;
    while (Date.now() < end && child.exitCode === null) {
      try { if ((await fetch(`${url}/status`)).ok) return { url, child }; } catch { /* not yet */ }
      await new Promise((r) => setTimeout(r, 50));
    }
    killGroup(child);
    if (attempt >= 2) throw new Error(`${engine} WebDriver server did not start on port ${port}`);
  }
}

/** Firefox profile trusting `caFile` (NSS cert9.db made with certutil): for the TLS test. */
function firefoxProfileTrusting(caFile, dir) {
  const profile = mkdtempSync(join(dir, "profile-"));
  const certutil = (...a) => spawnSyncChecked("certutil", [...a, "-d", `sql:${profile}`]);
  certutil("-N", "--empty-password");
  certutil("-A", "-n", "nats-kv-wasm test CA", "-t", "C,,", "-i", caFile);
  return profile;
}
function spawnSyncChecked(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: ${r.stderr}`);
}

/** Firefox preferences: no background connections (no network here anyway), no first-run pages. */
const FIREFOX_PREFS = {
  "app.update.auto": false, "app.update.enabled": false, "browser.shell.checkDefaultBrowser": false,
  "datareporting.policy.dataSubmissionEnabled": false, "toolkit.telemetry.enabled": false,
  "network.captive-portal-service.enabled": false, "network.connectivity-service.enabled": false,
  "browser.safebrowsing.malware.enabled": false, "browser.safebrowsing.phishing.enabled": false,
  "extensions.update.enabled": false, "browser.search.update": false,
};

/**
 * A browser of `engine` ("firefox" | "webkit") driven through WebDriver. `trust`: { caFile, certFile }
 * — a TLS certificate this browser alone accepts (Firefox: a profile whose NSS store trusts the CA;
 * WebKit: WebKitWebDriver's `certificates` option, which allows the server certificate for its host).
 */
export async function launchWebDriverBrowser(engine, { trust } = {}) {
  const dir = mkdtempSync(join(tempRoot(), `${engine}-`));
  const caps = { pageLoadStrategy: "normal", timeouts: { script: SLICE_MS + 60000, pageLoad: 60000, implicit: 0 } };
  if (engine === "firefox") {
    const args = ["-headless"];
    if (trust) args.push("-profile", firefoxProfileTrusting(trust.caFile, dir));
    Object.assign(caps, { browserName: "firefox", "moz:firefoxOptions": { binary: FIREFOX, args, prefs: FIREFOX_PREFS } });
  } else if (engine === "webkit") {
    if (trust) caps["webkitgtk:browserOptions"] = { certificates: [{ host: "127.0.0.1", certificateFile: trust.certFile }] };
  } else {
    throw new Error(`no WebDriver browser for ${engine}`);
  }
  const pages = new Set();
  let version = "";
  const browser = {
    engine,
    /** A new page (its own session: a window plus the driver process). */
    async newPage({ viewport } = {}) {
      const sessionDir = mkdtempSync(join(dir, "session-"));
      mkdirSync(join(sessionDir, "cache"));
      const { url, child } = await startDriver(engine, sessionDir);
      let driver;
      try {
        driver = await WebDriver.createSession(new Executor(new HttpClient(url)), caps);
      } catch (e) {
        killGroup(child);
        throw e;
      }
      version = (await driver.getCapabilities()).get("browserVersion") || version;
      if (viewport) await driver.manage().window().setRect({ width: viewport.width, height: viewport.height });
      const page = new WebDriverPage(driver, () => { pages.delete(page); killGroup(child); });
      pages.add(page);
      return page;
    },
    /** The browser's version, once a page was opened. */
    version() { return version; },
    async close() {
      await Promise.all([...pages].map((p) => p.close()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return browser;
}

/**
 * The value codec, used in Node and shipped to the page as source: `enc(value)` → JSON-able,
 * `dec(json)` → value. Self-contained (no outer names): it runs in both places.
 */
function codec() {
  const TA = ["Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array", "Int32Array", "Uint32Array",
    "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array"];
  const b64 = (u8) => {
    let s = "";
    for (let i = 0; i < u8.length; i += 0x8000) s += String.fromCharCode.apply(null, u8.subarray(i, i + 0x8000));
    return btoa(s);
  };
  const unb64 = (s) => { const bin = atob(s); const u8 = new Uint8Array(bin.length); for (let i = 0; i < bin.length; i++) u8[i] = bin.charCodeAt(i); return u8; };
  const enc = (v, seen = new Map()) => {
    if (v === undefined || typeof v === "symbol" || typeof v === "function") return { $: "u" };
    if (v === null || typeof v === "boolean" || typeof v === "string") return v;
    if (typeof v === "number") {
      if (Number.isNaN(v)) return { $: "n", v: "NaN" };
      if (v === Infinity) return { $: "n", v: "Infinity" };
      if (v === -Infinity) return { $: "n", v: "-Infinity" };
      if (Object.is(v, -0)) return { $: "n", v: "-0" };
      return v;
    }
    if (typeof v === "bigint") return { $: "bi", v: v.toString() };
    if (v instanceof Error || Object.prototype.toString.call(v) === "[object Error]") {
      return { $: "e", n: v.name, m: v.message, s: String(v.stack || "") };
    }
    if (v instanceof Date) return { $: "d", v: Number.isNaN(v.getTime()) ? null : v.toJSON() };
    if (v instanceof RegExp) return { $: "re", p: v.source, f: v.flags };
    if (typeof URL === "function" && v instanceof URL) return { $: "url", v: v.href };
    for (const k of TA) {
      if (typeof globalThis[k] === "function" && v instanceof globalThis[k]) return { $: "ta", k, b: b64(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)) };
    }
    if (v instanceof ArrayBuffer) return { $: "ab", b: b64(new Uint8Array(v)) };
    if (typeof Node === "function" && v instanceof Node) return "ref: <Node>";
    if (typeof Window === "function" && v instanceof Window) return "ref: <Window>";
    if (seen.has(v)) return { $: "ref", id: seen.get(v) };
    const id = seen.size + 1;
    seen.set(v, id);
    if (Array.isArray(v)) return { $: "a", id, v: v.map((x) => enc(x, seen)) };
    const o = {};
    for (const k of Object.keys(v)) o[k] = enc(v[k], seen);
    return { $: "o", id, v: o };
  };
  const dec = (j, refs = new Map()) => {
    if (j === null || typeof j !== "object") return j;
    switch (j.$) {
      case "u": return undefined;
      case "n": return j.v === "-0" ? -0 : Number(j.v);
      case "bi": return BigInt(j.v);
      case "e": { const e = new Error(j.m); e.name = j.n; e.stack = j.s; return e; }
      case "d": return new Date(j.v === null ? NaN : j.v);
      case "re": return new RegExp(j.p, j.f);
      case "url": return new URL(j.v);
      case "ta": { const u8 = unb64(j.b); const C = globalThis[j.k]; return new C(u8.buffer, 0, u8.byteLength / C.BYTES_PER_ELEMENT); }
      case "ab": return unb64(j.b).buffer;
      case "ref": return refs.get(j.id);
      case "a": { const a = []; refs.set(j.id, a); for (const x of j.v) a.push(dec(x, refs)); return a; }
      case "o": { const o = {}; refs.set(j.id, o); for (const k of Object.keys(j.v)) o[k] = dec(j.v[k], refs); return o; }
      default: throw new Error(`unknown value tag ${j.$}`);
    }
  };
  return { enc, dec };
}
const { enc, dec } = codec();

/**
 * Page side, installed once per document (`window.__e2e`, not enumerable): the codec, the running
 * evaluations, and the page errors (uncaught exceptions and unhandled rejections) not yet reported.
 * It runs as the page's own script (a <script> element, see STEP): Firefox runs WebDriver scripts in a
 * context of their own, whose functions' uncaught errors never reach the page's `error` event.
 */
function install(codecSrc) {
  if (window.__e2e) return;
  const E = { codec: (0, eval)(`(${codecSrc})`)(), pending: new Map(), errors: [] };
  Object.defineProperty(window, "__e2e", { value: E, enumerable: false });
  const plain = (x) => (x instanceof Error ? { n: x.name, m: x.message, s: String(x.stack || "") } : { n: "Error", m: String(x), s: "" });
  window.addEventListener("error", (ev) => E.errors.push(plain(ev.error ?? ev.message)));
  window.addEventListener("unhandledrejection", (ev) => E.errors.push(plain(ev.reason)));
  E.start = (id, src, kind, argJson) => {
    const rec = { settled: false, result: null, waiter: null };
    E.pending.set(id, rec);
    let p;
    try {
      const arg = E.codec.dec(JSON.parse(argJson));
      const f = (0, eval)(kind === "fn" ? `(${src})` : src);
      p = Promise.resolve(typeof f === "function" ? f(arg) : f);
    } catch (e) {
      p = Promise.reject(e);
    }
    p.then((v) => ({ ok: true, v: E.codec.enc(v) }), (e) => ({ ok: false, e: E.codec.enc(e instanceof Error ? e : new Error(String(e))) }))
      .catch((e) => ({ ok: false, e: E.codec.enc(new Error(`result not serialisable: ${e}`)) }))
      .then((result) => { rec.settled = true; rec.result = result; rec.waiter?.(); });
  };
  /** Resolves to the result (JSON) once settled, or to `pending` after `slice` ms. */
  E.wait = (id, slice) => new Promise((resolve) => {
    const rec = E.pending.get(id);
    if (!rec) throw new Error("the evaluation was lost (did the page navigate?)");
    let called = false;
    const reply = () => {
      if (called) return;
      called = true;
      rec.waiter = null;
      if (rec.settled) E.pending.delete(id);
      resolve(JSON.stringify({ ...(rec.settled ? rec.result : { pending: true }), errors: E.errors.splice(0) }));
    };
    if (rec.settled) return reply();
    rec.waiter = reply;
    setTimeout(reply, slice);
  });
}

/** WebDriver-side: installs the page side as a page script unless there. */
const INSTALL = `if (!window.__e2e) {
  const s = document.createElement("script");
  s.textContent = ${JSON.stringify(`(${install})(${JSON.stringify(codec.toString())})`)};
  (document.head || document.documentElement).append(s);
  s.remove();
}`;

// The script of every evaluation step: install if needed, start (op "run") and wait one slice.
const STEP = `const done = arguments[arguments.length - 1];
const [op, id, src, kind, argJson, slice] = arguments;
const fail = (e) => done(JSON.stringify({ ok: false, e: { $: "e", n: e.name, m: e.message, s: String(e.stack || "") }, errors: [] }));
try {
  ${INSTALL}
  const E = window.__e2e;
  if (op === "run") E.start(id, src, kind, argJson);
  E.wait(id, slice).then(done, fail);
} catch (e) { fail(e); }`;


/** A page (a WebDriver session) with the subset of Playwright's Page API the e2e tests use. */
class WebDriverPage {
  constructor(driver, onClose) {
    this.driver = driver;
    this.onClose = onClose;
    this.listeners = { pageerror: [] };
    this.queue = Promise.resolve();
    this.seq = 0;
    this.closed = false;
  }
  /** Runs one WebDriver command after the ones before it. */
  cmd(fn) {
    const r = this.queue.then(fn);
    this.queue = r.catch(() => {});
    return r;
  }
  on(event, fn) {
    if (!this.listeners[event]) throw new Error(`page.on("${event}") is not available through WebDriver`);
    this.listeners[event].push(fn);
    return this;
  }
  emitErrors(errors) {
    for (const x of errors || []) {
      const e = new Error(x.m);
      e.name = x.n; e.stack = x.s;
      for (const fn of this.listeners.pageerror) fn(e);
    }
  }
  async goto(url) {
    await this.cmd(() => this.driver.get(url));
    await this.cmd(() => this.driver.executeScript(INSTALL));
  }
  async evaluate(fn, arg) {
    const id = ++this.seq;
    const kind = typeof fn === "function" ? "fn" : "expr";
    const step = (op) => this.cmd(() => this.driver.executeAsyncScript(STEP, op, id, String(fn), kind, JSON.stringify(enc(arg)), SLICE_MS));
    let r = JSON.parse(await step("run"));
    this.emitErrors(r.errors);
    while (r.pending) {
      r = JSON.parse(await step("wait"));
      this.emitErrors(r.errors);
    }
    if (r.ok) return dec(r.v);
    const e = dec(r.e);
    const err = new Error(`page.evaluate: ${e.name}: ${e.message}`);
    err.stack = `${err.message}\n${e.stack}`;
    throw err;
  }
  /** Resolves to `fn(arg)`'s first truthy value, polled in the page every 20 ms (Playwright: every frame). */
  async waitForFunction(fn, arg, { timeout = 30000 } = {}) {
    return this.evaluate(async ({ src, arg, timeout }) => {
      const f = (0, eval)(`(${src})`);
      const end = Date.now() + timeout;
      for (;;) {
        const v = await f(arg);
        if (v) return v;
        if (Date.now() > end) throw new Error(`page.waitForFunction: Timeout ${timeout}ms exceeded.`);
        await new Promise((r) => setTimeout(r, 20));
      }
    }, { src: String(fn), arg, timeout });
  }
  /** A CSS locator with Playwright's `waitFor`, `textContent`, `first` (enough for page.test.mjs). */
  locator(css) {
    return new WebDriverLocator(this, css);
  }
  async screenshot({ path } = {}) {
    const png = Buffer.from(await this.cmd(() => this.driver.takeScreenshot()), "base64");
    if (path) writeFileSync(path, png);
    return png;
  }
  async close() {
    if (this.closed) return;
    this.closed = true;
    try { await Promise.race([this.driver.quit(), new Promise((r) => setTimeout(r, 10000))]); } catch { /* driver gone */ }
    this.onClose();
  }
}

class WebDriverLocator {
  constructor(page, css) { this.page = page; this.css = css; }
  first() { return this; }
  /** Waits until an element matches (state "attached"/"visible": present; "detached"/"hidden": absent). */
  waitFor({ state = "visible", timeout = 30000 } = {}) {
    const absent = state === "detached" || state === "hidden";
    return this.page.waitForFunction(({ css, absent }) => !document.querySelector(css) === absent, { css: this.css, absent }, { timeout });
  }
  textContent() { return this.page.evaluate((css) => document.querySelector(css)?.textContent ?? null, this.css); }
}
