// Start-up (README "Start-up"): `connect()` opens the WebSocket while the wasm loads and the wasm takes
// that socket over, with the events it got meanwhile; a socket the wasm does not take is closed.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launchBrowser, startStack, modulePage } from "./helpers.mjs";
import { freePort } from "../../scripts/lib/nats-server.mjs";

let stack, browser;
before(async () => { stack = await startStack(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await stack?.close(); });

// In a fresh page (the wasm not loaded yet): records the sockets the page creates and when their first
// frame came, and holds the wasm compile back by `delay` ms, so the handshake and INFO come first.
const INSTRUMENT = (delay) => {
  window.sockets = [];
  const Native = WebSocket;
  window.WebSocket = class extends Native {
    constructor(...a) {
      super(...a);
      window.sockets.push(this);
      this.addEventListener("message", () => { this.firstFrameAt ??= performance.now(); });
    }
  };
  for (const k of ["instantiateStreaming", "instantiate"]) {
    const f = WebAssembly[k];
    WebAssembly[k] = (...a) => new Promise((r) => setTimeout(r, delay)).then(() => f.apply(WebAssembly, a));
  }
};

test("connect() dials once, before the wasm is loaded, and the wasm takes that socket with its INFO", async () => {
  const page = await modulePage(browser, stack.web);
  await page.evaluate(INSTRUMENT, 300);
  const r = await page.evaluate(async (url) => {
    const pending = nats.connect({ servers: url, name: "startup" });
    const dialledAtOnce = window.sockets.length;
    let wasmAt;
    nats.init().then(() => { wasmAt = performance.now(); });
    const nc = await pending;
    const sub = nc.subscribe("startup.echo", { max: 1 });
    nc.publish("startup.echo", "hi");
    let got;
    for await (const m of sub) got = m.string();
    const rtt = await nc.rtt();
    const info = nc.info;
    await nc.close();
    return { dialledAtOnce, sockets: window.sockets.length, infoBeforeWasm: window.sockets[0].firstFrameAt < wasmAt, got, rtt: typeof rtt, server: typeof info?.server_id };
  }, stack.server.wsUrl);
  assert.deepEqual(r, { dialledAtOnce: 1, sockets: 1, infoBeforeWasm: true, got: "hi", rtt: "number", server: "string" });
  await page.close();
});

test("a socket the wasm does not take (bad options) is closed; refused and multi-server dials still work", async () => {
  const page = await modulePage(browser, stack.web);
  await page.evaluate(INSTRUMENT, 0);
  const r = await page.evaluate(async ({ url, dead }) => {
    const code = (p) => p.then(() => "connected", (e) => e.code);
    const bad = await code(nats.connect({ servers: url, maxPingOut: 0 }));
    const badSocket = window.sockets[0].readyState; // 2 CLOSING or 3 CLOSED
    const refused = await code(nats.connect({ servers: dead, timeout: 5000 }));
    const before = window.sockets.length;
    const nc = await nats.connect({ servers: [url, url] }); // two servers: the wasm dials itself
    await nc.flush();
    await nc.close();
    return { bad, badClosed: badSocket >= 2, refused, multiDials: window.sockets.length - before };
  }, { url: stack.server.wsUrl, dead: `ws://127.0.0.1:${await freePort()}` });
  assert.deepEqual(r, { bad: "INVALID_ARGUMENT", badClosed: true, refused: "CONNECTION_REFUSED", multiDials: 1 });
  await page.close();
});
