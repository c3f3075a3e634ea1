// The Key/Value entry, `nats-kv-wasm/kv` (js/index-kv.js with the .wasm built without the JetStream
// manager, consumers and Object Store, pkg-kv/): a page that loads only it does a real connect → KV
// create/put/get/watch/delete against nats-server, and neither the entry nor its wasm exports carry the
// JetStream/Object Store names.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { launchBrowser, startStack, ROOT } from "./helpers.mjs";

let stack, browser, page;
before(async () => {
  stack = await startStack();
  browser = await launchBrowser();
  page = await browser.newPage();
  page.on("pageerror", (e) => console.error("pageerror:", e));
  await page.goto(stack.web.url + "blank");
  await page.evaluate(async () => { window.nats = await import("/js/index-kv.js"); });
});
after(async () => { await browser?.close(); await stack?.close(); });

const JS_NAMES = ["jetstream", "jetstreamManager", "Objm", "AckPolicy", "DeliverPolicy", "RetentionPolicy",
  "StorageType", "DiscardPolicy", "ReplayPolicy", "StoreCompression", "nanos", "millis"];
const WASM_NAMES = ["WasmConsumer", "WasmPullRun", "WasmObjStore", "WasmObjPut", "WasmObjRun"];
// The KV build's JetStream context (`Kvm` creates and opens buckets through it) has no JetStream client calls.
const JSM_ABSENT = ["publish", "ordered"];

test("the KV entry exports core + Key/Value only, and its wasm has no JetStream consumer or Object Store export", async () => {
  const r = await page.evaluate(async () => {
    await nats.init();
    const glue = await import("/pkg-kv/nats_kv_wasm.js");
    return {
      entry: Object.keys(nats).sort(),
      glue: Object.keys(glue),
      jsm: Object.getOwnPropertyNames(glue.WasmJsm.prototype),
      wasm: performance.getEntriesByType("resource").map((e) => new URL(e.name).pathname).filter((p) => p.endsWith(".wasm")),
    };
  });
  assert.deepEqual(r.entry, ["KvWatchInclude", "Kvm", "NatsError", "connect", "headers", "init"]);
  for (const n of WASM_NAMES) assert.ok(!r.glue.includes(n), `${n} is not a KV wasm export: ${r.glue.join(", ")}`);
  for (const n of ["connect", "WasmConnection", "WasmJsm", "WasmKv", "WasmWatcher", "WasmView"]) assert.ok(r.glue.includes(n), `${n} is a KV wasm export`);
  for (const n of JSM_ABSENT) assert.ok(!r.jsm.includes(n), `WasmJsm.${n} is not in the KV build: ${r.jsm.join(", ")}`);
  assert.ok(r.jsm.includes("kvm") && r.jsm.includes("admin"), r.jsm.join(", "));
  assert.deepEqual(r.wasm, ["/pkg-kv/nats_kv_wasm_bg.wasm"], "only the KV .wasm is fetched");
  for (const n of JS_NAMES) assert.ok(!r.entry.includes(n));
});

test("the KV .wasm is smaller than the full one", () => {
  const gz = (f) => gzipSync(readFileSync(join(ROOT, f)), { level: 9 }).length;
  const kv = gz("pkg-kv/nats_kv_wasm_bg.wasm"), full = gz("pkg/nats_kv_wasm_bg.wasm");
  console.log(`# KV .wasm ${kv} B gzip, full ${full} B gzip (${statSync(join(ROOT, "pkg-kv/nats_kv_wasm_bg.wasm")).size} / ${statSync(join(ROOT, "pkg/nats_kv_wasm_bg.wasm")).size} B raw)`);
  assert.ok(kv < full * 0.9, `KV ${kv} B vs full ${full} B`);
});

test("connect → Kvm create/put/get/watch/delete/history/keys/status/destroy with the KV entry", async () => {
  const r = await page.evaluate(async (url) => {
    const nc = await nats.connect({ servers: url });
    try {
      const kv = await new nats.Kvm(nc).create("kventry", { history: 5 });
      const seen = [];
      const watcher = await kv.watch({ include: nats.KvWatchInclude.UpdatesOnly });
      const done = (async () => {
        for await (const e of watcher) {
          seen.push([e.key, e.operation, e.revision, e.string()]);
          if (e.operation === "DEL") break;
        }
      })();
      const r1 = await kv.put("a", "one");
      const r2 = await kv.put("a", new TextEncoder().encode("two"));
      const got = await kv.get("a");
      const created = await kv.create("b", "x");
      await kv.delete("a");
      await done;
      const gone = await kv.get("a");
      const hist = [];
      for await (const e of await kv.history({ key: "a" })) hist.push(e.operation);
      const keys = [];
      for await (const k of await kv.keys()) keys.push(k);
      const status = await kv.status();
      const opened = await new nats.Kvm(nc).open("kventry");
      const viaOpen = (await opened.get("b"))?.string();
      // core works alongside: publish/subscribe/request
      const sub = nc.subscribe("kventry.echo", { callback: (_, m) => m.respond("pong:" + m.string()) });
      const reply = (await nc.request("kventry.echo", "ping")).string();
      sub.unsubscribe();
      let notFound = null;
      try { await new nats.Kvm(nc).open("kventry-none"); } catch (e) { notFound = [e instanceof nats.NatsError, e.code]; }
      let bad = null;
      try { new nats.Kvm({}); } catch (e) { bad = [e instanceof nats.NatsError, e.code]; }
      const destroyed = await kv.destroy();
      return { r1, r2, got: [got.string(), got.revision], created, gone: gone?.operation ?? null, seen, hist, keys, bucket: status.bucket, history: status.history, viaOpen, reply, notFound, bad, destroyed };
    } finally {
      await nc.close();
    }
  }, stack.server.wsUrl);
  assert.equal(r.r1, 1);
  assert.equal(r.r2, 2);
  assert.deepEqual(r.got, ["two", 2]);
  assert.equal(r.created, 3);
  assert.ok(r.gone === null || r.gone === "DEL", `get after delete: ${r.gone}`);
  assert.deepEqual(r.seen, [["a", "PUT", 1, "one"], ["a", "PUT", 2, "two"], ["b", "PUT", 3, "x"], ["a", "DEL", 4, ""]]);
  assert.deepEqual(r.hist, ["PUT", "PUT", "DEL"]);
  assert.deepEqual(r.keys, ["b"]);
  assert.equal(r.bucket, "kventry");
  assert.equal(r.history, 5);
  assert.equal(r.viaOpen, "x");
  assert.equal(r.reply, "pong:ping");
  assert.deepEqual(r.notFound, [true, "BUCKET_NOT_FOUND"]);
  assert.deepEqual(r.bad, [true, "INVALID_ARGUMENT"]);
  assert.equal(r.destroyed, true);
});
