// Shared set-up of the nats.js `kv/tests/kv_test.ts` ports (kv-natsjs-1/-2.test.mjs): one nats-server
// and one page per file, page-side helpers as `window.T`, fresh bucket names, and a look at the
// server's own view of a connection (connz) and of a stream's consumers.
import { before, after } from "node:test";
import { launchBrowser, startStack, modulePage } from "./helpers.mjs";
import { startNatsServer } from "../../scripts/lib/nats-server.mjs";

export const ctx = { stack: null, browser: null, page: null, url: null };

/** Registers the file's before/after hooks. */
export function setupFile() {
  before(async () => {
    ctx.stack = await startStack();
    ctx.browser = await launchBrowser();
    ctx.page = await modulePage(ctx.browser, ctx.stack.web);
    ctx.url = ctx.stack.server.wsUrl;
    await ctx.page.evaluate(installPageHelpers);
  });
  after(async () => { await ctx.browser?.close(); await ctx.stack?.close(); });
}

let serial = 0;
const run = Date.now().toString(36);
/** A bucket name used by no other test. */
export function bucket(tag = "b") {
  return `${tag}_${run}_${++serial}`;
}

/** Runs `fn(args)` in the page, with `url` (the shared server) added to `args` unless given. */
export function inPage(fn, args = {}) {
  return ctx.page.evaluate(fn, { url: ctx.url, ...args });
}

/** A nats-server of its own (for tests that need an empty server or restart it). */
export function freshServer() {
  return startNatsServer();
}

/** The subjects a named connection is subscribed to, as the server sees them (connz). */
export async function serverSubs(server, name) {
  const r = await fetch(`${server.monitorUrl}/connz?subs=1&limit=4096`);
  const z = await r.json();
  const c = (z.connections || []).filter((c) => c.name === name);
  if (c.length !== 1) throw new Error(`expected one connection named ${name}, found ${c.length}`);
  return c[0].subscriptions_list || [];
}

/** Page-side helpers (`window.T`), installed once per page. */
function installPageHelpers() {
  const T = {};
  /** A connection to `url`; `extra` are more ConnectionOptions. */
  T.connect = (url, extra = {}) => nats.connect({ servers: url, ...extra });
  /** A JetStream API request; resolves to the reply JSON. */
  T.api = async (nc, subject, body) => {
    const m = await nc.request(subject, body === undefined ? "" : JSON.stringify(body), { timeout: 5000 });
    return m.json();
  };
  /** `{code, message, isNatsError}` of a rejected promise, or `"resolved"`. */
  T.err = async (p) => {
    try { await p; return "resolved"; } catch (e) { return { code: e.code, message: e.message, isNatsError: e instanceof nats.NatsError }; }
  };
  /** Rejects if `p` does not settle within `ms`. */
  T.deadline = (p, ms, what = "operation") => Promise.race([
    p, new Promise((_, rej) => setTimeout(() => rej(new Error(`${what}: no result within ${ms} ms`)), ms)),
  ]);
  /** Polls `fn` until it returns a truthy value (or throws after `ms`); for state the server signals no event for. */
  T.until = async (fn, ms = 10000, what = "condition", every = 50) => {
    const end = Date.now() + ms;
    for (;;) {
      const v = await fn();
      if (v) return v;
      if (Date.now() > end) throw new Error(`${what}: not reached within ${ms} ms`);
      await new Promise((r) => setTimeout(r, every));
    }
  };
  /** A promise and its resolve. */
  T.deferred = () => { let resolve, reject; const p = new Promise((a, b) => { resolve = a; reject = b; }); p.resolve = resolve; p.reject = reject; return p; };
  /** An entry as plain data. */
  T.plain = (e) => e && ({
    bucket: e.bucket, key: e.key, value: e.string(), length: e.length, revision: e.revision,
    delta: e.delta, operation: e.operation, isUpdate: e.isUpdate, created: e.created.getTime(),
    valueIsBytes: e.value instanceof Uint8Array, valueLength: e.value.length,
  });
  /** The consumers of a stream (CONSUMER.LIST). */
  T.consumers = async (nc, stream) => (await T.api(nc, `$JS.API.CONSUMER.LIST.${stream}`, {})).consumers || [];
  /** The names of all streams. */
  T.streamNames = async (nc) => (await T.api(nc, "$JS.API.STREAM.NAMES", {})).streams || [];
  /** Records the JetStream API subjects requested by anyone (a second connection listening on $JS.API.>). */
  T.apiSpy = async (url) => {
    const spy = await T.connect(url);
    const seen = [];
    spy.subscribe("$JS.API.>", { callback: (err, m) => { if (m) seen.push({ subject: m.subject, body: m.string() }); } });
    await spy.flush();
    // The server routes a request to its JetStream handler and to the spy in no set order: the reply
    // (and a flush of the spy) can come before the spy's copy. `until` waits for the copies (5 s at most).
    const until = async (n, match = () => true) => {
      for (const end = Date.now() + 5000; seen.filter(match).length < n && Date.now() < end;) await spy.flush();
      return seen.filter(match);
    };
    return { seen, until, close: () => spy.close(), flush: () => spy.flush() };
  };
  window.T = T;
}
