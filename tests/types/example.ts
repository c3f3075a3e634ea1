// Calls every public API with its declared types; `tsc --noEmit` must accept it.
import {
  connect, headers, init, Kvm, KvWatchInclude, NatsError,
  type JetStreamOptions, type KV, type KvEntry, type KvOperation, type KvOptions, type KvStatus, type KvView,
  type KvWatcher, type KvWatchOptions, type Msg, type NatsConnection, type Status,
  jetstream, jetstreamManager, AckPolicy, DeliverPolicy, RetentionPolicy, StorageType, DiscardPolicy, nanos, millis,
  type StreamInfo, type ConsumerInfo, type PubAck, type StoredMsg, type JetStreamClient, type JetStreamManager,
  type Consumer, type ConsumerMessages, type JsMsg, type DeliveryInfo, type ConsumerNotification,
  type OrderedConsumerOptions, ReplayPolicy, type PushConsumer,
} from "nats-kv-wasm";

export async function pushExample(js: JetStreamClient): Promise<void> {
  const pc: PushConsumer = await js.consumers.getPushConsumer("TASKS", "workers");
  const ci: ConsumerInfo = await pc.info();
  const msgs: ConsumerMessages = await pc.consume({ abort_on_missing_resource: true });
  for await (const m of msgs) { m.ack(); if (m.info.pending === 0) break; }
  const cb = await pc.consume({ callback: (m) => m.term("later") });
  console.log(ci.push_bound, pc.isPullConsumer(), pc.isPushConsumer(), await cb.close(), await pc.delete());
}

export async function orderedExample(js: JetStreamClient): Promise<void> {
  const opts: OrderedConsumerOptions = {
    name_prefix: "replay", filter_subjects: ["ORDERS.eu.>", "ORDERS.us.>"], deliver_policy: DeliverPolicy.StartTime,
    opt_start_time: new Date(0).toISOString(), replay_policy: ReplayPolicy.Instant, inactive_threshold: 60_000, headers_only: false,
  };
  const oc: Consumer = await js.consumers.get("ORDERS", opts);
  const all: Consumer = await js.consumers.get("ORDERS");
  const first: JsMsg | null = await oc.next({ expires: 1000 });
  const rest = await all.fetch({ max_messages: 100, expires: 2000 });
  for await (const m of rest) console.log(m.seq, m.info.streamSequence, first?.subject);
}

export async function pullExample(js: JetStreamClient): Promise<void> {
  const c: Consumer = await js.consumers.get("ORDERS", "order-review");
  const ci: ConsumerInfo = await c.info(true);
  const batch: ConsumerMessages = await c.fetch({ max_messages: 10, expires: 5000, idle_heartbeat: 1000 });
  for await (const m of batch) {
    const i: DeliveryInfo = m.info;
    const ns: bigint = m.timestampNanos;
    console.log(m.subject, m.seq, m.redelivered, m.time, m.timestamp, m.string(), m.json<{ id: number }>().id, i.pending, ns, m.headers?.get("a"));
    m.working();
    m.nak(1000);
    m.term("bad");
    m.ack();
    const ok: boolean = await m.ackAck({ timeout: 1000 });
    console.log(ok);
  }
  const one: JsMsg | null = await c.next({ expires: 2000 });
  const msgs = await c.consume({ max_bytes: 1 << 20, threshold_bytes: 1 << 19, abort_on_missing_resource: true, callback: (m) => m.ack() });
  for await (const n of msgs.status()) { const s: ConsumerNotification = n; console.log(s.type); }
  console.log(ci.num_pending, one?.seq, msgs.getPending(), msgs.getReceived(), msgs.getProcessed(), c.isPullConsumer(), c.isPushConsumer());
  msgs.stop();
  const end: void | Error = await msgs.close();
  console.log(end, await msgs.closed(), await c.delete(), (await c.consume({ max_messages: 5, threshold_messages: 2 })).stop(new Error("x")));
}

export async function jetStreamExample(nc: NatsConnection): Promise<void> {
  const jsm: JetStreamManager = await jetstreamManager(nc, { timeout: 2000 });
  const si: StreamInfo = await jsm.streams.add({
    name: "ORDERS", subjects: ["ORDERS.*"], retention: RetentionPolicy.Workqueue, storage: StorageType.Memory,
    discard: DiscardPolicy.Old, max_age: nanos(60_000), sources: [{ name: "X", domain: "hub", subject_transforms: [{ src: "a.>", dest: "b.>" }] }],
  });
  console.log(si.state.messages, millis(si.config.max_age ?? 0));
  await jsm.streams.update("ORDERS", { description: "orders" });
  for await (const s of jsm.streams.list("ORDERS.*")) console.log(s.config.name);
  const names: string[] = await jsm.streams.names();
  const first: string[] = await jsm.streams.names().next();
  const found: string = await jsm.streams.find("ORDERS.created");
  const m: StoredMsg | null = await jsm.streams.getMessage("ORDERS", { last_by_subj: "ORDERS.created" });
  if (m) console.log(m.seq, m.header.get("n"), m.time.getTime(), m.json<{ id: number }>().id);
  await jsm.streams.deleteMessage("ORDERS", 1, false);
  const { purged }: { purged: number } = await jsm.streams.purge("ORDERS", { filter: "ORDERS.x", keep: 1 });
  const ci: ConsumerInfo = await jsm.consumers.add("ORDERS", { durable_name: "order-review", ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All });
  await jsm.consumers.update("ORDERS", "order-review", { max_deliver: 3 });
  const cs: ConsumerInfo[] = await jsm.consumers.list("ORDERS");
  const js: JetStreamClient = jetstream(nc);
  const ack: PubAck = await js.publish("ORDERS.created", JSON.stringify({ id: 1 }), {
    msgID: "1", expect: { lastSubjectSequence: 0 }, headers: { a: "b" }, ttl: "10s", timeout: 1000, retries: 3,
  });
  console.log(names, first, found, purged, ci.num_ack_pending, cs.length, ack.seq, ack.duplicate, js.apiPrefix);
  console.log(await jsm.streams.delete("ORDERS"), await jsm.consumers.delete("ORDERS", "order-review"), jsm.jetstream().getOptions());
}

export async function example(): Promise<void> {
  await init();
  const nc: NatsConnection = await connect({
    servers: ["ws://127.0.0.1:8080"], name: "types", user: "u", pass: "p", timeout: 5000, reconnect: true,
    maxReconnectAttempts: -1, reconnectTimeWait: 100, reconnectJitter: 10, pingInterval: 1000, maxPingOut: 2,
    noEcho: false, noRandomize: true, ignoreClusterUpdates: false, waitOnFirstConnect: false, inboxPrefix: "_I",
  });
  const version: string | undefined = nc.info?.version;
  const stop: () => void = nc.onStatus((s: Status) => console.log(s.type, s.data, version));
  // `type` narrows `data`; the `never` check fails to compile if a status type is left out.
  nc.onStatus((s) => {
    switch (s.type) {
      case "disconnect": case "reconnecting": case "reconnect": case "ldm": { const server: string = s.data; console.log(server); break; }
      case "update": { const { added, deleted }: { added: string[]; deleted: string[] } = s.data; console.log(added, deleted); break; }
      case "error": { const err: NatsError = s.data; console.log(err.code); break; }
      case "slowConsumer": { const sid: number = s.data; console.log(sid); break; }
      case "staleConnection": case "close": { const none: undefined = s.data; console.log(none); break; }
      default: { const unhandled: never = s; console.log(unhandled); }
    }
  });
  const h = headers();
  h.set("X-A", "1");
  h.append("X-A", "2");
  nc.publish("a.b", "text", { headers: h, reply: "r" });
  nc.publish("a.b", new Uint8Array([1]), { headers: { K: ["v1", "v2"] } });
  const sub = nc.subscribe("a.*", { queue: "q", max: 10, callback: (err: NatsError | null, m: Msg) => console.log(err?.code, m.subject) });
  sub.unsubscribe(5);
  const iter = nc.subscribe("b.>");
  for await (const m of iter) {
    const s: string = m.string();
    const j = m.json<{ a: number }>();
    m.respond(`${s}${j.a}`);
    break;
  }
  await iter.drain();
  const reply: Msg = await nc.request("svc", "x", { timeout: 100 });
  console.log(reply.headers?.get("X"), reply.headers?.code, reply.data.length);
  const rtt: number = await nc.rtt();
  await nc.flush();
  console.log(rtt, sub.getReceived(), sub.getSubject(), sub.isClosed(), KvWatchInclude.AllHistory);
  stop();
  try { await nc.drain(); } catch (e) { if (e instanceof NatsError) console.log(e.code, e.apiCode, e.errCode); }
  await nc.close();
  const closed: NatsError | undefined = await nc.closed();
  console.log(closed?.code, nc.isClosed());
}

// Every Key/Value API: Kvm, KV methods, watch options and both ways of consuming a watch, view(), modify().
export async function kvExample(nc: NatsConnection): Promise<void> {
  const jsOpts: JetStreamOptions = { apiPrefix: "$JS.API", domain: "hub", timeout: 2000, watcherPrefix: "_WATCH" };
  const kvm = new Kvm(nc, jsOpts);
  new Kvm(nc);
  const opts: KvOptions = {
    history: 5, ttl: 60_000, maxBytes: -1, maxValueSize: 1024, storage: "file", replicas: 1, compression: true,
    description: "config", metadata: { team: "web" }, markerTTL: 5000, allowDirect: true,
    republish: { src: ">", dest: "repub.>", headers_only: false }, placement: { cluster: "c1", tags: ["ssd"] }, timeout: 3000,
  };
  const kv: KV = await kvm.create("config", opts);
  await kvm.create("mirror", { mirror: { name: "config", domain: "hub" }, storage: "memory" });
  await kvm.create("agg", { sources: [{ name: "config" }, { name: "other", domain: "leaf" }] });
  const opened: KV = await kvm.open("config", { timeout: 1000 });
  const all: KvStatus[] = await kvm.list();
  console.log(opened.bucket, all.map((s) => `${s.bucket} ${s.values} ${s.history} ${s.ttl} ${s.markerTTL} ${s.storage} ${s.replicas}`));

  const bucket: string = kv.bucket;
  const r1: number = await kv.put("a.b", "text");
  const r2: number = await kv.put("a.b", new Uint8Array([1, 2]), { previousSeq: r1, timeout: 500 });
  await kv.put("fresh", "x", { previousSeq: 0 });
  const r3: number = await kv.create("c", "v");
  await kv.create("d", "v", "5s");
  await kv.create("e", "v", 5000);
  const r4: number = await kv.update("a.b", "new", r2);
  await kv.update("a.b", new Uint8Array(0), r4, 1000);
  const e: KvEntry | null = await kv.get("a.b");
  if (e) {
    const op: KvOperation = e.operation;
    const created: Date = e.created;
    const value: Uint8Array = e.value;
    const cfg = e.json<{ max: number }>();
    console.log(bucket, e.bucket, e.key, e.revision, e.delta, e.length, e.isUpdate, e.string(), op, created.getTime(), value.length, cfg.max);
  }
  const old: KvEntry | null = await kv.get("a.b", { revision: r1 });
  console.log(old?.revision, r3);
  const next: number = await kv.modify("counter", (cur: KvEntry | null) => JSON.stringify({ n: (cur?.json<{ n: number }>().n ?? 0) + 1 }));
  await kv.modify("counter", (cur) => (cur ? undefined : new Uint8Array([0])), { maxRetries: 3 });
  await kv.delete("c");
  await kv.delete("a.b", { previousSeq: next });
  await kv.purge("d");
  await kv.purge("e", { previousSeq: 1, ttl: "1m" });
  await kv.purge("e", { ttl: 60_000 });
  const keys: string[] = await kv.keys();
  await kv.keys("a.>");
  await kv.keys(["a.*", "c"]);
  const hist: KvEntry[] = await kv.history();
  await kv.history({ key: "a.b" });
  await kv.history({ key: ["a.b", "c"], headers_only: true });
  console.log(keys.length, hist.length);

  const wopts: KvWatchOptions = {
    key: ["a.>", "c"], include: KvWatchInclude.AllHistory, resumeFromRevision: 3, ignoreDeletes: true, headers_only: false,
  };
  const watcher: KvWatcher = await kv.watch(wopts);
  await watcher.initialized;
  for await (const entry of watcher) {
    console.log(entry.key, entry.operation, entry.isUpdate);
    break;
  }
  watcher.stop();
  const cbWatcher = await kv.watch({
    key: "a.b", include: KvWatchInclude.UpdatesOnly,
    callback: (entry: KvEntry) => console.log(entry.revision),
    onInitialized: () => console.log("initial values in"),
  });
  cbWatcher.stop();
  await kv.watch({ include: "" });
  await kv.watch();

  const view: KvView = await kv.view();
  await kv.view({ key: "a.>" });
  const filtered = await kv.view({ key: ["a.*", "c"] });
  await view.ready;
  const snap: ReadonlyMap<string, KvEntry> = view.getSnapshot();
  const un: () => void = view.subscribe((s: ReadonlyMap<string, KvEntry>) => console.log(s.size, s.get("a.b")?.string()));
  const fromView: KvEntry | undefined = view.get("a.b");
  console.log(snap.size, fromView?.revision, view.keys().join(), view.size, view.revision);
  un();
  view.close();
  filtered.close();

  const st: KvStatus = await kv.status();
  const meta: Record<string, string> = st.metadata;
  console.log(st.size, st.compression, st.description, meta, st.maxBytes, st.maxValueSize);
  const { purged }: { purged: number } = await kv.purgeDeletes();
  await kv.purgeDeletes(60_000);
  const destroyed: boolean = await kv.destroy();
  console.log(purged, destroyed);
  try { await kvm.open("missing"); } catch (err) {
    if (err instanceof NatsError && (err.code === "BUCKET_NOT_FOUND" || err.code === "WRONG_LAST_REVISION")) console.log(err.apiCode);
  }
}

// ---- Object Store ----
import {
  Objm, type ObjectStore, type ObjectInfo, type ObjectResult, type ObjectWatcher, type ObjectWatchInfo,
  type ObjectStoreStatus, type ObjectStoreOptions, type ObjectStoreMeta, type ObjectStorePutOpts,
} from "nats-kv-wasm";

export async function objExample(nc: NatsConnection): Promise<void> {
  const objm = new Objm(nc);
  new Objm(jetstream(nc), { timeout: 5000 });
  const opts: ObjectStoreOptions = { description: "models", ttl: nanos(86_400_000), max_bytes: 1 << 30, storage: "file", replicas: 1, compression: true, metadata: { team: "ml" } };
  const os: ObjectStore = await objm.create("assets", opts);
  await objm.open("assets");
  await objm.open("assets", false);
  for await (const s of objm.list()) console.log(s.bucket, s.sealed, s.size);
  const meta: ObjectStoreMeta = { name: "model.onnx", description: "v3", headers: { "Content-Type": "application/onnx" }, metadata: { version: "3" }, options: { max_chunk_size: 256 * 1024 } };
  const putOpts: ObjectStorePutOpts = { previousRevision: 0, timeout: 10_000, onProgress: (done: number, total?: number) => console.log(done, total) };
  const file = new Blob([new Uint8Array(10)]);
  const info: ObjectInfo = await os.put(meta, file, putOpts);
  await os.put({ name: "stream.bin" }, file.stream());
  await os.put({ name: "empty" }, null);
  await os.putBlob({ name: "small", headers: headers() }, new Uint8Array([1, 2, 3]));
  await os.putBlob({ name: "none" }, null);
  console.log(info.name, info.size, info.chunks, info.digest, info.mtime, info.revision, info.headers.get("Content-Type"), info.options?.link?.bucket);
  const res: ObjectResult | null = await os.get("model.onnx");
  if (res) {
    for await (const chunk of res.data as unknown as AsyncIterable<Uint8Array>) console.log(chunk.length);
    const err: NatsError | null = await res.error;
    console.log(res.info.size, err?.code);
  }
  const bytes: Uint8Array | null = await os.getBlob("model.onnx");
  const maybe: ObjectInfo | null = await os.info("model.onnx");
  const all: ObjectInfo[] = await os.list();
  const { success, purged }: { success: boolean; purged: number } = await os.delete("small");
  const link: ObjectInfo = await os.link("latest", info);
  await os.linkStore("other", os);
  const ack: PubAck = await os.update("model.onnx", { description: "v3.1", name: "model-v3.onnx" });
  const w: ObjectWatcher = await os.watch({ includeHistory: true, ignoreDeletes: true });
  await w.initialized;
  for await (const e of w) { const u: ObjectWatchInfo = e; console.log(u.isUpdate); break; }
  w.stop();
  const cb = await os.watch({ updatesOnly: true, callback: (i: ObjectWatchInfo) => console.log(i.name), onInitialized: () => console.log("in") });
  cb.stop();
  const st: ObjectStoreStatus = await os.status();
  const sealed: ObjectStoreStatus = await os.seal();
  const gone: boolean = await os.destroy();
  console.log(bytes?.length, maybe?.deleted, all.length, success, purged, link.revision, ack.seq, st.ttl, st.streamInfo.config.name, sealed.sealed, gone, os.bucket);
}
