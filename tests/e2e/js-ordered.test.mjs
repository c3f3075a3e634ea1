// Ordered consumers (js.consumers.get(stream, opts), ADR-17) in the browser against the real
// nats-server: a filtered replay through fetch, next and consume in stream order, options, one call at a
// time (CONSUMER_BUSY), a deleted consumer re-created, and exactly once in order through a server restart.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { openModuleStack, closeModuleStack } from "./helpers.mjs";

let stack, browser, page, url;
before(async () => {
  ({ stack, browser, page, url } = await openModuleStack());
  await page.evaluate(async (url) => {
    const nc = await nats.connect({ servers: url });
    const js = nats.jetstream(nc);
    const jsm = await nats.jetstreamManager(nc);
    const stream = (name, storage = "memory") => jsm.streams.add({ name, subjects: [`${name}.>`], storage });
    const code = (p) => p.then(() => "resolved", (e) => e.code);
    window.t = { nc, js, jsm, stream, code };
  }, url);
});
after(() => closeModuleStack({ stack, browser }));

test("ordered consumer: a filtered replay through fetch, next and consume, in stream order, acks send nothing", async () => {
  const r = await page.evaluate(async () => {
    const { js, jsm, stream } = t;
    await stream("REPLAY");
    for (let i = 1; i <= 20; i++) await js.publish(i % 2 ? "REPLAY.a" : "REPLAY.b", `m${i}`);
    const c = await js.consumers.get("REPLAY", { filter_subjects: "REPLAY.a", name_prefix: "replay" });
    const info = await c.info();
    const seqs = [];
    const subjects = new Set();
    const batch = await c.fetch({ max_messages: 4, expires: 2000 });
    for await (const m of batch) { seqs.push(m.seq); subjects.add(m.subject); m.ack(); }
    const m = await c.next({ expires: 2000 });
    seqs.push(m.seq);
    const ackAck = await m.ackAck();
    const rest = await c.consume({ max_messages: 2, expires: 2000 });
    for await (const m of rest) {
      seqs.push(m.seq);
      subjects.add(m.subject);
      if (seqs.length === 10) break;
    }
    const after = await jsm.consumers.info("REPLAY", info.name);
    return {
      seqs, subjects: [...subjects], ackAck, name: info.name, ack: info.config.ack_policy, mem: info.config.mem_storage,
      deliverSubject: info.config.deliver_subject ?? null, pull: c.isPullConsumer(), push: c.isPushConsumer(),
      ackPending: after.num_ack_pending, redelivered: m.redelivered, streamSeq: m.info.streamSequence,
    };
  });
  assert.deepEqual(r.seqs, [1, 3, 5, 7, 9, 11, 13, 15, 17, 19]);
  assert.deepEqual(r.subjects, ["REPLAY.a"]);
  assert.equal(r.ackAck, false, "ack_policy none: ackAck resolves false");
  assert.equal(r.name, "replay_1");
  assert.equal(r.ack, "none");
  assert.equal(r.mem, true);
  assert.equal(r.deliverSubject, null, "a pull consumer");
  assert.deepEqual([r.pull, r.push], [true, false]);
  assert.equal(r.ackPending, 0);
  assert.equal(r.streamSeq, 9);
});

test("ordered consumer options: start sequence, start time, last per subject, headers only; bad ones rejected", async () => {
  const r = await page.evaluate(async () => {
    const { js, jsm, stream, code } = t;
    await stream("OPTS");
    for (let i = 1; i <= 6; i++) await js.publish(`OPTS.${i % 3}`, `value ${i}`);
    // The server's own time of message 2: a browser clock may be coarse or jittered (Firefox).
    const t0 = (await jsm.streams.getMessage("OPTS", { seq: 2 })).timestamp;
    const take = async (opts, n) => {
      const c = await js.consumers.get("OPTS", opts);
      const out = [];
      const b = await c.fetch({ max_messages: n, expires: 1000 });
      for await (const m of b) out.push(opts?.headers_only ? [m.seq, m.data.length, m.headers?.get("Nats-Msg-Size")] : m.seq);
      return out;
    };
    return {
      start: await take({ opt_start_seq: 4 }, 3),
      time: await take({ deliver_policy: "by_start_time", opt_start_time: t0 }, 2),
      lastPer: await take({ deliver_policy: "last_per_subject" }, 3),
      last: await take({ deliver_policy: "last" }, 1),
      headers: await take({ headers_only: true }, 1),
      none: await take(undefined, 1),
      badPolicy: await code(js.consumers.get("OPTS", { deliver_policy: "sometimes" })),
      badStart: await code(js.consumers.get("OPTS", { deliver_policy: "last", opt_start_seq: 2 })),
      badFilter: await code(js.consumers.get("OPTS", { filter_subjects: ["OPTS a"] })),
      badPrefix: await code(js.consumers.get("OPTS", { name_prefix: "a.b" })),
      badType: await code(js.consumers.get("OPTS", { headers_only: "yes" })),
      noStream: await code(js.consumers.get("NOPE", {})),
    };
  });
  assert.deepEqual(r.start, [4, 5, 6]);
  assert.deepEqual(r.time, [2, 3]);
  assert.deepEqual(r.lastPer, [4, 5, 6]);
  assert.deepEqual(r.last, [6]);
  assert.deepEqual(r.headers, [[1, 0, "7"]]);
  assert.deepEqual(r.none, [1]);
  assert.equal(r.badPolicy, "INVALID_ARGUMENT");
  assert.equal(r.badStart, "INVALID_ARGUMENT");
  assert.equal(r.badFilter, "INVALID_SUBJECT");
  assert.equal(r.badPrefix, "INVALID_ARGUMENT");
  assert.equal(r.badType, "INVALID_ARGUMENT");
  assert.equal(r.noStream, "STREAM_NOT_FOUND");
});

test("ordered consumer: one fetch/next/consume at a time (CONSUMER_BUSY), each going on after the last", async () => {
  const r = await page.evaluate(async () => {
    const { js, stream, code } = t;
    await stream("BUSY");
    const c = await js.consumers.get("BUSY");
    const waiting = await c.fetch({ max_messages: 3, expires: 1500 });
    const busy = {
      consume: await code(c.consume()),
      fetch: await code(c.fetch()),
      next: await code(c.next()),
    };
    for (let i = 1; i <= 4; i++) await js.publish("BUSY.x", `m${i}`);
    const seqs = [];
    for await (const m of waiting) seqs.push(m.seq);
    // Stopped with its pull still open on the server: the next call re-creates after seq 4.
    const consumed = await c.consume({ callback: (m) => { seqs.push(m.seq); if (m.seq === 4) consumed.stop(); } });
    await consumed.closed();
    for (let i = 5; i <= 6; i++) await js.publish("BUSY.x", `m${i}`);
    for (let i = 0; i < 2; i++) seqs.push((await c.next({ expires: 1000 })).seq);
    const none = await c.next({ expires: 1000 });
    return { busy, seqs, none };
  });
  assert.deepEqual(r.busy, { consume: "CONSUMER_BUSY", fetch: "CONSUMER_BUSY", next: "CONSUMER_BUSY" });
  assert.deepEqual(r.seqs, [1, 2, 3, 4, 5, 6]);
  assert.equal(r.none, null);
});

test("ordered consumer: a consumer deleted while consuming is re-created after the last delivered", async () => {
  const r = await page.evaluate(async () => {
    const { js, jsm, stream } = t;
    await stream("DEL");
    for (let i = 1; i <= 5; i++) await js.publish("DEL.x", `m${i}`);
    const c = await js.consumers.get("DEL", { name_prefix: "del" });
    const seqs = [];
    const statuses = [];
    const msgs = await c.consume({ max_messages: 10, expires: 2000, callback: (m) => seqs.push(m.seq) });
    (async () => { for await (const s of msgs.status()) statuses.push(s.type === "ordered_consumer_recreated" ? `${s.type}:${s.name}` : s.type); })();
    while (seqs.length < 5) await new Promise((ok) => setTimeout(ok, 20));
    await jsm.consumers.delete("DEL", "del_1");
    for (let i = 6; i <= 10; i++) await js.publish("DEL.x", `m${i}`);
    const t0 = Date.now();
    while (seqs.length < 10 && Date.now() - t0 < 10000) await new Promise((ok) => setTimeout(ok, 50));
    msgs.stop();
    return { seqs, statuses: statuses.filter((s) => s !== "next" && s !== "heartbeat"), name: c.name };
  });
  assert.deepEqual(r.seqs, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.ok(r.statuses.includes("ordered_consumer_recreated:del_2"), JSON.stringify(r.statuses));
});

test("ordered consumer: exactly once, in order, through a server restart", async () => {
  await page.evaluate(async (url) => {
    const nc = await nats.connect({ servers: url, reconnectTimeWait: 100, reconnectJitter: 50, maxReconnectAttempts: -1 });
    const js = nats.jetstream(nc);
    const jsm = await nats.jetstreamManager(nc);
    await jsm.streams.add({ name: "RESTART", subjects: ["RESTART.>"], storage: "file" });
    for (let i = 1; i <= 50; i++) await js.publish("RESTART.x", `m${i}`);
    const c = await js.consumers.get("RESTART");
    const seqs = [];
    const statuses = [];
    const events = [];
    nc.onStatus((s) => events.push(s.type));
    const msgs = await c.consume({ max_messages: 10, expires: 2000, callback: (m) => seqs.push(m.seq) });
    (async () => { for await (const s of msgs.status()) statuses.push(s.type); })();
    window.o = { nc, js, seqs, statuses, events, msgs };
  }, stack.server.wsUrl);
  await page.waitForFunction(() => window.o.seqs.length === 50, null, { timeout: 10000 });
  await stack.server.restart();
  await page.waitForFunction(() => window.o.events.includes("reconnect"), null, { timeout: 20000 });
  await page.evaluate(async () => {
    for (let i = 51; i <= 100; i++) await window.o.js.publish("RESTART.x", `m${i}`, { retries: 10, timeout: 2000 });
  });
  await page.waitForFunction(() => window.o.seqs.length >= 100, null, { timeout: 20000 });
  await new Promise((ok) => setTimeout(ok, 500));
  const r = await page.evaluate(async () => {
    const { seqs, statuses, msgs, nc } = window.o;
    msgs.stop();
    const closed = await msgs.closed();
    await nc.close();
    return { seqs, recreated: statuses.includes("ordered_consumer_recreated"), closed };
  });
  assert.deepEqual(r.seqs, Array.from({ length: 100 }, (_, i) => i + 1), "every message once, in order");
  assert.ok(r.recreated, "re-created after the restart");
  assert.equal(r.closed, undefined);
});
