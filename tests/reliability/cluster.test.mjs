// Fault injection on a 3-node JetStream cluster (loopback) with a `replicas: 3` bucket: the server the
// client is connected to is killed, then the stream leader; a server enters lame-duck mode. Reads,
// writes and the watcher go on; no acknowledged write is lost or delivered twice.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startNatsCluster } from "../../scripts/lib/nats-server.mjs";
import { openPage, recordResult, assertDelivery, assertReconnectOrder, pick } from "./harness.mjs";

let ui, cluster;
before(async () => {
  // lame duck: 30 s is the server's minimum duration, but it waits at most 1 s between two client
  // closes, so the few clients here are closed within seconds after the 1 s grace period
  cluster = await startNatsCluster(3, { extraConfig: `lame_duck_duration: "30s"\nlame_duck_grace_period: "1s"` });
  ui = await openPage();
});
after(async () => { await ui?.close(); await cluster?.dispose(); });

const run = Date.now().toString(36);
let t0 = Date.now();
/** Logs how long each phase took (a TAP comment). */
const phase = (what) => { console.log(`# ${what}: ${Date.now() - t0} ms`); t0 = Date.now(); };
const node = (name) => {
  const s = cluster.nodes.find((n) => n.name === name);
  assert.ok(s, `a node named ${name}`);
  return s;
};

/** STREAM.INFO from the page (over the watcher's connection): leader and replicas' state. */
const streamCluster = (page, stream) => page.evaluate(async (stream) => {
  const m = await window.S.nc.request(`$JS.API.STREAM.INFO.${stream}`, "", { timeout: 5000 });
  return m.json().cluster;
}, stream);

/** Waits until the stream has a leader and every replica is current (retrying while it is electing). */
async function streamSettled(page, stream, ms = 30000) {
  const end = Date.now() + ms;
  let last;
  for (;;) {
    try {
      last = await streamCluster(page, stream);
      if (last?.leader && (last.replicas || []).length === 2 && last.replicas.every((r) => r.current && !r.offline)) return last;
    } catch (e) { last = String(e); }
    if (Date.now() > end) throw new Error(`stream ${stream} not settled: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test("R3 bucket: kill the client's server, then the stream leader; writes, reads and watcher go on, nothing lost", async () => {
  const page = ui.page;
  const bucket = `cl_${run}`;
  const stream = `KV_${bucket}`;
  const first = await page.evaluate((a) => H.setup(a), { servers: cluster.wsUrls, bucket, replicas: 3 });
  await streamSettled(page, stream);
  await page.evaluate(() => H.moreAcked(100));

  // 1. the server the watcher is connected to
  await page.evaluate(() => { H.arm("d", "disconnect", 30000); H.arm("r", "reconnect", 60000); });
  const victim1 = node(first);
  phase("set-up");
  await victim1.kill();
  await page.evaluate(() => H.await("d"));
  const rec = await page.evaluate(() => H.await("r"));
  assert.notEqual(rec.server, first, "reconnected to a surviving server");
  await page.evaluate(() => H.moreAcked(100));
  phase("kill client's server, reconnect, 100 writes");
  await victim1.start();
  await cluster.waitReady();
  const before = await streamSettled(page, stream);
  phase("restart, cluster and stream settled");

  // 2. the stream leader
  const victim2 = node(before.leader);
  const onLeader = (await page.evaluate(() => H.server())) === before.leader;
  await victim2.kill();
  await page.evaluate(() => H.moreAcked(100, 60000));
  // a new leader among the two survivors (writes were acknowledged, so it is elected already)
  const now = await streamCluster(page, stream);
  assert.ok(now.leader && now.leader !== before.leader, `a new stream leader (${JSON.stringify(now)})`);
  // reads go on: the last acknowledged value of a key reads back
  const read = await page.evaluate(async () => {
    const S = window.S;
    const a = S.acked[S.acked.length - 1];
    const e = await S.kv.get(a.key);
    return { want: a, got: e && { rev: e.revision, value: e.string() } };
  });
  assert.ok(read.got && read.got.rev >= read.want.rev, `read after failover ${JSON.stringify(read)}`);
  phase("kill stream leader, 100 writes, new leader, read");
  await victim2.start();
  await cluster.waitReady();
  await streamSettled(page, stream);
  await page.evaluate(() => H.moreAcked(50));

  phase("restart, settled, 50 writes");
  const r = await page.evaluate(() => H.finish(60000));
  recordResult("cluster R3: kill client's server, then stream leader", { faults: 2, watcherOnLeader: onLeader, ...pick(r) });
  assertDelivery(r, "cluster failover");
  assertReconnectOrder(r.statuses, "cluster failover");
});

test("R3 bucket: kill the stream leader while the watcher is connected elsewhere; the watcher's consumer recovers without a reconnect", async () => {
  const page = ui.page;
  const bucket = `cl2_${run}`;
  const stream = `KV_${bucket}`;
  t0 = Date.now();
  const mine = await page.evaluate((a) => H.setup(a), { servers: cluster.wsUrls, bucket, replicas: 3 });
  let info = await streamSettled(page, stream);
  // move the stream leader away from the watcher's server (a step-down elects another replica)
  for (let i = 0; info.leader === mine && i < 10; i++) {
    await page.evaluate(async (stream) => {
      await window.S.nc.request(`$JS.API.STREAM.LEADER.STEPDOWN.${stream}`, "", { timeout: 5000 });
    }, stream);
    info = await streamSettled(page, stream);
  }
  assert.notEqual(info.leader, mine, "stream leader elsewhere than the watcher's server");
  await page.evaluate(() => H.moreAcked(100));
  phase("set-up, leader moved");
  const victim = node(info.leader);
  await victim.kill();
  await page.evaluate(() => H.moreAcked(100, 60000));
  phase("kill stream leader, 100 writes");
  await victim.start();
  await cluster.waitReady();
  await streamSettled(page, stream);
  await page.evaluate(() => H.moreAcked(50));
  phase("restart, settled, 50 writes");
  const r = await page.evaluate(() => H.finish(60000));
  recordResult("cluster R3: kill stream leader (watcher elsewhere)", { faults: 1, ...pick(r) });
  assertDelivery(r, "leader failover");
  assert.ok(!r.statuses.includes("disconnect"), `the watcher's connection stays up (${r.statuses})`);
});

test("R3 bucket: SIGSTOP the client's server (stale connection, detected by pings); watcher and writers go on elsewhere, nothing lost", async () => {
  const page = ui.page;
  const bucket = `st_${run}`;
  const stream = `KV_${bucket}`;
  t0 = Date.now();
  const first = await page.evaluate((a) => H.setup(a), {
    servers: cluster.wsUrls, bucket, replicas: 3, opts: { pingInterval: 300, maxPingOut: 2, timeout: 2000 },
  });
  await streamSettled(page, stream);
  await page.evaluate(() => H.moreAcked(100));
  await page.evaluate(() => { H.arm("stale", "staleConnection", 20000); H.arm("r", "reconnect", 60000); });
  phase("set-up");
  const victim = node(first);
  victim.signal("SIGSTOP");
  let r;
  try {
    await page.evaluate(() => H.await("stale"));
    const rec = await page.evaluate(() => H.await("r"));
    assert.notEqual(rec.server, first, "reconnected to another server");
    await page.evaluate(() => H.moreAcked(100, 60000));
    phase("SIGSTOP, stale, reconnect, 100 writes");
  } finally {
    victim.signal("SIGCONT");
  }
  await cluster.waitReady();
  await streamSettled(page, stream);
  await page.evaluate(() => H.moreAcked(50));
  phase("SIGCONT, settled, 50 writes");
  r = await page.evaluate(() => H.finish(60000));
  recordResult("cluster R3: SIGSTOP client's server (stale)", { faults: 1, ...pick(r) });
  assertDelivery(r, "stale");
  const seq = r.statuses.filter((s) => ["staleConnection", "disconnect", "reconnecting", "reconnect"].includes(s));
  assert.equal(seq[0], "staleConnection", `stale detected first (${r.statuses})`);
  assertReconnectOrder(r.statuses, "stale");
});

test("R3 bucket: the whole cluster SIGKILLed and restarted on its stores under writes; watcher resumes, nothing lost", async () => {
  const page = ui.page;
  const bucket = `all_${run}`;
  const stream = `KV_${bucket}`;
  t0 = Date.now();
  await page.evaluate((a) => H.setup(a), { servers: cluster.wsUrls, bucket, replicas: 3 });
  await streamSettled(page, stream);
  await page.evaluate(() => H.moreAcked(100));
  await page.evaluate(() => { H.arm("d", "disconnect", 30000); H.arm("r", "reconnect", 60000); });
  phase("set-up");
  await Promise.all(cluster.nodes.map((n) => n.kill()));
  await page.evaluate(() => H.await("d"));
  await Promise.all(cluster.nodes.map((n) => n.start()));
  await cluster.waitReady(60000);
  await page.evaluate(() => H.await("r"));
  await streamSettled(page, stream, 60000);
  await page.evaluate(() => H.moreAcked(100, 60000));
  phase("all killed, restarted, settled, 100 writes");
  const r = await page.evaluate(() => H.finish(60000));
  recordResult("cluster R3: whole cluster SIGKILL + restart", { faults: 3, ...pick(r) });
  assertDelivery(r, "whole cluster");
  assertReconnectOrder(r.statuses, "whole cluster");
});

test("lame-duck mode (SIGUSR2) on the client's server: ldm status, reconnect to another server, nothing lost", async () => {
  const page = ui.page;
  const bucket = `ldm_${run}`;
  const first = await page.evaluate((a) => H.setup(a), { servers: cluster.wsUrls, bucket, replicas: 3 });
  await streamSettled(page, bucket && `KV_${bucket}`);
  await page.evaluate(() => H.moreAcked(100));
  await page.evaluate(() => { H.arm("ldm", "ldm", 20000); H.arm("r", "reconnect", 60000); });
  const victim = node(first);
  victim.signal("SIGUSR2");
  await page.evaluate(() => H.await("ldm"));
  const rec = await page.evaluate(() => H.await("r"));
  assert.notEqual(rec.server, first, "reconnected to another server");
  await page.evaluate(() => H.moreAcked(100, 60000));
  await victim.exited; // lame duck ends with the server's exit
  await victim.start();
  await cluster.waitReady();
  const r = await page.evaluate(() => H.finish(60000));
  recordResult("cluster R3: lame-duck mode", { faults: 1, ...pick(r) });
  assertDelivery(r, "ldm");
  const seq = r.statuses.filter((s) => ["ldm", "disconnect", "reconnect"].includes(s));
  assert.deepEqual(seq.slice(0, 3), ["ldm", "disconnect", "reconnect"], `statuses ${r.statuses}`);
});

test("kv - replicas (nats.js kv_test port, needs the cluster): an R3 bucket, then updated to R1", async () => {
  const r = await ui.page.evaluate(async ({ servers, b }) => {
    const nc = await nats.connect({ servers });
    const api = async (subject, body) => (await nc.request(subject, body === undefined ? "" : JSON.stringify(body), { timeout: 5000 })).json();
    const kv = await new nats.Kvm(nc).create(b, { replicas: 3 });
    const status = (await kv.status()).replicas;
    const si = await api(`$JS.API.STREAM.INFO.KV_${b}`);
    const updated = await api(`$JS.API.STREAM.UPDATE.KV_${b}`, { ...si.config, num_replicas: 1 });
    const after = (await kv.status()).replicas;
    await nc.close();
    return { status, infoReplicas: si.config.num_replicas, updatedReplicas: updated.config?.num_replicas ?? updated.error, after };
  }, { servers: cluster.wsUrls, b: `rep_${run}` });
  assert.deepEqual(r, { status: 3, infoReplicas: 3, updatedReplicas: 1, after: 1 });
});
