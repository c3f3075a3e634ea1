// Object Store through the ES module against a real nats-server, named after the nats.js 3.4
// objectstore test cases that apply (obj/tests/objectstore_test.ts), plus the sizes and behaviours
// of API.md "Object Store": 0 B, 1 B, one chunk, one chunk + 1 B, 1 MiB and 8 MiB over ws://.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { openModuleStack, closeModuleStack, installObjHelpers } from "./helpers.mjs";

let stack, browser, page, url;
before(async () => {
  ({ stack, browser, page, url } = await openModuleStack());
  await page.evaluate(installObjHelpers);
  await page.evaluate(() => {
    window.ot = {
      ...window.objHelpers,
      async sha(b) {
        const d = new Uint8Array(await crypto.subtle.digest("SHA-256", b));
        return "SHA-256=" + btoa(String.fromCharCode(...d)).replaceAll("+", "-").replaceAll("/", "_");
      },
      async codeOf(f) {
        try { const v = await f(); return `resolved: ${JSON.stringify(v)}`; } catch (e) {
          if (!(e instanceof nats.NatsError)) return `not a NatsError: ${e}`;
          return e.code;
        }
      },
    };
  });
});
after(() => closeModuleStack({ stack, browser }));

test("objectstore - basics", async () => {
  const r = await page.evaluate(async (url) => {
    const nc = await nats.connect({ servers: url });
    const os = await new nats.Objm(nc).create("OBJS", { description: "testing" });
    const data = ot.bytes(10 * 1024 + 17);
    const info = await os.putBlob({ name: "BLOB", description: "a blob" }, data);
    const got = await os.getBlob("BLOB");
    const oi = await os.info("BLOB");
    const status = await os.status();
    const list = await os.list();
    const del = await os.delete("BLOB");
    const after = await os.info("BLOB");
    const gone = await os.get("BLOB");
    const del2 = await os.delete("BLOB");
    const r = {
      info: { name: info.name, size: info.size, chunks: info.chunks, digest: info.digest, rev: info.revision, bucket: info.bucket, description: info.description },
      expectDigest: await ot.sha(data),
      same: ot.same(got, data),
      oiRev: oi.revision, mtimeOk: Math.abs(Date.parse(oi.mtime) - Date.now()) < 60000,
      status: { bucket: status.bucket, description: status.description, sealed: status.sealed, backingStore: status.backingStore, size: status.size > 0, storage: status.storage },
      list: list.map((i) => i.name),
      del, del2, after: { deleted: after.deleted, size: after.size, chunks: after.chunks, digest: after.digest }, gone,
    };
    await os.destroy();
    await nc.close();
    return r;
  }, url);
  assert.equal(r.info.name, "BLOB");
  assert.equal(r.info.bucket, "OBJS");
  assert.equal(r.info.description, "a blob");
  assert.equal(r.info.size, 10 * 1024 + 17);
  assert.equal(r.info.chunks, 1);
  assert.equal(r.info.digest, r.expectDigest);
  assert.equal(r.oiRev, r.info.rev);
  assert.ok(r.mtimeOk);
  assert.ok(r.same);
  assert.deepEqual(r.status, { bucket: "OBJS", description: "testing", sealed: false, backingStore: "JetStream", size: true, storage: "file" });
  assert.deepEqual(r.list, ["BLOB"]);
  assert.deepEqual(r.del, { success: true, purged: 1 });
  assert.deepEqual(r.del2, { success: false, purged: 0 });
  assert.deepEqual(r.after, { deleted: true, size: 0, chunks: 0, digest: "" });
  assert.equal(r.gone, null);
});

test("objectstore - sizes: 0 B, 1 B, one chunk, one chunk + 1 B, 1 MiB, 8 MiB over ws:// (pipelined)", async () => {
  const r = await page.evaluate(async (url) => {
    const nc = await nats.connect({ servers: url });
    const os = await new nats.Objm(nc).create("sizes");
    const C = 128 * 1024;
    const out = [];
    for (const n of [0, 1, C, C + 1, 1024 * 1024, 8 * 1024 * 1024]) {
      const data = ot.bytes(n, n + 7);
      const progress = [];
      const t0 = performance.now();
      const info = await os.put({ name: `o${n}` }, new Blob([data]), { onProgress: (d, t) => progress.push([d, t]) });
      const ms = performance.now() - t0;
      const back = await os.getBlob(`o${n}`);
      out.push({
        n, size: info.size, chunks: info.chunks, ok: info.digest === (await ot.sha(data)), same: ot.same(back, data), ms,
        lastProgress: progress.at(-1), progressCalls: progress.length,
      });
    }
    await os.destroy();
    await nc.close();
    return out;
  }, url);
  const C = 128 * 1024;
  const chunks = { 0: 0, 1: 1, [C]: 1, [C + 1]: 2, [1024 * 1024]: 8, [8 * 1024 * 1024]: 64 };
  for (const o of r) {
    assert.equal(o.size, o.n, `size of ${o.n}`);
    assert.equal(o.chunks, chunks[o.n], `chunks of ${o.n}`);
    assert.ok(o.ok, `digest of ${o.n}`);
    assert.ok(o.same, `bytes of ${o.n}`);
    assert.deepEqual(o.lastProgress, [o.n, o.n], `last progress of ${o.n}`);
    assert.equal(o.progressCalls, Math.max(1, chunks[o.n]));
  }
  console.log(`# 8 MiB put over ws:// in ${Math.round(r.at(-1).ms)} ms`);
});

test("objectstore - put from a ReadableStream, replaces the old version and purges its chunks", async () => {
  const r = await page.evaluate(async (url) => {
    const nc = await nats.connect({ servers: url });
    const os = await new nats.Objm(nc).create("streams");
    const a = ot.bytes(300 * 1024, 3);
    const rs = (b, step) => new ReadableStream({
      start(c) { for (let i = 0; i < b.length; i += step) c.enqueue(b.slice(i, i + step)); c.close(); },
    });
    const i1 = await os.put({ name: "f" }, rs(a, 10000));
    const b = ot.bytes(200 * 1024, 4);
    const i2 = await os.put({ name: "f", headers: { "Content-Type": "x/y" }, metadata: { k: "v" } }, rs(b, 77777));
    const st = await os.status();
    const got = await os.getBlob("f");
    const info = await os.info("f");
    const r = {
      sameNuid: i1.nuid === i2.nuid, same: ot.same(got, b), msgs: st.streamInfo.state.messages,
      hdr: info.headers.get("Content-Type"), md: info.metadata,
    };
    await os.destroy();
    await nc.close();
    return r;
  }, url);
  assert.equal(r.sameNuid, false);
  assert.ok(r.same);
  // 2 chunks of the new version + its meta; the old chunks purged, the old meta rolled up.
  assert.equal(r.msgs, 3);
  assert.equal(r.hdr, "x/y");
  assert.deepEqual(r.md, { k: "v" });
});

test("objectstore - get, data stream and error promise; missing → null", async () => {
  const r = await page.evaluate(async (url) => {
    const nc = await nats.connect({ servers: url });
    const os = await new nats.Objm(nc).create("gets");
    const data = ot.bytes(500 * 1024, 9);
    await os.putBlob({ name: "x" }, data);
    const res = await os.get("x");
    const parts = [];
    for await (const p of ot.chunks(res.data)) parts.push(p);
    const err = await res.error;
    const total = parts.reduce((n, p) => n + p.length, 0);
    const missing = await os.get("nope");
    const r = { info: res.info.name, total, err, parts: parts.length, missing };
    await os.destroy();
    await nc.close();
    return r;
  }, url);
  assert.deepEqual(r, { info: "x", total: 500 * 1024, err: null, parts: 4, missing: null });
});

test("objectstore - corrupted chunk → OBJECT_DIGEST_MISMATCH, wrong bytes never end as a whole object", async () => {
  const r = await page.evaluate(async (url) => {
    const nc = await nats.connect({ servers: url });
    const os = await new nats.Objm(nc).create("corrupt");
    const data = ot.bytes(300 * 1024, 5);
    const info = await os.putBlob({ name: "c" }, data);
    // Rewrite the chunks through the JetStream API: purge them, republish with one byte flipped.
    const jsm = await nats.jetstreamManager(nc);
    const js = jsm.jetstream();
    const subj = `$O.corrupt.C.${info.nuid}`;
    await jsm.streams.purge("OBJ_corrupt", { filter: subj });
    const bad = data.slice();
    bad[200 * 1024] ^= 0xff;
    for (let i = 0; i < bad.length; i += 128 * 1024) await js.publish(subj, bad.slice(i, i + 128 * 1024));
    const blob = await ot.codeOf(() => os.getBlob("c"));
    const res = await os.get("c");
    let streamErr = null;
    let received = 0;
    try { for await (const p of ot.chunks(res.data)) received += p.length; } catch (e) { streamErr = e.code; }
    const err = await res.error;
    // Fewer chunks than the info says: also a mismatch.
    await jsm.streams.purge("OBJ_corrupt", { filter: subj });
    await js.publish(subj, data.slice(0, 128 * 1024));
    const short = await ot.codeOf(() => os.getBlob("c"));
    const r = { blob, streamErr, err: err?.code, received, short };
    await os.destroy();
    await nc.close();
    return r;
  }, url);
  assert.equal(r.blob, "OBJECT_DIGEST_MISMATCH");
  assert.equal(r.streamErr, "OBJECT_DIGEST_MISMATCH");
  assert.equal(r.err, "OBJECT_DIGEST_MISMATCH");
  assert.ok(r.received < 300 * 1024, `the last chunk is held back: ${r.received}`);
  assert.equal(r.short, "OBJECT_DIGEST_MISMATCH");
});

test("objectstore - non-ASCII names are stored under the nats.go subject (base64url of UTF-8)", async () => {
  const r = await page.evaluate(async (url) => {
    const nc = await nats.connect({ servers: url });
    const os = await new nats.Objm(nc).create("names");
    const names = ["é", "ключ", "日本語.txt", "has.dots.here", " ", "*", ">", "emoji 😀"];
    const out = [];
    const jsm = await nats.jetstreamManager(nc);
    for (const n of names) {
      await os.putBlob({ name: n }, new TextEncoder().encode(n));
      const enc = btoa(String.fromCharCode(...new TextEncoder().encode(n))).replaceAll("+", "-").replaceAll("/", "_");
      const m = await jsm.streams.getMessage("OBJ_names", { last_by_subj: `$O.names.M.${enc}` });
      out.push({ n, stored: m ? JSON.parse(new TextDecoder().decode(m.data)).name : null, back: new TextDecoder().decode(await os.getBlob(n)) });
    }
    const list = (await os.list()).map((i) => i.name).sort();
    await os.destroy();
    await nc.close();
    return { out, list, names: names.slice().sort() };
  }, url);
  for (const o of r.out) assert.deepEqual([o.stored, o.back], [o.n, o.n]);
  assert.deepEqual(r.list, r.names);
});

test("objectstore - works with crypto.subtle deleted from the page", async () => {
  const r = await page.evaluate(async (url) => {
    const desc = Object.getOwnPropertyDescriptor(Crypto.prototype, "subtle");
    const digest = await ot.sha(ot.bytes(200000, 11));
    Object.defineProperty(Crypto.prototype, "subtle", { get: () => undefined, configurable: true });
    try {
      const gone = crypto.subtle === undefined;
      const nc = await nats.connect({ servers: url });
      const os = await new nats.Objm(nc).create("nosubtle");
      const info = await os.putBlob({ name: "a" }, ot.bytes(200000, 11));
      const back = await os.getBlob("a");
      await os.destroy();
      await nc.close();
      return { gone, digest: info.digest === digest, same: ot.same(back, ot.bytes(200000, 11)) };
    } finally {
      Object.defineProperty(Crypto.prototype, "subtle", desc);
    }
  }, url);
  assert.deepEqual(r, { gone: true, digest: true, same: true });
});

test("objectstore - bad input: typed errors, nothing stored", async () => {
  const r = await page.evaluate(async (url) => {
    const nc = await nats.connect({ servers: url });
    const om = new nats.Objm(nc);
    const os = await om.create("bad");
    await os.putBlob({ name: "ok" }, new Uint8Array([1]));
    const before = (await os.status()).streamInfo.state.messages;
    const big = "x".repeat(100 * 1024);
    const codes = {
      emptyName: await ot.codeOf(() => os.putBlob({ name: "" }, new Uint8Array([1]))),
      bigName: await ot.codeOf(() => os.putBlob({ name: big }, new Uint8Array([1]))),
      noName: await ot.codeOf(() => os.putBlob({}, new Uint8Array([1]))),
      crlfHeader: await ot.codeOf(() => os.putBlob({ name: "h", headers: { "X-A": "a\r\nPUB x 1" } }, new Uint8Array([1]))),
      badHeaderName: await ot.codeOf(() => os.putBlob({ name: "h", headers: { "X A": "a" } }, new Uint8Array([1]))),
      linkOption: await ot.codeOf(() => os.putBlob({ name: "l", options: { link: { bucket: "bad" } } }, null)),
      badData: await ot.codeOf(() => os.put({ name: "d" }, 42)),
      badBucket: await ot.codeOf(() => om.create("a.b")),
      emptyBucket: await ot.codeOf(() => om.open("")),
      missingBucket: await ot.codeOf(() => om.open("nosuchbucket")),
      infoEmpty: await ot.codeOf(() => os.info("")),
      getEmpty: await ot.codeOf(() => os.get("")),
      updateMissing: await ot.codeOf(() => os.update("nope", { description: "x" })),
      updateOptions: await ot.codeOf(() => os.update("ok", { options: { max_chunk_size: 5 } })),
    };
    const okInfo = await os.info("ok");
    const link = await os.link("ln", okInfo);
    codes.linkToLink = await ot.codeOf(() => os.link("ln2", link));
    codes.linkOntoObject = await ot.codeOf(() => os.link("ok", okInfo));
    await os.putBlob({ name: "gone" }, new Uint8Array([2]));
    const goneInfo = await os.info("gone");
    await os.delete("gone");
    codes.linkToDeleted = await ot.codeOf(() => os.link("ln3", goneInfo));
    const after = (await os.status()).streamInfo.state.messages;
    const names = (await os.list()).map((i) => i.name).sort();
    await os.destroy();
    await nc.close();
    return { codes, before, after, names };
  }, url);
  assert.deepEqual(r.codes, {
    emptyName: "INVALID_ARGUMENT", bigName: "INVALID_ARGUMENT", noName: "INVALID_ARGUMENT",
    crlfHeader: "INVALID_ARGUMENT", badHeaderName: "INVALID_ARGUMENT", linkOption: "INVALID_ARGUMENT",
    badData: "INVALID_ARGUMENT", badBucket: "INVALID_BUCKET_NAME", emptyBucket: "INVALID_BUCKET_NAME",
    missingBucket: "BUCKET_NOT_FOUND", infoEmpty: "INVALID_ARGUMENT", getEmpty: "INVALID_ARGUMENT",
    updateMissing: "OBJECT_NOT_FOUND", updateOptions: "INVALID_ARGUMENT",
    linkToLink: "INVALID_ARGUMENT", linkOntoObject: "OBJECT_EXISTS", linkToDeleted: "OBJECT_NOT_FOUND",
  });
  // Only the link "ln", the object "gone" and its delete marker were written (rolled up to one meta).
  assert.equal(r.before, 2);
  assert.deepEqual(r.names, ["ln", "ok"]);
});

test("objectstore - sealed store rejects writes with BUCKET_SEALED, reads work", async () => {
  const r = await page.evaluate(async (url) => {
    const nc = await nats.connect({ servers: url });
    const os = await new nats.Objm(nc).create("sealme");
    await os.putBlob({ name: "a" }, new Uint8Array([1, 2, 3]));
    const st = await os.seal();
    const r = {
      sealed: st.sealed,
      put: await ot.codeOf(() => os.putBlob({ name: "b" }, new Uint8Array([1]))),
      putEmpty: await ot.codeOf(() => os.putBlob({ name: "b" }, null)),
      del: await ot.codeOf(() => os.delete("a")),
      read: Array.from(await os.getBlob("a")),
      statusSealed: (await os.status()).sealed,
    };
    await os.destroy();
    r.afterDestroy = await ot.codeOf(() => os.status());
    await nc.close();
    return r;
  }, url);
  assert.deepEqual(r, { sealed: true, put: "BUCKET_SEALED", putEmpty: "BUCKET_SEALED", del: "BUCKET_SEALED", read: [1, 2, 3], statusSealed: true, afterDestroy: "BUCKET_NOT_FOUND" });
});

test("objectstore - links: to an object, across stores, to a store; update and rename", async () => {
  const r = await page.evaluate(async (url) => {
    const nc = await nats.connect({ servers: url });
    const om = new nats.Objm(nc);
    const a = await om.create("lka");
    const b = await om.create("lkb");
    await a.putBlob({ name: "src" }, new Uint8Array([7, 8, 9]));
    const l1 = await b.link("to-src", await a.info("src"));
    const viaLink = Array.from(await b.getBlob("to-src"));
    const ls = await b.linkStore("to-a", a);
    const storeLink = await ot.codeOf(() => b.getBlob("to-a"));
    const ack = await a.update("src", { description: "renamed", name: "dst" });
    const oldGone = await a.info("src");
    const dst = await a.info("dst");
    const linkDangling = await b.get("to-src");
    const r = {
      l1: { bucket: l1.bucket, link: l1.options.link }, viaLink, ls: ls.options.link, storeLink,
      ack: ack.stream, oldGone, dst: { name: dst.name, description: dst.description, size: dst.size },
      dstBytes: Array.from(await a.getBlob("dst")), linkDangling,
    };
    await a.destroy();
    await b.destroy();
    await nc.close();
    return r;
  }, url);
  assert.deepEqual(r, {
    l1: { bucket: "lkb", link: { bucket: "lka", name: "src" } }, viaLink: [7, 8, 9], ls: { bucket: "lka" },
    storeLink: "INVALID_ARGUMENT", ack: "OBJ_lka", oldGone: null, dst: { name: "dst", description: "renamed", size: 3 },
    dstBytes: [7, 8, 9], linkDangling: null,
  });
});

test("objectstore - watch: initial values, then updates; includeHistory, updatesOnly, ignoreDeletes", async () => {
  const r = await page.evaluate(async (url) => {
    const nc = await nats.connect({ servers: url });
    const os = await new nats.Objm(nc).create("watchme");
    await os.putBlob({ name: "a" }, new Uint8Array([1]));
    await os.putBlob({ name: "a" }, new Uint8Array([2]));
    await os.putBlob({ name: "b" }, new Uint8Array([3]));
    const seen = [];
    const w = await os.watch({ callback: (i) => seen.push([i.name, i.isUpdate, i.deleted]) });
    await w.initialized;
    const hist = [];
    const wh = await os.watch({ includeHistory: true, callback: (i) => hist.push(i.name) });
    await wh.initialized;
    const upd = [];
    const wu = await os.watch({ updatesOnly: true, ignoreDeletes: true, callback: (i) => upd.push(i.name) });
    await wu.initialized;
    await os.putBlob({ name: "c" }, new Uint8Array([4]));
    await os.delete("a");
    await new Promise((r) => setTimeout(r, 300));
    w.stop(); wh.stop(); wu.stop();
    const both = await ot.codeOf(() => os.watch({ includeHistory: true, updatesOnly: true }));
    const empty = await nats.Objm.prototype.create.call(new nats.Objm(nc), "watchempty");
    const ew = await empty.watch();
    await ew.initialized;
    ew.stop();
    const emptyList = await empty.list();
    await empty.destroy();
    await os.destroy();
    await nc.close();
    return { seen, hist, upd, both, emptyList };
  }, url);
  assert.deepEqual(r.seen, [["a", false, false], ["b", false, false], ["c", true, false], ["a", true, true]]);
  assert.deepEqual(r.hist, ["a", "b", "c", "a"]);
  assert.deepEqual(r.upd, ["c"]);
  assert.equal(r.both, "INVALID_ARGUMENT");
  assert.deepEqual(r.emptyList, []);
});

test("objectstore - create binds to the same config, BUCKET_EXISTS on another; list; open(check=false)", async () => {
  const r = await page.evaluate(async (url) => {
    const nc = await nats.connect({ servers: url });
    const om = new nats.Objm(nats.jetstream(nc));
    const a = await om.create("cfg", { description: "d", max_bytes: 1 << 24 });
    const again = await ot.codeOf(async () => (await om.create("cfg", { description: "d", max_bytes: 1 << 24 })).bucket);
    const other = await ot.codeOf(() => om.create("cfg", { description: "other" }));
    const names = (await om.list()).map((s) => s.bucket);
    const unchecked = (await om.open("whatever", false)).bucket;
    await a.destroy();
    await nc.close();
    return { again, other, names, unchecked };
  }, url);
  assert.deepEqual(r, { again: 'resolved: "cfg"', other: "BUCKET_EXISTS", names: ["cfg"], unchecked: "whatever" });
});

test("objectstore - a meta whose JSON mtime is the zero time (nats.go) shows the server's time", async () => {
  const r = await page.evaluate(async (url) => {
    const nc = await nats.connect({ servers: url });
    const os = await new nats.Objm(nc).create("zerotime");
    const js = nats.jetstream(nc);
    // As nats.go writes an empty object: mtime 0001-01-01T00:00:00Z, the empty digest.
    const meta = { name: "go", description: "", headers: {}, bucket: "zerotime", nuid: "GONUID", size: 0, mtime: "0001-01-01T00:00:00Z", chunks: 0, digest: "SHA-256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU=" };
    const before = Date.now();
    await js.publish("$O.zerotime.M.Z28=", JSON.stringify(meta), { headers: (() => { const h = nats.headers(); h.set("Nats-Rollup", "sub"); return h; })() });
    const info = await os.info("go");
    const listed = (await os.list()).map((i) => i.mtime);
    const blob = await os.getBlob("go");
    await os.destroy();
    await nc.close();
    return { mtime: info.mtime, before, listed, blob: blob && blob.length };
  }, url);
  assert.notEqual(r.mtime.slice(0, 4), "0001");
  assert.ok(Math.abs(Date.parse(r.mtime) - r.before) < 60000, r.mtime);
  assert.deepEqual(r.listed, [r.mtime]);
  assert.equal(r.blob, 0);
});

test("objectstore - a put cut off by closing the connection leaves the previous version readable", async () => {
  const r = await page.evaluate(async (url) => {
    const nc = await nats.connect({ servers: url });
    const os = await new nats.Objm(nc).create("cutoff");
    const v1 = ot.bytes(200 * 1024, 21);
    await os.putBlob({ name: "f" }, v1);
    let sent = 0;
    const src = new ReadableStream({
      pull(c) {
        sent++;
        if (sent === 6) nc.close();
        if (sent > 64) return c.close();
        c.enqueue(ot.bytes(128 * 1024, sent));
      },
    });
    const code = await ot.codeOf(() => os.put({ name: "f" }, src));
    const nc2 = await nats.connect({ servers: url });
    const os2 = await new nats.Objm(nc2).open("cutoff");
    const info = await os2.info("f");
    const back = await os2.getBlob("f");
    const r = { code, size: info.size, same: ot.same(back, v1), list: (await os2.list()).map((i) => i.name) };
    await os2.destroy();
    await nc2.close();
    return r;
  }, url);
  assert.equal(r.code, "CONNECTION_CLOSED");
  assert.equal(r.size, 200 * 1024);
  assert.ok(r.same);
  assert.deepEqual(r.list, ["f"]);
});

test("objectstore - 64 MiB through a stream both ways; wasm memory grows far less than the object", async () => {
  const r = await page.evaluate(async (url) => {
    const wasm = await (await import("/pkg/nats_kv_wasm.js")).default();
    const mem = () => wasm.memory.buffer.byteLength;
    const nc = await nats.connect({ servers: url });
    const os = await new nats.Objm(nc).create("big", { max_bytes: 200 * 1024 * 1024 });
    const N = 64 * 1024 * 1024, PIECE = 1024 * 1024;
    const piece = (i) => ot.bytes(PIECE, i + 1);
    const start = mem();
    const t0 = performance.now();
    let i = 0;
    const src = new ReadableStream({ pull(c) { if (i * PIECE >= N) c.close(); else c.enqueue(piece(i++)); } }, { highWaterMark: 1 });
    const info = await os.put({ name: "big" }, src);
    const putMs = performance.now() - t0;
    const afterPut = mem();
    const res = await os.get("big");
    let n = 0, ok = true, k = 0, off = 0, expect = piece(0);
    for await (const c of ot.chunks(res.data)) {
      for (let j = 0; j < c.length; j++) {
        if (c[j] !== expect[off]) ok = false;
        if (++off === PIECE) { off = 0; expect = piece(++k); }
      }
      n += c.length;
    }
    const err = await res.error;
    const afterGet = mem();
    await os.destroy();
    await nc.close();
    return { size: info.size, chunks: info.chunks, n, ok, err, start, afterPut, afterGet, putMs };
  }, url);
  assert.equal(r.size, 64 * 1024 * 1024);
  assert.equal(r.chunks, 512);
  assert.equal(r.n, r.size);
  assert.ok(r.ok);
  assert.equal(r.err, null);
  const growth = Math.max(r.afterPut, r.afterGet) - r.start;
  console.log(`# 64 MiB put in ${Math.round(r.putMs)} ms; wasm memory ${r.start >> 20} MiB → ${r.afterPut >> 20} → ${r.afterGet >> 20} MiB`);
  assert.ok(growth < 16 * 1024 * 1024, `wasm memory grew ${growth} bytes`);
});

test("objectstore - every entry point with wrong types, undefined, huge numbers and 10 MB strings → NatsError", async () => {
  const r = await page.evaluate(async (url) => {
    const nc = await nats.connect({ servers: url });
    const om = new nats.Objm(nc);
    const os = await om.create("types");
    const huge = "x".repeat(10 * 1024 * 1024);
    const bad = [undefined, null, 42, 1e300, NaN, {}, [], huge, "a\r\nb", Symbol.iterator];
    const out = {};
    const calls = {
      create: (v) => om.create(v), open: (v) => om.open(v), createOpts: (v) => om.create("types", v),
      info: (v) => os.info(v), get: (v) => os.get(v), getBlob: (v) => os.getBlob(v), delete: (v) => os.delete(v),
      put: (v) => os.put(v, null), putData: (v) => os.put({ name: "p" }, v), putOpts: (v) => os.put({ name: "p" }, null, { timeout: v }),
      putBlob: (v) => os.putBlob({ name: "p" }, v), link: (v) => os.link(v, v), linkStore: (v) => os.linkStore("l", v),
      update: (v) => os.update(v, v), watch: (v) => os.watch(v),
    };
    for (const [name, f] of Object.entries(calls)) {
      out[name] = [];
      for (const v of bad) {
        try {
          const x = await f(v);
          if (x && typeof x.stop === "function") x.stop();
          out[name].push("ok");
        } catch (e) {
          out[name].push(e instanceof nats.NatsError ? "NatsError" : `other: ${e}`);
        }
      }
    }
    const names = (await os.list()).map((i) => i.name);
    await os.destroy();
    await nc.close();
    return { out, names };
  }, url);
  for (const [name, results] of Object.entries(r.out)) {
    for (const x of results) assert.ok(x === "ok" || x === "NatsError", `${name}: ${x}`);
  }
  // What may succeed: `put(..., null)` with a valid name and default options, and watch() with no options.
  assert.ok(r.names.every((n) => n === "p"), r.names.join());
});

test("objectstore - a failing source and a stale previousRevision store nothing; the old version stays", async () => {
  const r = await page.evaluate(async (url) => {
    const nc = await nats.connect({ servers: url });
    const os = await new nats.Objm(nc).create("failing");
    const v1 = ot.bytes(150 * 1024, 31);
    const i1 = await os.putBlob({ name: "f" }, v1);
    let n = 0;
    const boom = new Error("disk on fire");
    const src = new ReadableStream({ pull(c) { if (++n > 3) c.error(boom); else c.enqueue(ot.bytes(128 * 1024, n)); } });
    let failing = null;
    try { await os.put({ name: "f" }, src); } catch (e) { failing = { code: e.code, cause: e.cause === boom }; }
    const stale = await ot.codeOf(() => os.putBlob({ name: "f" }, new Uint8Array([1]), { previousRevision: i1.revision - 1 }));
    const mustNotExist = await ot.codeOf(() => os.putBlob({ name: "f" }, new Uint8Array([1]), { previousRevision: 0 }));
    const fresh = (await os.putBlob({ name: "g" }, new Uint8Array([2]), { previousRevision: 0 })).name;
    const ok = (await os.putBlob({ name: "f" }, new Uint8Array([3]), { previousRevision: i1.revision })).size;
    const back = Array.from(await os.getBlob("f"));
    // Wait for the purges of the failed puts' chunks, then count what is left: f's one chunk and meta, g's.
    await new Promise((r) => setTimeout(r, 200));
    const msgs = (await os.status()).streamInfo.state.messages;
    await os.destroy();
    await nc.close();
    return { failing, stale, mustNotExist, fresh, ok, back, msgs };
  }, url);
  assert.deepEqual(r, {
    failing: { code: "INVALID_ARGUMENT", cause: true }, stale: "WRONG_LAST_REVISION", mustNotExist: "WRONG_LAST_REVISION",
    fresh: "g", ok: 1, back: [3], msgs: 4,
  });
});
