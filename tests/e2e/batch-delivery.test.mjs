// Messages of one WebSocket frame reach a subscription in one batch (js/index.js builds the Msg objects):
// each callback still sees one Msg with its own subject, reply, data and headers, and an unsubscribe from
// inside a callback cuts the rest of an already-received batch.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { openModuleStack, closeModuleStack } from "./helpers.mjs";

let stack, browser, page, url;
before(async () => { ({ stack, browser, page, url } = await openModuleStack()); });
after(() => closeModuleStack({ stack, browser }));

test("a batch keeps each message's subject, reply, data and headers", async () => {
  const r = await page.evaluate(async (url) => {
    const nc = await nats.connect({ servers: url });
    const seen = [];
    const sub = nc.subscribe("batch.>", { callback: (_e, m) => seen.push({ s: m.subject, r: m.reply ?? null, d: m.string(), h: m.headers?.get("X") ?? null, sid: m.sid }) });
    await nc.flush();
    const h = nats.headers(); h.set("X", "y");
    nc.publish("batch.a", "1");
    nc.publish("batch.b", "", { reply: "r.1" });
    nc.publish("batch.c", "3", { headers: h });
    nc.publish("batch.d", "four", { reply: "r.2" });
    await nc.flush();
    await new Promise((r) => setTimeout(r, 100));
    const sid = sub.getID();
    await nc.close();
    return { seen, sid };
  }, url);
  assert.deepEqual(r.seen, [
    { s: "batch.a", r: null, d: "1", h: null, sid: r.sid },
    { s: "batch.b", r: "r.1", d: "", h: null, sid: r.sid },
    { s: "batch.c", r: null, d: "3", h: "y", sid: r.sid },
    { s: "batch.d", r: "r.2", d: "four", h: null, sid: r.sid },
  ]);
});

test("unsubscribe inside a callback stops the rest of the batch; unsubscribe(max) stops at max", async () => {
  const r = await page.evaluate(async (url) => {
    const nc = await nats.connect({ servers: url });
    let a = 0, b = 0;
    const subA = nc.subscribe("cut.a", { callback: () => { a++; if (a === 10) subA.unsubscribe(); } });
    const subB = nc.subscribe("cut.b", { callback: () => { b++; if (b === 5) subB.unsubscribe(20); } });
    await nc.flush();
    // Consecutive messages for one subscription, so they arrive as batches of many.
    for (let i = 0; i < 200; i++) nc.publish("cut.a", "x");
    for (let i = 0; i < 200; i++) nc.publish("cut.b", "x");
    await nc.flush();
    await new Promise((r) => setTimeout(r, 200));
    await nc.close();
    return { a, b, ra: subA.getReceived(), rb: subB.getReceived() };
  }, url);
  assert.deepEqual(r, { a: 10, b: 20, ra: 10, rb: 20 });
});

test("the JS twin unpacks every field the Rust packer wrote (src/session/batch.rs ↔ js/batch.js)", async () => {
  const r = await page.evaluate(async () => {
    const w = await import("/pkg/nats_kv_wasm.js");
    const { unpack } = await import("/js/batch.js");
    const [m, e] = w.__batchSampleForTests();
    const nc = { marker: true };
    const msgs = unpack(m[3], m[0], m[1], m[2], nc).map((x) => ({
      subject: x.subject, sid: x.sid, reply: x.reply ?? null, data: [...x.data], nc: x._nc === nc,
      headers: x.headers ? { code: x.headers.code, description: x.headers.description, entries: [...x.headers] } : null,
    }));
    const entries = unpack(e[3], e[0], e[1], e[2]).map((x) => ({
      bucket: x.bucket, key: x.key, value: [...x.value], revision: x.revision, created: x.created.getTime(),
      delta: x.delta, operation: x.operation, length: x.length, isUpdate: x.isUpdate,
    }));
    return { msgs, entries };
  });
  assert.deepEqual(r.msgs, [
    { subject: "orders.new", sid: 7, reply: "_INBOX.r.1", data: [104, 101, 108, 108, 111], nc: true,
      headers: { code: 0, description: "", entries: [["Trace-Id", "a b"], ["Trace-Id", "second"]] } },
    { subject: "orders.\u00e9", sid: 9007199254740991, reply: null, data: [], nc: true, headers: null },
  ]);
  const common = { bucket: "cfg", created: 1742465472123, delta: 3 };
  assert.deepEqual(r.entries, [
    { ...common, key: "ui.theme", value: [100, 97, 114, 107], revision: 1, operation: "PUT", length: 4, isUpdate: false },
    { ...common, key: "ui.lang", value: [], revision: 2, operation: "DEL", length: 0, isUpdate: true },
    { ...common, key: "x", value: [0, 255], revision: 9007199254740991, operation: "PURGE", length: 2, isUpdate: true },
  ]);
});

test("jetstreamManager(nc).getAccountInfo() counts the account's streams (one session function, one export line)", async () => {
  const r = await page.evaluate(async (url) => {
    const nc = await nats.connect({ servers: url });
    const jsm = await nats.jetstreamManager(nc);
    const before = await jsm.getAccountInfo();
    await new nats.Kvm(nc).create("jsm_count");
    const after = await jsm.getAccountInfo();
    await nc.close();
    return { before: before.streams, after: after.streams, hasLimits: typeof after.limits === "object", api: typeof after.api.total };
  }, url);
  assert.equal(r.after, r.before + 1);
  assert.equal(r.hasLimits, true);
  assert.equal(r.api, "number");
});
