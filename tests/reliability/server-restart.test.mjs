// Fault injection on one nats-server: restarted (SIGTERM) and killed (SIGKILL, restarted on the same
// store) in the middle of a watch while two other connections keep writing; and a stale connection
// (SIGSTOP) detected by pings, with the client moving to a second, independent server.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startNatsServer } from "../../scripts/lib/nats-server.mjs";
import { openPage, recordResult, assertDelivery, assertReconnectOrder, pick } from "./harness.mjs";

let ui, server;
before(async () => {
  server = await startNatsServer();
  ui = await openPage();
});
after(async () => { await ui?.close(); await server?.dispose(); });

const run = Date.now().toString(36);
for (const how of ["restart", "kill"]) {
  test(`server ${how === "kill" ? "SIGKILL + restart on the same store" : "restart (SIGTERM)"} mid-watch under writes: every acknowledged revision once, in order`, async () => {
    const page = ui.page;
    await page.evaluate((a) => H.setup(a), { servers: server.wsUrl, bucket: `rs_${how}_${run}` });
    await page.evaluate(() => H.moreAcked(100));
    await page.evaluate(() => { H.arm("d", "disconnect", 30000); H.arm("r", "reconnect", 60000); });
    if (how === "kill") await server.kill(); else await server.stop();
    await page.evaluate(() => H.await("d"));
    await server.start();
    await page.evaluate(() => H.await("r"));
    // writers resume (their puts are retried until acknowledged)
    await page.evaluate(() => H.moreAcked(100));
    const r = await page.evaluate(() => H.finish());
    recordResult(`single server: ${how}`, { faults: 1, ...pick(r) });
    assertDelivery(r, how);
    assertReconnectOrder(r.statuses, how);
  });
}

test("SIGKILL + restart during a watcher's initial delivery (include: history): every stored revision once, in order", async () => {
  const page = ui.page;
  const total = 5000;
  await page.evaluate(async ({ url, bucket, total }) => {
    const nc = await nats.connect({ servers: url, reconnectTimeWait: 100, reconnectJitter: 50, maxReconnectAttempts: -1, timeout: 3000 });
    const kv = await new nats.Kvm(nc).create(bucket, { history: 64 });
    const pad = "x".repeat(1000);
    const acked = [];
    for (let i = 0; i < total; i += 250) {
      const batch = [];
      for (let j = i; j < i + 250; j++) batch.push(kv.put(`k.${j % 500}`, `${j}-${pad}`).then((rev) => acked.push(rev)));
      await Promise.all(batch);
    }
    const S = window.S = { nc, kv, acked, seen: [], statuses: [], waiters: [], initialized: false };
    nc.onStatus((s) => {
      S.statuses.push(s.type);
      for (const w of S.waiters.filter((w) => w.type === s.type && S.statuses.length > w.after)) w.resolve(s);
    });
    H.arm("r", "reconnect", 60000);
    S.watch = await kv.watch({ include: "history", callback: (e) => S.seen.push(e.revision) });
    S.watch.initialized.then(() => { S.initialized = true; });
  }, { url: server.wsUrl, bucket: `init_${run}`, total });
  await page.evaluate(() => H.until(() => window.S.seen.length >= 200, 30000, "first initial entries"));
  await server.kill();
  const atFault = await page.evaluate(() => ({ seen: window.S.seen.length, initialized: window.S.initialized }));
  await server.start();
  await page.evaluate(() => H.await("r"));
  const r = await page.evaluate(async (total) => {
    const S = window.S;
    await H.until(() => S.seen.length >= total, 60000, "every stored revision delivered");
    await H.deadline(S.watch.initialized, 10000, "initialized");
    const uniq = new Set(S.seen);
    let outOfOrder = 0;
    for (let i = 1; i < S.seen.length; i++) if (S.seen[i] <= S.seen[i - 1]) outOfOrder++;
    const lost = S.acked.filter((rev) => !uniq.has(rev)).length;
    const out = { acknowledged: S.acked.length, seen: S.seen.length, lost, duplicated: S.seen.length - uniq.size, outOfOrder, statuses: S.statuses };
    S.watch.stop();
    await S.nc.close();
    return out;
  }, total);
  recordResult("single server: SIGKILL during initial delivery", { faults: 1, written: total, ...r, seenAtFault: atFault.seen, initializedAtFault: atFault.initialized });
  assert.equal(r.acknowledged, total);
  assert.equal(r.lost, 0, "lost");
  assert.equal(r.duplicated, 0, "duplicated");
  assert.equal(r.outOfOrder, 0, "out of order");
  assert.equal(r.seen, total, "every stored revision exactly once");
  assertReconnectOrder(r.statuses, "initial delivery");
});

test("stale connection (SIGSTOP): staleConnection by pings, reconnect to the other server", async () => {
  const other = await startNatsServer();
  const page = ui.page;
  try {
    const start = await page.evaluate(async ({ urls }) => {
      const nc = await nats.connect({ servers: urls, noRandomize: true, pingInterval: 300, maxPingOut: 2, timeout: 2000,
        reconnectTimeWait: 100, reconnectJitter: 50, maxReconnectAttempts: -1, name: "stale" });
      const S = window.S = { nc, statuses: [], waiters: [], got: [] };
      nc.onStatus((s) => {
        S.statuses.push(s.type);
        for (const w of S.waiters.filter((w) => w.type === s.type && S.statuses.length > w.after)) w.resolve(s);
      });
      nc.subscribe("stale.x", { callback: (err, m) => { if (m) S.got.push(m.string()); } });
      nc.publish("stale.x", "before");
      await nc.flush();
      H.arm("stale", "staleConnection", 20000);
      H.arm("r", "reconnect", 30000);
      return nc.info.server_name;
    }, { urls: [server.wsUrl, other.wsUrl] });
    assert.equal(start, server.name, "connected to the first URL (noRandomize)");
    server.signal("SIGSTOP");
    try {
      await page.evaluate(() => H.await("stale"));
      const rec = await page.evaluate(() => H.await("r"));
      assert.notEqual(rec.server, start, "reconnected to the other server");
      // the subscription is re-established on the new server
      const got = await page.evaluate(async () => {
        window.S.nc.publish("stale.x", "after");
        await window.S.nc.flush();
        await H.until(() => window.S.got.includes("after"), 10000, "message after reconnect");
        return window.S.got;
      });
      assert.deepEqual(got, ["before", "after"]);
    } finally {
      server.signal("SIGCONT");
    }
    const statuses = await page.evaluate(async () => { const s = window.S.statuses; await window.S.nc.close(); return s; });
    const seq = statuses.filter((s) => ["staleConnection", "disconnect", "reconnecting", "reconnect"].includes(s));
    assert.equal(seq[0], "staleConnection", `stale detected first (${statuses})`);
    assertReconnectOrder(statuses, "stale");
    recordResult("single server: SIGSTOP (stale connection)", { faults: 1, written: 2, acknowledged: 2, seen: 2, lost: 0, duplicated: 0, statuses });
  } finally {
    await other.dispose();
  }
});
