// The core client through the package's ES module in headless Chromium, against a real nats-server.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { openModuleStack, closeModuleStack } from "./helpers.mjs";
import { freePort } from "../../scripts/lib/nats-server.mjs";

let stack, browser, page, url;
before(async () => { ({ stack, browser, page, url } = await openModuleStack()); });
after(() => closeModuleStack({ stack, browser }));

/** Publishes `n` numbered messages to its own subscription; resolves to what arrived. */
async function pubSub(n, size) {
  return page.evaluate(async ({ url, n, size }) => {
    const nc = await nats.connect({ servers: url });
    const subject = `count.${n}.${size}`;
    let received = 0, inOrder = true, last = -1;
    const done = new Promise((resolve) => {
      nc.subscribe(subject, {
        callback: (err, m) => {
          const i = new DataView(m.data.buffer, m.data.byteOffset, 4).getUint32(0);
          if (i !== last + 1 || m.data.length !== size) inOrder = false;
          last = i; received++;
          if (received === n) resolve();
        },
      });
    });
    const buf = new Uint8Array(size);
    for (let i = 0; i < n; i++) {
      new DataView(buf.buffer).setUint32(0, i);
      nc.publish(subject, buf);
    }
    await Promise.race([done, new Promise((r) => setTimeout(r, 60000))]);
    await nc.close();
    return { received, inOrder };
  }, { url, n, size });
}

for (const n of [1, 1000, 100000]) {
  test(`pub/sub of ${n} messages loses none and keeps order`, async () => {
    assert.deepEqual(await pubSub(n, 16), { received: n, inOrder: true });
  });
}

test("payloads up to max_payload round-trip intact across WebSocket frames", async () => {
  const r = await page.evaluate(async (url) => {
    const nc = await nats.connect({ servers: url });
    const max = nc.info.max_payload;
    const sizes = [0, 1, 4095, 4096, 4097, 65536, 1000003, max];
    const sub = nc.subscribe("big.>");
    const out = [];
    for (const size of sizes) {
      const data = new Uint8Array(size);
      for (let i = 0; i < size; i++) data[i] = (i * 31 + size) & 255;
      nc.publish(`big.${size}`, data);
    }
    let i = 0;
    for await (const m of sub) {
      const size = sizes[i++];
      let same = m.data.length === size && m.subject === `big.${size}`;
      for (let j = 0; same && j < size; j++) if (m.data[j] !== ((j * 31 + size) & 255)) same = false;
      out.push(same);
      if (i === sizes.length) break;
    }
    let over;
    try { nc.publish("big.over", new Uint8Array(max + 1)); } catch (e) { over = e.code; }
    await nc.close();
    return { out, over, max };
  }, url);
  assert.equal(r.max, 1048576);
  assert.deepEqual(r.out, r.out.map(() => true));
  assert.equal(r.over, "MAX_PAYLOAD_EXCEEDED");
});

test("headers round-trip (repeated, case-preserving, record form)", async () => {
  const r = await page.evaluate(async (url) => {
    const nc = await nats.connect({ servers: url });
    const sub = nc.subscribe("hdr.x", { max: 2 });
    const h = nats.headers();
    h.append("X-Trace", "a");
    h.append("X-Trace", "b");
    h.set("Content-Type", "text/plain");
    nc.publish("hdr.x", "one", { headers: h });
    nc.publish("hdr.x", "two", { headers: { "X-Rec": ["1", "2"], Single: "s" } });
    const got = [];
    for await (const m of sub) got.push({ body: m.string(), keys: m.headers.keys(), trace: m.headers.values("X-Trace"), ct: m.headers.get("Content-Type"), rec: m.headers.values("X-Rec"), single: m.headers.get("Single") });
    await nc.close();
    return got;
  }, url);
  assert.deepEqual(r[0], { body: "one", keys: ["X-Trace", "Content-Type"], trace: ["a", "b"], ct: "text/plain", rec: [], single: "" });
  assert.deepEqual(r[1].rec, ["1", "2"]);
  assert.equal(r[1].single, "s");
});

test("queue group members share the load, every message once", async () => {
  const r = await page.evaluate(async (url) => {
    const a = await nats.connect({ servers: url });
    const b = await nats.connect({ servers: url });
    const counts = [0, 0];
    const seen = new Set();
    let dup = 0;
    const cb = (k) => (err, m) => { counts[k]++; const s = m.string(); if (seen.has(s)) dup++; seen.add(s); };
    a.subscribe("work", { queue: "workers", callback: cb(0) });
    b.subscribe("work", { queue: "workers", callback: cb(1) });
    await a.flush(); await b.flush();
    const p = await nats.connect({ servers: url });
    for (let i = 0; i < 1000; i++) p.publish("work", String(i));
    await p.flush();
    const t0 = Date.now();
    while (counts[0] + counts[1] < 1000 && Date.now() - t0 < 10000) await new Promise((r) => setTimeout(r, 10));
    await Promise.all([a.close(), b.close(), p.close()]);
    return { counts, dup };
  }, url);
  assert.equal(r.counts[0] + r.counts[1], 1000);
  assert.ok(r.counts[0] > 0 && r.counts[1] > 0, `both members got work: ${r.counts}`);
  assert.equal(r.dup, 0);
});

test("request/reply, TIMEOUT and NO_RESPONDERS", async () => {
  const r = await page.evaluate(async (url) => {
    const nc = await nats.connect({ servers: url });
    nc.subscribe("svc.echo", { callback: (err, m) => m.respond(`echo:${m.string()}`, { headers: { "X-Echo": "1" } }) });
    nc.subscribe("svc.silent", { callback: () => {} });
    await nc.flush();
    const replies = await Promise.all([1, 2, 3].map((i) => nc.request("svc.echo", `hi${i}`, { timeout: 2000 })));
    const codes = {};
    try { await nc.request("svc.silent", "x", { timeout: 200 }); } catch (e) { codes.silent = e.code; codes.isNatsError = e instanceof nats.NatsError && e instanceof Error; }
    try { await nc.request("svc.nobody", "x", { timeout: 2000 }); } catch (e) { codes.nobody = e.code; }
    const rtt = await nc.rtt();
    await nc.close();
    // the page clock's step: Firefox and WebKit coarsen performance.now() to 1 ms (README "Browsers")
    let step = Infinity;
    for (let t0 = performance.now(), prev = t0, now; (now = performance.now()) - t0 < 10; prev = now) if (now > prev) step = Math.min(step, now - prev);
    return { bodies: replies.map((m) => m.string()), hdr: replies[0].headers.get("X-Echo"), codes, rtt, step };
  }, url);
  assert.deepEqual(r.bodies, ["echo:hi1", "echo:hi2", "echo:hi3"]);
  assert.equal(r.hdr, "1");
  assert.deepEqual(r.codes, { silent: "TIMEOUT", isNatsError: true, nobody: "NO_RESPONDERS" });
  // a loopback round trip under the clock's step reads 0
  assert.ok(r.rtt > 0 || (r.rtt === 0 && r.step >= 0.5), `rtt ${r.rtt} ms with a clock step of ${r.step} ms`);
  assert.ok(r.rtt < 2000, `rtt ${r.rtt} ms`);
});

test("bad input is rejected with typed errors and nothing is sent", async () => {
  const r = await page.evaluate(async (url) => {
    const nc = await nats.connect({ servers: url });
    const seen = [];
    nc.subscribe(">", { callback: (err, m) => { if (m && !m.subject.startsWith("_INBOX")) seen.push(m.subject); } });
    await nc.flush();
    const codeOf = (f) => { try { f(); return "no error"; } catch (e) { return e instanceof nats.NatsError ? e.code : `not a NatsError: ${e}`; } };
    const codes = {
      space: codeOf(() => nc.publish("a b", "x")),
      crlf: codeOf(() => nc.publish("a\r\nPUB b 1", "x")),
      emptyToken: codeOf(() => nc.publish("a..b", "x")),
      empty: codeOf(() => nc.publish("", "x")),
      wildcard: codeOf(() => nc.publish("a.*", "x")),
      gt: codeOf(() => nc.publish("a.>", "x")),
      badReply: codeOf(() => nc.publish("ok", "x", { reply: "r r" })),
      subSpace: codeOf(() => nc.subscribe("a b")),
      subBadGt: codeOf(() => nc.subscribe("a.>.b")),
      number: codeOf(() => nc.publish("ok", 42)),
      object: codeOf(() => nc.publish("ok", { a: 1 })),
      subjectType: codeOf(() => nc.publish(42, "x")),
      hdrName: codeOf(() => nc.publish("ok", "x", { headers: { "Bad Name": "v" } })),
      hdrValue: codeOf(() => nc.publish("ok", "x", { headers: { Good: "a\r\nb" } })),
      hdrSet: codeOf(() => nats.headers().set("X:y", "v")),
      undefinedOpts: codeOf(() => nc.publish(undefined)),
      hugeMax: codeOf(() => nc.subscribe("ok", { max: 1e300 })),
    };
    nc.publish("ok.final", "done");
    await nc.flush();
    await nc.flush();
    await nc.close();
    return { codes, seen };
  }, url);
  assert.deepEqual(r.codes, {
    space: "INVALID_SUBJECT", crlf: "INVALID_SUBJECT", emptyToken: "INVALID_SUBJECT", empty: "INVALID_SUBJECT",
    wildcard: "INVALID_SUBJECT", gt: "INVALID_SUBJECT", badReply: "INVALID_SUBJECT", subSpace: "INVALID_SUBJECT",
    subBadGt: "INVALID_SUBJECT", number: "INVALID_ARGUMENT", object: "INVALID_ARGUMENT", subjectType: "INVALID_ARGUMENT",
    hdrName: "INVALID_ARGUMENT", hdrValue: "INVALID_ARGUMENT", hdrSet: "INVALID_ARGUMENT", undefinedOpts: "INVALID_ARGUMENT",
    hugeMax: "INVALID_ARGUMENT",
  });
  assert.deepEqual(r.seen, ["ok.final"]);
});

test("connection life-cycle: refused, close, closed(), calls after close", async () => {
  const r = await page.evaluate(async ({ url, deadUrl }) => {
    const out = {};
    try { await nats.connect({ servers: deadUrl, timeout: 5000 }); out.refused = "connected?"; } catch (e) { out.refused = e.code; }
    try { await nats.connect({ servers: "http://nope" }); } catch (e) { out.badUrl = e.code; }
    try { await nats.connect({}); } catch (e) { out.noServers = e.code; }
    const nc = await nats.connect({ servers: url });
    const statuses = [];
    nc.onStatus((s) => statuses.push(s.type));
    const closed = nc.closed();
    await nc.close();
    out.closedValue = await closed;
    out.isClosed = nc.isClosed();
    await nc.close();
    try { nc.publish("x", "y"); } catch (e) { out.publish = e.code; }
    try { await nc.flush(); } catch (e) { out.flush = e.code; }
    try { await nc.request("x", "y"); } catch (e) { out.request = e.code; }
    out.statuses = statuses;
    return out;
    // a loopback port nothing listens on (not port 9: browsers block it before dialling, README "Browsers")
  }, { url, deadUrl: `ws://127.0.0.1:${await freePort()}` });
  assert.equal(r.refused, "CONNECTION_REFUSED");
  assert.equal(r.badUrl, "INVALID_ARGUMENT");
  assert.equal(r.noServers, "INVALID_ARGUMENT");
  assert.equal(r.closedValue, undefined);
  assert.equal(r.isClosed, true);
  assert.equal(r.publish, "CONNECTION_CLOSED");
  assert.equal(r.flush, "CONNECTION_CLOSED");
  assert.equal(r.request, "CONNECTION_CLOSED");
  assert.deepEqual(r.statuses, ["close"]);
});

test("subscription max, unsubscribe, drain and for-await", async () => {
  const r = await page.evaluate(async (url) => {
    const nc = await nats.connect({ servers: url });
    const limited = nc.subscribe("m.x", { max: 3 });
    for (let i = 0; i < 5; i++) nc.publish("m.x", String(i));
    const got = [];
    for await (const m of limited) got.push(m.string());
    const draining = nc.subscribe("d.x");
    for (let i = 0; i < 100; i++) nc.publish("d.x", String(i));
    await nc.flush();
    await draining.drain();
    let drained = 0;
    for await (const m of draining) drained++;
    const out = { got, limitedClosed: limited.isClosed(), received: limited.getReceived(), drained, subject: draining.getSubject() };
    await nc.drain();
    out.afterDrain = nc.isClosed();
    return out;
  }, url);
  assert.deepEqual(r, { got: ["0", "1", "2"], limitedClosed: true, received: 3, drained: 100, subject: "d.x", afterDrain: true });
});
