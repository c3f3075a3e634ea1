// Push consumers and the TASKS work queue in the browser against the real nats-server: a durable push
// consumer with a deliver_group shared by 3 workers in 3 pages (3 connections): 300 tasks, each
// processed once, the stream empty at the end; a worker closed before acking → its task redelivered to
// another worker after ack_wait. Also getPushConsumer's kinds, CONSUMER_BUSY, flow control + heartbeats.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { openModuleStack, closeModuleStack, modulePage } from "./helpers.mjs";

let stack, browser, page, url;
const workers = [];
before(async () => {
  ({ stack, browser, page, url } = await openModuleStack());
  for (let i = 0; i < 3; i++) workers.push(await modulePage(browser, stack.web));
  await page.evaluate(async (url) => {
    const nc = await nats.connect({ servers: url });
    const js = nats.jetstream(nc);
    const jsm = await nats.jetstreamManager(nc);
    const code = (p) => p.then(() => "resolved", (e) => e.code);
    window.t = { nc, js, jsm, code };
  }, url);
});
after(() => closeModuleStack({ stack, browser }));

/** Worker page `w`: connects, binds the push consumer and consumes; acks unless told not to. */
const startWorker = (w, ack = true) => w.evaluate(async ({ url, ack }) => {
  window.w ??= { done: [], unacked: [], redelivered: [] };
  const nc = await nats.connect({ servers: url });
  const c = await nats.jetstream(nc).consumers.getPushConsumer("TASKS", "workers");
  const msgs = await c.consume({
    callback: (m) => {
      if (m.redelivered) window.w.redelivered.push(m.string());
      if (ack) { window.w.done.push(m.string()); m.ack(); } else window.w.unacked.push(m.string());
    },
  });
  Object.assign(window.w, { nc, msgs });
}, { url, ack });
const stopWorker = (w) => w.evaluate(async () => { window.w.msgs.stop(); await window.w.nc.close(); });
const state = (w) => w.evaluate(() => ({ done: window.w.done, unacked: window.w.unacked, redelivered: window.w.redelivered }));

test("getPushConsumer: a push consumer; pull → WRONG_CONSUMER_KIND both ways; missing → CONSUMER_NOT_FOUND", async () => {
  const r = await page.evaluate(async () => {
    const { js, jsm, code } = t;
    await jsm.streams.add({ name: "KINDS", subjects: ["KINDS.>"], storage: "memory" });
    await jsm.consumers.add("KINDS", { durable_name: "push", deliver_subject: "d.kinds", ack_policy: "explicit" });
    await jsm.consumers.add("KINDS", { durable_name: "pull", ack_policy: "explicit" });
    const pc = await js.consumers.getPushConsumer("KINDS", "push");
    return {
      push: [pc.isPushConsumer(), pc.isPullConsumer(), (await pc.info()).name, typeof pc.fetch],
      pullAsPush: await code(js.consumers.getPushConsumer("KINDS", "pull")),
      pushAsPull: await code(js.consumers.get("KINDS", "push")),
      missing: await code(js.consumers.getPushConsumer("KINDS", "nope")),
      badName: await code(js.consumers.getPushConsumer("KINDS", "a b")),
    };
  });
  assert.deepEqual(r, { push: [true, false, "push", "undefined"], pullAsPush: "WRONG_CONSUMER_KIND",
    pushAsPull: "WRONG_CONSUMER_KIND", missing: "CONSUMER_NOT_FOUND", badName: "INVALID_ARGUMENT" });
});

test("push consume: flow control, in order through for await; a second consume → CONSUMER_BUSY, also from another connection", async () => {
  const r = await page.evaluate(async (url) => {
    const { js, jsm, code } = t;
    await jsm.streams.add({ name: "MON", subjects: ["MON.>"], storage: "memory" });
    await jsm.consumers.add("MON", { durable_name: "monitor", deliver_subject: "d.monitor", ack_policy: "none",
      flow_control: true, idle_heartbeat: nats.nanos(1000) });
    for (let i = 1; i <= 1000; i++) js.publish("MON.x", new Uint8Array(8192));
    await t.nc.flush();
    const c = await js.consumers.getPushConsumer("MON", "monitor");
    const msgs = await c.consume();
    const statuses = [];
    (async () => { for await (const s of msgs.status()) statuses.push(s.type); })();
    const busy = await code(c.consume());
    const nc2 = await nats.connect({ servers: url });
    const other = await code((await nats.jetstream(nc2).consumers.getPushConsumer("MON", "monitor")).consume());
    await nc2.close();
    const seqs = [];
    for await (const m of msgs) {
      seqs.push(m.seq);
      if (seqs.length % 200 === 0) await new Promise((ok) => setTimeout(ok, 50));
      if (seqs.length === 1000) break;
    }
    let bound = true;
    for (let i = 0; i < 40 && bound; i++) {
      bound = (await c.info()).push_bound ?? false;
      if (bound) await new Promise((ok) => setTimeout(ok, 50));
    }
    return { inOrder: seqs.every((s, i) => s === i + 1), n: seqs.length, busy, other, statuses: [...new Set(statuses)], bound };
  }, url);
  assert.equal(r.n, 1000, JSON.stringify(r));
  assert.ok(r.inOrder);
  assert.equal(r.busy, "CONSUMER_BUSY");
  assert.equal(r.other, "CONSUMER_BUSY", "a group-less consumer bound to another connection");
  assert.ok(r.statuses.includes("flow_control"), JSON.stringify(r.statuses));
  assert.equal(r.bound, false, "stopped: the subscription is gone");
});

test("TASKS work queue: 3 workers in 3 pages share a deliver_group; 300 tasks each processed once; the stream ends empty", async () => {
  await page.evaluate(async () => {
    const { jsm } = t;
    await jsm.streams.add({ name: "TASKS", subjects: ["TASKS.>"], retention: "workqueue", storage: "file" });
    await jsm.consumers.add("TASKS", { durable_name: "workers", deliver_subject: "deliver.workers", deliver_group: "workers",
      ack_policy: "explicit", ack_wait: nats.nanos(2000), max_ack_pending: 20 });
  });
  for (const w of workers) await startWorker(w);
  await page.evaluate(async () => {
    for (let i = 1; i <= 300; i++) await t.js.publish("TASKS.work", `task-${i}`);
  });
  const total = async () => (await Promise.all(workers.map(state))).reduce((n, s) => n + s.done.length, 0);
  for (let i = 0; i < 200 && (await total()) < 300; i++) await new Promise((ok) => setTimeout(ok, 100));
  const states = await Promise.all(workers.map(state));
  const all = states.flatMap((s) => s.done);
  assert.equal(all.length, 300, "each task once");
  assert.equal(new Set(all).size, 300);
  for (const s of states) assert.ok(s.done.length > 0, `every worker got work: ${states.map((s) => s.done.length)}`);
  const left = await page.evaluate(async () => {
    for (let i = 0; i < 50; i++) {
      const si = await t.jsm.streams.info("TASKS");
      if (si.state.messages === 0) return 0;
      await new Promise((ok) => setTimeout(ok, 100));
    }
    return (await t.jsm.streams.info("TASKS")).state.messages;
  });
  assert.equal(left, 0, "acked tasks leave the work queue");
});

test("TASKS work queue: a worker closed before acking → its task is redelivered to another worker after ack_wait", async () => {
  // Only worker 3 listens, and it never acks.
  await stopWorker(workers[0]);
  await stopWorker(workers[1]);
  await stopWorker(workers[2]);
  await startWorker(workers[2], false);
  await page.evaluate(() => t.js.publish("TASKS.work", "task-crash"));
  await workers[2].waitForFunction(() => window.w.unacked.includes("task-crash"), null, { timeout: 5000 });
  await stopWorker(workers[2]);
  await startWorker(workers[0]);
  await startWorker(workers[1]);
  const t0 = Date.now();
  let got = null;
  while (!got && Date.now() - t0 < 10000) {
    for (const [i, w] of workers.slice(0, 2).entries()) if ((await state(w)).redelivered.includes("task-crash")) got = i;
    await new Promise((ok) => setTimeout(ok, 100));
  }
  assert.notEqual(got, null, "redelivered to worker 1 or 2");
  const left = await page.evaluate(async () => {
    for (let i = 0; i < 30 && (await t.jsm.streams.info("TASKS")).state.messages > 0; i++) await new Promise((ok) => setTimeout(ok, 100));
    return (await t.jsm.streams.info("TASKS")).state.messages;
  });
  assert.equal(left, 0);
  for (const w of workers.slice(0, 2)) await stopWorker(w);
});

test("push consume through a server restart: the subscription is renewed and every task processed", async () => {
  await page.evaluate(async (url) => {
    const nc = await nats.connect({ servers: url, reconnectTimeWait: 100, reconnectJitter: 50, maxReconnectAttempts: -1 });
    const js = nats.jetstream(nc);
    const jsm = await nats.jetstreamManager(nc);
    await jsm.streams.add({ name: "JOBS", subjects: ["JOBS.>"], retention: "workqueue", storage: "file" });
    await jsm.consumers.add("JOBS", { durable_name: "jobs", deliver_subject: "deliver.jobs", deliver_group: "jobs",
      ack_policy: "explicit", ack_wait: nats.nanos(2000) });
    const seen = new Set();
    const events = [];
    nc.onStatus((s) => events.push(s.type));
    const c = await js.consumers.getPushConsumer("JOBS", "jobs");
    const msgs = await c.consume({ callback: (m) => { seen.add(m.string()); m.ack(); } });
    for (let i = 1; i <= 20; i++) await js.publish("JOBS.x", `job-${i}`);
    window.p = { nc, js, jsm, seen, events, msgs };
  }, stack.server.wsUrl);
  await page.waitForFunction(() => window.p.seen.size === 20, null, { timeout: 10000 });
  await stack.server.restart();
  await page.waitForFunction(() => window.p.events.includes("reconnect"), null, { timeout: 20000 });
  await page.evaluate(async () => {
    for (let i = 21; i <= 40; i++) await window.p.js.publish("JOBS.x", `job-${i}`, { retries: 10, timeout: 2000 });
  });
  await page.waitForFunction(() => window.p.seen.size === 40, null, { timeout: 20000 });
  const r = await page.evaluate(async () => {
    const { msgs, nc, jsm } = window.p;
    let left = -1;
    for (let i = 0; i < 30 && left !== 0; i++) {
      left = (await jsm.streams.info("JOBS")).state.messages;
      if (left) await new Promise((ok) => setTimeout(ok, 100));
    }
    msgs.stop();
    const closed = await msgs.closed();
    await nc.close();
    return { left, closed };
  });
  assert.equal(r.left, 0);
  assert.equal(r.closed, undefined);
});
