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
