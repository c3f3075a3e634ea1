// Pull consumers in the browser against the real nats-server: consumers.get, fetch, next, consume,
// JsMsg info and acks. Test names follow the nats.js 3.4 jetstream tests they mirror. Streams and
// consumers are made with raw API requests (the JetStream manager is tested on its own).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { openModuleStack, closeModuleStack } from "./helpers.mjs";

let stack, browser, page, url;
before(async () => {
  ({ stack, browser, page, url } = await openModuleStack());
  await page.evaluate(async (url) => {
    const nc = await nats.connect({ servers: url });
    const js = nats.jetstream(nc);
    const api = async (subj, body) => {
      const r = (await nc.request(`$JS.API.${subj}`, JSON.stringify(body ?? {}), { timeout: 5000 })).json();
      if (r.error) throw new Error(`${subj}: ${r.error.description}`);
      return r;
    };
    // A fresh stream `name` with subjects `name.>` and a durable pull consumer `c` (explicit acks).
    const setup = async (name, consumer = {}) => {
      await api(`STREAM.CREATE.${name}`, { name, subjects: [`${name}.>`], storage: "memory" });
      await api(`CONSUMER.CREATE.${name}.c`, { stream_name: name, config: { durable_name: "c", ack_policy: "explicit", ...consumer } });
    };
    const publish = async (subj, n, body = (i) => `m${i}`) => {
      for (let i = 1; i <= n; i++) await nc.request(subj, body(i), { timeout: 5000 });
    };
    window.t = { nc, api, setup, publish, get: (s, c) => js.consumers.get(s, c) };
  }, url);
});
after(() => closeModuleStack({ stack, browser }));

test("consumers.get: a pull consumer; missing → CONSUMER_NOT_FOUND / STREAM_NOT_FOUND; push → WRONG_CONSUMER_KIND", async () => {
  const r = await page.evaluate(async () => {
    await t.setup("GET");
    await t.api("CONSUMER.CREATE.GET.push", { stream_name: "GET", config: { durable_name: "push", deliver_subject: "d.push", ack_policy: "explicit" } });
    const c = await t.get("GET", "c");
    const code = (p) => p.then(() => "resolved", (e) => e.code);
    return {
      name: c.name, pull: c.isPullConsumer(), push: c.isPushConsumer(), info: (await c.info()).name,
      missing: await code(t.get("GET", "nope")), noStream: await code(t.get("NOPE", "c")),
      pushKind: await code(t.get("GET", "push")), badName: await code(t.get("GET", "a.b")),
    };
  });
  assert.deepEqual(r, { name: "c", pull: true, push: false, info: "c", missing: "CONSUMER_NOT_FOUND",
    noStream: "STREAM_NOT_FOUND", pushKind: "WRONG_CONSUMER_KIND", badName: "INVALID_ARGUMENT" });
});

test("fetch: ORDERS order-review fetches 10, acks them, publishes approvals; num_ack_pending 0", async () => {
  const r = await page.evaluate(async () => {
    await t.setup("ORDERS");
    await t.publish("ORDERS.created", 10, (i) => JSON.stringify({ id: i }));
    const c = await t.get("ORDERS", "c");
    const t0 = performance.now();
    const batch = await c.fetch({ max_messages: 10, expires: 10_000 });
    const ids = [];
    for await (const m of batch) {
      ids.push(m.json().id);
      await t.nc.request("ORDERS.approved", JSON.stringify({ id: m.json().id }));
      m.ack();
    }
    const elapsed = performance.now() - t0;
    const last = await c.fetch({ max_messages: 1, expires: 2000 });
    let approved = null;
    for await (const m of last) { approved = m.json().id; await m.ackAck(); }
    const info = await c.info();
    return { ids, elapsed, approved, ackPending: info.num_ack_pending, closed: await batch.closed() };
  });
  assert.deepEqual(r.ids, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.ok(r.elapsed < 5000, `a complete batch ends without waiting for expires (${r.elapsed} ms)`);
  assert.equal(r.approved, 1);
  assert.equal(r.ackPending, 0);
  assert.equal(r.closed, undefined);
});

test("next: a message, then null when nothing comes within expires", async () => {
  const r = await page.evaluate(async () => {
    await t.setup("NEXT");
    await t.publish("NEXT.a", 1);
    const c = await t.get("NEXT", "c");
    const m = await c.next({ expires: 2000 });
    m.ack();
    const t0 = performance.now();
    const none = await c.next({ expires: 1000 });
    return { data: m.string(), seq: m.seq, none, waited: performance.now() - t0 };
  });
  assert.equal(r.data, "m1");
  assert.equal(r.seq, 1);
  assert.equal(r.none, null);
  assert.ok(r.waited >= 900 && r.waited < 3000, `${r.waited}`);
});

test("fetch: bad options reject with INVALID_ARGUMENT before anything is sent", async () => {
  const r = await page.evaluate(async () => {
    await t.setup("BADOPT");
    const c = await t.get("BADOPT", "c");
    const code = (p) => p.then(() => "resolved", (e) => e.code);
    return [
      await code(c.fetch({ max_messages: 1, max_bytes: 10 })),
      await code(c.fetch({ expires: 10 })),
      await code(c.fetch({ expires: 2000, idle_heartbeat: 1500 })),
      await code(c.consume({ no_wait: true })),
      await code(c.next({ expires: "soon" })),
    ];
  });
  assert.deepEqual(r, Array(5).fill("INVALID_ARGUMENT"));
});

test("consume: iterates everything with re-pulls, the counts add up, stop ends it", async () => {
  const r = await page.evaluate(async () => {
    await t.setup("CONS");
    await t.publish("CONS.a", 35);
    const c = await t.get("CONS", "c");
    const msgs = await c.consume({ max_messages: 10 });
    const events = [];
    (async () => { for await (const s of msgs.status()) events.push(s.type); })();
    const seqs = [];
    for await (const m of msgs) {
      seqs.push(m.seq);
      m.ack();
      if (seqs.length === 35) break;
    }
    const closed = await msgs.closed();
    return { seqs, received: msgs.getReceived(), processed: msgs.getProcessed(), closed, pulls: events.filter((e) => e === "next").length };
  });
  assert.deepEqual(r.seqs, Array.from({ length: 35 }, (_, i) => i + 1));
  assert.ok(r.received >= 35 && r.processed >= 35, JSON.stringify(r));
  assert.ok(r.pulls >= 3, `pulled again as the window emptied (${r.pulls})`);
  assert.equal(r.closed, undefined);
});

test("consume: a slow iterator holds at most max_messages", async () => {
  const r = await page.evaluate(async () => {
    await t.setup("SLOW");
    await t.publish("SLOW.a", 40);
    const c = await t.get("SLOW", "c");
    const msgs = await c.consume({ max_messages: 8 });
    await new Promise((res) => setTimeout(res, 500));
    const before = { received: msgs.getReceived(), pending: msgs.getPending() };
    let n = 0;
    for await (const m of msgs) { m.ack(); if (++n === 40) break; }
    return { before, n, info: await c.info() };
  });
  assert.ok(r.before.received <= 8, `received ${r.before.received} while nothing was taken`);
  assert.equal(r.n, 40);
});

test("consume callback: in order; a throwing callback ends it and closed() resolves with the error", async () => {
  const r = await page.evaluate(async () => {
    await t.setup("CB");
    await t.publish("CB.a", 5);
    const c = await t.get("CB", "c");
    const seen = [];
    const msgs = await c.consume({ callback: (m) => { seen.push(m.seq); m.ack(); if (m.seq === 3) throw new Error("boom"); } });
    const err = await msgs.closed();
    return { seen, err: err?.message };
  });
  assert.deepEqual(r.seen, [1, 2, 3]);
  assert.equal(r.err, "boom");
});

test("jsmsg: info from the ack subject, exact timestampNanos, nak redelivers, acks after term are harmless", async () => {
  const r = await page.evaluate(async () => {
    await t.setup("JSM");
    await t.publish("JSM.x", 1);
    const c = await t.get("JSM", "c");
    const m = await c.next({ expires: 2000 });
    const i = m.info;
    const first = { stream: i.stream, consumer: i.consumer, deliveryCount: i.deliveryCount, streamSequence: i.streamSequence,
      deliverySequence: i.deliverySequence, pending: i.pending, redelivered: m.redelivered, domain: i.domain,
      tsType: typeof m.timestampNanos, tsMatchesTime: m.timestampNanos / 1000000n === BigInt(m.time.getTime()),
      // v1 ack subject: $JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<dseq>.<ts>.<pending>
      tsExact: m.timestampNanos === BigInt(m.reply.split(".")[7]) && m.info.timestampNanos === m.timestampNanos,
      subject: m.subject, timestamp: m.timestamp === m.time.toISOString() };
    m.nak();
    m.ack(); // ignored: nak was final
    const again = await c.next({ expires: 2000 });
    const second = { redelivered: again.redelivered, deliveryCount: again.info.deliveryCount };
    again.term("bad");
    again.term("twice");
    again.ack();
    const ackAckAfterTerm = await again.ackAck();
    const gone = await c.next({ expires: 1000 });
    return { first, second, ackAckAfterTerm, gone };
  });
  assert.deepEqual(r.first, { stream: "JSM", consumer: "c", deliveryCount: 1, streamSequence: 1, deliverySequence: 1,
    pending: 0, redelivered: false, domain: "", tsType: "bigint", tsMatchesTime: true, tsExact: true, subject: "JSM.x", timestamp: true });
  assert.deepEqual(r.second, { redelivered: true, deliveryCount: 2 });
  assert.equal(r.ackAckAfterTerm, false);
  assert.equal(r.gone, null, "term: never redelivered");
});

test("fetch of a deleted consumer fails CONSUMER_DELETED or CONSUMER_NOT_FOUND", async () => {
  const r = await page.evaluate(async () => {
    await t.setup("DEL");
    const c = await t.get("DEL", "c");
    const p = c.next({ expires: 5000 });
    await new Promise((res) => setTimeout(res, 200));
    await c.delete();
    const during = await p.then(() => "resolved", (e) => e.code);
    const after = await c.next({ expires: 2000 }).then(() => "resolved", (e) => e.code);
    return { during, after };
  });
  assert.equal(r.during, "CONSUMER_DELETED");
  assert.equal(r.after, "CONSUMER_NOT_FOUND");
});

test("consume through a server restart: pulls again after the reconnect, every message processed", async () => {
  await page.evaluate(async (url) => {
    const nc = await nats.connect({ servers: url, reconnectTimeWait: 100, reconnectJitter: 50, maxReconnectAttempts: -1 });
    const js = nats.jetstream(nc);
    const api = async (subj, body) => (await nc.request(`$JS.API.${subj}`, JSON.stringify(body), { timeout: 5000 })).json();
    await api("STREAM.CREATE.RST", { name: "RST", subjects: ["RST.>"], storage: "file" });
    await api("CONSUMER.CREATE.RST.c", { stream_name: "RST", config: { durable_name: "c", ack_policy: "explicit" } });
    for (let i = 0; i < 20; i++) await js.publish("RST.a", `m${i}`);
    const c = await js.consumers.get("RST", "c");
    const seen = new Set();
    const statuses = [];
    nc.onStatus((s) => statuses.push(s.type));
    const msgs = await c.consume({ max_messages: 5, expires: 2000, callback: (m) => { seen.add(m.seq); m.ack(); } });
    window.r = { nc, js, seen, statuses, msgs };
  }, stack.server.wsUrl);
  await page.waitForFunction(() => window.r.seen.size === 20, null, { timeout: 10000 });
  await stack.server.restart();
  await page.waitForFunction(() => window.r.statuses.includes("reconnect"), null, { timeout: 20000 });
  await page.evaluate(async () => {
    for (let i = 20; i < 40; i++) await window.r.js.publish("RST.a", `m${i}`, { retries: 10, timeout: 2000 });
  });
  await page.waitForFunction(() => window.r.seen.size === 40, null, { timeout: 20000 });
  const r = await page.evaluate(async () => {
    const { seen, msgs, nc } = window.r;
    msgs.stop();
    const closed = await msgs.closed();
    await nc.close();
    return { seqs: [...seen].sort((a, b) => a - b), closed };
  });
  assert.deepEqual(r.seqs, Array.from({ length: 40 }, (_, i) => i + 1));
  assert.equal(r.closed, undefined);
});

// SIGKILL: no `409 Server Shutdown` (a stop sends one, which ends the fetch at once, normally).
test("fetch never hangs past its expires when the server goes away", async () => {
  await page.evaluate(async (url) => {
    const nc = await nats.connect({ servers: url, reconnectTimeWait: 100, maxReconnectAttempts: -1 });
    const js = nats.jetstream(nc);
    await nc.request("$JS.API.STREAM.CREATE.GONE", JSON.stringify({ name: "GONE", subjects: ["GONE.>"], storage: "memory" }));
    await nc.request("$JS.API.CONSUMER.CREATE.GONE.c", JSON.stringify({ stream_name: "GONE", config: { durable_name: "c", ack_policy: "explicit" } }));
    const c = await js.consumers.get("GONE", "c");
    const t0 = performance.now();
    const batch = await c.fetch({ max_messages: 10, expires: 3000 });
    window.g = { nc, done: batch.closed().then((e) => ({ ms: performance.now() - t0, err: e?.code ?? null })) };
  }, stack.server.wsUrl);
  await stack.server.kill();
  const r = await page.evaluate(() => window.g.done);
  await stack.server.start();
  await page.evaluate(() => window.g.nc.close());
  assert.ok(r.ms >= 2500 && r.ms < 10000, `ended after ${r.ms} ms (expires 3000 + 1000 grace; the bound is loose for a loaded machine: it proves "no hang", not a latency)`);
  assert.equal(r.err, null, "ends with what it has");
});

test("acks of one batch go out together: consume() acking each of 1 000 messages writes far fewer frames than acks, and every ack lands", async () => {
  const r = await page.evaluate(async (url) => {
    await t.setup("ACKS");
    await t.publish("ACKS.a", 1000);
    // A connection whose socket counts its send() calls (the driver writes one frame per send).
    const Native = WebSocket;
    let sends = 0;
    window.WebSocket = class extends Native { send(d) { sends++; return super.send(d); } };
    let nc;
    try { nc = await nats.connect({ servers: url }); } finally { window.WebSocket = Native; }
    const c = await nats.jetstream(nc).consumers.get("ACKS", "c");
    const before = sends;
    let got = 0;
    const msgs = await c.consume({ max_messages: 200 });
    for await (const m of msgs) { m.ack(); if (++got === 1000) break; }
    await nc.flush();
    const frames = sends - before;
    const info = await c.info();
    await nc.close();
    return { got, frames, ackPending: info.num_ack_pending, pending: info.num_pending, acked: info.ack_floor.stream_seq };
  }, url);
  assert.equal(r.got, 1000);
  assert.deepEqual([r.ackPending, r.pending, r.acked], [0, 0, 1000]);
  // One frame per ack would be 1 000+; batches of acks (plus pulls and the flush) are a few dozen.
  assert.ok(r.frames < 200, `frames sent: ${r.frames}`);
});
