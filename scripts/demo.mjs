// The `npm start` demo, so that a newcomer sees the dashboard move at once: a `config` KV bucket whose keys a
// small writer changes every few seconds, and the classic `ORDERS` stream (subjects `ORDERS.*`) with an order
// published to `ORDERS.created` about every second, reviewed by the durable pull consumer `order-review`
// (batches of up to 10; it acks each order and publishes `ORDERS.approved`; every 7th order gets a second look:
// a nak, so the dashboard's "redelivered" column moves too), and an `assets` object store holding two small
// files, so that the Files view has something to show.
// It runs in Node with the official nats.js 3.4 (@nats-io/nats-core, /jetstream, /kv: devDependencies) over the
// server's TCP port. Node 20 has no WebSocket, and nats-core 3 ships only its WebSocket transport; that
// transport takes a socket factory, and the NATS protocol is the same bytes on both listeners, so a plain TCP
// socket dressed as a WebSocket (tcpSocket below) carries it.
//   import { startDemo } from "./demo.mjs"; const demo = await startDemo("nats://127.0.0.1:4222"); … await demo.stop();
//   node scripts/demo.mjs nats://127.0.0.1:4222     (runs until Ctrl-C)
import { connect as netConnect } from "node:net";
import { fileURLToPath } from "node:url";
import { wsconnect, headers } from "@nats-io/nats-core";
import { jetstream, jetstreamManager, AckPolicy, DeliverPolicy } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { Objm } from "@nats-io/obj";

export const STREAM = "ORDERS";
export const CONSUMER = "order-review";
export const BUCKET = "config";
export const ASSETS = "assets";
/** The demo's files: written once, kept if they exist. */
export const ASSET_FILES = [
  [{ name: "README.txt", description: "what this store is", headers: { "Content-Type": "text/plain" } },
    "Files kept in a NATS object store: cut into chunks in the stream OBJ_assets, each with a SHA-256 digest.\n"],
  [{ name: "config/theme.json", description: "the shop's colours", headers: { "Content-Type": "application/json" }, metadata: { owner: "web", version: "2" } },
    `${JSON.stringify({ accent: "#3d8bfd", background: "#0b0f17", radius: 10 }, null, 2)}\n`],
];
/** What the dashboard opens on (its /config.json `open`) when it runs on the demo server. */
export const DEMO_OPEN = { view: "streams", stream: STREAM, bucket: BUCKET, store: "assets" };

/** A TCP connection with the part of the WebSocket interface that nats-core's transport uses. */
function tcpSocket(url) {
  const { hostname, port } = new URL(url);
  const sock = netConnect({ host: hostname, port: Number(port) });
  sock.setNoDelay(true);
  const ws = {
    binaryType: "arraybuffer", onopen: null, onmessage: null, onclose: null, onerror: null,
    get bufferedAmount() { return sock.writableLength; },
    send(data) { sock.write(new Uint8Array(data)); },
    close() { sock.end(); },
  };
  sock.on("connect", () => ws.onopen?.({}));
  sock.on("data", (b) => ws.onmessage?.({ data: b.buffer.slice(b.byteOffset, b.byteOffset + b.length) }));
  sock.on("error", (e) => ws.onerror?.({ message: e.message }));
  sock.on("close", () => ws.onclose?.({ wasClean: true, reason: "" }));
  return ws;
}

/** nats.js over TCP: `nats://host:port` (wsconnect reads it as ws://host:port; the factory dials TCP there). */
export function connectTcp(natsUrl, opts = {}) {
  return wsconnect({
    servers: natsUrl, name: "nats-kv-wasm demo", maxReconnectAttempts: -1, reconnectTimeWait: 500, ...opts,
    wsFactory: async (u) => ({ socket: tcpSocket(u), encrypted: false }),
  });
}

const pick = (a) => a[Math.floor(Math.random() * a.length)];
const CUSTOMERS = ["ada", "grace", "linus", "margaret", "ken", "barbara", "dennis", "radia"];
const PRODUCTS = [["sku-kbd", "Keyboard", 59], ["sku-mse", "Mouse", 25], ["sku-mon", "Monitor 27\"", 279], ["sku-cbl", "USB-C cable", 9], ["sku-hub", "Dock", 119]];
const BANNERS = ["All systems normal", "Deploy at 14:00 UTC", "New pricing live", "Scheduled maintenance on Sunday"];

/** The next value of each config key (one key changes per tick, in turn). */
const CONFIG = [
  ["ui.theme", () => pick(["dark", "light"])],
  ["feature.checkout-v2", () => pick(["on", "off"])],
  ["limits.api", () => { const rps = pick([50, 100, 200, 400]); return JSON.stringify({ rps, burst: rps * 2 }); }],
  ["ui.banner", () => pick(BANNERS)],
  ["orders.review", () => JSON.stringify({ auto_approve_below: pick([20, 50, 100]), reviewers: pick([1, 2, 3]) })],
];

function makeOrder(id) {
  const items = Array.from({ length: 1 + Math.floor(Math.random() * 3) }, () => {
    const [sku, name, price] = pick(PRODUCTS);
    return { sku, name, qty: 1 + Math.floor(Math.random() * 3), price };
  });
  return { id, customer: pick(CUSTOMERS), items, total: items.reduce((s, i) => s + i.qty * i.price, 0), currency: "EUR", created_at: new Date().toISOString() };
}

/**
 * Sets up the bucket, the stream and the consumer (keeping what exists), then starts the writer, the feeder
 * and the reviewer. Resolves to `{ stop(), stats }`; `stats` counts published, reviewed (acked) and nak'ed
 * orders and config writes. `opts`: `orderEvery`, `configEvery`, `reviewEvery` (ms), `log(line)`.
 */
export async function startDemo(natsUrl, { orderEvery = 1000, configEvery = 3000, reviewEvery = 2500, log = () => {} } = {}) {
  const nc = await connectTcp(natsUrl);
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  const stats = { published: 0, reviewed: 0, naks: 0, configWrites: 0 };
  const timers = new Set();
  let stopped = false;
  let batch = null;
  const sleep = (ms) => new Promise((r) => { const t = setTimeout(() => { timers.delete(t); r(); }, ms); timers.add(t); });
  const report = (what) => (e) => { if (!stopped) log(`demo: ${what}: ${e.message}`); };

  const kv = await new Kvm(nc).create(BUCKET, { history: 10, description: "Demo: changed every few seconds by scripts/demo.mjs" });
  for (const [key, next] of CONFIG) if (!(await kv.get(key))) await kv.put(key, next());

  // The object store: created (or opened as it is) and given its two files unless they are there.
  try {
    const objm = new Objm(nc);
    const assets = await objm.create(ASSETS, { description: "Demo: files written by scripts/demo.mjs" });
    for (const [meta, text] of ASSET_FILES) {
      if (await assets.info(meta.name)) continue;
      const h = headers();
      for (const [k, v] of Object.entries(meta.headers)) h.set(k, v);
      await assets.putBlob({ ...meta, headers: h }, new TextEncoder().encode(text));
    }
  } catch (e) { report("assets")(e); }

  let si;
  try {
    si = await jsm.streams.add({ name: STREAM, subjects: [`${STREAM}.*`], storage: "file", max_msgs: 10000, description: "Demo: orders published by scripts/demo.mjs" });
  } catch { si = await jsm.streams.info(STREAM); } // it exists with another configuration: use it as it is
  try {
    await jsm.consumers.add(STREAM, { durable_name: CONSUMER, filter_subject: `${STREAM}.created`, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, description: "Demo: reviews orders in batches of 10" });
  } catch (e) { report("order-review")(e); }
  let nextId = 1000 + si.state.messages;

  // Writer: one config key changes every `configEvery` ms.
  (async () => {
    for (let i = 0; !stopped; i++) {
      await sleep(configEvery);
      if (stopped) break;
      const [key, next] = CONFIG[i % CONFIG.length];
      await kv.put(key, next()).then(() => stats.configWrites++, report(`config ${key}`));
    }
  })();

  // Feeder: an order to ORDERS.created every `orderEvery` ms (msgID: a retry is stored once).
  (async () => {
    while (!stopped) {
      const order = makeOrder(++nextId);
      const h = headers();
      h.set("Content-Type", "application/json");
      h.set("Order-Id", String(order.id));
      await js.publish(`${STREAM}.created`, JSON.stringify(order), { msgID: `order-${order.id}-${order.created_at}`, headers: h })
        .then(() => stats.published++, report("publish"));
      await sleep(orderEvery);
    }
  })();

  // Reviewer: `order-review` fetches up to 10 at a time, acks each and publishes ORDERS.approved.
  (async () => {
    const consumer = await js.consumers.get(STREAM, CONSUMER);
    while (!stopped) {
      try {
        batch = await consumer.fetch({ max_messages: 10, expires: 2000 });
        for await (const m of batch) {
          const order = m.json();
          if (order.id % 7 === 0 && !m.redelivered) { m.nak(2000); stats.naks++; continue; } // a second look later
          await sleep(100); // reviewing: num_ack_pending shows it
          m.ack();
          stats.reviewed++;
          await js.publish(`${STREAM}.approved`, JSON.stringify({ id: order.id, total: order.total, approved_at: new Date().toISOString() }))
            .catch(report("approve"));
        }
      } catch (e) { report("review")(e); }
      batch = null;
      if (!stopped) await sleep(reviewEvery);
    }
  })().catch(report("reviewer"));

  log(`demo: bucket ${BUCKET}, object store ${ASSETS}, stream ${STREAM} with consumer ${CONSUMER} (orders every ${orderEvery} ms)`);
  return {
    stats, nc,
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const t of timers) clearTimeout(t);
      batch?.stop();
      await nc.drain().catch(() => nc.close());
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const url = process.argv[2] || "nats://127.0.0.1:4222";
  const demo = await startDemo(url, { log: (l) => console.log(l) });
  const stop = async () => { await demo.stop(); process.exit(0); };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
