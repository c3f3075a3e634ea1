// Panic containment: a panic (triggered on purpose through a test-only export) poisons the module.
// Everything live ends with NatsError INTERNAL, pending promises reject, later calls fail the same way,
// the sockets are closed, and the page keeps running.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startStack, launchBrowser, modulePage } from "./helpers.mjs";

let stack, browser;
before(async () => { stack = await startStack(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await stack?.close(); });

/** Client connections the server has (the page's sockets are gone when this reaches 0). */
async function connectionsOnServer() {
  return (await (await fetch(`${stack.server.monitorUrl}/connz`)).json()).num_connections;
}

async function waitForNoConnections() {
  for (let i = 0; i < 200 && (await connectionsOnServer()) > 0; i++) await new Promise((r) => setTimeout(r, 50));
  return connectionsOnServer();
}

// Live objects in a fresh page: a connection with a status log, a subscription iterator, a KV watcher
// iterator, a request nobody answers, and (`startKvCalls`, right before the panic) a pending KV get/put.
const SETUP = async (url) => {
  const nc = await nats.connect({ servers: url });
  const statuses = [];
  let sawError;
  window.errorSeen = new Promise((r) => { sawError = r; });
  nc.onStatus((s) => { statuses.push(s); if (s.type === "error") sawError(s.data); });
  const kv = await new nats.Kvm(nc).create("panic");
  await kv.put("k", "v");
  const watcher = await kv.watch();
  const sub = nc.subscribe("panic.sub");
  nc.subscribe("panic.req", { callback: () => {} });
  const req = nc.request("panic.req", "", { timeout: 120000 }).then(() => "resolved", (e) => e.code);
  await nc.flush();
  window.live = { nc, kv, statuses, sub, watcher, req };
  // A KV get and put sent in the same turn as the panic: their replies can never arrive.
  window.startKvCalls = () => {
    const code = (p) => p.then(() => "resolved", (e) => e.code);
    window.live.pendingKv = Promise.all([code(kv.get("k")), code(kv.put("k", "w"))]);
  };
};

// What every live and later call gives once the module is poisoned.
const AFTERMATH = async () => {
  const { nc, kv, statuses, sub, watcher, req, pendingKv } = window.live;
  const code = async (f) => { try { await f(); return "ok"; } catch (e) { return e instanceof nats.NatsError ? e.code : `not a NatsError: ${e}`; } };
  return {
    statuses: statuses.map((s) => (s.type === "error" ? `error:${s.data.code}` : s.type)),
    request: await req,
    pendingKv: await pendingKv,
    closed: (await nc.closed())?.code,
    isClosed: nc.isClosed(),
    subNext: await code(() => sub[Symbol.asyncIterator]().next()),
    watcherNext: await code(async () => { const it = watcher[Symbol.asyncIterator](); for (;;) await it.next(); }),
    publish: await code(() => nc.publish("panic.x", "")),
    flush: await code(() => nc.flush()),
    put: await code(() => kv.put("k", "w")),
    get: await code(() => kv.get("k")),
    watch: await code(() => kv.watch()),
    kvm: await code(() => new nats.Kvm(nc)),
    connect: await code(() => nats.connect({ servers: "ws://127.0.0.1:1" })),
    close: await code(() => nc.close()),
    pageAlive: [1, 2, 3].map((x) => x * 2).join(","),
  };
};

const EXPECTED = {
  statuses: ["error:INTERNAL", "close"],
  request: "INTERNAL",
  pendingKv: ["INTERNAL", "INTERNAL"],
  closed: "INTERNAL",
  isClosed: true,
  subNext: "INTERNAL",
  watcherNext: "INTERNAL",
  publish: "INTERNAL",
  flush: "INTERNAL",
  put: "INTERNAL",
  get: "INTERNAL",
  watch: "INTERNAL",
  kvm: "INTERNAL",
  connect: "INTERNAL",
  close: "ok",
  pageAlive: "2,4,6",
};

test("a panic inside a call from JS poisons the module: everything ends with INTERNAL, sockets close", async () => {
  const page = await modulePage(browser, stack.web);
  await page.evaluate(SETUP, stack.server.wsUrl);
  assert.equal(await connectionsOnServer(), 1);
  const trap = await page.evaluate(async () => {
    const wasm = await import("/pkg/nats_kv_wasm.js");
    startKvCalls();
    try { wasm.__panicForTests(false); return "no trap"; } catch (e) { return e.constructor.name; }
  });
  assert.equal(trap, "RuntimeError", "the raw test export traps; the library's own calls never show this");
  assert.deepEqual(await page.evaluate(AFTERMATH), EXPECTED);
  assert.equal(await waitForNoConnections(), 0, "the panic hook closed the WebSocket");
  await page.close();
});

test("a panic inside an async task (no JS caller) is contained the same way", async () => {
  const page = await modulePage(browser, stack.web);
  const pageErrors = [];
  page.on("pageerror", (e) => pageErrors.push(e.message));
  await page.evaluate(SETUP, stack.server.wsUrl);
  const err = await page.evaluate(async () => {
    const wasm = await import("/pkg/nats_kv_wasm.js");
    startKvCalls();
    wasm.__panicForTests(true);
    const e = await window.errorSeen;
    return { code: e.code, name: e.name, message: e.message };
  });
  assert.equal(err.code, "INTERNAL");
  assert.equal(err.name, "NatsError");
  assert.match(err.message, /deliberate panic in a task/);
  assert.deepEqual(await page.evaluate(AFTERMATH), EXPECTED);
  assert.equal(await waitForNoConnections(), 0);
  await page.close();
});
