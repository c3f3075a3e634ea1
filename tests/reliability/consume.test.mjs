// Pull consumers under faults: a durable consumer's consume() with an explicit ack per message while a
// second connection keeps publishing (js.publish with a msgID and retries, so a retried publish is stored
// once). Faults: the server restarted (SIGTERM), killed (SIGKILL, restarted on the same store), and, on a
// 3-node cluster with an R3 stream, the stream leader killed. Every acknowledged publish must be processed
// at least once; redeliveries (after ack_wait, for acks lost with the connection) are counted, not failed.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startNatsServer, startNatsCluster } from "../../scripts/lib/nats-server.mjs";
import { openPage, recordResult } from "./harness.mjs";

let ui;
before(async () => {
  ui = await openPage();
  await ui.page.evaluate(installConsume);
});
after(async () => { await ui?.close(); });

/** Page side (`window.C`): the publisher, the consuming worker, the figures. */
function installConsume() {
  const opts = (servers) => ({ servers, reconnectTimeWait: 100, reconnectJitter: 50, maxReconnectAttempts: -1, timeout: 3000 });
  const C = window.C = {};
  C.setup = async ({ servers, stream, replicas = 1 }) => {
    const nc = await nats.connect(opts(servers));
    const pubNc = await nats.connect(opts(servers));
    const jsm = await nats.jetstreamManager(nc);
    await jsm.streams.add({ name: stream, subjects: [`${stream}.>`], storage: "file", num_replicas: replicas });
    await jsm.consumers.add(stream, { durable_name: "worker", ack_policy: "explicit", ack_wait: nats.nanos(3000) });
    const c = await nats.jetstream(nc).consumers.get(stream, "worker");
    Object.assign(C, { nc, pubNc, jsm, stream, pub: nats.jetstream(pubNc), published: [], seen: new Map(), deliveries: 0, redelivered: 0, statuses: [], next: 0 });
    nc.onStatus((s) => C.statuses.push(s.type));
    C.msgs = await c.consume({ max_messages: 50, expires: 2000, callback: (m) => {
      C.deliveries++;
      if (m.redelivered) C.redelivered++;
      C.seen.set(m.seq, (C.seen.get(m.seq) ?? 0) + 1);
      m.ack();
    } });
    return nc.info?.server_name;
  };
  /** Publishes `n` more (each acknowledged before the next; retried through faults). */
  C.publish = async (n) => {
    for (let i = 0; i < n; i++) {
      const k = C.next++;
      const ack = await C.pub.publish(`${C.stream}.task`, `t${k}`, { msgID: `${C.stream}-${k}`, retries: 30, timeout: 2000 });
      C.published.push(ack.seq);
    }
  };
  /** Publishing in the background while a fault happens. */
  C.publishInBackground = (n) => { C.bg = C.publish(n); };
  C.processedAll = () => C.published.every((s) => C.seen.has(s));
  C.finish = async (ms) => {
    if (C.bg) await C.bg;
    const end = Date.now() + ms;
    while (!C.processedAll()) {
      if (Date.now() > end) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const lost = C.published.filter((s) => !C.seen.has(s));
    const out = {
      published: C.published.length, processed: C.seen.size, lost: lost.length, lostSamples: lost.slice(0, 5),
      deliveries: C.deliveries, redelivered: C.redelivered, statuses: C.statuses,
    };
    C.msgs.stop();
    out.closed = (await C.msgs.closed())?.code ?? null;
    await C.jsm.streams.delete(C.stream).catch(() => {});
    await C.nc.close();
    await C.pubNc.close();
    return out;
  };
}

function assertProcessed(r, what) {
  assert.ok(r.published > 0, `${what}: something was published`);
  assert.deepEqual(r.lostSamples, [], `${what}: acknowledged publishes never processed`);
  assert.equal(r.lost, 0, `${what}: lost`);
  assert.ok(r.deliveries >= r.processed, `${what}: deliveries count every processing`);
  assert.equal(r.closed, null, `${what}: consume() ended normally when stopped`);
}

const run = Date.now().toString(36);
for (const how of ["restart", "kill"]) {
  test(`consume() with explicit acks through a server ${how === "kill" ? "SIGKILL + restart on the same store" : "restart (SIGTERM)"}: every published message processed, none lost`, async () => {
    const server = await startNatsServer();
    try {
      const page = ui.page;
      await page.evaluate((a) => C.setup(a), { servers: server.wsUrl, stream: `CS_${how}_${run}` });
      await page.evaluate(() => C.publish(200));
      await page.evaluate(() => C.publishInBackground(200));
      if (how === "kill") await server.kill(); else await server.stop();
      await server.start();
      const r = await page.evaluate(() => C.finish(60000));
      recordResult(`consume: single server ${how}`, { faults: 1, written: r.published, acknowledged: r.published, seen: r.processed, ...r, statuses: undefined });
      assertProcessed(r, how);
      assert.ok(r.statuses.includes("reconnect"), `reconnected (${r.statuses})`);
    } finally {
      await server.dispose();
    }
  });
}

test("consume() with explicit acks on an R3 stream while its leader is killed: every published message processed, none lost", async () => {
  const cluster = await startNatsCluster(3);
  try {
    const page = ui.page;
    const stream = `CR3_${run}`;
    await page.evaluate((a) => C.setup(a), { servers: cluster.wsUrls, stream, replicas: 3 });
    // Wait for a leader with both replicas current (polling the server's view, not a clock).
    const leader = await page.evaluate(async (stream) => {
      for (;;) {
        const c = (await C.jsm.streams.info(stream)).cluster;
        if (c?.leader && (c.replicas ?? []).length === 2 && c.replicas.every((r) => r.current)) return c.leader;
        await new Promise((r) => setTimeout(r, 200));
      }
    }, stream);
    await page.evaluate(() => C.publish(200));
    await page.evaluate(() => C.publishInBackground(200));
    await cluster.nodes.find((n) => n.name === leader).kill();
    const r = await page.evaluate(() => C.finish(90000));
    recordResult("consume: cluster R3 stream leader killed", { faults: 1, written: r.published, acknowledged: r.published, seen: r.processed, ...r, statuses: undefined });
    assertProcessed(r, "R3 leader kill");
  } finally {
    await cluster.dispose();
  }
});
