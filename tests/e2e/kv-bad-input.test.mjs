// Key/Value bad input through the ES module: invalid keys, wrong argument types, invalid bucket
// names and oversized values are rejected with a typed `NatsError`, and nothing is written (a second
// connection watches every KV subject and the JetStream API; status().values is unchanged).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { openModuleStack, closeModuleStack } from "./helpers.mjs";

let stack, browser, page, url;
before(async () => {
  ({ stack, browser, page, url } = await openModuleStack());
  // In the page: `window.kvt.monitor(url, subjects)` starts a core subscription on a second connection
  // that records every message on `subjects`; `stop()` publishes a barrier from the connection under
  // test (same connection order as its writes) and resolves to what was seen before the barrier.
  await page.evaluate(() => {
    window.kvt = {
      async monitor(url, nc, subjects) {
        const mon = await nats.connect({ servers: url });
        const seen = [];
        const barrier = `barrier.${Math.random().toString(36).slice(2)}`;
        let reached;
        const done = new Promise((r) => { reached = r; });
        for (const s of subjects) mon.subscribe(s, { callback: (err, m) => { if (m) seen.push(m.subject); } });
        mon.subscribe(barrier, { callback: () => reached() });
        await mon.flush();
        return {
          async stop() {
            nc.publish(barrier, "");
            await nc.flush();
            await done;
            await mon.close();
            return seen;
          },
        };
      },
      /** The code of a rejected call, or a description of what went wrong instead. */
      async codeOf(f) {
        try {
          const v = await f();
          return `resolved: ${JSON.stringify(v)}`;
        } catch (e) {
          if (!(e instanceof nats.NatsError) || !(e instanceof Error)) return `not a NatsError: ${e}`;
          return e.code;
        }
      },
    };
  });
});
after(() => closeModuleStack({ stack, browser }));

const BAD_KEYS = ["", "a b", ".a", "a.", "a..b", "a*", "a>", "*", ">", "a.*", "a.>", "a\r\nb", "a\nb", "a\tb", "é", "ключ", "a\u0000b"];
const OPS = ["put", "get", "create", "update", "delete", "purge"];
// delete() and purge() take search keys too (nats.js's wildcard extension): these are valid there.
const SEARCH_KEYS = ["*", ">", "a.*", "a.>"];
const badKeysFor = (op) => (op === "delete" || op === "purge" ? BAD_KEYS.filter((k) => !SEARCH_KEYS.includes(k)) : BAD_KEYS);

test("control: the monitor sees a write, a get and an API call of the connection under test", async () => {
  const seen = await page.evaluate(async (url) => {
    const nc = await nats.connect({ servers: url });
    const kv = await new nats.Kvm(nc).create("control");
    const mon = await kvt.monitor(url, nc, ["$KV.control.>", "$JS.API.>"]);
    await kv.put("ok", "1");
    await kv.get("ok");
    await kv.status();
    const seen = await mon.stop();
    await kv.destroy();
    await nc.close();
    return seen;
  }, url);
  assert.deepEqual(seen, ["$KV.control.ok", "$JS.API.DIRECT.GET.KV_control.$KV.control.ok", "$JS.API.STREAM.INFO.KV_control"]);
});

test("invalid keys → INVALID_KEY for put/get/create/update/delete/purge, nothing written", async () => {
  const keysFor = Object.fromEntries(OPS.map((op) => [op, badKeysFor(op)]));
  const r = await page.evaluate(async ({ url, keysFor, OPS }) => {
    const nc = await nats.connect({ servers: url });
    const kv = await new nats.Kvm(nc).create("badkeys", { history: 5 });
    await kv.put("good", "1");
    const before = (await kv.status()).values;
    const mon = await kvt.monitor(url, nc, ["$KV.badkeys.>", "$JS.API.>"]);
    const call = {
      put: (k) => kv.put(k, "x"),
      get: (k) => kv.get(k),
      create: (k) => kv.create(k, "x"),
      update: (k) => kv.update(k, "x", 1),
      delete: (k) => kv.delete(k),
      purge: (k) => kv.purge(k),
    };
    const codes = {};
    for (const op of OPS) {
      codes[op] = {};
      for (const k of keysFor[op]) codes[op][JSON.stringify(k)] = await kvt.codeOf(() => call[op](k));
    }
    const seen = await mon.stop();
    const after = (await kv.status()).values;
    const good = (await kv.get("good")).string();
    await kv.destroy();
    await nc.close();
    return { codes, seen, before, after, good };
  }, { url, keysFor, OPS });
  for (const op of OPS) {
    for (const k of keysFor[op]) assert.equal(r.codes[op][JSON.stringify(k)], "INVALID_KEY", `${op}(${JSON.stringify(k)})`);
  }
  assert.deepEqual(r.seen, [], "nothing was sent to $KV.badkeys.> or $JS.API.>");
  assert.equal(r.after, r.before);
  assert.equal(r.good, "1");
});

test("invalid key filters → INVALID_KEY for keys/history/watch, nothing sent", async () => {
  const r = await page.evaluate(async (url) => {
    const nc = await nats.connect({ servers: url });
    const kv = await new nats.Kvm(nc).create("badfilters");
    const mon = await kvt.monitor(url, nc, ["$KV.badfilters.>", "$JS.API.>"]);
    const filters = ["", "a b", ".a", "a.", "a..b", "a.>.b", "a*", "a>", "a\r\nb", "é", ["ok", "a b"]];
    const codes = [];
    for (const f of filters) {
      codes.push([
        await kvt.codeOf(() => kv.keys(f)),
        await kvt.codeOf(() => kv.history({ key: f })),
        await kvt.codeOf(async () => { const w = await kv.watch({ key: f }); w.stop(); return "watching"; }),
      ]);
    }
    const seen = await mon.stop();
    await kv.destroy();
    await nc.close();
    return { codes, seen };
  }, url);
  assert.deepEqual(r.codes, r.codes.map(() => ["INVALID_KEY", "INVALID_KEY", "INVALID_KEY"]));
  assert.deepEqual(r.seen, []);
});

test("keys of the wrong JS type → INVALID_ARGUMENT (as every wrong type), nothing written", async () => {
  const r = await page.evaluate(async ({ url, OPS }) => {
    const nc = await nats.connect({ servers: url });
    const kv = await new nats.Kvm(nc).create("badtypes");
    const before = (await kv.status()).values;
    const mon = await kvt.monitor(url, nc, ["$KV.badtypes.>", "$JS.API.>"]);
    const call = {
      put: (k) => kv.put(k, "x"),
      get: (k) => kv.get(k),
      create: (k) => kv.create(k, "x"),
      update: (k) => kv.update(k, "x", 1),
      delete: (k) => kv.delete(k),
      purge: (k) => kv.purge(k),
    };
    const wrong = { number: 42, undefined: undefined, null: null, object: { k: "a" }, array: ["a"], boolean: true, symbolLike: 1n };
    const codes = {};
    for (const op of OPS) {
      codes[op] = {};
      for (const [name, v] of Object.entries(wrong)) codes[op][name] = await kvt.codeOf(() => call[op](v));
    }
    // Other arguments of the wrong type.
    codes.other = {
      putValueNumber: await kvt.codeOf(() => kv.put("k", 42)),
      putValueObject: await kvt.codeOf(() => kv.put("k", { a: 1 })),
      updateRevisionString: await kvt.codeOf(() => kv.update("k", "x", "1")),
      updateRevisionNegative: await kvt.codeOf(() => kv.update("k", "x", -1)),
      updateRevisionFraction: await kvt.codeOf(() => kv.update("k", "x", 1.5)),
      putPreviousSeqString: await kvt.codeOf(() => kv.put("k", "x", { previousSeq: "1" })),
      getRevisionString: await kvt.codeOf(() => kv.get("k", { revision: "1" })),
      getRevisionZero: await kvt.codeOf(() => kv.get("k", { revision: 0 })),
      getRevisionNegative: await kvt.codeOf(() => kv.get("k", { revision: -1 })),
      keysNumber: await kvt.codeOf(() => kv.keys(42)),
      historyKeyObject: await kvt.codeOf(() => kv.history({ key: { a: 1 } })),
      watchIncludeBad: await kvt.codeOf(() => kv.watch({ include: "everything" })),
      watchCallbackBad: await kvt.codeOf(() => kv.watch({ callback: "no" })),
      modifyFnBad: await kvt.codeOf(() => kv.modify("k", "no")),
    };
    const seen = await mon.stop();
    const after = (await kv.status()).values;
    await kv.destroy();
    await nc.close();
    return { codes, seen, before, after };
  }, { url, OPS });
  for (const op of OPS) {
    for (const [name, code] of Object.entries(r.codes[op])) assert.equal(code, "INVALID_ARGUMENT", `${op}(${name})`);
  }
  for (const [name, code] of Object.entries(r.codes.other)) assert.equal(code, "INVALID_ARGUMENT", name);
  assert.deepEqual(r.seen, []);
  assert.equal(r.after, r.before);
});

test("invalid bucket names → INVALID_BUCKET_NAME for Kvm.create/open, nothing sent", async () => {
  // KV_<bucket> must fit nats-server's 255-byte stream names: 253 bytes is one too many.
  const BAD = [" B", "B ", "!", "x/y", "x>", "x.x", "x.*", "x.>", "x*", "*", ">", "", "é", "a\r\nb", "$KV", "b".repeat(253), "b".repeat(5000)];
  const r = await page.evaluate(async ({ url, BAD }) => {
    const nc = await nats.connect({ servers: url });
    const kvm = new nats.Kvm(nc);
    const listBefore = (await kvm.list()).map((s) => s.bucket).sort();
    const mon = await kvt.monitor(url, nc, ["$JS.API.>", "$KV.>"]);
    const codes = {};
    for (const b of BAD) {
      codes[JSON.stringify(b)] = [
        await kvt.codeOf(() => kvm.create(b)),
        await kvt.codeOf(() => kvm.create(b, { history: 3 })),
        await kvt.codeOf(() => kvm.open(b)),
      ];
    }
    const types = {
      createNumber: await kvt.codeOf(() => kvm.create(42)),
      openUndefined: await kvt.codeOf(() => kvm.open(undefined)),
      createObject: await kvt.codeOf(() => kvm.create({ name: "x" })),
      createBadOpts: await kvt.codeOf(() => kvm.create("okname", "history")),
      createBadHistory: await kvt.codeOf(() => kvm.create("okname", { history: "5" })),
    };
    const seen = await mon.stop();
    const listAfter = (await kvm.list()).map((s) => s.bucket).sort();
    // The longest valid name works.
    const longest = await kvm.create("b".repeat(252));
    const longestOk = (await longest.put("k", "v")) === 1 && (await longest.status()).bucket.length === 252;
    await longest.destroy();
    await nc.close();
    return { codes, types, seen, listBefore, listAfter, longestOk };
  }, { url, BAD });
  for (const b of BAD) {
    assert.deepEqual(r.codes[JSON.stringify(b)], ["INVALID_BUCKET_NAME", "INVALID_BUCKET_NAME", "INVALID_BUCKET_NAME"], JSON.stringify(b));
  }
  assert.deepEqual(r.types, {
    createNumber: "INVALID_ARGUMENT", openUndefined: "INVALID_ARGUMENT", createObject: "INVALID_ARGUMENT",
    createBadOpts: "INVALID_ARGUMENT", createBadHistory: "INVALID_ARGUMENT",
  });
  assert.deepEqual(r.seen, []);
  assert.deepEqual(r.listAfter, r.listBefore);
  assert.equal(r.longestOk, true);
});

test("a value over the bucket's maxValueSize → typed error, nothing written", async () => {
  const r = await page.evaluate(async (url) => {
    const nc = await nats.connect({ servers: url });
    const kv = await new nats.Kvm(nc).create("maxval", { maxValueSize: 100, history: 5 });
    const st = await kv.status();
    const ok = await kv.put("k", new Uint8Array(100).fill(7));
    const before = (await kv.status()).values;
    const seenSub = [];
    const sub = nc.subscribe("$KV.maxval.>", { callback: (err, m) => { if (m) seenSub.push(m.subject); } });
    await nc.flush();
    const errs = [];
    const tryIt = async (name, f) => {
      try { await f(); errs.push({ name, resolved: true }); } catch (e) {
        errs.push({ name, isNatsError: e instanceof nats.NatsError, code: e.code, errCode: e.errCode, apiCode: e.apiCode, message: e.message });
      }
    };
    await tryIt("put", () => kv.put("k", new Uint8Array(101)));
    await tryIt("putString", () => kv.put("k", "x".repeat(101)));
    await tryIt("create", () => kv.create("new", new Uint8Array(101)));
    await tryIt("update", () => kv.update("k", new Uint8Array(101), ok));
    await nc.flush();
    const after = (await kv.status()).values;
    const value = await kv.get("k");
    const hist = await kv.history({ key: "k" });
    const created = await kv.get("new");
    sub.unsubscribe();
    await kv.destroy();
    await nc.close();
    return { maxValueSize: st.maxValueSize, ok, before, after, errs, value: value && [...value.value], revision: value?.revision, hist: hist.length, created, seenSub };
  }, url);
  assert.equal(r.maxValueSize, 100);
  for (const e of r.errs) {
    assert.equal(e.resolved, undefined, `${e.name} must be rejected`);
    assert.equal(e.isNatsError, true, e.name);
    // The server's "message size exceeds maximum allowed" (10054); see API.md "Errors".
    assert.equal(e.code, "LIMIT_EXCEEDED", `${e.name}: ${e.message}`);
    assert.equal(e.errCode, 10054, `${e.name}: ${e.message}`);
    assert.equal(e.apiCode, 400, e.name);
  }
  assert.equal(r.after, r.before);
  assert.equal(r.revision, r.ok);
  assert.deepEqual(r.value, new Array(100).fill(7));
  assert.equal(r.hist, 1);
  assert.equal(r.created, null);
  // Rejected publishes do reach the subject (the server refuses to store them); none is stored.
  assert.ok(r.seenSub.every((s) => s === "$KV.maxval.k" || s === "$KV.maxval.new"));
});

test("a value over the server's max_payload → MAX_PAYLOAD_EXCEEDED locally, nothing sent", async () => {
  const r = await page.evaluate(async (url) => {
    const nc = await nats.connect({ servers: url });
    const max = nc.info.max_payload;
    const kv = await new nats.Kvm(nc).create("maxpayload");
    const rev = await kv.put("k", "small");
    const before = (await kv.status()).values;
    const mon = await kvt.monitor(url, nc, ["$KV.maxpayload.>", "$JS.API.>"]);
    const big = new Uint8Array(max + 1);
    const codes = {
      put: await kvt.codeOf(() => kv.put("k", big)),
      putString: await kvt.codeOf(() => kv.put("k", "x".repeat(max + 1))),
      create: await kvt.codeOf(() => kv.create("n", big)),
      update: await kvt.codeOf(() => kv.update("k", big, rev)),
      putPrev: await kvt.codeOf(() => kv.put("k", big, { previousSeq: rev })),
      // Headers count towards max_payload: a value of exactly max_payload with the CAS header is over.
      updateExactMax: await kvt.codeOf(() => kv.update("k", new Uint8Array(max), rev)),
      modify: await kvt.codeOf(() => kv.modify("k", () => big)),
    };
    const seen = await mon.stop();
    const after = (await kv.status()).values;
    const value = (await kv.get("k")).string();
    // Exactly max_payload without headers is accepted (the stream has no maxValueSize).
    const exact = await kv.put("k", new Uint8Array(max));
    const exactLen = (await kv.get("k")).length;
    await kv.destroy();
    await nc.close();
    return { max, codes, seen: seen.filter((s) => !s.startsWith("$JS.API.DIRECT.GET.")), before, after, value, exact, rev, exactLen };
  }, url);
  assert.deepEqual(r.codes, {
    put: "MAX_PAYLOAD_EXCEEDED", putString: "MAX_PAYLOAD_EXCEEDED", create: "MAX_PAYLOAD_EXCEEDED",
    update: "MAX_PAYLOAD_EXCEEDED", putPrev: "MAX_PAYLOAD_EXCEEDED", updateExactMax: "MAX_PAYLOAD_EXCEEDED",
    modify: "MAX_PAYLOAD_EXCEEDED",
  });
  // modify() reads the key first (a DIRECT.GET), filtered above; no write was sent.
  assert.deepEqual(r.seen, []);
  assert.equal(r.after, r.before);
  assert.equal(r.value, "small");
  assert.equal(r.exact, r.rev + 1);
  assert.equal(r.exactLen, r.max);
});

test("keys too long for the server's max_control_line → INVALID_KEY locally; the connection survives", async () => {
  const r = await page.evaluate(async (url) => {
    const nc = await nats.connect({ servers: url });
    const statuses = [];
    nc.onStatus((s) => statuses.push(s.type));
    const kv = await new nats.Kvm(nc).create("longkeys");
    // A long key that still fits is fine.
    const fits = "k".repeat(3900);
    const rev = await kv.put(fits, "fits");
    const fitsBack = (await kv.get(fits)).string();
    const before = (await kv.status()).values;
    const mon = await kvt.monitor(url, nc, ["$KV.longkeys.>", "$JS.API.>"]);
    const long = "k".repeat(5000);
    const codes = {
      put: await kvt.codeOf(() => kv.put(long, "x")),
      get: await kvt.codeOf(() => kv.get(long)),
      create: await kvt.codeOf(() => kv.create(long, "x")),
      update: await kvt.codeOf(() => kv.update(long, "x", 1)),
      delete: await kvt.codeOf(() => kv.delete(long)),
      purge: await kvt.codeOf(() => kv.purge(long)),
      watch: await kvt.codeOf(async () => { const w = await kv.watch({ key: long }); w.stop(); return "watching"; }),
      keys: await kvt.codeOf(() => kv.keys(long)),
      history: await kvt.codeOf(() => kv.history({ key: long })),
      // Core: the same limit, INVALID_SUBJECT, thrown by publish/subscribe.
      publish: await kvt.codeOf(() => nc.publish("x." + long, "x")),
      subscribe: await kvt.codeOf(() => nc.subscribe("x." + long)),
      request: await kvt.codeOf(() => nc.request("x." + long, "x")),
    };
    const seen = await mon.stop();
    const after = (await kv.status()).values;
    const stillWorks = await kv.put("after", "ok");
    await kv.destroy();
    await nc.close();
    return { rev, fitsBack, codes, seen, before, after, stillWorks, statuses };
  }, url);
  assert.equal(r.fitsBack, "fits");
  assert.deepEqual(r.codes, {
    put: "INVALID_KEY", get: "INVALID_KEY", create: "INVALID_KEY", update: "INVALID_KEY", delete: "INVALID_KEY",
    purge: "INVALID_KEY", watch: "INVALID_KEY", keys: "INVALID_KEY", history: "INVALID_KEY",
    publish: "INVALID_SUBJECT", subscribe: "INVALID_SUBJECT", request: "INVALID_SUBJECT",
  });
  assert.deepEqual(r.seen, []);
  assert.equal(r.after, r.before);
  assert.equal(r.stillWorks, r.rev + 1);
  assert.deepEqual(r.statuses, ["close"], "never disconnected");
});
