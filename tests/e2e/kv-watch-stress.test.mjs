// A watcher on a second connection sees every revision of 10 000 pipelined puts exactly once and in
// order: revisions strictly increasing, exactly the acked ones, values and keys as written.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { openModuleStack, closeModuleStack } from "./helpers.mjs";

let stack, browser, page, url;
before(async () => { ({ stack, browser, page, url } = await openModuleStack()); });
after(() => closeModuleStack({ stack, browser }));

/**
 * In the page: a watcher (connection B) on a fresh bucket, then `n` puts from connection A with
 * `window` of them in flight at any time. Key of put i: `keyOf(i)`, value `v<i>`. After the last
 * put, one sentinel put: the watcher must see it last, so any duplicate or stray revision that came
 * after the 10 000th would be counted.
 */
async function stress({ bucket, n, window: inFlight, keys, history, storage, iterate }) {
  return page.evaluate(async ({ url, bucket, n, inFlight, keys, history, storage, iterate }) => {
    const a = await nats.connect({ servers: url });
    const b = await nats.connect({ servers: url });
    const kvA = await new nats.Kvm(a).create(bucket, { history, storage });
    const kvB = await new nats.Kvm(b).open(bucket);
    const keyOf = (i) => (keys === 0 ? `k.${i}` : `k.${i % keys}`);
    const seen = [];
    let sentinelSeen, resolveSentinel;
    const sentinel = new Promise((r) => { resolveSentinel = r; });
    let firstSeenAt = 0;
    const onEntry = (e) => {
      if (seen.length === 0) firstSeenAt = performance.now();
      seen.push({ rev: e.revision, key: e.key, value: e.string(), op: e.operation, isUpdate: e.isUpdate });
      if (e.key === "sentinel") { sentinelSeen = performance.now(); resolveSentinel(); }
    };
    let initialized = false;
    let w;
    if (iterate) {
      w = await kvB.watch({ onInitialized: () => { initialized = true; } });
      (async () => { for await (const e of w) onEntry(e); })();
    } else {
      w = await kvB.watch({ callback: onEntry, onInitialized: () => { initialized = true; } });
    }
    await w.initialized;

    const acked = new Array(n);
    const errors = [];
    let next = 0, maxInFlight = 0, inflightNow = 0;
    const t0 = performance.now();
    const worker = async () => {
      while (next < n) {
        const i = next++;
        inflightNow++;
        maxInFlight = Math.max(maxInFlight, inflightNow);
        try { acked[i] = await kvA.put(keyOf(i), `v${i}`); } catch (e) { errors.push(`${i}: ${e.code} ${e.message}`); }
        inflightNow--;
      }
    };
    await Promise.all(Array.from({ length: inFlight }, worker));
    const tAcked = performance.now();
    const sentinelRev = await kvA.put("sentinel", "end");
    const timeout = new Promise((r) => setTimeout(() => r("timeout"), 120000));
    const outcome = await Promise.race([sentinel.then(() => "ok"), timeout]);
    const tSeen = performance.now();
    const countAtSentinel = seen.length;
    w.stop();
    const status = await kvB.status();
    await kvA.destroy();
    await Promise.all([a.close(), b.close()]);

    // Checks are done here (10 000 entries need not cross into node).
    const byRev = new Map();
    acked.forEach((rev, i) => byRev.set(rev, i));
    const problems = [];
    let prev = 0;
    for (const s of seen) {
      if (s.rev <= prev) problems.push(`revision ${s.rev} after ${prev}`);
      prev = s.rev;
      if (s.key === "sentinel") continue;
      const i = byRev.get(s.rev);
      if (i === undefined) { problems.push(`revision ${s.rev} was not acked to any put`); continue; }
      if (s.key !== keyOf(i) || s.value !== `v${i}`) problems.push(`revision ${s.rev}: ${s.key}=${s.value}, wrote ${keyOf(i)}=v${i}`);
      if (s.op !== "PUT" || !s.isUpdate) problems.push(`revision ${s.rev}: ${s.op} isUpdate=${s.isUpdate}`);
    }
    const seenRevs = new Set(seen.map((s) => s.rev));
    const missing = acked.filter((rev) => !seenRevs.has(rev));
    const ackedSorted = [...acked].sort((x, y) => x - y);
    return {
      outcome, errors: errors.slice(0, 5), errorCount: errors.length, initialized, maxInFlight,
      seen: seen.length, countAtSentinel, lastIsSentinel: seen.at(-1)?.key === "sentinel" && seen.at(-1)?.rev === sentinelRev,
      problems: problems.slice(0, 10), problemCount: problems.length, missing: missing.slice(0, 10), missingCount: missing.length,
      ackedDistinct: new Set(acked).size, ackedContiguous: ackedSorted.every((r, k) => k === 0 || r === ackedSorted[k - 1] + 1),
      ackMs: tAcked - t0, seenMs: tSeen - t0, firstSeenMs: firstSeenAt - t0, sentinelMs: sentinelSeen - t0,
      statusValues: status.values,
    };
  }, { url, bucket, n, inFlight, keys, history, storage, iterate });
}

function check(r, n, label) {
  console.log(`${label}: ${n} puts acked in ${r.ackMs.toFixed(0)} ms (${(n / r.ackMs * 1000).toFixed(0)} puts/s, max ${r.maxInFlight} in flight); ` +
    `all seen by the watcher after ${r.sentinelMs.toFixed(0)} ms (${(n / r.sentinelMs * 1000).toFixed(0)} updates/s)`);
  assert.equal(r.outcome, "ok", "the watcher saw the sentinel put");
  assert.equal(r.errorCount, 0, `put errors: ${r.errors}`);
  assert.equal(r.initialized, true);
  assert.equal(r.ackedDistinct, n, "every put got its own revision");
  assert.equal(r.ackedContiguous, true, "acked revisions have no gaps");
  assert.deepEqual(r.problems, [], `${r.problemCount} problems`);
  assert.deepEqual(r.missing, [], `${r.missingCount} acked revisions never seen`);
  assert.equal(r.seen, n + 1, "every revision exactly once, plus the sentinel");
  assert.equal(r.countAtSentinel, n + 1);
  assert.equal(r.lastIsSentinel, true);
}

test("watcher on a second connection sees 10 000 pipelined puts (distinct keys) exactly once, in order", async () => {
  const n = 10000;
  const r = await stress({ bucket: "stress1", n, window: 300, keys: 0, history: 1, storage: "file" });
  check(r, n, "10 000 keys, file, callback");
  assert.equal(r.statusValues, n + 1);
});

test("watcher (for await) sees 10 000 pipelined puts to 200 keys (history 64) exactly once, in order", async () => {
  // 50 revisions per key: the history limit never removes one before the watcher could see it.
  const n = 10000;
  const r = await stress({ bucket: "stress2", n, window: 256, keys: 200, history: 64, storage: "memory", iterate: true });
  check(r, n, "200 keys × 50 revisions, memory, for await");
  assert.equal(r.statusValues, n + 1);
});

test("a watcher started in the middle of 10 000 pipelined puts: initial values then updates, every revision once", async () => {
  const r = await page.evaluate(async (url) => {
    const n = 10000, startAt = 3000;
    const a = await nats.connect({ servers: url });
    const b = await nats.connect({ servers: url });
    const kvA = await new nats.Kvm(a).create("stress3");
    const kvB = await new nats.Kvm(b).open("stress3");
    const acked = new Array(n);
    let next = 0, ackedCount = 0;
    let startWatch;
    const watchNow = new Promise((r) => { startWatch = r; });
    const seen = [];
    let initCalls = 0, seenAtInit = -1, resolveSentinel;
    const sentinel = new Promise((r) => { resolveSentinel = r; });
    const worker = async () => {
      while (next < n) {
        const i = next++;
        acked[i] = await kvA.put(`k.${i}`, `v${i}`);
        if (++ackedCount === startAt) startWatch();
      }
    };
    const writing = Promise.all(Array.from({ length: 200 }, worker));
    await watchNow;
    const w = await kvB.watch({
      callback: (e) => { seen.push([e.revision, e.key, e.string(), e.isUpdate]); if (e.key === "sentinel") resolveSentinel(); },
      onInitialized: () => { initCalls++; seenAtInit = seen.length; },
    });
    await writing;
    await kvA.put("sentinel", "end");
    const outcome = await Promise.race([sentinel.then(() => "ok"), new Promise((r) => setTimeout(() => r("timeout"), 120000))]);
    w.stop();
    await kvA.destroy();
    await Promise.all([a.close(), b.close()]);
    const byRev = new Map(acked.map((rev, i) => [rev, i]));
    const problems = [];
    let prev = 0;
    seen.forEach(([rev, key, value, isUpdate], j) => {
      if (rev <= prev) problems.push(`revision ${rev} after ${prev}`);
      prev = rev;
      if (isUpdate !== (j >= seenAtInit)) problems.push(`entry ${j} (rev ${rev}) isUpdate=${isUpdate}, initialized after ${seenAtInit}`);
      if (key === "sentinel") return;
      const i = byRev.get(rev);
      if (i === undefined || key !== `k.${i}` || value !== `v${i}`) problems.push(`revision ${rev}: ${key}=${value}`);
    });
    return { outcome, initCalls, seenAtInit, seen: seen.length, problems: problems.slice(0, 10), problemCount: problems.length };
  }, url);
  console.log(`mid-stream watcher: ${r.seenAtInit} initial values, ${r.seen - r.seenAtInit} updates`);
  assert.equal(r.outcome, "ok");
  assert.equal(r.initCalls, 1);
  assert.ok(r.seenAtInit >= 3000 && r.seenAtInit <= 10000, `initial values: ${r.seenAtInit}`);
  assert.deepEqual(r.problems, [], `${r.problemCount} problems`);
  assert.equal(r.seen, 10001);
});

test("2 KiB values (flow control): a live watcher and a full-history replay each see all 10 000 revisions once, in order", async () => {
  const r = await page.evaluate(async (url) => {
    const n = 10000, size = 2048;
    const a = await nats.connect({ servers: url });
    const b = await nats.connect({ servers: url });
    const mon = await nats.connect({ servers: url });
    let fcResponses = 0;
    mon.subscribe("$JS.FC.>", { callback: () => { fcResponses++; } });
    await mon.flush();
    const kvA = await new nats.Kvm(a).create("stress4", { storage: "memory" });
    const kvB = await new nats.Kvm(b).open("stress4");
    const valueOf = (i) => { const v = new Uint8Array(size); new DataView(v.buffer).setUint32(0, i); v.fill(i & 255, 4); return v; };
    const checkValue = (v, i) => v.length === size && new DataView(v.buffer, v.byteOffset, 4).getUint32(0) === i && v[size - 1] === (i & 255);
    const verify = (entries, acked, label) => {
      const byRev = new Map(acked.map((rev, i) => [rev, i]));
      const problems = [];
      let prev = 0;
      for (const e of entries) {
        if (e.revision <= prev) problems.push(`${label}: revision ${e.revision} after ${prev}`);
        prev = e.revision;
        const i = byRev.get(e.revision);
        if (i === undefined || e.key !== `k.${i}` || !checkValue(e.value, i)) problems.push(`${label}: revision ${e.revision} (${e.key}) wrong`);
      }
      if (entries.length !== acked.length) problems.push(`${label}: ${entries.length} entries for ${acked.length} puts`);
      return problems;
    };
    const live = [];
    let liveDone;
    const liveAll = new Promise((r) => { liveDone = r; });
    const w = await kvB.watch({ callback: (e) => { live.push(e); if (live.length === n) liveDone(); } });
    await w.initialized;
    const acked = new Array(n);
    let next = 0;
    const t0 = performance.now();
    await Promise.all(Array.from({ length: 256 }, async () => {
      while (next < n) { const i = next++; acked[i] = await kvA.put(`k.${i}`, valueOf(i)); }
    }));
    const tAck = performance.now() - t0;
    const liveOutcome = await Promise.race([liveAll.then(() => "ok"), new Promise((r) => setTimeout(() => r("timeout"), 120000))]);
    const tLive = performance.now() - t0;
    w.stop();
    // A full-history replay from a new watcher on the same (second) connection.
    const replay = [];
    const t1 = performance.now();
    const w2 = await kvB.watch({ include: "history", callback: (e) => replay.push(e) });
    const replayOutcome = await Promise.race([w2.initialized.then(() => "ok"), new Promise((r) => setTimeout(() => r("timeout"), 120000))]);
    const tReplay = performance.now() - t1;
    w2.stop();
    await mon.flush();
    const problems = [...verify(live, acked, "live"), ...verify(replay, acked, "replay")];
    await kvA.destroy();
    await Promise.all([a.close(), b.close(), mon.close()]);
    return { liveOutcome, replayOutcome, problems: problems.slice(0, 10), problemCount: problems.length, live: live.length, replay: replay.length, fcResponses, tAck, tLive, tReplay };
  }, url);
  console.log(`2 KiB values: 10 000 puts acked in ${r.tAck.toFixed(0)} ms, seen live after ${r.tLive.toFixed(0)} ms; ` +
    `full replay in ${r.tReplay.toFixed(0)} ms; ${r.fcResponses} flow-control responses`);
  assert.equal(r.liveOutcome, "ok");
  assert.equal(r.replayOutcome, "ok");
  assert.deepEqual(r.problems, [], `${r.problemCount} problems`);
  assert.equal(r.live, 10000);
  assert.equal(r.replay, 10000);
});
