// Interoperability with nats.js 3.4 (`@nats-io/jetstream`) in the same page: stream and consumer
// configurations created by one client read back identically by the other, messages published by one
// read (headers, data, sequence) by the other, and msgID de-duplication across both.
// nats.js is bundled with esbuild at test start (tests/e2e/natsjs-entry.mjs), as kv-interop does.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launchBrowser, startStack, modulePage, bundleNatsjs } from "./helpers.mjs";

let stack, browser, page, bundle;
before(async () => {
  bundle = bundleNatsjs("natsjs-entry.mjs");
  stack = await startStack({}, { files: { "/natsjs.js": bundle.file } });
  browser = await launchBrowser();
  page = await modulePage(browser, stack.web);
  await page.evaluate(async (url) => {
    window.njs = await import("/natsjs.js");
    const nc = await nats.connect({ servers: url });
    const theirNc = await njs.wsconnect({ servers: url });
    window.t = {
      nc, theirNc, n: 0,
      ours: await nats.jetstreamManager(nc), js: nats.jetstream(nc),
      theirs: await njs.jetstreamManager(theirNc), theirJs: njs.jetstream(theirNc),
    };
  }, stack.server.wsUrl);
});
after(async () => {
  await page?.evaluate(async () => { await t.nc.close(); await t.theirNc.close(); }).catch(() => {});
  await browser?.close();
  await stack?.close();
  bundle?.dispose();
});

/** A stream config using most StreamConfig fields of API.md. */
const streamConfig = (name) => ({
  name, subjects: [`${name}.>`], description: "interop", metadata: { team: "web" }, retention: "limits",
  storage: "memory", num_replicas: 1, max_consumers: 10, max_msgs: 1000, max_bytes: 1 << 20, max_age: 3600e9,
  max_msgs_per_subject: 100, max_msg_size: 4096, discard: "new", discard_new_per_subject: true,
  duplicate_window: 60e9, compression: "none", allow_rollup_hdrs: true, deny_delete: false, deny_purge: false,
  allow_direct: true, allow_msg_ttl: true, subject_delete_marker_ttl: 5e9, consumer_limits: { max_ack_pending: 50 },
});
const consumerConfig = {
  durable_name: "dur", description: "interop", metadata: { a: "b" }, ack_policy: "explicit", ack_wait: 10e9,
  max_deliver: 4, backoff: [1e9, 2e9], deliver_policy: "by_start_sequence", opt_start_seq: 1, replay_policy: "instant",
  filter_subject: "", max_ack_pending: 20, max_waiting: 16, max_batch: 50, max_expires: 60e9, headers_only: false,
  inactive_threshold: 300e9, num_replicas: 0, mem_storage: true,
};
/** Server-set user metadata and timestamps left out. */
const clean = (cfg) => ({ ...cfg, metadata: Object.fromEntries(Object.entries(cfg.metadata ?? {}).filter(([k]) => !k.startsWith("_nats"))) });

test("interop - a stream created by either client reads back identically in the other", async () => {
  const r = await page.evaluate(async ([ours, theirs]) => {
    const mine = await t.ours.streams.add(ours);
    const seenByThem = await t.theirs.streams.info(ours.name);
    const made = await t.theirs.streams.add(theirs);
    const seenByUs = await t.ours.streams.info(theirs.name);
    // Updates too: nats.js updates ours, we update theirs.
    await t.theirs.streams.update(ours.name, { description: "by nats.js" });
    await t.ours.streams.update(theirs.name, { description: "by us" });
    const d = [(await t.ours.streams.info(ours.name)).config.description, (await t.theirs.streams.info(theirs.name)).config.description];
    for (const n of [ours.name, theirs.name]) await t.ours.streams.delete(n);
    return { mine: mine.config, seenByThem: seenByThem.config, made: made.config, seenByUs: seenByUs.config, d };
  }, [streamConfig("IOA"), streamConfig("IOB")]);
  assert.deepEqual(clean(r.seenByThem), clean(r.mine));
  assert.deepEqual(clean(r.seenByUs), clean(r.made));
  const { name: _a, subjects: _s, ...restOurs } = clean(r.mine);
  const { name: _b, subjects: _t, ...restTheirs } = clean(r.made);
  assert.deepEqual(restOurs, restTheirs, "the same config gives the same stream in both clients");
  assert.deepEqual(r.d, ["by nats.js", "by us"]);
});

test("interop - a consumer created by either client reads back identically in the other", async () => {
  const r = await page.evaluate(async (cc) => {
    await t.ours.streams.add({ name: "IOC", subjects: ["IOC.>"], storage: "memory" });
    const mine = await t.ours.consumers.add("IOC", { ...cc, durable_name: "ours", filter_subject: "IOC.a" });
    const seenByThem = await t.theirs.consumers.info("IOC", "ours");
    const made = await t.theirs.consumers.add("IOC", { ...cc, durable_name: "theirs", filter_subject: "IOC.a" });
    const seenByUs = await t.ours.consumers.info("IOC", "theirs");
    const listedByThem = [];
    for await (const c of await t.theirs.consumers.list("IOC")) listedByThem.push(c.name);
    const listedByUs = (await t.ours.consumers.list("IOC")).map((c) => c.name);
    await t.ours.streams.delete("IOC");
    return { mine: mine.config, seenByThem: seenByThem.config, made: made.config, seenByUs: seenByUs.config, listedByThem: listedByThem.sort(), listedByUs: listedByUs.sort() };
  }, consumerConfig);
  assert.deepEqual(clean(r.seenByThem), clean(r.mine));
  assert.deepEqual(clean(r.seenByUs), clean(r.made));
  const strip = ({ durable_name, name, ...rest }) => rest;
  assert.deepEqual(strip(clean(r.mine)), strip(clean(r.made)));
  assert.deepEqual(r.listedByThem, ["ours", "theirs"]);
  assert.deepEqual(r.listedByUs, ["ours", "theirs"]);
});

test("interop - what one publishes the other reads; msgID de-duplication spans both clients", async () => {
  const r = await page.evaluate(async () => {
    await t.ours.streams.add({ name: "IOP", subjects: ["IOP.>"], storage: "memory" });
    const h = njs.headers();
    h.set("X-From", "nats.js");
    const a = await t.theirJs.publish("IOP.a", new Uint8Array([1, 2, 3]), { msgID: "m1", headers: h });
    const b = await t.js.publish("IOP.b", new Uint8Array([4, 5]), { msgID: "m2", headers: { "X-From": "us" } });
    const dupOfTheirs = await t.js.publish("IOP.a", "again", { msgID: "m1" });
    const dupOfOurs = await t.theirJs.publish("IOP.b", "again", { msgID: "m2" });
    const weRead = await t.ours.streams.getMessage("IOP", { seq: a.seq });
    const theyRead = await t.theirs.streams.getMessage("IOP", { seq: b.seq });
    const msgs = (await t.ours.streams.info("IOP")).state.messages;
    await t.ours.streams.delete("IOP");
    return {
      a: a.seq, b: b.seq, dupOfTheirs: [dupOfTheirs.duplicate, dupOfTheirs.seq], dupOfOurs: [dupOfOurs.duplicate, dupOfOurs.seq],
      weRead: { subject: weRead.subject, data: [...weRead.data], from: weRead.header.get("X-From"), id: weRead.header.get("Nats-Msg-Id") },
      theyRead: { subject: theyRead.subject, data: [...theyRead.data], from: theyRead.header.get("X-From"), id: theyRead.header.get("Nats-Msg-Id") },
      msgs,
    };
  });
  assert.deepEqual([r.a, r.b], [1, 2]);
  assert.deepEqual(r.dupOfTheirs, [true, 1]);
  assert.deepEqual(r.dupOfOurs, [true, 2]);
  assert.deepEqual(r.weRead, { subject: "IOP.a", data: [1, 2, 3], from: "nats.js", id: "m1" });
  assert.deepEqual(r.theyRead, { subject: "IOP.b", data: [4, 5], from: "us", id: "m2" });
  assert.equal(r.msgs, 2);
});

test("interop - what each client publishes the other consumes and acknowledges", async () => {
  const r = await page.evaluate(async () => {
    await t.ours.streams.add({ name: "IOX", subjects: ["IOX.>"], storage: "memory" });
    await t.ours.consumers.add("IOX", { durable_name: "mine", filter_subject: "IOX.theirs" });
    await t.theirs.consumers.add("IOX", { durable_name: "nats", filter_subject: "IOX.ours", ack_policy: "explicit" });
    for (let i = 0; i < 20; i++) {
      await t.theirJs.publish("IOX.theirs", `t${i}`);
      await t.js.publish("IOX.ours", `o${i}`, { headers: { i: String(i) } });
    }
    // We consume what nats.js published …
    const mine = await t.js.consumers.get("IOX", "mine");
    const got = [];
    for await (const m of await mine.fetch({ max_messages: 20, expires: 5000 })) { got.push(m.string()); m.ack(); }
    // … and nats.js consumes what we published.
    const theirs = await t.theirJs.consumers.get("IOX", "nats");
    const theyGot = [];
    const iter = await theirs.fetch({ max_messages: 20, expires: 5000 });
    for await (const m of iter) { theyGot.push([m.string(), m.headers?.get("i")]); await m.ackAck(); }
    await t.nc.flush(); // our acks are sent without waiting: a flush puts them on the server first
    const ours = await t.theirs.consumers.info("IOX", "mine");
    const natsjs = await t.ours.consumers.info("IOX", "nats");
    await t.ours.streams.delete("IOX");
    return { got, theyGot, ackPending: [ours.num_ack_pending, natsjs.num_ack_pending], floors: [ours.ack_floor.stream_seq, natsjs.ack_floor.stream_seq] };
  });
  assert.deepEqual(r.got, Array.from({ length: 20 }, (_, i) => `t${i}`));
  assert.deepEqual(r.theyGot, Array.from({ length: 20 }, (_, i) => [`o${i}`, String(i)]));
  assert.deepEqual(r.ackPending, [0, 0]);
  assert.deepEqual(r.floors, [39, 40]);
});
