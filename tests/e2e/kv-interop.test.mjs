// Interoperability with the official nats.js 3.4 client (`@nats-io/nats-core` wsconnect +
// `@nats-io/kv` Kvm), both driven in the same browser page: what nats.js writes we read, what we write
// nats.js reads, on buckets created by either side.
//
// nats.js is CommonJS only: tests/e2e/natsjs-entry.mjs is bundled with esbuild into a temp folder at
// test start, and the static server serves it at /natsjs.js.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launchBrowser, startStack, modulePage, bundleNatsjs } from "./helpers.mjs";

let stack, browser, page, url, bundle;
before(async () => {
  bundle = bundleNatsjs("natsjs-entry.mjs");
  stack = await startStack({}, { files: { "/natsjs.js": bundle.file } });
  browser = await launchBrowser();
  page = await modulePage(browser, stack.web);
  await page.evaluate(async () => {
    window.njs = await import("/natsjs.js");
    const bytes = new Uint8Array(256).map((_, i) => i);
    window.it = {
      bytes,
      /** Collects entries of a nats.js iterator until `stop(entry)` is true (or `ms` pass). */
      async collect(iter, stop, ms = 10000) {
        const out = [];
        const timer = setTimeout(() => iter.stop(), ms);
        for await (const e of iter) {
          out.push(e);
          if (stop(e)) break;
        }
        clearTimeout(timer);
        return out;
      },
      /** The comparable part of an entry of either client. */
      entry(e) {
        if (e === null || e === undefined) return e;
        return { key: e.key, op: e.operation, rev: e.revision, value: [...e.value], created: e.created.getTime(), length: e.length };
      },
      /** The comparable part of a KvStatus of either client (nats.js names maxBytes `max_bytes`). */
      status(s) {
        return {
          bucket: s.bucket, values: s.values, history: s.history, ttl: s.ttl, markerTTL: s.markerTTL, storage: s.storage,
          replicas: s.replicas, size: s.size, compression: s.compression, description: s.description,
          metadata: Object.fromEntries(Object.entries(s.metadata ?? {}).filter(([k]) => !k.startsWith("_nats"))),
          maxBytes: s.maxBytes ?? s.max_bytes, maxValueSize: s.maxValueSize,
        };
      },
      async natsjsList(iter) {
        const out = [];
        for await (const x of iter) out.push(x);
        return out;
      },
    };
  });
  url = stack.server.wsUrl;
});
after(async () => {
  await browser?.close();
  await stack?.close();
  bundle?.dispose();
});

const enc = (s) => [...new TextEncoder().encode(s)];
const BYTES = Array.from({ length: 256 }, (_, i) => i);

test("nats.js writes to a bucket nats.js created; we read it (get, revisions, history, keys, watch, status)", async () => {
  const r = await page.evaluate(async (url) => {
    const jnc = await njs.wsconnect({ servers: url });
    const jkv = await new njs.Kvm(jnc).create("byjs", { history: 5, ttl: 3600000, storage: "memory", description: "made by nats.js", maxValueSize: 4096 });
    const nc = await nats.connect({ servers: url });
    const kv = await new nats.Kvm(nc).open("byjs");
    const watched = [];
    let sawEnd;
    const ended = new Promise((r) => { sawEnd = r; });
    const w = await kv.watch({ callback: (e) => { watched.push(it.entry(e)); if (e.key === "end") sawEnd(); } });
    await w.initialized;
    const revs = {};
    revs.a1 = await jkv.put("a", "one");
    revs.b1 = await jkv.put("b.x", it.bytes);
    revs.c1 = await jkv.create("c", "created");
    revs.a2 = await jkv.update("a", "two", revs.a1);
    await jkv.delete("b.x");
    await jkv.purge("c");
    revs.d1 = await jkv.put("d", JSON.stringify({ x: 1 }));
    revs.e1 = await jkv.put("e", new Uint8Array(0));
    revs.f1 = await jkv.put("f", "will be deleted with previousSeq");
    await jkv.delete("f", { previousSeq: revs.f1 });
    revs.end = await jkv.put("end", "end");
    await Promise.race([ended, new Promise((r) => setTimeout(r, 10000))]);
    w.stop();

    const out = { revs, watched };
    out.get = {};
    for (const k of ["a", "b.x", "c", "d", "e", "f", "missing"]) out.get[k] = it.entry(await kv.get(k));
    out.getRev = { b1: it.entry(await kv.get("b.x", { revision: revs.b1 })), a1: it.entry(await kv.get("a", { revision: revs.a1 })) };
    // The same revisions through nats.js.
    out.jget = { a: it.entry(await jkv.get("a")), b1: it.entry(await jkv.get("b.x", { revision: revs.b1 })) };
    out.history = {};
    for (const k of ["a", "b.x", "c", "f"]) out.history[k] = (await kv.history({ key: k })).map(it.entry);
    out.historyAll = (await kv.history()).map((e) => [e.key, e.operation, e.revision]);
    out.keys = (await kv.keys()).sort();
    out.keysFiltered = (await kv.keys("b.*")).sort();
    out.json = (await kv.get("d")).json();
    out.ours = it.status(await kv.status());
    out.theirs = it.status(await jkv.status());
    // Our Kvm.create() with the same options binds to nats.js's bucket; another history is BUCKET_EXISTS.
    const again = await new nats.Kvm(nc).create("byjs", { history: 5, ttl: 3600000, storage: "memory", description: "made by nats.js", maxValueSize: 4096 });
    out.bound = (await again.get("a"))?.string();
    try { await new nats.Kvm(nc).create("byjs", { history: 7, ttl: 3600000, storage: "memory" }); out.differs = "bound"; } catch (e) { out.differs = e.code; }
    out.statusAfter = it.status(await kv.status());
    await jkv.destroy();
    await Promise.all([nc.close(), jnc.close()]);
    return out;
  }, url);
  const { revs } = r;
  // get: values, revisions; DEL/PURGE → null (API.md), an empty PUT is a value.
  assert.deepEqual(r.get.a && { value: r.get.a.value, rev: r.get.a.rev, op: r.get.a.op }, { value: enc("two"), rev: revs.a2, op: "PUT" });
  assert.equal(r.get["b.x"], null);
  assert.equal(r.get.c, null);
  assert.equal(r.get.f, null);
  assert.equal(r.get.missing, null);
  assert.deepEqual(r.get.e && [r.get.e.value, r.get.e.op, r.get.e.rev, r.get.e.length], [[], "PUT", revs.e1, 0]);
  assert.deepEqual(r.json, { x: 1 });
  assert.deepEqual(r.getRev.b1.value, BYTES);
  assert.equal(r.getRev.b1.rev, revs.b1);
  assert.deepEqual(r.getRev.a1.value, enc("one"));
  // Same entries through both clients (created time included).
  assert.deepEqual(r.get.a, r.jget.a);
  assert.deepEqual(r.getRev.b1, r.jget.b1);
  // history: operations as nats.js wrote them.
  assert.deepEqual(r.history.a.map((e) => [e.op, e.rev, e.value]), [["PUT", revs.a1, enc("one")], ["PUT", revs.a2, enc("two")]]);
  assert.deepEqual(r.history["b.x"].map((e) => [e.op, e.value.length]), [["PUT", 256], ["DEL", 0]]);
  assert.equal(r.history["b.x"][0].rev, revs.b1);
  assert.deepEqual(r.history.c.map((e) => e.op), ["PURGE"]);
  assert.deepEqual(r.history.f.map((e) => [e.op, e.rev]), [["PUT", revs.f1], ["DEL", revs.f1 + 1]]);
  assert.deepEqual(r.keys, ["a", "d", "e", "end"]);
  assert.deepEqual(r.keysFiltered, []);
  // Our watcher saw every write of nats.js, markers included, in order.
  const delB = r.history["b.x"][1].rev, purgeC = r.history.c[0].rev;
  // c's PUT is removed by the purge's rollup; a watcher that has not reached it by then cannot see it
  // (no client can: it is no longer stored). Everything else must arrive, in order.
  const cPut = (e) => e[0] === "c" && e[1] === "PUT";
  const watched = r.watched.map((e) => [e.key, e.op, e.rev]);
  assert.ok(watched.filter(cPut).length <= 1);
  if (watched.some(cPut)) assert.deepEqual(watched[2], ["c", "PUT", revs.c1]);
  assert.deepEqual(watched.filter((e) => !cPut(e)), [
    ["a", "PUT", revs.a1], ["b.x", "PUT", revs.b1], ["a", "PUT", revs.a2],
    ["b.x", "DEL", delB], ["c", "PURGE", purgeC], ["d", "PUT", revs.d1], ["e", "PUT", revs.e1],
    ["f", "PUT", revs.f1], ["f", "DEL", revs.f1 + 1], ["end", "PUT", revs.end],
  ]);
  assert.deepEqual(r.watched[1].value, BYTES);
  // The whole history in revision order (c's PUT was removed by the purge).
  assert.deepEqual(r.historyAll, [
    ["a", "PUT", revs.a1], ["b.x", "PUT", revs.b1], ["a", "PUT", revs.a2], ["b.x", "DEL", delB], ["c", "PURGE", purgeC],
    ["d", "PUT", revs.d1], ["e", "PUT", revs.e1], ["f", "PUT", revs.f1], ["f", "DEL", revs.f1 + 1], ["end", "PUT", revs.end],
  ]);
  // status agrees with nats.js's.
  assert.deepEqual(r.ours, r.theirs);
  assert.equal(r.ours.bucket, "byjs");
  assert.equal(r.ours.history, 5);
  assert.equal(r.ours.ttl, 3600000);
  assert.equal(r.ours.storage, "memory");
  assert.equal(r.ours.maxValueSize, 4096);
  assert.equal(r.ours.description, "made by nats.js");
  assert.equal(r.ours.values, 10);
  assert.equal(r.bound, "two");
  assert.equal(r.differs, "BUCKET_EXISTS");
  assert.deepEqual(r.statusAfter, r.ours, "the bucket is unchanged");
});

test("we write to a bucket we created; nats.js binds and reads it (get, history, keys, watch, status) and writes back", async () => {
  const r = await page.evaluate(async (url) => {
    const nc = await nats.connect({ servers: url });
    const kv = await new nats.Kvm(nc).create("byus", { history: 10, description: "made by nats-kv-wasm", maxValueSize: 2048, metadata: { owner: "wasm" } });
    const jnc = await njs.wsconnect({ servers: url });
    const jkv = await new njs.Kvm(jnc).open("byus");
    const jw = await jkv.watch();
    const jwatched = it.collect(jw, (e) => e.key === "end");
    const jwh = await jkv.watch({ include: "history", key: "b.>" });
    const revs = {};
    revs.a1 = await kv.put("a", "one");
    revs.b1 = await kv.put("b.x", it.bytes);
    revs.c1 = await kv.create("c", "created");
    revs.a2 = await kv.update("a", "two", revs.a1);
    await kv.delete("b.x");
    await kv.purge("c");
    revs.d1 = await kv.put("d", JSON.stringify({ x: 1 }));
    revs.e1 = await kv.put("e", "");
    revs.end = await kv.put("end", "end");
    const out = { revs };
    out.jwatched = (await jwatched).map(it.entry);
    out.jwatchedUpdate = (await jwatched).map((e) => e.isUpdate);
    out.jwatchedHistory = (await it.collect(jwh, (e) => e.operation === "DEL")).map((e) => [e.key, e.operation]);
    out.jget = {};
    for (const k of ["a", "b.x", "c", "d", "e", "missing"]) out.jget[k] = it.entry(await jkv.get(k));
    out.jgetRev = it.entry(await jkv.get("b.x", { revision: revs.b1 }));
    out.jhistory = {};
    for (const k of ["a", "b.x", "c"]) out.jhistory[k] = (await it.natsjsList(await jkv.history({ key: k }))).map(it.entry);
    out.jkeys = (await it.natsjsList(await jkv.keys())).sort();
    // Our view of the same revisions.
    out.get = { a: it.entry(await kv.get("a")), b1: it.entry(await kv.get("b.x", { revision: revs.b1 })) };
    out.history = {};
    for (const k of ["a", "b.x", "c"]) out.history[k] = (await kv.history({ key: k })).map(it.entry);

    // nats.js writes back into our bucket: we read it.
    const seen = [];
    let sawEnd;
    const ended = new Promise((r) => { sawEnd = r; });
    const w = await kv.watch({ include: "updates", callback: (e) => { seen.push([e.key, e.operation, e.revision, e.string()]); if (e.key === "end") sawEnd(); } });
    revs.j1 = await jkv.put("fromjs", "hi");
    await jkv.delete("a");
    revs.j2 = await jkv.create("b.x", "recreated by nats.js");   // over our DEL marker
    revs.j3 = await jkv.update("d", "updated by nats.js", revs.d1);
    await jkv.purge("e");
    revs.j4 = await kv.create("a", "recreated by us");            // over nats.js's DEL marker
    try { await jkv.update("a", "stale", revs.a2); out.staleJs = "written"; } catch (e) { out.staleJs = e.name; }
    try { await kv.update("fromjs", "stale", revs.j1 - 1); out.staleUs = "written"; } catch (e) { out.staleUs = e.code; }
    revs.j5 = await kv.update("fromjs", "ours now", revs.j1);
    revs.jend = await jkv.put("end", "end2");
    await Promise.race([ended, new Promise((r) => setTimeout(r, 10000))]);
    w.stop();
    out.seen = seen;
    out.back = {};
    for (const k of ["fromjs", "a", "b.x", "d", "e"]) out.back[k] = (await kv.get(k))?.string() ?? null;
    out.backHistoryA = (await kv.history({ key: "a" })).map((e) => e.operation);
    out.ours = it.status(await kv.status());
    out.theirs = it.status(await jkv.status());
    // Both list the bucket with the same status.
    out.ourList = (await new nats.Kvm(nc).list()).map(it.status).filter((s) => s.bucket === "byus");
    out.theirList = (await it.natsjsList(new njs.Kvm(jnc).list())).map(it.status).filter((s) => s.bucket === "byus");
    // nats.js's create() of our bucket binds to it.
    const jagain = await new njs.Kvm(jnc).create("byus", { history: 10 });
    out.jbound = (await jagain.get("fromjs"))?.string();
    await kv.destroy();
    await Promise.all([nc.close(), jnc.close()]);
    return out;
  }, url);
  const { revs } = r;
  // nats.js's watcher saw our writes, markers included, with the right operations and values.
  const delB = r.history["b.x"][1].rev, purgeC = r.history.c[0].rev;
  assert.deepEqual(r.jwatched.map((e) => [e.key, e.op, e.rev]), [
    ["a", "PUT", revs.a1], ["b.x", "PUT", revs.b1], ["c", "PUT", revs.c1], ["a", "PUT", revs.a2],
    ["b.x", "DEL", delB], ["c", "PURGE", purgeC], ["d", "PUT", revs.d1], ["e", "PUT", revs.e1], ["end", "PUT", revs.end],
  ]);
  assert.deepEqual(r.jwatched[1].value, BYTES);
  assert.deepEqual(r.jwatched[3].value, enc("two"));
  assert.deepEqual(r.jwatchedHistory, [["b.x", "PUT"], ["b.x", "DEL"]]);
  // nats.js get: values; our markers read as marker entries (nats.js semantics).
  assert.deepEqual([r.jget.a.value, r.jget.a.rev, r.jget.a.op], [enc("two"), revs.a2, "PUT"]);
  assert.deepEqual([r.jget["b.x"].op, r.jget["b.x"].rev, r.jget["b.x"].value], ["DEL", delB, []]);
  assert.deepEqual([r.jget.c.op, r.jget.c.rev], ["PURGE", purgeC]);
  assert.deepEqual([r.jget.e.op, r.jget.e.value], ["PUT", []]);
  assert.equal(r.jget.missing, null);
  assert.deepEqual(r.jgetRev.value, BYTES);
  assert.deepEqual(r.jget.a, r.get.a, "same entry (created time included) through both clients");
  assert.deepEqual(r.jgetRev, r.get.b1);
  // nats.js history and keys.
  assert.deepEqual(r.jhistory.a.map((e) => [e.op, e.rev]), [["PUT", revs.a1], ["PUT", revs.a2]]);
  assert.deepEqual(r.jhistory["b.x"].map((e) => e.op), ["PUT", "DEL"]);
  assert.deepEqual(r.jhistory.c.map((e) => e.op), ["PURGE"]);
  assert.deepEqual(r.jhistory, r.history, "both clients' histories agree");
  assert.deepEqual(r.jkeys, ["a", "d", "e", "end"]);
  // nats.js wrote back: our updates-only watcher and gets see it.
  assert.deepEqual(r.seen.map(([k, op]) => `${k}:${op}`), ["fromjs:PUT", "a:DEL", "b.x:PUT", "d:PUT", "e:PURGE", "a:PUT", "fromjs:PUT", "end:PUT"]);
  assert.deepEqual(r.seen.find(([k]) => k === "b.x").slice(2), [revs.j2, "recreated by nats.js"]);
  assert.equal(r.staleJs, "JetStreamApiError");
  assert.equal(r.staleUs, "WRONG_LAST_REVISION");
  assert.deepEqual(r.back, { fromjs: "ours now", a: "recreated by us", "b.x": "recreated by nats.js", d: "updated by nats.js", e: null });
  assert.deepEqual(r.backHistoryA, ["PUT", "PUT", "DEL", "PUT"]);
  // Status agrees, also through list().
  assert.deepEqual(r.ours, r.theirs);
  assert.equal(r.ours.history, 10);
  assert.equal(r.ours.storage, "file");
  assert.equal(r.ours.ttl, 0);
  assert.equal(r.ours.maxValueSize, 2048);
  assert.deepEqual(r.ours.metadata, { owner: "wasm" });
  assert.deepEqual(r.ourList, [r.ours]);
  assert.deepEqual(r.theirList, [r.ours]);
  assert.equal(r.jbound, "ours now");
});

test("headers-only reads and watches agree between the clients (length, operations)", async () => {
  const r = await page.evaluate(async (url) => {
    const nc = await nats.connect({ servers: url });
    const kv = await new nats.Kvm(nc).create("hdronly", { history: 3 });
    const jnc = await njs.wsconnect({ servers: url });
    const jkv = await new njs.Kvm(jnc).open("hdronly");
    await kv.put("big", new Uint8Array(3000).fill(1));
    await jkv.put("small", "abc");
    await kv.delete("small");
    await jkv.put("other", new Uint8Array(10));
    const ours = (await kv.history({ headers_only: true })).map((e) => [e.key, e.operation, e.revision, e.length, e.value.length]);
    const theirs = (await it.natsjsList(await jkv.history({ headers_only: true }))).map((e) => [e.key, e.operation, e.revision, e.length, e.value.length]);
    const w = await kv.watch({ headers_only: true });
    const ourWatch = [];
    await w.initialized;
    w.stop();
    for await (const e of w) ourWatch.push([e.key, e.operation, e.revision, e.length, e.value.length]);
    const jw = await jkv.watch({ headers_only: true });
    const theirWatch = (await it.collect(jw, (e) => e.key === "other")).map((e) => [e.key, e.operation, e.revision, e.length, e.value.length]);
    await kv.destroy();
    await Promise.all([nc.close(), jnc.close()]);
    return { ours, theirs, ourWatch, theirWatch };
  }, url);
  assert.deepEqual(r.ours, [["big", "PUT", 1, 3000, 0], ["small", "PUT", 2, 3, 0], ["small", "DEL", 3, 0, 0], ["other", "PUT", 4, 10, 0]]);
  assert.deepEqual(r.ours, r.theirs);
  assert.deepEqual(r.ourWatch, [["big", "PUT", 1, 3000, 0], ["small", "DEL", 3, 0, 0], ["other", "PUT", 4, 10, 0]]);
  assert.deepEqual(r.ourWatch, r.theirWatch);
});

test("per-key TTL on a markerTTL bucket nats.js created: both clients see the server's expiry markers alike", async () => {
  const r = await page.evaluate(async (url) => {
    const jnc = await njs.wsconnect({ servers: url });
    const jkv = await new njs.Kvm(jnc).create("ttljs", { history: 5, markerTTL: 1000 });
    const nc = await nats.connect({ servers: url });
    const kv = await new nats.Kvm(nc).open("ttljs");
    const ours = [];
    let oursDone, oursEnd;
    const oursBoth = new Promise((r) => { oursDone = r; });
    const oursEnded = new Promise((r) => { oursEnd = r; });
    const w = await kv.watch({
      callback: (e) => {
        ours.push([e.key, e.operation, e.revision]);
        if (["t", "u"].every((k) => ours.some(([key, op]) => key === k && op !== "PUT"))) oursDone();
        if (e.key === "end") oursEnd();
      },
    });
    const jw = await jkv.watch();
    const theirsP = it.collect(jw, (e) => e.key === "end", 15000);
    await kv.create("t", "ours, 1s", "1s");
    await jkv.create("u", "theirs, 1s", "1s");
    await kv.put("keep", "forever");
    const outcome = await Promise.race([oursBoth.then(() => "ok"), new Promise((r) => setTimeout(() => r("timeout"), 15000))]);
    await kv.put("end", "end");
    const theirs = (await theirsP).map((e) => [e.key, e.operation, e.revision]);
    await Promise.race([oursEnded, new Promise((r) => setTimeout(r, 10000))]);
    w.stop();
    const get = { t: await kv.get("t"), u: await kv.get("u"), keep: (await kv.get("keep"))?.string() };
    const jget = { t: (await jkv.get("t"))?.operation, u: (await jkv.get("u"))?.operation };
    const history = (await kv.history({ key: ["t", "u"] })).map((e) => [e.key, e.operation]);
    const status = [it.status(await kv.status()), it.status(await jkv.status())];
    await jkv.destroy();
    await Promise.all([nc.close(), jnc.close()]);
    return { outcome, ours, theirs, get, jget, history, status };
  }, url);
  assert.equal(r.outcome, "ok", `our watcher saw: ${JSON.stringify(r.ours)}`);
  const markers = r.ours.filter(([, op]) => op !== "PUT");
  assert.deepEqual(markers.map(([k, op]) => `${k}:${op}`).sort(), ["t:PURGE", "u:PURGE"]);
  // nats.js saw the same entries, in the same order, up to "end".
  assert.deepEqual(r.theirs, r.ours);
  assert.equal(r.ours.at(-1)[0], "end");
  assert.equal(r.get.t, null);
  assert.equal(r.get.u, null);
  assert.equal(r.get.keep, "forever");
  assert.deepEqual(r.jget, { t: "PURGE", u: "PURGE" });
  assert.deepEqual(r.history.filter(([, op]) => op !== "PUT").map(([k, op]) => `${k}:${op}`).sort(), ["t:PURGE", "u:PURGE"]);
  assert.deepEqual(r.status[0], r.status[1]);
  assert.equal(r.status[0].markerTTL, 1000);
});
