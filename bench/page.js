// Benchmark cases (PERF.md P0–P8, P10), run in one page with both clients. Each case function takes a
// client adapter and returns { value, unit, samples? } for one round; bench/run.mjs alternates the
// clients round by round and computes medians and ratios.
import * as ours from "/js/index.js";
import * as theirs from "/bench/.build/natsjs.js";
import initWasm from "/pkg/nats_kv_wasm.js";

const te = new TextEncoder();
const now = () => performance.now();
let url = "";
let seq = 0;
const fresh = (p) => `${p}${Date.now().toString(36)}${(seq++).toString(36)}`;

function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

/** Waits until `cond()` holds, checking on every message callback via `kick`. */
function until(cond, timeoutMs = 60000) {
  return new Promise((resolve, reject) => {
    const t0 = now();
    const check = () => {
      if (cond()) return resolve(now() - t0);
      if (now() - t0 > timeoutMs) return reject(new Error("benchmark step timed out"));
      setTimeout(check, 1);
    };
    check();
  });
}

/** The adapter of one of our builds (`mod`: its js/index.js module). */
const ourAdapter = (mod, name) => ({
    name,
    connect: () => mod.connect({ servers: url }),
    kvm: (nc) => new mod.Kvm(nc),
    jsm: (nc) => mod.jetstreamManager(nc),
    js: (nc) => mod.jetstream(nc),
    objm: (nc) => new mod.Objm(nc),
    /** Resolves when the watcher has delivered `n` entries; returns ms from start. */
    async watchUntil(kv, n, opts = {}) {
      let got = 0;
      const t0 = now();
      let done;
      const finished = new Promise((r) => { done = r; });
      const w = await kv.watch({ ...opts, callback: () => { if (++got === n) done(); } });
      return { watcher: w, finished: finished.then(() => now() - t0), stop: () => w.stop() };
    },
    async replay(kv, n) {
      const t0 = now();
      const w = await kv.watch({ callback: () => {} });
      await w.initialized;
      const ms = now() - t0;
      w.stop();
      return ms;
    },
});

const adapters = {
  ours: ourAdapter(ours, "nats-kv-wasm"),
  theirs: {
    name: "nats.js",
    connect: () => theirs.wsconnect({ servers: url }),
    kvm: (nc) => new theirs.Kvm(nc),
    jsm: (nc) => theirs.jetstreamManager(nc),
    js: (nc) => theirs.jetstream(nc),
    objm: (nc) => new theirs.Objm(nc),
    async watchUntil(kv, n, opts = {}) {
      const t0 = now();
      const iter = await kv.watch(opts);
      const finished = (async () => {
        let got = 0;
        for await (const _e of iter) { if (++got === n) break; }
        return now() - t0;
      })();
      return { watcher: iter, finished, stop: () => iter.stop() };
    },
    async replay(kv, n) {
      const t0 = now();
      const iter = await kv.watch();
      let got = 0;
      for await (const _e of iter) { if (++got === n) break; }
      const ms = now() - t0;
      iter.stop();
      return ms;
    },
  },
};

// --- P0: the raw WebSocket ceiling (hand-encoded protocol, no library) -------------------------
async function rawSocket() {
  const ws = new WebSocket(url);
  ws.binaryType = "arraybuffer";
  const td = new TextDecoder();
  let received = 0;
  let pongs = 0;
  let infos = 0;
  let scan = true; // decode frames only while counting PONGs/INFOs (not during the throughput runs)
  let waiter = null;
  ws.onmessage = (e) => {
    received += e.data.byteLength;
    if (scan) {
      const t = td.decode(e.data);
      pongs += t.split("PONG\r\n").length - 1;
      infos += t.split("INFO ").length - 1;
    }
    if (waiter) waiter();
  };
  await new Promise((r, j) => { ws.onopen = r; ws.onerror = j; });
  const wait = (cond) => new Promise((r) => { waiter = () => { if (cond()) { waiter = null; r(); } }; waiter(); });
  await wait(() => infos >= 1);
  ws.send(te.encode('CONNECT {"verbose":false,"pedantic":false,"protocol":1,"headers":true}\r\nPING\r\n'));
  // Servers ≥ 2.10 send a second INFO after CONNECT.
  await wait(() => pongs >= 1 && infos >= 2);
  return {
    ws, wait, close: () => ws.close(),
    bytes: () => received, pongs: () => pongs,
    stopScanning() { scan = false; },
  };
}

async function p0Rtt() {
  const s = await rawSocket();
  const ping = te.encode("PING\r\n");
  const samples = [];
  for (let i = 0; i < 300; i++) {
    const target = s.pongs() + 1;
    const t0 = now();
    s.ws.send(ping);
    await s.wait(() => s.pongs() >= target);
    samples.push((now() - t0) * 1000);
  }
  s.close();
  return { value: percentile(samples, 50), unit: "µs", p99: percentile(samples, 99) };
}

async function p0PubSub(size, n = 100000) {
  const s = await rawSocket();
  const subj = fresh("raw.");
  const target = s.pongs() + 1;
  s.ws.send(te.encode(`SUB ${subj} 1\r\nPING\r\n`));
  await s.wait(() => s.pongs() >= target);
  s.stopScanning();
  const base = s.bytes();
  const payload = "x".repeat(size);
  const op = `PUB ${subj} ${size}\r\n${payload}\r\n`;
  const msgLen = `MSG ${subj} 1 ${size}\r\n`.length + size + 2;
  const batch = 500;
  const chunk = te.encode(op.repeat(batch));
  const t0 = now();
  for (let i = 0; i < n; i += batch) s.ws.send(chunk);
  await s.wait(() => s.bytes() - base >= n * msgLen);
  const ms = now() - t0;
  s.close();
  return { value: n / (ms / 1000), unit: "msg/s", mbps: (n * size) / (ms / 1000) / 1e6 };
}

/** P0 receive-only: one raw socket floods, a second one subscribes and counts bytes. */
async function p0Receive(size = 16, n = 50000) {
  const rx = await rawSocket();
  const tx = await rawSocket();
  const subj = fresh("rawrx.");
  const target = rx.pongs() + 1;
  rx.ws.send(te.encode(`SUB ${subj} 1\r\nPING\r\n`));
  await rx.wait(() => rx.pongs() >= target);
  rx.stopScanning();
  tx.stopScanning();
  const base = rx.bytes();
  const msgLen = `MSG ${subj} 1 ${size}\r\n`.length + size + 2;
  const batch = 500;
  const chunk = te.encode(`PUB ${subj} ${size}\r\n${"x".repeat(size)}\r\n`.repeat(batch));
  const t0 = now();
  for (let i = 0; i < n; i += batch) tx.ws.send(chunk);
  await rx.wait(() => rx.bytes() - base >= n * msgLen);
  const ms = now() - t0;
  rx.close(); tx.close();
  return { value: n / (ms / 1000), unit: "msg/s" };
}

/** A raw socket whose frames are decoded and handed to `onText` (for the sequential ceilings). */
async function rawTextSocket(onText) {
  const s = await rawSocket();
  const td = new TextDecoder();
  const prev = s.ws.onmessage;
  s.ws.onmessage = (e) => { onText(td.decode(e.data)); prev(e); };
  return s;
}

/**
 * Sequential round trips on raw sockets: `send(i)` writes one request, `isReply(text)` counts
 * replies. Returns p50/p99 in µs and the rate, like the client cases.
 */
async function rawSequential(socket, send, n) {
  const samples = [];
  const t0 = now();
  for (let i = 0; i < n; i++) {
    const a = now();
    const target = socket.replies + 1;
    send(i);
    await socket.s.wait(() => socket.replies >= target);
    samples.push((now() - a) * 1000);
  }
  const ms = now() - t0;
  return { value: n / (ms / 1000), unit: "ops/s", p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

/** P0 request/reply: a raw requester and a raw responder that echoes (the P4 ceiling). */
async function p0Request(n = 500) {
  const subj = fresh("rawreq.");
  const svc = await rawTextSocket((t) => {
    const out = [];
    for (const m of t.matchAll(/MSG \S+ \d+ (\S+) (\d+)\r\n/g)) out.push(`PUB ${m[1]} ${m[2]}\r\n${"x".repeat(Number(m[2]))}\r\n`);
    if (out.length) svc.ws.send(te.encode(out.join("")));
  });
  const target = svc.pongs() + 1;
  svc.ws.send(te.encode(`SUB ${subj} 1\r\nPING\r\n`));
  await svc.wait(() => svc.pongs() >= target);
  const client = { replies: 0 };
  client.s = await rawTextSocket((t) => { client.replies += t.split("MSG _R.").length - 1; });
  const t1 = client.s.pongs() + 1;
  client.s.ws.send(te.encode("SUB _R.* 1\r\nPING\r\n"));
  await client.s.wait(() => client.s.pongs() >= t1);
  const payload = "x".repeat(128);
  const r = await rawSequential(client, (i) => client.s.ws.send(te.encode(`PUB ${subj} _R.${i} 128\r\n${payload}\r\n`)), n);
  svc.close(); client.s.close();
  return { value: r.p50, unit: "µs", p99: r.p99, rate: r.value };
}

/** P0 KV put / get: the same JetStream requests as a KV client, hand-encoded (the P5 ceiling). */
async function p0Kv(op, n = 500) {
  const nc = await ours.connect({ servers: url });
  const bucket = fresh("p0kv");
  const kv = await new ours.Kvm(nc).create(bucket);
  await kv.put("k", new Uint8Array(64));
  const client = { replies: 0 };
  client.s = await rawTextSocket((t) => { client.replies += t.split("MSG _R.").length - 1; });
  const t1 = client.s.pongs() + 1;
  client.s.ws.send(te.encode("SUB _R.* 1\r\nPING\r\n"));
  await client.s.wait(() => client.s.pongs() >= t1);
  const payload = "x".repeat(64);
  const send = op === "put"
    ? (i) => client.s.ws.send(te.encode(`PUB $KV.${bucket}.k _R.${i} 64\r\n${payload}\r\n`))
    : (i) => client.s.ws.send(te.encode(`PUB $JS.API.DIRECT.GET.KV_${bucket}.$KV.${bucket}.k _R.${i} 0\r\n\r\n`));
  const r = await rawSequential(client, send, n);
  client.s.close();
  await kv.destroy();
  await nc.close();
  return r;
}

/** P0 JetStream publish: sequential PUBs to a stream subject with a reply (the P11 ceiling). */
async function p0JsPublish(n = 500) {
  const nc = await ours.connect({ servers: url });
  const jsm = await ours.jetstreamManager(nc);
  const stream = fresh("P0JS");
  await jsm.streams.add({ name: stream, subjects: [`${stream}.>`], storage: "memory" });
  const client = { replies: 0 };
  client.s = await rawTextSocket((t) => { client.replies += t.split("MSG _R.").length - 1; });
  const t1 = client.s.pongs() + 1;
  client.s.ws.send(te.encode("SUB _R.* 1\r\nPING\r\n"));
  await client.s.wait(() => client.s.pongs() >= t1);
  const payload = "x".repeat(128);
  const r = await rawSequential(client, (i) => client.s.ws.send(te.encode(`PUB ${stream}.a _R.${i} 128\r\n${payload}\r\n`)), n);
  client.s.close();
  await jsm.streams.delete(stream);
  await nc.close();
  return { value: r.p50, unit: "µs", p99: r.p99, rate: r.value };
}

// --- Cases with both clients ---------------------------------------------------------------------
async function p1PublishOnly(c, n = 100000) {
  const nc = await c.connect();
  const data = new Uint8Array(16);
  const subj = fresh("p1.");
  const t0 = now();
  for (let i = 0; i < n; i++) nc.publish(subj, data);
  await nc.flush();
  const ms = now() - t0;
  await nc.close();
  return { value: n / (ms / 1000), unit: "msg/s" };
}

async function p2PubSub(c, size, n = 50000) {
  const nc = await c.connect();
  const subj = fresh("p2.");
  let got = 0;
  nc.subscribe(subj, { callback: () => { got++; } });
  await nc.flush();
  const data = new Uint8Array(size);
  const t0 = now();
  for (let i = 0; i < n; i++) nc.publish(subj, data);
  await until(() => got >= n);
  const ms = now() - t0;
  await nc.close();
  return { value: n / (ms / 1000), unit: "msg/s" };
}

async function p3ReceiveOnly(c, n = 50000) {
  const rx = await c.connect();
  const tx = await c.connect();
  const subj = fresh("p3.");
  let got = 0;
  rx.subscribe(subj, { callback: () => { got++; } });
  await rx.flush();
  const data = new Uint8Array(16);
  const t0 = now();
  for (let i = 0; i < n; i++) tx.publish(subj, data);
  await until(() => got >= n);
  const ms = now() - t0;
  await rx.close(); await tx.close();
  return { value: n / (ms / 1000), unit: "msg/s" };
}

async function p4Request(c, inFlight) {
  const svc = await c.connect();
  const nc = await c.connect();
  const subj = fresh("p4.");
  svc.subscribe(subj, { callback: (_e, m) => m.respond(m.data) });
  await svc.flush();
  const data = new Uint8Array(128);
  const samples = [];
  const n = inFlight === 1 ? 500 : 5000;
  const t0 = now();
  if (inFlight === 1) {
    for (let i = 0; i < n; i++) {
      const a = now();
      await nc.request(subj, data, { timeout: 5000 });
      samples.push((now() - a) * 1000);
    }
  } else {
    let next = 0;
    const worker = async () => { while (next++ < n) await nc.request(subj, data, { timeout: 5000 }); };
    await Promise.all(Array.from({ length: inFlight }, worker));
  }
  const ms = now() - t0;
  await svc.close(); await nc.close();
  return inFlight === 1
    ? { value: percentile(samples, 50), unit: "µs", p99: percentile(samples, 99), rate: n / (ms / 1000) }
    : { value: n / (ms / 1000), unit: "req/s" };
}

/** P11: JetStream publish with ack, 128 B: sequential (p50 µs) or `inFlight` at a time (ops/s). */
async function p11JsPublish(c, inFlight) {
  const nc = await c.connect();
  const jsm = await c.jsm(nc);
  const js = c.js(nc);
  const stream = fresh("P11");
  await jsm.streams.add({ name: stream, subjects: [`${stream}.>`], storage: "memory" });
  const data = new Uint8Array(128);
  const subj = `${stream}.a`;
  const n = inFlight === 1 ? 500 : 5000;
  const samples = [];
  const t0 = now();
  if (inFlight === 1) {
    for (let i = 0; i < n; i++) {
      const a = now();
      await js.publish(subj, data);
      samples.push((now() - a) * 1000);
    }
  } else {
    let next = 0;
    const worker = async () => { while (next++ < n) await js.publish(subj, data); };
    await Promise.all(Array.from({ length: inFlight }, worker));
  }
  const ms = now() - t0;
  await jsm.streams.delete(stream);
  await nc.close();
  return inFlight === 1
    ? { value: percentile(samples, 50), unit: "µs", p99: percentile(samples, 99), rate: n / (ms / 1000) }
    : { value: n / (ms / 1000), unit: "ops/s" };
}

/** P12: a pull consumer over `n` stored 128 B messages, each acknowledged: `consume()` or `fetch()`
 * batches of 100. The stream is filled (untimed) by our client before each round. */
async function p12Pull(c, mode, n = 20000) {
  const s = await filledStream("P12", n);
  const nc = await c.connect();
  await (await c.jsm(nc)).consumers.add(s.stream, { durable_name: "c", ack_policy: "explicit" });
  const consumer = await c.js(nc).consumers.get(s.stream, "c");
  let got = 0;
  const t0 = now();
  if (mode === "consume") {
    const msgs = await consumer.consume({ max_messages: 500 });
    for await (const m of msgs) { m.ack(); if (++got === n) break; }
  } else {
    while (got < n) {
      const batch = await consumer.fetch({ max_messages: 100, expires: 5000 });
      for await (const m of batch) { m.ack(); got++; }
    }
  }
  await nc.flush();
  const ms = now() - t0;
  await nc.close();
  await s.close();
  return { value: n / (ms / 1000), unit: "msg/s" };
}

/**
 * P12 raw ceiling: a hand-written pull loop on a bare WebSocket over the same durable consumer — pulls
 * of 500 (`CONSUMER.MSG.NEXT`), a new pull for what was received once half is in, and one `+ACK` per
 * message, all the acks of one frame sent in one `send()`. `ack` false (P13's ceiling): a consumer with
 * ack policy none, nothing acked, pulls of `batch` 100 — the window of a `consume()` with API.md's
 * defaults, which P13 uses.
 */
async function p0PullLoop(n = 20000, ack = true, batch = 500) {
  const s = await filledStream("P0PULL", n);
  const jsm = await ours.jetstreamManager(s.nc);
  await jsm.consumers.add(s.stream, { durable_name: "c", ack_policy: ack ? "explicit" : "none" });
  const BATCH = batch;
  const inbox = `_INBOX.${fresh("pull")}`;
  const pull = (k) => {
    const body = `{"batch":${k},"expires":30000000000}`;
    return `PUB $JS.API.CONSUMER.MSG.NEXT.${s.stream}.c ${inbox} ${body.length}\r\n${body}\r\n`;
  };
  let got = 0, outstanding = 0, acks = [], done = null;
  const finished = new Promise((r) => { done = r; });
  const ws = await rawNats((tokens) => {
    // MSG <subj> <sid> [reply] <n> | HMSG <subj> <sid> [reply] <hdr> <total>: status messages have no reply.
    const reply = tokens.length === (tokens[0] === "HMSG" ? 6 : 5) ? tokens[3] : "";
    if (!reply.startsWith("$JS.ACK.")) return;
    got++;
    outstanding--;
    acks.push(ack ? `PUB ${reply} 4\r\n+ACK\r\n` : "");
  });
  const onFrame = ws.onmessage;
  ws.onmessage = (e) => {
    onFrame(e);
    if (!acks.length) return;
    if (got < n && outstanding <= BATCH / 2) { acks.push(pull(BATCH - outstanding)); outstanding = BATCH; }
    const out = acks.join("");
    if (out) ws.send(te.encode(out));
    acks = [];
    if (got >= n) done();
  };
  const t0 = now();
  ws.send(te.encode(`SUB ${inbox} 1\r\n${pull(BATCH)}`));
  outstanding = BATCH;
  await finished;
  const ms = now() - t0;
  ws.close();
  await s.close();
  return { value: n / (ms / 1000), unit: "msg/s" };
}

/** A stream of `n` stored 128 B messages, filled (untimed) by our client. */
async function filledStream(prefix, n) {
  const setup = await ours.connect({ servers: url });
  const jsm = await ours.jetstreamManager(setup);
  const js = ours.jetstream(setup);
  const stream = fresh(prefix);
  await jsm.streams.add({ name: stream, subjects: [`${stream}.>`], storage: "memory" });
  const data = new Uint8Array(128);
  for (let i = 0; i < n; i += 500) await Promise.all(Array.from({ length: 500 }, () => js.publish(`${stream}.a`, data)));
  return { stream, nc: setup, close: async () => { await jsm.streams.delete(stream); await setup.close(); } };
}

/** P13: an ordered consumer replays `n` stored 128 B messages with consume(). */
async function p13Ordered(c, n = 20000) {
  const s = await filledStream("P13", n);
  const nc = await c.connect();
  const consumer = await c.js(nc).consumers.get(s.stream);
  let got = 0;
  const t0 = now();
  const msgs = await consumer.consume();
  for await (const _m of msgs) { if (++got === n) break; }
  const ms = now() - t0;
  await nc.close();
  await s.close();
  return { value: n / (ms / 1000), unit: "msg/s" };
}

/** P14: Object Store putBlob then getBlob of `size` bytes; MB/s of the two together. */
async function p14Object(c, size) {
  const nc = await c.connect();
  const objm = c.objm(nc);
  const store = await objm.create(fresh("p14"), { storage: "memory" });
  const data = new Uint8Array(size).map((_, i) => i * 7);
  const t0 = now();
  await store.putBlob({ name: "blob" }, data);
  const back = await store.getBlob("blob");
  const ms = now() - t0;
  if (back.length !== size) throw new Error("P14: object read back with another size");
  await store.destroy();
  await nc.close();
  return { value: (2 * size) / 1e6 / (ms / 1000), unit: "MB/s" };
}

/**
 * P14 64 MiB: put from a ReadableStream of generated 256 KiB pieces, get as a stream read piece by piece:
 * nothing holds the object. MB/s of put + get; the JS heap held half-way through the put and through the
 * get (after a forced GC: Chromium runs with --expose-gc here; performance.memory), the peak JS heap with
 * garbage (sampled every 20 ms), and our wasm memory's growth over the case, all in MB.
 */
async function p14ObjectStream(c, size, who) {
  const nc = await c.connect();
  const store = await c.objm(nc).create(fresh("p14s"), { storage: "memory" });
  const PIECE = 256 * 1024;
  const piece = new Uint8Array(PIECE).map((_, i) => i * 7);
  const wasm0 = who === "ours" ? await wasmMemory() : 0;
  let peak = jsHeap(), held = 0;
  const heldAt = {};
  const sampler = setInterval(() => { peak = Math.max(peak, jsHeap()); }, 20);
  const halfway = (k) => { if (typeof gc === "function") gc(); heldAt[k] = jsHeap(); held = Math.max(held, heldAt[k]); };
  const t0 = now();
  let sent = 0;
  const src = new ReadableStream({
    pull(ctl) {
      if (sent === size / 2) halfway("put");
      if (sent >= size) return ctl.close();
      ctl.enqueue(piece.slice(0, Math.min(PIECE, size - sent)));
      sent += PIECE;
    },
  }, { highWaterMark: 0 });
  await store.put({ name: "big" }, src);
  const r = await store.get("big");
  const reader = r.data.getReader();
  let got = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (got < size / 2 && got + value.length >= size / 2) halfway("get");
    got += value.length;
  }
  if (r.error) { const e = await r.error; if (e) throw e; }
  const ms = now() - t0;
  clearInterval(sampler);
  peak = Math.max(peak, jsHeap());
  const wasmGrowMB = who === "ours" ? ((await wasmMemory()) - wasm0) / 1e6 : undefined;
  if (got !== size) throw new Error(`P14: read back ${got} of ${size} bytes`);
  await store.destroy();
  await nc.close();
  return { value: (2 * size) / 1e6 / (ms / 1000), unit: "MB/s", heldHeapMB: held / 1e6, heldAt, peakHeapMB: peak / 1e6, wasmGrowMB };
}

async function p5Kv(c, op) {
  const nc = await c.connect();
  const kv = await c.kvm(nc).create(fresh("p5"));
  const data = new Uint8Array(64);
  const n = 500;
  await kv.put("k", data);
  const samples = [];
  const t0 = now();
  for (let i = 0; i < n; i++) {
    const a = now();
    if (op === "put") await kv.put("k", data); else await kv.get("k");
    samples.push((now() - a) * 1000);
  }
  const ms = now() - t0;
  await kv.destroy();
  await nc.close();
  return { value: n / (ms / 1000), unit: "ops/s", p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

async function p6PipelinedWatch(c, n = 5000, window = 256) {
  const writer = await c.connect();
  const watcherConn = await c.connect();
  const bucket = fresh("p6");
  const kv = await c.kvm(writer).create(bucket);
  const wkv = await c.kvm(watcherConn).open(bucket);
  const w = await c.watchUntil(wkv, n, {});
  const data = new Uint8Array(64);
  const t0 = now();
  let next = 0;
  // Distinct keys: with history 1 a watcher that lags would legitimately skip superseded revisions.
  const worker = async () => { while (next < n) { const i = next++; await kv.put(`k${i}`, data); } };
  await Promise.all(Array.from({ length: window }, worker));
  await w.finished;
  const ms = now() - t0;
  w.stop();
  await kv.destroy();
  await writer.close(); await watcherConn.close();
  return { value: n / (ms / 1000), unit: "updates/s" };
}

let replayBucket = null;
async function ensureReplayBucket(n) {
  if (replayBucket) return replayBucket;
  const nc = await ours.connect({ servers: url });
  const bucket = fresh("p7");
  const kv = await new ours.Kvm(nc).create(bucket);
  const data = new Uint8Array(32);
  let next = 0;
  const worker = async () => { while (next < n) { const i = next++; await kv.put(`key.${i}`, data); } };
  await Promise.all(Array.from({ length: 256 }, worker));
  await nc.close();
  replayBucket = bucket;
  return bucket;
}

async function p7Replay(c, n = 10000) {
  const bucket = await ensureReplayBucket(n);
  const nc = await c.connect();
  const kv = await c.kvm(nc).open(bucket);
  const ms = await c.replay(kv, n);
  await nc.close();
  return { value: ms, unit: "ms" };
}

// --- P7 raw ceiling: the same ordered push consumer by hand on a bare WebSocket ------------------
/**
 * A minimal streaming NATS parser for the raw ceilings: calls `onMsg(tokens, payload)` for MSG/HMSG
 * (tokens of the control line; payload = headers + data) and `onOp(line)` for other ops.
 */
function rawParser(onMsg, onOp) {
  const td = new TextDecoder();
  let rest = null;
  return (frame) => {
    let b = new Uint8Array(frame);
    if (rest) { const m = new Uint8Array(rest.length + b.length); m.set(rest); m.set(b, rest.length); b = m; rest = null; }
    let i = 0;
    for (;;) {
      const cr = b.indexOf(13, i);
      if (cr < 0 || cr + 1 >= b.length) break;
      const c0 = b[i];
      if (c0 === 77 || c0 === 72) { // MSG / HMSG
        const tokens = td.decode(b.subarray(i, cr)).split(" ");
        const total = Number(tokens[tokens.length - 1]);
        const end = cr + 2 + total;
        if (end + 2 > b.length) break;
        onMsg(tokens, b.subarray(cr + 2, end));
        i = end + 2;
      } else {
        onOp(td.decode(b.subarray(i, cr)));
        i = cr + 2;
      }
    }
    if (i < b.length) rest = b.slice(i);
  };
}

/** Connects a bare WebSocket (CONNECT with headers); `onMsg(tokens, payload)` per message. */
async function rawNats(onMsg) {
  const ws = new WebSocket(url);
  ws.binaryType = "arraybuffer";
  let pongs = 0;
  let waiter = null;
  const parse = rawParser(onMsg, (line) => {
    if (line === "PONG") pongs++;
    else if (line === "PING") ws.send(te.encode("PONG\r\n"));
  });
  ws.onmessage = (e) => { parse(e.data); if (waiter) waiter(); };
  await new Promise((r, j) => { ws.onopen = r; ws.onerror = j; });
  ws.send(te.encode('CONNECT {"verbose":false,"pedantic":false,"protocol":1,"headers":true,"no_responders":true}\r\nPING\r\n'));
  await new Promise((r) => { waiter = () => { if (pongs >= 1) { waiter = null; r(); } }; waiter(); });
  return ws;
}

/** `$JS.ACK` reply → [stream_seq, pending] (v1: 9 tokens, v2: 11+). */
function ackSeqPending(reply) {
  const t = reply.split(".");
  const o = t.length === 9 ? 2 : 4;
  return [Number(t[o + 3]), Number(t[o + 6])];
}

/**
 * P7 raw ceiling: SUB to a deliver subject and CONSUMER.CREATE of the watcher's ordered push consumer
 * (last_per_subject, ack none, flow control, heartbeats, mem storage), answering flow-control
 * requests, until a delivery's pending reaches 0. What the server itself allows.
 */
async function p7RawReplay(n = 10000) {
  const bucket = await ensureReplayBucket(n);
  let got = 0, done = null, fc = 0;
  const finished = new Promise((r) => { done = r; });
  const ws = await rawNats((tokens, payload) => {
    // MSG <subj> <sid> [reply] <n> | HMSG <subj> <sid> [reply] <hdr> <total>
    const isH = tokens[0] === "HMSG";
    const reply = tokens.length === (isH ? 6 : 5) ? tokens[3] : "";
    if (tokens[2] !== "1") return; // create reply on sid 2
    if (isH && payload[9] === 49 && payload[10] === 48 && payload[11] === 48) { // "NATS/1.0 100"
      if (reply) { fc++; ws.send(te.encode(`PUB ${reply} 0\r\n\r\n`)); }
      return;
    }
    got++;
    if (ackSeqPending(reply)[1] === 0) done();
  });
  const nuid = fresh("raw");
  const deliver = `_INBOX.${nuid}.1`;
  const name = `oc_${nuid}_1`;
  const filter = `$KV.${bucket}.>`;
  const body = JSON.stringify({
    stream_name: `KV_${bucket}`,
    config: {
      name, deliver_subject: deliver, deliver_policy: "last_per_subject", ack_policy: "none", max_deliver: 1,
      filter_subject: filter, replay_policy: "instant", flow_control: true, idle_heartbeat: 5e9,
      inactive_threshold: 3e11, headers_only: false, num_replicas: 1, mem_storage: true,
    },
  });
  const t0 = now();
  ws.send(te.encode(`SUB ${deliver} 1\r\nSUB _INBOX.${nuid}.r 2\r\n` +
    `PUB $JS.API.CONSUMER.CREATE.KV_${bucket}.${name}.${filter} _INBOX.${nuid}.r ${te.encode(body).length}\r\n${body}\r\n`));
  await finished;
  const ms = now() - t0;
  ws.close();
  if (got !== n) throw new Error(`raw replay got ${got} of ${n}`);
  return { value: ms, unit: "ms", fc };
}

/**
 * P14 raw ceiling: the same object moved by hand on a bare WebSocket — its 128 KiB chunks published to
 * the store's chunk subject with a reply each, 16 in flight, then read back through an ordered push
 * consumer with flow control (as the Object Store's get), counting bytes without copying them. MB/s
 * of the two together, like the client cases.
 */
async function p0Object(size) {
  const nc = await ours.connect({ servers: url });
  const bucket = fresh("p0o");
  const store = await new ours.Objm(nc).create(bucket, { storage: "memory" });
  const CHUNK = 128 * 1024, WINDOW = 16;
  const data = new Uint8Array(size).map((_, i) => i * 7);
  const nuid = fresh("raw");
  const chunkSubject = `$O.${bucket}.C.${nuid}`;
  // A frame reader that skips payloads (no concatenation): `onLine(line)` per control line,
  // `onPayload(bytes)` per payload slice; each MSG/HMSG line says how many payload bytes follow.
  const td = new TextDecoder();
  let skip = 0, line = "", replies = 0, received = 0, fc = 0, done = null, lastPending = -1, msgLine = null;
  const finished = new Promise((r) => { done = r; });
  const ws = new WebSocket(url);
  ws.binaryType = "arraybuffer";
  let pongs = 0, waiter = null;
  const onLine = (l) => {
    if (l === "PONG") { pongs++; return; }
    if (l === "PING") { ws.send(te.encode("PONG\r\n")); return; }
    if (!l.startsWith("MSG ") && !l.startsWith("HMSG ")) return;
    const t = l.split(" ");
    skip = Number(t[t.length - 1]) + 2;
    msgLine = t;
  };
  const onMessageEnd = (t, head) => {
    const isH = t[0] === "HMSG";
    const reply = t.length === (isH ? 6 : 5) ? t[3] : "";
    if (t[1].startsWith("_R.")) { replies++; return; }
    if (isH && head.startsWith("NATS/1.0 100")) { if (reply) { fc++; ws.send(te.encode(`PUB ${reply} 0\r\n\r\n`)); } return; }
    if (!reply.startsWith("$JS.ACK.")) return;
    received += Number(t[t.length - 1]);
    lastPending = ackSeqPending(reply)[1];
    if (lastPending === 0) done();
  };
  let head = "";
  ws.onmessage = (e) => {
    const b = new Uint8Array(e.data);
    let i = 0;
    while (i < b.length) {
      if (skip > 0) {
        const k = Math.min(skip, b.length - i);
        if (msgLine[0] === "HMSG" && head.length < 16) head += td.decode(b.subarray(i, i + Math.min(k, 16)));
        skip -= k; i += k;
        if (skip === 0) { onMessageEnd(msgLine, head); head = ""; }
        continue;
      }
      const nl = b.indexOf(10, i);
      if (nl < 0) { line += td.decode(b.subarray(i)); break; }
      line += td.decode(b.subarray(i, nl));
      i = nl + 1;
      onLine(line.replace(/\r$/, ""));
      line = "";
    }
    if (waiter) waiter();
  };
  await new Promise((r, j) => { ws.onopen = r; ws.onerror = j; });
  const wait = (cond) => new Promise((r) => { waiter = () => { if (cond()) { waiter = null; r(); } }; waiter(); });
  ws.send(te.encode('CONNECT {"verbose":false,"pedantic":false,"protocol":1,"headers":true,"no_responders":true}\r\nSUB _R.* 2\r\nPING\r\n'));
  await wait(() => pongs >= 1);
  const chunks = Math.ceil(size / CHUNK);
  const t0 = now();
  for (let i = 0; i < chunks; i++) {
    await wait(() => i - replies < WINDOW);
    const piece = data.subarray(i * CHUNK, Math.min(size, (i + 1) * CHUNK));
    const headLine = te.encode(`PUB ${chunkSubject} _R.${i} ${piece.length}\r\n`);
    const frame = new Uint8Array(headLine.length + piece.length + 2);
    frame.set(headLine); frame.set(piece, headLine.length); frame.set([13, 10], headLine.length + piece.length);
    ws.send(frame);
  }
  await wait(() => replies === chunks);
  const putMs = now() - t0;
  const deliver = `_INBOX.${nuid}.d`;
  const body = JSON.stringify({
    stream_name: `OBJ_${bucket}`,
    config: {
      name: `oc_${nuid}`, deliver_subject: deliver, deliver_policy: "all", ack_policy: "none", max_deliver: 1,
      filter_subject: chunkSubject, replay_policy: "instant", flow_control: true, idle_heartbeat: 5e9,
      inactive_threshold: 3e11, headers_only: false, num_replicas: 1, mem_storage: true,
    },
  });
  ws.send(te.encode(`SUB ${deliver} 1\r\nPUB $JS.API.CONSUMER.CREATE.OBJ_${bucket}.oc_${nuid}.${chunkSubject} _R.c ${te.encode(body).length}\r\n${body}\r\n`));
  await finished;
  const ms = now() - t0;
  ws.close();
  await store.destroy();
  await nc.close();
  if (received !== size) throw new Error(`P0 object: read back ${received} of ${size} bytes`);
  return { value: (2 * size) / 1e6 / (ms / 1000), unit: "MB/s", fc, putMs, getMs: ms - putMs };
}

async function wasmMemory() {
  const exports = await initWasm();
  return exports.memory.buffer.byteLength;
}

const jsHeap = () => (performance.memory ? performance.memory.usedJSHeapSize : 0);

window.bench = {
  setUrl(u) { url = u; },
  /** Adds the adapter "before": another build of ours served under /base/ (BENCH_BASELINE, A/B). */
  async addBaseline() { adapters.before = ourAdapter(await import("/base/js/index.js"), "nats-kv-wasm (before)"); },
  adapters: Object.keys(adapters),
  async run(caseId, who) {
    const c = adapters[who];
    switch (caseId) {
      case "P0 rtt": return p0Rtt();
      case "P0 pubsub 16B": return p0PubSub(16);
      case "P0 pubsub 128B": return p0PubSub(128);
      case "P0 pubsub 1KiB": return p0PubSub(1024, 30000);
      case "P0 receive 16B": return p0Receive(16);
      case "P0 request seq": return p0Request();
      case "P0 kv put": return p0Kv("put");
      case "P0 kv get": return p0Kv("get");
      case "P0 replay 10k": return p7RawReplay();
      case "P1 publish 16B": return p1PublishOnly(c);
      case "P2 pubsub 16B": return p2PubSub(c, 16);
      case "P2 pubsub 128B": return p2PubSub(c, 128);
      case "P2 pubsub 1KiB": return p2PubSub(c, 1024, 30000);
      case "P3 receive 16B": return p3ReceiveOnly(c);
      case "P4 request seq": return p4Request(c, 1);
      case "P4 request x64": return p4Request(c, 64);
      case "P5 kv put": return p5Kv(c, "put");
      case "P5 kv get": return p5Kv(c, "get");
      case "P6 watch pipelined": return p6PipelinedWatch(c);
      case "P7 replay 10k": return p7Replay(c);
      case "P0 js publish": return p0JsPublish();
      case "P11 js publish seq": return p11JsPublish(c, 1);
      case "P11 js publish x256": return p11JsPublish(c, 256);
      case "P0 pull 20k": return p0PullLoop();
      case "P0 object 1MiB": return p0Object(1 << 20);
      case "P0 object 8MiB": return p0Object(8 << 20);
      case "P0 pull noack 20k": return p0PullLoop(20000, false, 100);
      case "P12 consume 20k": return p12Pull(c, "consume");
      case "P12 fetch 20k": return p12Pull(c, "fetch");
      case "P13 ordered 20k": return p13Ordered(c);
      case "P14 object 1MiB": return p14Object(c, 1 << 20);
      case "P14 object 8MiB": return p14Object(c, 8 << 20);
      case "P14 object 64MiB stream": return p14ObjectStream(c, 64 << 20, who);
      default: throw new Error(`unknown case ${caseId}`);
    }
  },
  /** P4's sequential request split into client time before the wire, wire time and client time after. */
  async requestOverhead(who, n) {
    const c = adapters[who];
    const svc = await c.connect();
    const subj = fresh("ov.");
    svc.subscribe(subj, { callback: (_e, m) => m.respond(m.data) });
    await svc.flush();
    // The requester's socket: the next WebSocket made in this page.
    const Native = window.WebSocket;
    let sentAt = 0, frameAt = 0;
    window.WebSocket = class extends Native {
      constructor(...a) {
        super(...a);
        this.addEventListener("message", () => { frameAt = performance.now(); });
      }
      send(d) { sentAt = performance.now(); return super.send(d); }
    };
    let nc;
    try { nc = await c.connect(); } finally { window.WebSocket = Native; }
    const data = new Uint8Array(128);
    for (let i = 0; i < 50; i++) await nc.request(subj, data, { timeout: 5000 }); // warm-up
    const toSend = [], wire = [], toSettle = [], total = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      await nc.request(subj, data, { timeout: 5000 });
      const t1 = performance.now();
      toSend.push((sentAt - t0) * 1000); wire.push((frameAt - sentAt) * 1000); toSettle.push((t1 - frameAt) * 1000); total.push((t1 - t0) * 1000);
    }
    await svc.close(); await nc.close();
    let s = new Set(); for (const t = performance.now(); performance.now() - t < 5;) s.add(performance.now());
    const a = [...s];
    return { toSend: percentile(toSend, 50), wire: percentile(wire, 50), toSettle: percentile(toSettle, 50), total: percentile(total, 50), step: ((a[a.length - 1] - a[0]) / (a.length - 1)) * 1000 };
  },
  async memory() {
    // Collect first (Chromium runs with --expose-gc here): garbage waiting for the collector is not growth.
    if (typeof gc === "function") for (let i = 0; i < 3; i++) { gc(); await new Promise((r) => setTimeout(r, 20)); }
    return { wasm: await wasmMemory(), heap: jsHeap() };
  },
};

/** P8: cold start in a fresh page: import → connected → first get. */
window.coldStart = async (who, u, bucket) => {
  const t0 = performance.now();
  if (who === "ours") {
    const m = await import("/js/index.js");
    const nc = await m.connect({ servers: u });
    const kv = await new m.Kvm(nc).open(bucket);
    await kv.get("k");
    const ms = performance.now() - t0;
    await nc.close();
    return ms;
  }
  const m = await import("/bench/.build/natsjs.js");
  const nc = await m.wsconnect({ servers: u });
  const kv = await new m.Kvm(nc).open(bucket);
  await kv.get("k");
  const ms = performance.now() - t0;
  await nc.close();
  return ms;
};

/**
 * Batched direct gets by hand (ADR-31): `requests` pipelined requests of `batch` messages each, by
 * `next_by_subj` over the bucket from successive start sequences; ms until every EOB is in.
 */
async function rawDirectGet(bucket, requests, batch) {
  let got = 0, eobs = 0, done;
  const finished = new Promise((r) => { done = r; });
  const ws = await rawNats((tokens, payload) => {
    if (tokens[0] === "HMSG" && payload[9] === 50 && payload[10] === 48 && payload[11] === 52) { // 204 EOB
      if (++eobs === requests) done();
      return;
    }
    got++;
  });
  const nuid = fresh("dg");
  let out = `SUB _INBOX.${nuid}.* 1\r\n`;
  for (let i = 0; i < requests; i++) {
    const body = JSON.stringify({ next_by_subj: `$KV.${bucket}.>`, seq: 1 + i * batch, batch });
    out += `PUB $JS.API.DIRECT.GET.KV_${bucket} _INBOX.${nuid}.${i} ${body.length}\r\n${body}\r\n`;
  }
  const t0 = now();
  ws.send(te.encode(out));
  await finished;
  const ms = now() - t0;
  ws.close();
  if (got !== requests * batch) throw new Error(`direct get got ${got}`);
  return ms;
}

/** The status line a `multi_last` direct get over the whole bucket gets. */
async function rawMultiLast(bucket) {
  let done;
  const finished = new Promise((r) => { done = r; });
  const td = new TextDecoder();
  const ws = await rawNats((tokens, payload) => {
    const line = td.decode(payload.subarray(0, payload.indexOf(13)));
    if (line.length > 8) done(line);
  });
  const body = JSON.stringify({ multi_last: [`$KV.${bucket}.>`], batch: 100000 });
  ws.send(te.encode(`SUB _INBOX.ml.* 1\r\nPUB $JS.API.DIRECT.GET.KV_${bucket} _INBOX.ml.1 ${body.length}\r\n${body}\r\n`));
  const status = await finished;
  ws.close();
  return status;
}

/** For bench/p7-bound.mjs and exploratory scripts: the raw-protocol helpers of this page. */
window.benchInternals = {
  rawNats, ensureReplayBucket, ackSeqPending, rawDirectGet, rawMultiLast, fresh, getUrl: () => url,
  resetReplayBucket() { replayBucket = null; },
};
