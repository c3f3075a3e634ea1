// The test runner restarts nats-server under a live connection: the subscription receives again,
// publishes made during the outage arrive, and status events come in order.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launchBrowser, startStack, modulePage } from "./helpers.mjs";

let stack, browser, page;
before(async () => {
  stack = await startStack();
  browser = await launchBrowser();
  page = await modulePage(browser, stack.web);
});
after(async () => { await browser?.close(); await stack?.close(); });

for (const how of ["stop", "kill"]) {
  test(`server ${how} + restart: resubscribed, outage publishes delivered, statuses in order`, async () => {
    await page.evaluate(async (url) => {
      const nc = await nats.connect({ servers: url, reconnectTimeWait: 100, reconnectJitter: 50, maxReconnectAttempts: -1 });
      window.t = { nc, statuses: [], got: [] };
      nc.onStatus((s) => window.t.statuses.push(s.type));
      nc.subscribe("rc.x", { callback: (err, m) => window.t.got.push(m.string()) });
      nc.publish("rc.x", "before");
      await nc.flush();
    }, stack.server.wsUrl);
    await page.waitForFunction(() => window.t.got.length === 1);
    await stack.server[how]();
    await page.waitForFunction(() => window.t.statuses.includes("disconnect"));
    await page.evaluate(() => { for (let i = 0; i < 10; i++) window.t.nc.publish("rc.x", `outage-${i}`); });
    await stack.server.start();
    await page.waitForFunction(() => window.t.statuses.includes("reconnect"), null, { timeout: 20000 });
    await page.evaluate(async () => { window.t.nc.publish("rc.x", "after"); await window.t.nc.flush(); });
    await page.waitForFunction(() => window.t.got.includes("after"), null, { timeout: 10000 });
    const t = await page.evaluate(async () => { const r = { got: window.t.got, statuses: window.t.statuses }; await window.t.nc.close(); return r; });
    assert.deepEqual(t.got, ["before", ...Array.from({ length: 10 }, (_, i) => `outage-${i}`), "after"]);
    // disconnect, then one or more reconnecting attempts, then reconnect, then close.
    const seq = t.statuses.filter((s) => ["disconnect", "reconnecting", "reconnect", "close"].includes(s));
    assert.equal(seq[0], "disconnect");
    const rec = seq.indexOf("reconnect");
    assert.ok(rec > 1 && seq.slice(1, rec).every((s) => s === "reconnecting"), `order: ${seq}`);
    assert.deepEqual(seq.slice(rec), ["reconnect", "close"]);
  });
}
