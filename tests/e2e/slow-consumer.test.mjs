// A `for await` subscription that is not iterated keeps at most `maxPending` messages, drops the rest,
// raises `slowConsumer` once per episode, and wasm memory stays bounded.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { openModuleStack, closeModuleStack } from "./helpers.mjs";

let stack, browser, page, url;
before(async () => { ({ stack, browser, page, url } = await openModuleStack()); });
after(() => closeModuleStack({ stack, browser }));

test("a lagging iterator keeps maxPending messages, drops the rest and raises slowConsumer", async () => {
  const r = await page.evaluate(async (url) => {
    const wasm = await (await import("/pkg/nats_kv_wasm.js")).default();
    const nc = await nats.connect({ servers: url });
    const statuses = [];
    nc.onStatus((s) => statuses.push(s));
    const sub = nc.subscribe("slow.x", { maxPending: 1000 });
    const before = wasm.memory.buffer.byteLength;
    const data = new Uint8Array(128);
    for (let i = 0; i < 5000; i++) { new DataView(data.buffer).setUint32(0, i); nc.publish("slow.x", data); }
    await nc.flush();
    await nc.flush();
    const out = { pending: sub.getPending(), dropped: sub.getDropped(), received: sub.getReceived() };
    // Iterating catches up: the first 1000 messages, in order.
    const got = [];
    for await (const m of sub) { got.push(new DataView(m.data.buffer, m.data.byteOffset, 4).getUint32(0)); if (got.length === 1000) break; }
    out.inOrder = got.every((v, i) => v === i);
    // A second episode after catching up raises slowConsumer again.
    const sub2 = nc.subscribe("slow.y", { maxPending: 10 });
    for (let i = 0; i < 100; i++) nc.publish("slow.y", "x");
    await nc.flush();
    out.slow = statuses.filter((s) => s.type === "slowConsumer").map((s) => s.data === sub.getID() ? "x" : s.data === sub2.getID() ? "y" : "?");
    // 100 000 more messages to a lagging iterator: wasm memory does not follow.
    const sub3 = nc.subscribe("slow.z", { maxPending: 100 });
    for (let i = 0; i < 100000; i++) nc.publish("slow.z", data);
    await nc.flush();
    out.dropped3 = sub3.getDropped();
    out.wasmGrowthMB = (wasm.memory.buffer.byteLength - before) / 2 ** 20;
    let bad;
    try { nc.subscribe("slow.w", { maxPending: 0 }); } catch (e) { bad = e.code; }
    out.bad = bad;
    await nc.close();
    return out;
  }, url);
  assert.deepEqual({ pending: r.pending, dropped: r.dropped, received: r.received }, { pending: 1000, dropped: 4000, received: 5000 });
  assert.equal(r.inOrder, true);
  assert.deepEqual(r.slow, ["x", "y"]);
  assert.equal(r.dropped3, 99900);
  assert.ok(r.wasmGrowthMB < 8, `wasm memory grew ${r.wasmGrowthMB} MB`);
  assert.equal(r.bad, "INVALID_ARGUMENT");
});
