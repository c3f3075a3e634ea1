// Ordered consumers under faults: js.consumers.get(stream) consuming a file stream while a second
// connection keeps publishing (msgID + retries: a retried publish is stored once). Faults: the server
// restarted (SIGTERM) and killed (SIGKILL, restarted on the same store). Every stored message must be
// delivered exactly once and in stream order (the consumer is re-created after the last one delivered).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startNatsServer } from "../../scripts/lib/nats-server.mjs";
import { openPage, recordResult } from "./harness.mjs";

let ui;
before(async () => {
  ui = await openPage();
  await ui.page.evaluate(installOrdered);
});
after(async () => { await ui?.close(); });

/** Page side (`window.O`): the publisher, the ordered reader, the figures. */
function installOrdered() {
  const opts = (servers) => ({ servers, reconnectTimeWait: 100, reconnectJitter: 50, maxReconnectAttempts: -1, timeout: 3000 });
  const O = window.O = {};
  O.setup = async ({ servers, stream }) => {
    const nc = await nats.connect(opts(servers));
    const pubNc = await nats.connect(opts(servers));
    const jsm = await nats.jetstreamManager(nc);
    await jsm.streams.add({ name: stream, subjects: [`${stream}.>`], storage: "file" });
    const c = await nats.jetstream(nc).consumers.get(stream);
    Object.assign(O, { nc, pubNc, jsm, stream, pub: nats.jetstream(pubNc), published: new Set(), seqs: [], statuses: [], recreated: 0, next: 0 });
    nc.onStatus((s) => O.statuses.push(s.type));
    O.msgs = await c.consume({ max_messages: 50, expires: 2000, callback: (m) => O.seqs.push(m.seq) });
    (async () => { for await (const s of O.msgs.status()) if (s.type === "ordered_consumer_recreated") O.recreated++; })();
  };
  O.publish = async (n) => {
    for (let i = 0; i < n; i++) {
      const k = O.next++;
      const ack = await O.pub.publish(`${O.stream}.e`, `e${k}`, { msgID: `${O.stream}-${k}`, retries: 30, timeout: 2000 });
      O.published.add(ack.seq);
    }
  };
  O.publishInBackground = (n) => { O.bg = O.publish(n); };
  O.finish = async (ms) => {
    if (O.bg) await O.bg;
    const end = Date.now() + ms;
    while (O.seqs.length < O.published.size && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));
    const inOrder = O.seqs.every((s, i) => i === 0 || s > O.seqs[i - 1]);
    const lost = [...O.published].filter((s) => !O.seqs.includes(s));
    const out = { published: O.published.size, delivered: O.seqs.length, lost: lost.length, lostSamples: lost.slice(0, 5),
      twice: O.seqs.length - new Set(O.seqs).size, inOrder, recreated: O.recreated, statuses: O.statuses };
    O.msgs.stop();
    out.closed = (await O.msgs.closed())?.code ?? null;
    await O.jsm.streams.delete(O.stream).catch(() => {});
    await O.nc.close();
    await O.pubNc.close();
    return out;
  };
}

const run = Date.now().toString(36);
for (const how of ["restart", "kill"]) {
  test(`ordered consumer through a server ${how === "kill" ? "SIGKILL + restart on the same store" : "restart (SIGTERM)"}: exactly once, in order`, async () => {
    const server = await startNatsServer();
    try {
      const page = ui.page;
      await page.evaluate((a) => O.setup(a), { servers: server.wsUrl, stream: `OR_${how}_${run}` });
      await page.evaluate(() => O.publish(200));
      await page.evaluate(() => O.publishInBackground(200));
      if (how === "kill") await server.kill(); else await server.stop();
      await server.start();
      const r = await page.evaluate(() => O.finish(60000));
      recordResult(`ordered: single server ${how}`, { faults: 1, written: r.published, acknowledged: r.published, seen: r.delivered, duplicated: r.twice, ...r, statuses: undefined });
      assert.deepEqual(r.lostSamples, [], `${how}: stored messages never delivered`);
      assert.equal(r.twice, 0, `${how}: delivered twice`);
      assert.ok(r.inOrder, `${how}: out of order`);
      assert.equal(r.delivered, r.published);
      assert.ok(r.recreated >= 1, `${how}: re-created after the reconnect`);
      assert.equal(r.closed, null);
    } finally {
      await server.dispose();
    }
  });
}
