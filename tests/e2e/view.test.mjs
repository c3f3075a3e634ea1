// kv.view() keeps the store contracts of the UI frameworks (API.md): subscribe calls back at once and on
// every change, getSnapshot() is stable until a change, snapshots are immutable, ready, close, key filter.
// kv.modify() is a compare-and-swap loop: concurrent increments never lose an update.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launchBrowser, startStack, modulePage } from "./helpers.mjs";

let stack, browser, page;
before(async () => {
  stack = await startStack();
  browser = await launchBrowser();
  page = await modulePage(browser, stack.web);
  await page.evaluate(async (url) => {
    const nc = await nats.connect({ servers: url });
    window.t = { nc, kvm: new nats.Kvm(nc), n: 0 };
    // A fresh bucket per test.
    window.bucket = async (keys = {}) => {
      const kv = await t.kvm.create(`view${++t.n}`, { history: 5 });
      for (const [k, v] of Object.entries(keys)) await kv.put(k, v);
      return kv;
    };
    // Plain data of a snapshot, for assertions: { key: [value, revision] }.
    window.plain = (snap) => Object.fromEntries([...snap].map(([k, e]) => [k, [e.string(), e.revision]]));
  }, stack.server.wsUrl);
});
after(async () => {
  await page?.evaluate(() => t.nc.close()).catch(() => {});
  await browser?.close();
  await stack?.close();
});

test("subscribe calls back synchronously before returning, then on every change", async () => {
  const r = await page.evaluate(async () => {
    const kv = await bucket({ a: "1" });
    const view = await kv.view();
    await view.ready;
    const calls = [];
    const unsub = view.subscribe((s) => calls.push(s));
    const atOnce = calls.length;
    const first = plain(calls[0]);
    await kv.put("b", "2");
    await kv.put("a", "3");
    await kv.delete("b");
    // Wait for the three changes to arrive (no sleeps: poll on the callback count).
    while (calls.length < 4) await new Promise((r) => requestAnimationFrame(r));
    unsub();
    await kv.put("c", "4");
    await kv.get("c");
    const afterUnsub = calls.length;
    view.close();
    return { atOnce, first, all: calls.map(plain), afterUnsub, distinct: new Set(calls).size };
  });
  assert.equal(r.atOnce, 1, "subscribe called fn once before returning");
  assert.deepEqual(r.first, { a: ["1", 1] });
  assert.deepEqual(r.all, [
    { a: ["1", 1] },
    { a: ["1", 1], b: ["2", 2] },
    { a: ["3", 3], b: ["2", 2] },
    { a: ["3", 3] },
  ]);
  assert.equal(r.distinct, 4, "every change is a new Map");
  assert.equal(r.afterUnsub, 4, "no call after unsubscribe");
});

test("getSnapshot() is the same object until a change; old snapshots are untouched and read-only", async () => {
  const r = await page.evaluate(async () => {
    const kv = await bucket({ x: "1", y: "2" });
    const view = await kv.view();
    await view.ready;
    const s1 = view.getSnapshot();
    const same = s1 === view.getSnapshot() && s1 === view.getSnapshot();
    const before = plain(s1);
    let changed;
    const got = new Promise((res) => { changed = res; });
    const unsub = view.subscribe((s) => { if (s !== s1) changed(s); });
    await kv.put("x", "10");
    const s2 = await got;
    unsub();
    const errors = [];
    for (const f of [() => s1.set("z", null), () => s1.delete("x"), () => s1.clear(), () => s2.set("z", null)]) {
      try { f(); errors.push(null); } catch (e) { errors.push(e.constructor.name); }
    }
    const entryFrozen = Object.isFrozen(s2.get("x")) && Object.isFrozen(s1.get("y"));
    const res = {
      same, before, s1After: plain(s1), s2: plain(s2), s2IsCurrent: s2 === view.getSnapshot(),
      errors, entryFrozen, entryRev: s2.get("x").revision, viewGet: view.get("x").string(), size: view.size,
      keys: view.keys().sort(), revision: view.revision,
    };
    view.close();
    return res;
  });
  assert.ok(r.same, "same object while nothing changed");
  assert.deepEqual(r.before, { x: ["1", 1], y: ["2", 2] });
  assert.deepEqual(r.s1After, r.before, "the old snapshot is untouched");
  assert.deepEqual(r.s2, { x: ["10", 3], y: ["2", 2] });
  assert.ok(r.s2IsCurrent);
  assert.deepEqual(r.errors, ["TypeError", "TypeError", "TypeError", "TypeError"]);
  assert.ok(r.entryFrozen, "entries in a snapshot are frozen");
  assert.equal(r.entryRev, 3);
  assert.equal(r.viewGet, "10");
  assert.equal(r.size, 2);
  assert.deepEqual(r.keys, ["x", "y"]);
  assert.equal(r.revision, 3);
});

test("ready resolves once the initial values are in (also for an empty bucket)", async () => {
  const r = await page.evaluate(async () => {
    const keys = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${String(i).padStart(2, "0")}`, `v${i}`]));
    const kv = await bucket(keys);
    await kv.put("k00", "again");
    await kv.delete("k01");
    const view = await kv.view();
    const calls = [];
    view.subscribe((s) => calls.push(s.size));
    await view.ready;
    const full = { size: view.size, k00: view.get("k00")?.string(), k01: view.get("k01"), snap: view.getSnapshot().size, calls: [...calls] };
    view.close();
    const empty = await (await bucket()).view();
    await empty.ready;
    const e = { size: empty.size, snap: empty.getSnapshot().size };
    empty.close();
    return { full, e };
  });
  assert.equal(r.full.size, 49);
  assert.equal(r.full.snap, 49);
  assert.equal(r.full.k00, "again");
  assert.equal(r.full.k01, undefined, "a deleted key is not in the view");
  // The initial values are published as one snapshot: a subscriber sees empty then all 49 (or just the
  // 49 when view() resolved after they were in), never a part of them.
  assert.ok(["0,49", "49"].includes(r.full.calls.join()), `calls: ${r.full.calls}`);
  assert.deepEqual(r.e, { size: 0, snap: 0 });
});

test("close() stops the updates; a second close is harmless; close before ready rejects ready", async () => {
  const r = await page.evaluate(async () => {
    const kv = await bucket({ a: "1" });
    const view = await kv.view();
    await view.ready;
    const calls = [];
    view.subscribe((s) => calls.push(plain(s)));
    view.close();
    view.close();
    // A second view sees the write, so the first one would have had it too.
    const probe = await kv.view();
    await probe.ready;
    const seen = new Promise((res) => probe.subscribe((s) => { if (s.get("a")?.string() === "2") res(); }));
    await kv.put("a", "2");
    await seen;
    probe.close();
    // close() before the initial values are in: view() resolves once its watcher exists, which can be
    // after the values of a small bucket are in, so use a bucket of 500 keys and check that it was early
    // (an unready view is empty); a few tries make that certain.
    const big = await bucket();
    await Promise.all(Array.from({ length: 500 }, (_, i) => big.put(`k${i}`, "x")));
    let readyErr = "never caught a view before ready";
    for (let i = 0; i < 5; i++) {
      const early = await big.view();
      const wasEarly = early.size === 0;
      early.close();
      if (!wasEarly) continue;
      readyErr = null;
      try { await early.ready; } catch (e) { readyErr = e.code; }
      break;
    }
    const late = [];
    const unsub = view.subscribe((s) => late.push(plain(s)));
    unsub();
    return { calls, late, readyErr };
  });
  assert.deepEqual(r.calls, [{ a: ["1", 1] }], "nothing delivered after close()");
  assert.deepEqual(r.late, [{ a: ["1", 1] }], "subscribe after close still calls back once, with the last snapshot");
  assert.equal(r.readyErr, "CONNECTION_CLOSED");
});

test("view({ key }) holds only the matching keys and ignores changes of others", async () => {
  const r = await page.evaluate(async () => {
    const kv = await bucket({ "cfg.a": "1", "cfg.b": "2", "other": "x", "cfg.deep.c": "3" });
    const one = await kv.view({ key: "cfg.*" });
    const many = await kv.view({ key: ["cfg.>", "other"] });
    await Promise.all([one.ready, many.ready]);
    const calls = [];
    one.subscribe((s) => calls.push(plain(s)));
    const seen = new Promise((res) => many.subscribe((s) => { if (s.has("cfg.z")) res(); }));
    await kv.put("other", "y");
    await kv.put("cfg.deep.c", "4");
    await kv.put("cfg.z", "5");
    await seen;
    while (calls.length < 2) await new Promise((r) => requestAnimationFrame(r));
    const res = { oneKeys: one.keys().sort(), manyKeys: many.keys().sort(), calls };
    one.close();
    many.close();
    return res;
  });
  assert.deepEqual(r.oneKeys, ["cfg.a", "cfg.b", "cfg.z"]);
  assert.deepEqual(r.manyKeys, ["cfg.a", "cfg.b", "cfg.deep.c", "cfg.z", "other"]);
  assert.deepEqual(r.calls, [
    { "cfg.a": ["1", 1], "cfg.b": ["2", 2] },
    { "cfg.a": ["1", 1], "cfg.b": ["2", 2], "cfg.z": ["5", 7] },
  ]);
});

test("a throwing subscriber does not stop the others", async () => {
  const r = await page.evaluate(async () => {
    const kv = await bucket({ a: "1" });
    const view = await kv.view();
    await view.ready;
    const errors = [];
    const onErr = (ev) => { errors.push(ev.message); ev.preventDefault(); };
    window.addEventListener("error", onErr);
    let n = 0;
    view.subscribe((s) => { if (s.get("a").string() === "2") throw new Error("boom"); });
    const seen = new Promise((res) => view.subscribe((s) => { n++; if (s.get("a").string() === "2") res(); }));
    await kv.put("a", "2");
    await seen;
    // The error is re-thrown in a microtask queued before `seen` resolved, so it has been reported.
    window.removeEventListener("error", onErr);
    view.close();
    return { n, errors };
  });
  assert.equal(r.n, 2);
  assert.equal(r.errors.length, 1);
  assert.match(r.errors[0], /boom/);
});

test("modify(): 10 concurrent increments of a JSON counter end at exactly 10", async () => {
  const r = await page.evaluate(async () => {
    const kv = await bucket();
    const inc = () => kv.modify("counter", (cur) => JSON.stringify({ n: (cur ? cur.json().n : 0) + 1 }));
    const revs = await Promise.all(Array.from({ length: 10 }, inc));
    const e = await kv.get("counter");
    const hist = await kv.history({ key: "counter" });
    // fn returning undefined writes nothing and resolves to the current revision.
    const same = await kv.modify("counter", () => undefined);
    const missing = await kv.modify("nothing", () => undefined);
    return { value: e.json(), revision: e.revision, revs: revs.sort((a, b) => a - b), hist: hist.length, same, missing, after: (await kv.get("counter")).revision };
  });
  assert.deepEqual(r.value, { n: 10 });
  assert.deepEqual(r.revs, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], "each increment got its own revision");
  assert.equal(r.revision, 10);
  assert.equal(r.hist, 5, "history 5 keeps the last five");
  assert.equal(r.same, 10);
  assert.equal(r.missing, 0);
  assert.equal(r.after, 10);
});

test("modify() gives up with WRONG_LAST_REVISION after maxRetries conflicts, and passes other errors on", async () => {
  const r = await page.evaluate(async () => {
    const kv = await bucket({ k: "0" });
    let calls = 0;
    // Every attempt races with a write of its own, so every update conflicts.
    const fn = (cur) => { calls++; kv.put("k", `other-${calls}`); return "mine"; };
    let code = null;
    try { await kv.modify("k", (cur) => fn(cur), { maxRetries: 2 }); } catch (e) { code = e.code; }
    let thrown = null;
    try { await kv.modify("k", () => { throw new Error("from fn"); }); } catch (e) { thrown = e.message; }
    let bad = null;
    try { await kv.modify("bad key", () => "x"); } catch (e) { bad = e.code; }
    return { code, calls, thrown, bad, last: (await kv.get("k")).string() };
  });
  assert.equal(r.code, "WRONG_LAST_REVISION");
  assert.equal(r.calls, 3, "one try plus two retries");
  assert.equal(r.thrown, "from fn");
  assert.equal(r.bad, "INVALID_KEY");
  assert.notEqual(r.last, "mine");
});
