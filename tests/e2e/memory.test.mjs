// Nothing the library creates outlives its use: after watchers, subscriptions and connections are
// stopped and closed and the JS garbage collector has run, wasm memory stops growing. (A watcher once
// kept itself alive through its JS callbacks: a cycle through the wasm boundary that GC cannot see.)
// engines: chromium — forces garbage collection with V8's --expose-gc (no such switch in Firefox or WebKit)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startStack, launchBrowser, modulePage } from "./helpers.mjs";

let stack, browser, page;
before(async () => {
  stack = await startStack();
  browser = await launchBrowser(["--js-flags=--expose-gc"]);
  page = await modulePage(browser, stack.web);
});
after(async () => { await browser?.close(); await stack?.close(); });

test("wasm memory stays flat over 15 rounds of connect, watch 2 000 puts, subscribe, stop, close", async () => {
  const kb = await page.evaluate(async (url) => {
    const wasm = await (await import("/pkg/nats_kv_wasm.js")).default();
    const collect = async () => {
      for (let i = 0; i < 3; i++) { gc(); await new Promise((r) => setTimeout(r, 20)); }
    };
    const sizes = [];
    for (let round = 0; round < 15; round++) {
      const writer = await nats.connect({ servers: url });
      const reader = await nats.connect({ servers: url });
      const kv = await new nats.Kvm(writer).create(`mem${round}`);
      const rkv = await new nats.Kvm(reader).open(`mem${round}`);
      let got = 0, done;
      const all = new Promise((r) => { done = r; });
      const w = await rkv.watch({ callback: () => { if (++got === 2000) done(); } });
      const it = await rkv.watch();
      const sub = reader.subscribe("mem.x");
      (async () => { for await (const _m of sub) { /* drain */ } })();
      let next = 0;
      const put = async () => { while (next < 2000) { const i = next++; await kv.put(`k${i}`, new Uint8Array(64)); } };
      await Promise.all(Array.from({ length: 64 }, put));
      for (let i = 0; i < 100; i++) writer.publish("mem.x", new Uint8Array(64));
      await all;
      w.stop();
      it.stop();
      await kv.destroy();
      await writer.close();
      await reader.close();
      await collect();
      sizes.push(wasm.memory.buffer.byteLength / 1024);
    }
    return sizes;
  }, stack.server.wsUrl);
  const growth = kb[kb.length - 1] - kb[4];
  assert.ok(growth <= 128, `wasm memory grew ${growth} KB from round 5 to round 15: ${kb.join(" ")}`);
});
