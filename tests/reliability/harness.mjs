// Shared harness of the reliability suite: a page with the built package (`window.nats`), page-side
// writers and a watcher (`window.H`), the per-scenario check (every acknowledged revision seen exactly
// once, in order) and the results table test-results/reliability-<engine>.json (one entry per scenario,
// merged by every file of the suite).
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { launchBrowser, ARTIFACTS, ENGINE } from "../e2e/helpers.mjs";
import { serveStatic } from "../../scripts/lib/static-server.mjs";
import { ROOT } from "../e2e/helpers.mjs";

export const RESULTS = join(ARTIFACTS, `reliability-${ENGINE}.json`);

/** The browser of E2E_ENGINE plus a page server and a page with the package loaded and `window.H` installed. */
export async function openPage() {
  const web = await serveStatic(ROOT, { pages: { "/blank": "<!doctype html><title>blank</title>" } });
  const browser = await launchBrowser();
  const page = await browser.newPage();
  page.on("pageerror", (e) => console.error("pageerror:", e));
  await page.goto(web.url + "blank");
  await page.evaluate(async () => { window.nats = await import("/js/index.js"); });
  await page.evaluate(installHarness);
  return { page, close: async () => { await browser.close(); await web.close(); } };
}

/** Records one scenario's figures in test-results/reliability-<engine>.json (merged with the other entries). */
export function recordResult(name, figures) {
  let all = {};
  try { if (existsSync(RESULTS)) all = JSON.parse(readFileSync(RESULTS, "utf8")); } catch { all = {}; }
  all[name] = { ...figures, at: new Date().toISOString() };
  writeFileSync(RESULTS, JSON.stringify(all, null, 2) + "\n");
  console.log(`# reliability ${name}: ${JSON.stringify(figures)}`);
}

/** The figures of a data scenario (H.report()) must show no lost, duplicated or reordered revision. */
export function assertDelivery(r, what) {
  assert.ok(r.acknowledged > 0, `${what}: some writes were acknowledged`);
  assert.deepEqual(r.lostRevisions, [], `${what}: acknowledged revisions the watcher never delivered`);
  assert.equal(r.lost, 0, `${what}: lost`);
  assert.equal(r.duplicated, 0, `${what}: duplicated`);
  assert.equal(r.outOfOrder, 0, `${what}: delivered out of order`);
  assert.equal(r.wrongValue, 0, `${what}: delivered with another value than the one acknowledged`);
  assert.equal(r.badReads, 0, `${what}: get() of a key differs from the last revision the watcher delivered for it (or that is older than its last acknowledged write) ${JSON.stringify(r.badReadSamples)}`);
}

/** The status types of the watcher's connection must contain disconnect → reconnecting… → reconnect. */
export function assertReconnectOrder(statuses, what) {
  const seq = statuses.filter((s) => ["disconnect", "reconnecting", "reconnect"].includes(s));
  const d = seq.indexOf("disconnect");
  assert.ok(d >= 0, `${what}: a disconnect status (${statuses})`);
  const rec = seq.indexOf("reconnect", d);
  assert.ok(rec > d + 1 && seq.slice(d + 1, rec).every((s) => s === "reconnecting"),
    `${what}: disconnect, reconnecting…, reconnect (${statuses})`);
}

/** Page side (`window.H`). */
function installHarness() {
  const H = {};
  H.sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  H.deadline = (p, ms, what) => Promise.race([
    p, new Promise((_, rej) => setTimeout(() => rej(new Error(`${what}: not within ${ms} ms`)), ms)),
  ]);
  /** Polls a page-side counter (the writers signal no event per write). */
  H.until = async (fn, ms, what) => {
    const end = Date.now() + ms;
    while (!fn()) {
      if (Date.now() > end) throw new Error(`${what}: not reached within ${ms} ms`);
      await H.sleep(20);
    }
  };

  /**
   * Sets up one scenario: a watcher connection (statuses recorded) watching a fresh bucket, and
   * `writers` other connections putting `w<k>.<i % 100>` in a loop, each put retried until acknowledged.
   */
  H.setup = async ({ servers, bucket, replicas = 1, history = 64, writers = 2, opts = {} }) => {
    const base = { servers, reconnectTimeWait: 100, reconnectJitter: 50, maxReconnectAttempts: -1, timeout: 3000, ...opts };
    const nc = await nats.connect({ ...base, name: "watcher" });
    const S = window.S = {
      nc, statuses: [], waiters: [], seen: [], acked: [], attempts: 0, failures: 0, writing: true, loops: [], wconns: [],
    };
    nc.onStatus((s) => {
      S.statuses.push(s.type);
      for (const w of S.waiters.filter((w) => w.type === s.type && S.statuses.length > w.after)) w.resolve(s);
      S.waiters = S.waiters.filter((w) => !(w.type === s.type && S.statuses.length > w.after));
    });
    const kv = await new nats.Kvm(nc).create(bucket, { history, replicas });
    S.kv = kv;
    S.watch = await kv.watch({ callback: (e) => S.seen.push({ rev: e.revision, key: e.key, value: e.string() }) });
    for (let k = 0; k < writers; k++) {
      const wc = await nats.connect({ ...base, name: `writer-${k}` });
      S.wconns.push(wc);
      const wkv = await new nats.Kvm(wc).open(bucket);
      S.loops.push((async () => {
        for (let i = 0; S.writing; i++) {
          const key = `w${k}.${i % 100}`, value = `w${k}-${i}`;
          for (;;) {
            S.attempts++;
            try {
              const rev = await wkv.put(key, value);
              S.acked.push({ rev, key, value });
              break;
            } catch (e) {
              S.failures++;
              if (!S.writing) return;
              await H.sleep(100);
            }
          }
          await H.sleep(20);
        }
      })());
    }
    return nc.info?.server_name;
  };
  /** Resolves on the next status `type` of the watcher's connection (after the ones seen so far). */
  H.nextStatus = (type, ms = 30000) => {
    const S = window.S;
    return H.deadline(new Promise((resolve) => S.waiters.push({ type, after: S.statuses.length, resolve })), ms, `status ${type}`);
  };
  /** Arms a wait for statuses now; `H.await(id)` later resolves with it. */
  H.armed = {};
  H.arm = (id, type, ms) => { H.armed[id] = H.nextStatus(type, ms); H.armed[id].catch(() => {}); };
  H.await = async (id) => { const s = await H.armed[id]; return { type: s.type, data: s.data ?? null, server: window.S.nc.info?.server_name }; };
  /** Resolves when `n` more writes are acknowledged. */
  H.moreAcked = (n, ms = 30000) => {
    const S = window.S, target = S.acked.length + n;
    return H.until(() => S.acked.length >= target, ms, `${n} more acknowledged writes`);
  };
  H.server = () => window.S.nc.info?.server_name;
  /** Stops the writers, waits until the watcher delivered the last acknowledged revision, compares. */
  H.finish = async (ms = 30000) => {
    const S = window.S;
    S.writing = false;
    await H.deadline(Promise.all(S.loops), ms, "writers stop");
    const last = Math.max(0, ...S.acked.map((a) => a.rev));
    await H.until(() => S.seen.some((e) => e.rev >= last), ms, `watcher delivers revision ${last}`);
    const byRev = new Map();
    let duplicated = 0, outOfOrder = 0, wrongValue = 0, prev = 0;
    for (const e of S.seen) {
      if (byRev.has(e.rev)) duplicated++;
      else byRev.set(e.rev, e);
      if (e.rev <= prev) outOfOrder++;
      prev = Math.max(prev, e.rev);
    }
    const lostRevisions = [];
    for (const a of S.acked) {
      const e = byRev.get(a.rev);
      if (!e) lostRevisions.push(a.rev);
      else if (e.key !== a.key || e.value !== a.value) wrongValue++;
    }
    // reads (after the writers stopped): every key reads back the last revision the watcher delivered
    // for it, which is not older than its last acknowledged write. (A put that failed on the client's
    // side, e.g. a timeout during the fault, may still be stored: then it is the newest revision.)
    const lastAcked = new Map(), lastSeen = new Map();
    for (const a of S.acked) if (!lastAcked.has(a.key) || lastAcked.get(a.key).rev < a.rev) lastAcked.set(a.key, a);
    for (const e of S.seen) if (!lastSeen.has(e.key) || lastSeen.get(e.key).rev < e.rev) lastSeen.set(e.key, e);
    let badReads = 0;
    const badReadSamples = [];
    for (const a of lastAcked.values()) {
      const want = lastSeen.get(a.key);
      const e = await S.kv.get(a.key);
      if (!e || !want || want.rev < a.rev || e.revision !== want.rev || e.string() !== want.value) {
        badReads++;
        if (badReadSamples.length < 5) badReadSamples.push({ key: a.key, acked: a.rev, watched: want?.rev ?? null, got: e?.revision ?? null });
      }
    }
    const reads = lastAcked.size;
    const r = {
      reads, badReads, badReadSamples,
      written: S.attempts, failedAttempts: S.failures, acknowledged: S.acked.length, seen: S.seen.length,
      lost: lostRevisions.length, duplicated, outOfOrder, wrongValue,
      storedUnacknowledged: [...byRev.keys()].filter((rev) => !S.acked.some((a) => a.rev === rev)).length,
      lostRevisions: lostRevisions.slice(0, 20), statuses: S.statuses,
    };
    S.watch.stop();
    for (const c of S.wconns) await c.close();
    await S.nc.close();
    return r;
  };
  window.H = H;
}

/** The figures of H.finish() that go into the results table. */
export function pick(r) {
  const { written, failedAttempts, acknowledged, seen, lost, duplicated, outOfOrder, wrongValue, storedUnacknowledged, reads, badReads, statuses } = r;
  return { written, failedAttempts, acknowledged, seen, lost, duplicated, outOfOrder, wrongValue, storedUnacknowledged, reads, badReads, statuses };
}
