// nats.js `kv/tests/kv_test.ts` (nats-io/nats.js 3a7b736b, KV-SPEC.md §4), part 2 of 2: cases 39–85,
// ported to this package's API (API.md) and run in headless Chromium against nats-server 2.15 (see
// kv-natsjs-1.test.mjs for the conventions). Time-based cases use the shortest durations the server
// accepts (1 s for per-message and marker TTLs) and wait for events. Polled with a deadline, as the
// server sends nothing for them: TTL expiry, a marker reaching the age purgeDeletes() compares with
// ("kv - purge deletes", nats.js sleeps 1 s), and a put retried after the server restart.
//
// Skipped cases of part 2:
// - "kv - mirror cross domain": needs a leaf node and a second JetStream domain.
// - "kv - replicas": needs a 3-node JetStream cluster; ported in tests/reliability/cluster.test.mjs.
// - "kv - kv rejects in older servers": needs a server older than 2.6.2 (nats.js fakes the version).
// - "kv - bind no info", "kv - bind doesn't check jetstream": nats.js `bindOnly` (no STREAM.INFO on
//   bind); this API has no bindOnly, and open() deliberately reads STREAM.INFO to report
//   BUCKET_NOT_FOUND (API.md).
// - "kv - honors checkAPI option": the JetStream `checkAPI` option is a nats.js internal (not in
//   API.md's JetStreamOptions).
// - "kv - encoder": custom key/value codecs are not part of this API.
// Partly ported:
// - "kv - defaults to discard new - if server 2.7.2": the 2.15 half (discard "new"); the branch for
//   servers older than 2.7.2 needs such a server.
// - "kv - allow direct": how a bucket reads (DIRECT.GET or STREAM.MSG.GET) is observed on the wire;
//   rebinding with another allowDirect is BUCKET_EXISTS here (API.md: create() with a different
//   configuration), where nats.js switches the client's read path; the "server < 2.9" half is skipped.
// - "kv - initialized watch with modifications", "kv - watcherPrefix": the consumer's state as the
//   server lists it, where nats.js reads its consumer object.
// - "kv - republish header handling": nats.js reads one bucket with and without direct get by
//   re-creating it with another allow_direct; that is BUCKET_EXISTS here, so two buckets are used.
// - "kv - put/update timeouts": nats.js's `bindOnly` open of a missing bucket becomes a bucket that is
//   destroyed after open(), with a plain subscriber on its subjects that never answers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ctx, setupFile, bucket, inPage } from "./kv-natsjs-common.mjs";

setupFile();

test("kv - watch iter stops", async () => {
  const r = await inPage(async ({ url, b }) => {
    const nc = await T.connect(url);
    const kv = await new nats.Kvm(nc).create(b);
    const watch = await kv.watch();
    let n = 0;
    const done = (async () => { for await (const _e of watch) n++; return "ended"; })();
    watch.stop();
    const out = await T.deadline(done, 5000, "iteration ends after stop()");
    await nc.close();
    return { out, n };
  }, { b: bucket() });
  assert.deepEqual(r, { out: "ended", n: 0 });
});

test("kv - defaults to discard new - if server 2.7.2", async () => {
  const r = await inPage(async ({ url, b }) => {
    const nc = await T.connect(url);
    await new nats.Kvm(nc).create(b);
    const si = await T.api(nc, `$JS.API.STREAM.INFO.KV_${b}`);
    const version = nc.info.version;
    await nc.close();
    return { discard: si.config.discard, version };
  }, { b: bucket() });
  const [maj, min] = r.version.split(".").map(Number);
  assert.ok(maj > 2 || (maj === 2 && min >= 8), `server ${r.version} is newer than 2.7.2`);
  assert.equal(r.discard, "new");
});

test("kv - initialized watch empty", async () => {
  const r = await inPage(async ({ url, b }) => {
    const nc = await T.connect(url);
    const kv = await new nats.Kvm(nc).create(b);
    let initCalls = 0;
    const iter = await kv.watch({ onInitialized: () => initCalls++ });
    let received = 0;
    const done = (async () => { for await (const _e of iter) received++; })();
    // unlike nats.js, the empty bucket's watch says when its (no) initial values are delivered
    await T.deadline(iter.initialized, 5000, "initialized");
    const atInit = received;
    iter.stop();
    await T.deadline(done, 5000, "iteration ends");
    await nc.close();
    return { atInit, received, initCalls };
  }, { b: bucket() });
  assert.deepEqual(r, { atInit: 0, received: 0, initCalls: 1 });
});

test("kv - initialized watch with modifications", async () => {
  const r = await inPage(async ({ url, b }) => {
    const nc = await T.connect(url);
    const kv = await new nats.Kvm(nc).create(b);
    for (const k of ["A", "B", "C"]) await kv.put(k, new Uint8Array(0));
    // 100 more puts: the first 50 race with the watcher's start, the rest follow its initial values
    // (so that some are updates however the race goes on a loaded machine)
    let started;
    const watcherStarted = new Promise((r) => { started = r; });
    const writing = new Promise((resolve) => setTimeout(async () => {
      for (let i = 0; i < 50; i++) await kv.put(String(i), new Uint8Array(0));
      await (await watcherStarted).initialized;
      for (let i = 50; i < 100; i++) await kv.put(String(i), new Uint8Array(0));
      resolve();
    }));
    const iter = await kv.watch();
    started(iter);
    const seen = [];
    const got103 = T.deferred();
    (async () => {
      for await (const e of iter) {
        seen.push({ revision: e.revision, isUpdate: e.isUpdate });
        if (seen.length === 103) got103.resolve();
      }
    })();
    await T.deadline(got103, 20000, "103 entries");
    await writing;
    const cs = await T.consumers(nc, `KV_${b}`);
    iter.stop();
    await nc.close();
    return { seen, consumers: cs.map((c) => ({ pending: c.num_pending, delivered: c.delivered.consumer_seq })) };
  }, { b: bucket() });
  assert.equal(r.seen.length, 103);
  assert.deepEqual(r.seen.map((e) => e.revision), Array.from({ length: 103 }, (_, i) => i + 1), "each revision once, in order");
  const history = r.seen.filter((e) => !e.isUpdate).length;
  assert.ok(history >= 3 && history < 103, `initial values: ${history}`);
  assert.ok(r.seen.slice(0, history).every((e) => !e.isUpdate), "the initial values come first");
  assert.ok(r.seen.slice(history).every((e) => e.isUpdate), "then only updates");
  assert.deepEqual(r.consumers, [{ pending: 0, delivered: 103 }]);
});

test("kv - get revision", async () => {
  const r = await inPage(async ({ url, b }) => {
    const nc = await T.connect(url);
    const kv = await new nats.Kvm(nc).create(b, { history: 3 });
    const check = async (key, revision) => {
      const e = await kv.get(key, revision ? { revision } : undefined);
      return e === null ? null : e.string();
    };
    await kv.put("A", "a");
    await kv.put("A", "b");
    await kv.put("A", "c");
    const out = [];
    out.push(await check("B", 1)); // sequence 1 holds "A"
    out.push(await check("A"));
    out.push(await check("A", 1));
    out.push(await check("A", 2));
    await kv.put("A", "d");
    out.push(await check("A"));
    out.push(await check("A", 1)); // rolled out of the history
    await nc.close();
    return out;
  }, { b: bucket() });
  assert.deepEqual(r, [null, "c", "a", "b", "d", null]);
});

test("kv - purge deletes", async () => {
  const r = await inPage(async ({ url, b }) => {
    const nc = await T.connect(url);
    const kv = await new nats.Kvm(nc).create(b);
    // keep the marker if the delete is younger than olderMillis
    await kv.put("a", new Uint8Array(0));
    await kv.put("b", new Uint8Array(0));
    await kv.put("c", new Uint8Array(0));
    await kv.delete("a");
    await kv.delete("c");
    // the markers of a and c must be older than 700 ms (nats.js: delay(1000)): wait for their age,
    // read from the server's timestamps
    const markers = await kv.history();
    const newest = Math.max(...markers.filter((e) => e.operation === "DEL").map((e) => e.created.getTime()));
    await T.until(() => Date.now() - newest > 750, 5000, "markers older than 700 ms", 10);
    await kv.delete("b");
    const pr = await kv.purgeDeletes(700);
    const out = { purged: pr.purged, a: await kv.get("a"), c: await kv.get("c"), b: await kv.get("b") };
    out.history = (await kv.history()).map((e) => `${e.key}:${e.operation}`);
    await nc.close();
    return out;
  }, { b: bucket() });
  assert.equal(r.purged, 2);
  assert.equal(r.a, null);
  assert.equal(r.c, null);
  assert.equal(r.b, null, "get() of a deleted key is null (API.md)");
  assert.deepEqual(r.history, ["b:DEL"], "b's young marker is kept, a's and c's are gone");
});

test("kv - allow direct", async () => {
  const names = { d: bucket(), off: bucket(), on: bucket(), X: bucket("X"), Y: bucket("Y") };
  const r = await inPage(async ({ url, names }) => {
    const nc = await T.connect(url);
    const spy = await T.apiSpy(url);
    const kvm = new nats.Kvm(nc);
    /** How get() reads: "direct" (DIRECT.GET) or "msg" (STREAM.MSG.GET), and the stream's allow_direct. */
    const how = async (kv) => {
      await spy.flush();
      spy.seen.length = 0;
      await kv.get("k");
      await kv.get("k", { revision: 1 });
      const reads = await spy.until(2, (m) => m.subject.startsWith(`$JS.API.DIRECT.GET.KV_${kv.bucket}`) || m.subject.startsWith(`$JS.API.STREAM.MSG.GET.KV_${kv.bucket}`));
      const kinds = reads.map((m) => m.subject.startsWith("$JS.API.DIRECT.GET.") ? "direct" : "msg");
      const si = await T.api(nc, `$JS.API.STREAM.INFO.KV_${kv.bucket}`);
      return { kinds, allowDirect: si.config.allow_direct };
    };
    const out = {};
    // default: not specified, allowed by the server
    out.d = await how(await kvm.create(names.d, { history: 1 }));
    // user opted out / in
    out.off = await how(await kvm.create(names.off, { history: 1, allowDirect: false }));
    out.on = await how(await kvm.create(names.on, { history: 1, allowDirect: true }));
    // a bucket that allows it; a client asking for another setting gets BUCKET_EXISTS
    out.X = await how(await kvm.create(names.X));
    out.Xoff = await T.err(kvm.create(names.X, { allowDirect: false }));
    out.Xopen = await how(await kvm.open(names.X));
    // the creator disables it; a client wanting it gets BUCKET_EXISTS, and open() reads without it
    out.Y = await how(await kvm.create(names.Y, { allowDirect: false }));
    out.Yon = await T.err(kvm.create(names.Y, { allowDirect: true }));
    out.Yopen = await how(await kvm.open(names.Y));
    await spy.close();
    await nc.close();
    return out;
  }, { names });
  const direct = { kinds: ["direct", "direct"], allowDirect: true };
  const msg = { kinds: ["msg", "msg"], allowDirect: false };
  assert.deepEqual(r.d, direct);
  assert.deepEqual(r.off, msg);
  assert.deepEqual(r.on, direct);
  assert.deepEqual(r.X, direct);
  assert.equal(r.Xoff.code, "BUCKET_EXISTS");
  assert.deepEqual(r.Xopen, direct, "the bucket is unchanged");
  assert.deepEqual(r.Y, msg);
  assert.equal(r.Yon.code, "BUCKET_EXISTS");
  assert.deepEqual(r.Yopen, msg, "the bucket is unchanged");
});

test("kv - direct message", async () => {
  const b = bucket();
  const r = await inPage(async ({ url, b }) => {
    const nc = await T.connect(url);
    const kv = await new nats.Kvm(nc).create(b, { allowDirect: true, history: 3 });
    const out = { empty: await kv.get("a") };
    await kv.put("a", "hello");
    out.m = T.plain(await kv.get("a"));
    await kv.delete("a");
    out.afterDelete = await kv.get("a");
    out.d = T.plain(await kv.get("a", { revision: 2 }));
    await kv.put("c", "hi");
    await kv.put("c", "hello");
    out.c = (await kv.get("c")).string();
    out.o = T.plain(await kv.get("c", { revision: 3 }));
    await nc.close();
    return out;
  }, { b });
  assert.equal(r.empty, null);
  assert.equal(r.m.key, "a");
  assert.equal(r.m.delta, 0);
  assert.equal(r.m.revision, 1);
  assert.equal(r.m.operation, "PUT");
  assert.equal(r.m.bucket, b);
  assert.equal(r.m.value, "hello");
  assert.equal(r.afterDelete, null, "get() of a deleted key is null (API.md)");
  assert.equal(r.d.key, "a");
  assert.equal(r.d.delta, 0);
  assert.equal(r.d.revision, 2);
  assert.equal(r.d.operation, "DEL");
  assert.equal(r.d.bucket, b);
  assert.equal(r.c, "hello");
  assert.equal(r.o.revision, 3);
  assert.equal(r.o.value, "hi");
});

test("kv - republish", async () => {
  const b = bucket();
  const r = await inPage(async ({ url, b }) => {
    const nc = await T.connect(url);
    const kv = await new nats.Kvm(nc).create(b, { republish: { src: ">", dest: `republished-${b}.>` } });
    const sub = nc.subscribe(`republished-${b}.>`, { max: 1 });
    await nc.flush();
    await kv.put("hello", "world");
    const got = (async () => {
      const out = [];
      for await (const m of sub) out.push({ subject: m.subject, data: m.string(), stream: m.headers?.get("Nats-Stream") });
      return out;
    })();
    const out = await T.deadline(got, 5000, "republished message");
    await nc.close();
    return out;
  }, { b });
  assert.deepEqual(r, [{ subject: `republished-${b}.$KV.${b}.hello`, data: "world", stream: `KV_${b}` }]);
});

test("kv - ttl is in nanos", async () => {
  const r = await inPage(async ({ url, b }) => {
    const nc = await T.connect(url);
    const kv = await new nats.Kvm(nc).create(b, { ttl: 1000 });
    const status = await kv.status();
    const si = await T.api(nc, `$JS.API.STREAM.INFO.KV_${b}`);
    await nc.close();
    return { ttl: status.ttl, size: status.size, maxAge: si.config.max_age };
  }, { b: bucket() });
  assert.deepEqual(r, { ttl: 1000, size: 0, maxAge: 1000 * 1e6 });
});

test("kv - size", async () => {
  const r = await inPage(async ({ url, b }) => {
    const nc = await T.connect(url);
    const kv = await new nats.Kvm(nc).create(b, { ttl: 1000 });
    const bytes = async () => (await T.api(nc, `$JS.API.STREAM.INFO.KV_${b}`)).state.bytes;
    const s1 = (await kv.status()).size;
    const b1 = await bytes();
    await kv.put("a", "hello");
    const s2 = (await kv.status()).size;
    const b2 = await bytes();
    await nc.close();
    return { s1, b1, s2, b2 };
  }, { b: bucket() });
  assert.equal(r.s1, 0);
  assert.equal(r.s1, r.b1);
  assert.ok(r.s2 > 0);
  assert.equal(r.s2, r.b2);
});

test("kv - previous sequence", async () => {
  const r = await inPage(async ({ url, b }) => {
    const nc = await T.connect(url);
    const kv = await new nats.Kvm(nc).create(b);
    const E = new Uint8Array(0);
    const out = [];
    out.push(await kv.put("A", E, { previousSeq: 0 }));
    out.push(await kv.put("B", E, { previousSeq: 0 }));
    out.push(await kv.put("A", E, { previousSeq: 1 }));
    out.push(await kv.put("A", E, { previousSeq: 3 }));
    out.push(await T.err(kv.put("A", E, { previousSeq: 1 })));
    out.push(await kv.put("B", E, { previousSeq: 2 }));
    await nc.close();
    return out;
  }, { b: bucket() });
  assert.deepEqual(r.slice(0, 4), [1, 2, 3, 4]);
  assert.equal(r[4].code, "WRONG_LAST_REVISION");
  assert.equal(r[5], 5);
});

test("kv - encoded entry", async () => {
  const r = await inPage(async ({ url, b }) => {
    const nc = await T.connect(url);
    const kv = await new nats.Kvm(nc).create(b);
    await kv.put("a", "hello");
    await kv.put("b", JSON.stringify(5));
    await kv.put("c", JSON.stringify(["hello", 5]));
    const out = { a: (await kv.get("a")).string(), b: (await kv.get("b")).json(), c: (await kv.get("c")).json() };
    await nc.close();
    return out;
  }, { b: bucket() });
  assert.deepEqual(r, { a: "hello", b: 5, c: ["hello", 5] });
});

test("kv - create after delete", async () => {
  const r = await inPage(async ({ url, b }) => {
    const nc = await T.connect(url);
    const kv = await new nats.Kvm(nc).create(b);
    const E = new Uint8Array(0);
    const out = [];
    out.push(await kv.create("a", E));
    out.push(await T.err(kv.create("a", E)));
    await kv.delete("a");
    out.push(await kv.create("a", E));
    await kv.purge("a");
    out.push(await kv.create("a", E));
    out.push((await kv.history({ key: "a" })).map((e) => e.operation));
    await nc.close();
    return out;
  }, { b: bucket() });
  assert.equal(r[0], 1);
  assert.equal(r[1].code, "KEY_EXISTS");
  assert.equal(r[2], 3);
  assert.equal(r[3], 5);
  assert.deepEqual(r[4], ["PUT"], "history 1: the new value replaced the purge marker");
});

/** get() of a missing key with allowDirect `direct`: null, read through the expected API. */
async function getNonExisting(direct) {
  const r = await inPage(async ({ url, b, direct }) => {
    const nc = await T.connect(url);
    const kv = await new nats.Kvm(nc).create(b, { allowDirect: direct });
    const spy = await T.apiSpy(url);
    const v = await kv.get("hello");
    const subjects = (await spy.until(1)).map((m) => m.subject);
    await spy.close();
    await nc.close();
    return { v, subjects };
  }, { b: bucket(), direct });
  assert.equal(r.v, null);
  assert.equal(r.subjects.length, 1);
  assert.match(r.subjects[0], direct ? /^\$JS\.API\.DIRECT\.GET\.KV_/ : /^\$JS\.API\.STREAM\.MSG\.GET\.KV_/);
}

test("kv - get non-existing non-direct", () => getNonExisting(false));

test("kv - get non-existing direct", () => getNonExisting(true));

test("kv - string payloads", async () => {
  const r = await inPage(async ({ url, b }) => {
    const nc = await T.connect(url);
    const kv = await new nats.Kvm(nc).create(b);
    const out = [];
    await kv.create("a", "b");
    let entry = await kv.get("a");
    out.push(entry?.string());
    await kv.put("a", "c");
    entry = await kv.get("a");
    out.push(entry?.string());
    await kv.update("a", "d", entry.revision);
    entry = await kv.get("a");
    out.push(entry?.string());
    await nc.close();
    return out;
  }, { b: bucket() });
  assert.deepEqual(r, ["b", "c", "d"]);
});

test("kv - metadata", async () => {
  const r = await inPage(async ({ url, b }) => {
    const nc = await T.connect(url);
    const kv = await new nats.Kvm(nc).create(b, { metadata: { hello: "world" } });
    const status = await kv.status();
    await nc.close();
    return status.metadata;
  }, { b: bucket() });
  assert.equal(r.hello, "world");
});

test("kv - watch updates only", async () => {
  const r = await inPage(async ({ url, b }) => {
    const nc = await T.connect(url);
    const kv = await new nats.Kvm(nc).create(b);
    await kv.put("a", "a");
    await kv.put("b", "b");
    const iter = await kv.watch({ include: nats.KvWatchInclude.UpdatesOnly });
    const notifications = [];
    const done = (async () => {
      for await (const e of iter) {
        notifications.push({ key: e.key, isUpdate: e.isUpdate });
        if (e.isUpdate) break;
      }
    })();
    await kv.put("c", "c");
    await T.deadline(done, 5000, "update");
    await nc.close();
    return notifications;
  }, { b: bucket() });
  assert.deepEqual(r, [{ key: "c", isUpdate: true }]);
});

test("kv - watch multiple keys", async () => {
  const r = await inPage(async ({ url, b }) => {
    const nc = await T.connect(url);
    const kv = await new nats.Kvm(nc).create(b);
    await kv.put("a", "a");
    await kv.put("b", "b");
    await kv.put("c", "c");
    const iter = await kv.watch({ key: ["a", "c"] });
    const notifications = [];
    for await (const e of iter) {
      notifications.push(e.key);
      if (e.delta === 0) break;
    }
    await nc.close();
    return notifications;
  }, { b: bucket() });
  assert.equal(r.length, 2);
  assert.deepEqual([...r].sort(), ["a", "c"]);
});

/**
 * nats.js "watch history" / "watch history no deletes": an AllHistory watch over a, aa, aaa, DEL,
 * then live writes; nats.js waits 1 s and counts. Here a last write ("z") marks the end: everything
 * before it is what the watch delivered.
 */
async function watchHistory(ignoreDeletes) {
  return inPage(async ({ url, b, ignoreDeletes }) => {
    const nc = await T.connect(url);
    const kv = await new nats.Kvm(nc).create(b, { history: 10 });
    await kv.put("a", "a");
    await kv.put("a", "aa");
    await kv.put("a", "aaa");
    await kv.delete("a");
    const iter = await kv.watch({ include: nats.KvWatchInclude.AllHistory, ignoreDeletes });
    const notifications = [];
    const end = T.deferred();
    (async () => {
      for await (const e of iter) {
        if (e.key === "z") { end.resolve(); break; }
        notifications.push(e.operation === "PUT" ? `${e.key}=${e.string()}` : `${e.key}=${e.operation.toLowerCase()}`);
      }
    })();
    await kv.put("c", "c");
    if (ignoreDeletes) {
      await kv.delete("c");
      await kv.put("d", "d");
      await kv.purge("d");
    }
    await kv.put("z", "end");
    await T.deadline(end, 5000, "end marker");
    await nc.close();
    return notifications;
  }, { b: bucket(), ignoreDeletes });
}

test("kv - watch history", async () => {
  assert.deepEqual(await watchHistory(false), ["a=a", "a=aa", "a=aaa", "a=del", "c=c"]);
});

test("kv - watch history no deletes", async () => {
  // API.md: ignoreDeletes drops DEL and PURGE
  assert.deepEqual(await watchHistory(true), ["a=a", "a=aa", "a=aaa", "c=c", "d=d"]);
});

test("kv - republish header handling", async () => {
  // A stream republishes into the bucket's subjects, so stored values carry the republish headers
  // (Nats-Stream, Nats-Subject, Nats-Sequence, …). nats.js reads the bucket with and without direct
  // get; rebinding one bucket with another allowDirect is BUCKET_EXISTS here, so there are two.
  const names = [bucket(), bucket()];
  const r = await inPage(async ({ url, names }) => {
    const nc = await T.connect(url);
    const out = {};
    for (const [i, n] of names.entries()) {
      const allowDirect = i === 1;
      const src = `SRC_${n}`;
      await T.api(nc, `$JS.API.STREAM.CREATE.${src}`, {
        name: src, subjects: [`${src}.>`], storage: "memory", republish: { src: ">", dest: `$KV.${n}.>` },
      });
      const kv = await new nats.Kvm(nc).create(n, { allowDirect });
      nc.publish(`${src}.orange`, "hey");
      await nc.request(`${src}.tomato`, "hello");
      await kv.put(`${src}.potato`, "yo");
      const get = async (k) => T.plain(await kv.get(`${src}.${k}`));
      out[allowDirect ? "direct" : "msgGet"] = {
        orange: await get("orange"), tomato: await get("tomato"), potato: await get("potato"),
        keys: (await kv.keys()).sort(),
      };
      out.src = out.src || [];
      out.src.push(src);
    }
    await nc.close();
    return out;
  }, { names });
  for (const [mode, i] of [["msgGet", 0], ["direct", 1]]) {
    const g = r[mode];
    const src = r.src[i];
    for (const [k, v] of [["orange", "hey"], ["tomato", "hello"], ["potato", "yo"]]) {
      assert.ok(g[k], `${mode}: get(${src}.${k}) found`);
      assert.equal(g[k].key, `${src}.${k}`, mode);
      assert.equal(g[k].value, v, mode);
      assert.equal(g[k].operation, "PUT", mode);
    }
    assert.deepEqual(g.keys, [`${src}.orange`, `${src}.potato`, `${src}.tomato`]);
  }
});

test("kv - compression", async () => {
  const r = await inPage(async ({ url, b1, b2 }) => {
    const nc = await T.connect(url);
    const s2 = await (await new nats.Kvm(nc).create(b1, { compression: true })).status();
    const none = await (await new nats.Kvm(nc).create(b2)).status();
    const raw = (await T.api(nc, `$JS.API.STREAM.INFO.KV_${b1}`)).config.compression;
    await nc.close();
    return { s2: s2.compression, none: none.compression, raw };
  }, { b1: bucket(), b2: bucket() });
  assert.deepEqual(r, { s2: true, none: false, raw: "s2" });
});

test("kv - watch start at", async () => {
  const r = await inPage(async ({ url, b }) => {
    const nc = await T.connect(url);
    const kv = await new nats.Kvm(nc).create(b);
    await kv.put("a", "1");
    await kv.put("b", "2");
    await kv.put("c", "3");
    const iter = await kv.watch({ resumeFromRevision: 2 });
    const seen = [];
    for await (const o of iter) {
      seen.push({ key: o.key, revision: o.revision });
      if (o.delta === 0) break;
    }
    await nc.close();
    return seen;
  }, { b: bucket() });
  assert.deepEqual(r[0], { key: "b", revision: 2 });
  assert.deepEqual(r, [{ key: "b", revision: 2 }, { key: "c", revision: 3 }]);
});

test("kv - delete key if revision", async () => {
  const r = await inPage(async ({ url, b }) => {
    const nc = await T.connect(url);
    const kv = await new nats.Kvm(nc).create(b);
    const seq = await kv.create("a", new Uint8Array(0));
    const bad = await T.err(kv.delete("a", { previousSeq: 100 }));
    const good = await T.err(kv.delete("a", { previousSeq: seq }));
    const ops = (await kv.history({ key: "a" })).map((e) => e.operation);
    await nc.close();
    return { bad, good, ops };
  }, { b: bucket() });
  assert.equal(r.bad.code, "WRONG_LAST_REVISION");
  assert.match(r.bad.message, /wrong last sequence: 1/);
  assert.equal(r.good, "resolved");
  assert.deepEqual(r.ops, ["DEL"]);
});

test("kv - purge key if revision", async () => {
  const r = await inPage(async ({ url, b }) => {
    const nc = await T.connect(url);
    const kv = await new nats.Kvm(nc).create(b);
    const seq = await kv.create("a", new Uint8Array(0));
    const bad = await T.err(kv.purge("a", { previousSeq: 2 }));
    const good = await T.err(kv.purge("a", { previousSeq: seq }));
    const ops = (await kv.history({ key: "a" })).map((e) => e.operation);
    await nc.close();
    return { bad, good, ops };
  }, { b: bucket() });
  assert.equal(r.bad.code, "WRONG_LAST_REVISION");
  assert.match(r.bad.message, /wrong last sequence: 1/);
  assert.equal(r.good, "resolved");
  assert.deepEqual(r.ops, ["PURGE"]);
});

test("kv - watcher will name and filter", async () => {
  const b = bucket();
  const r = await inPage(async ({ url, b }) => {
    const nc = await T.connect(url);
    const kv = await new nats.Kvm(nc).create(b);
    const spy = await T.apiSpy(url);
    const iter = await kv.watch({ key: "a.>" });
    // The consumer exists once the initial values are in; only then has the server routed the request.
    await iter.initialized;
    const [first] = await spy.until(1);
    iter.stop();
    await spy.close();
    await nc.close();
    return { subject: first.subject, config: JSON.parse(first.body).config };
  }, { b });
  assert.ok(r.subject.startsWith(`$JS.API.CONSUMER.CREATE.KV_${b}.`), r.subject);
  assert.ok(r.subject.endsWith(`$KV.${b}.a.>`), r.subject);
  assert.equal(r.subject, `$JS.API.CONSUMER.CREATE.KV_${b}.${r.config.name}.$KV.${b}.a.>`);
  assert.equal(r.config.filter_subject, `$KV.${b}.a.>`);
});

test("kv - watcher on server restart", async () => {
  // nats.js restarts the server under a live watch and expects the next put to arrive; here every
  // revision, before and after the restart, must arrive exactly once and in order.
  const server = ctx.stack.server;
  await inPage(async ({ url, b }) => {
    const nc = await T.connect(url, { reconnectTimeWait: 100, reconnectJitter: 50, maxReconnectAttempts: -1 });
    // history keeps every revision in the stream: a watcher that resumes after the restart can only
    // deliver revisions still stored (with history 1 a put superseded before the new consumer exists
    // is gone for every client).
    const kv = await new nats.Kvm(nc).create(b, { history: 20 });
    const R = window.R = { nc, kv, revisions: [], statuses: [], waiters: [], reconnected: T.deferred() };
    /** Resolves when the watcher delivered revision `rev`. */
    R.delivered = (rev) => {
      if (R.revisions.includes(rev)) return Promise.resolve();
      const d = T.deferred();
      R.waiters.push({ rev, d });
      return d;
    };
    nc.onStatus((s) => { R.statuses.push(s.type); if (s.type === "reconnect") R.reconnected.resolve(); });
    R.watch = await kv.watch({
      callback: (e) => {
        R.revisions.push(e.revision);
        for (const w of R.waiters.filter((w) => w.rev === e.revision)) w.d.resolve();
      },
    });
    let last = 0;
    for (let i = 0; i < 3; i++) last = await kv.put("hello", `before-${i}`);
    await T.deadline(R.delivered(last), 10000, "revisions before the restart");
  }, { b: bucket() });
  await server.restart();
  const r = await inPage(async () => {
    const R = window.R;
    await T.deadline(R.reconnected, 20000, "reconnect");
    // JetStream may still be settling right after the reconnect: a failed put is retried (as nats.js does)
    let last = 0;
    for (let i = 0; i < 3; i++) {
      last = await T.until(async () => { try { return await R.kv.put("hello", `after-${i}`); } catch { return 0; } }, 10000, "put after restart", 200);
    }
    await T.deadline(R.delivered(last), 10000, "revisions after the restart");
    // one more write, so that a late duplicate would show up before it
    const end = await R.kv.put("hello", "end");
    await T.deadline(R.delivered(end), 10000, "the last revision");
    R.watch.stop();
    await R.nc.close();
    return { revisions: R.revisions, end, statuses: R.statuses };
  });
  assert.deepEqual(r.revisions, Array.from({ length: r.end }, (_, i) => i + 1), "every revision exactly once, in order");
  assert.ok(r.end >= 7, `3 puts before, 3 after the restart and the end mark: ${r.end}`);
  assert.ok(r.statuses.includes("disconnect") && r.statuses.includes("reconnect"), `statuses: ${r.statuses}`);
});

test("kv - maxBucketSize doesn't override max_bytes", async () => {
  const r = await inPage(async ({ url, b }) => {
    const nc = await T.connect(url);
    const kv = await new nats.Kvm(nc).create(b, { maxBytes: 100 });
    const info = await kv.status();
    const raw = (await T.api(nc, `$JS.API.STREAM.INFO.KV_${b}`)).config.max_bytes;
    await nc.close();
    return { maxBytes: info.maxBytes, raw };
  }, { b: bucket() });
  assert.deepEqual(r, { maxBytes: 100, raw: 100 });
});

test("kv - keys filter", async () => {
  const r = await inPage(async ({ url, b }) => {
    const nc = await T.connect(url);
    const kv = await new nats.Kvm(nc).create(b);
    await Promise.all([kv.put("A", "a"), kv.put("B", "b"), kv.put("C", "c")]);
    const out = { all: await kv.keys(), a: await kv.keys("A"), ac: await kv.keys(["A", "C"]) };
    await nc.close();
    return out;
  }, { b: bucket() });
  assert.deepEqual([...r.all].sort(), ["A", "B", "C"]);
  assert.deepEqual(r.a, ["A"]);
  assert.deepEqual([...r.ac].sort(), ["A", "C"]);
});

test("kv - sourced", async () => {
  const r = await inPage(async ({ url, src, dst }) => {
    const nc = await T.connect(url);
    const kvm = new nats.Kvm(nc);
    const source = await kvm.create(src);
    const target = await kvm.create(dst, { sources: [{ name: src }] });
    const arrived = T.deferred();
    const w = await target.watch({ key: "hello", callback: (e) => arrived.resolve(e.string()) });
    await source.put("hello", "world");
    const watched = await T.deadline(arrived, 10000, "sourced value");
    w.stop();
    const v = await target.get("hello");
    await nc.close();
    return { watched, get: v?.string() };
  }, { src: bucket(), dst: bucket() });
  assert.deepEqual(r, { watched: "world", get: "world" });
});

test("kv - watch isUpdate", async () => {
  const r = await inPage(async ({ url, b }) => {
    const nc = await T.connect(url);
    const kv = await new nats.Kvm(nc).create(b);
    await kv.put("a", "hello");
    await kv.delete("a");
    const iter = await kv.watch({ ignoreDeletes: true });
    const seen = [];
    const done = (async () => {
      for await (const e of iter) {
        seen.push({ key: e.key, isUpdate: e.isUpdate });
        if (e.key === "b") break;
      }
    })();
    await kv.put("b", "hello");
    await T.deadline(done, 5000, "b");
    await nc.close();
    return seen;
  }, { b: bucket() });
  assert.deepEqual(r, [{ key: "b", isUpdate: true }]);
});

test("kv - entries ttl markerTTL", async () => {
  // 1 s is the shortest subject delete marker TTL nats-server accepts (nats.js uses 2 s)
  const r = await inPage(async ({ url, a, b }) => {
    const nc = await T.connect(url);
    const kvm = new nats.Kvm(nc);
    const kv = await kvm.create(a, { markerTTL: 1000 });
    const si = await kv.status();
    const raw = (await T.api(nc, `$JS.API.STREAM.INFO.KV_${a}`)).config;
    const nttl = await kvm.create(b);
    const si2 = await nttl.status();
    const tooShort = await T.err(kvm.create(`${b}x`, { markerTTL: 999 }));
    await nc.close();
    return { m1: si.markerTTL, m2: si2.markerTTL, raw: { allow: raw.allow_msg_ttl, ns: raw.subject_delete_marker_ttl }, tooShort };
  }, { a: bucket(), b: bucket() });
  assert.equal(r.m1, 1000);
  assert.equal(r.m2, 0);
  assert.deepEqual(r.raw, { allow: true, ns: 1000 * 1e6 });
  assert.equal(r.tooShort.code, "INVALID_ARGUMENT");
});

test("kv - get entry ttl markerTTL from bucket", async () => {
  const r = await inPage(async ({ url, b }) => {
    const nc = await T.connect(url);
    const kv = await new nats.Kvm(nc).create(b, { markerTTL: 1000 });
    await kv.create("a", new Uint8Array(0), "1s");
    await kv.delete("a");
    const out = { afterDelete: await kv.get("a"), del: T.plain(await kv.get("a", { revision: 2 })) };
    await kv.purge("a", { ttl: "1s" });
    out.afterPurge = await kv.get("a");
    out.purge = T.plain(await kv.get("a", { revision: 3 }));
    // the purge marker expires after its TTL (nats.js: delay(2500) for 2 s)
    await T.until(async () => (await kv.history({ key: "a" })).length === 0, 10000, "purge marker expired", 100);
    out.expiredAfter = Date.now() - out.purge.created;
    out.final = await kv.get("a");
    out.finalByRevision = await kv.get("a", { revision: 3 });
    await nc.close();
    return out;
  }, { b: bucket() });
  assert.equal(r.afterDelete, null, "get() of a deleted key is null (API.md)");
  assert.equal(r.del.operation, "DEL");
  assert.equal(r.afterPurge, null);
  assert.equal(r.purge.operation, "PURGE");
  assert.ok(r.expiredAfter >= 990, `the marker lived its 1 s TTL (${r.expiredAfter} ms)`);
  assert.equal(r.final, null);
  assert.equal(r.finalByRevision, null);
});

test("kv - entries ttl", async () => {
  const r = await inPage(async ({ url, b }) => {
    const nc = await T.connect(url);
    const kv = await new nats.Kvm(nc).create(b, { markerTTL: 1000, history: 3 });
    const si = await kv.status();
    const watched = [];
    const iter = await kv.watch({ callback: (e) => watched.push(`${e.revision}:${e.operation}`) });
    await kv.create("a", "hello");
    await kv.delete("a");
    await kv.purge("a", { ttl: "1s" });
    const purged = (await kv.history({ key: "a" }))[0];
    // nats.js polls get() until the key is gone (its get() returns the marker until then)
    await T.until(async () => (await kv.history({ key: "a" })).length === 0, 10000, "purge marker expired", 100);
    const end = Date.now() - purged.created.getTime();
    iter.stop();
    await nc.close();
    return { markerTTL: si.markerTTL, purged: purged.operation, end, watched };
  }, { b: bucket() });
  assert.equal(r.markerTTL, 1000);
  assert.equal(r.purged, "PURGE");
  assert.ok(r.end >= 990, `the key was there for its 1 s TTL (${r.end} ms)`);
  assert.deepEqual(r.watched.slice(0, 3), ["1:PUT", "2:DEL", "3:PURGE"]);
});

test("kv - watcher ttl", async () => {
  const r = await inPage(async ({ url, b }) => {
    const nc = await T.connect(url);
    const kv = await new nats.Kvm(nc).create(b, { markerTTL: 1000, history: 3, ttl: 1000 });
    const si = await kv.status();
    const seen = [];
    const purged = T.deferred();
    const iter = await kv.watch();
    (async () => {
      for await (const e of iter) {
        seen.push({ key: e.key, operation: e.operation, isUpdate: e.isUpdate });
        if (e.operation === "PURGE") { purged.resolve(); break; }
      }
    })();
    await kv.create("a", "hello", "1s");
    // nats.js: deadline 3 s for a 2 s TTL
    await T.deadline(purged, 3000, "TTL expiry seen as PURGE");
    await nc.close();
    return { markerTTL: si.markerTTL, seen };
  }, { b: bucket() });
  assert.equal(r.markerTTL, 1000);
  assert.deepEqual(r.seen, [
    { key: "a", operation: "PUT", isUpdate: true },
    { key: "a", operation: "PURGE", isUpdate: true },
  ]);
});

test("kv - put/update timeouts", async () => {
  const r = await inPage(async ({ url, b }) => {
    const nc = await T.connect(url);
    const kvm = new nats.Kvm(nc);
    const kv = await kvm.open((await kvm.create(b)).bucket);
    await kv.destroy();
    // no JetStream answer, but a subscriber, so the publishes time out (not NO_RESPONDERS)
    nc.subscribe(`$KV.${b}.>`, { callback: () => {} });
    await nc.flush();
    const timed = async (p) => { const t0 = Date.now(); const e = await T.err(p); return { code: e.code, ms: Date.now() - t0 }; };
    const out = {};
    out.put = await timed(kv.put("A", "hello", { timeout: 1500 }));
    out.update = await timed(kv.update("A", "hello", 1, 1500));
    // the default JetStream timeout: 5 s
    out.putDefault = await timed(kv.put("A", "a"));
    await nc.close();
    return out;
  }, { b: bucket() });
  assert.equal(r.put.code, "TIMEOUT");
  // Which timeout applied (per call vs the 5 s default), not how punctual the timer was.
  assert.ok(r.put.ms >= 1400 && r.put.ms < 4500, `put: ${r.put.ms} ms`);
  assert.equal(r.update.code, "TIMEOUT");
  assert.ok(r.update.ms >= 1400 && r.update.ms < 4500, `update: ${r.update.ms} ms`);
  assert.equal(r.putDefault.code, "TIMEOUT");
  assert.ok(r.putDefault.ms >= 4900, `default: ${r.putDefault.ms} ms`);
});

test("kv - create ttl", async () => {
  // nats.js reads the stored message's headers; here the same direct get is sent by hand
  const b = bucket();
  const r = await inPage(async ({ url, b }) => {
    const nc = await T.connect(url);
    const kv = await new nats.Kvm(nc).create(b, { markerTTL: 1000, history: 3 });
    const stored = async () => {
      const m = await nc.request(`$JS.API.DIRECT.GET.KV_${b}.$KV.${b}.a`, "", { timeout: 5000 });
      return { ttl: m.headers.get("Nats-TTL"), op: m.headers.get("KV-Operation"), seq: Number(m.headers.get("Nats-Sequence")) };
    };
    const out = {};
    out.create = await kv.create("a", "hello", "2s");
    out.v1 = await stored();
    await kv.delete("a");
    out.v2 = await stored();
    // re-create after delete: create()'s retry over the marker keeps the TTL
    out.recreate = await kv.create("a", "abc", "4s");
    out.v3 = await stored();
    out.ms = await kv.create("b", "x", 3000);
    out.bad = await T.err(kv.create("c", "x", "500ms"));
    await nc.close();
    return out;
  }, { b });
  assert.equal(r.create, 1);
  assert.deepEqual(r.v1, { ttl: "2s", op: "", seq: 1 });
  assert.deepEqual(r.v2, { ttl: "", op: "DEL", seq: 2 });
  assert.equal(r.recreate, 3);
  assert.deepEqual(r.v3, { ttl: "4s", op: "", seq: 3 });
  assert.equal(r.ms, 4);
  assert.equal(r.bad.code, "INVALID_ARGUMENT");
});

test("kv - watcherPrefix", async () => {
  const r = await inPage(async ({ url, b }) => {
    const nc = await T.connect(url);
    const kv = await new nats.Kvm(nc, { watcherPrefix: "hello" }).create(b);
    const iter = await kv.watch({ key: "a.>" });
    await iter.initialized;
    const cs = await T.consumers(nc, `KV_${b}`);
    iter.stop();
    await nc.close();
    return cs.map((c) => c.config.deliver_subject);
  }, { b: bucket() });
  assert.equal(r.length, 1);
  assert.equal(r[0].split(".")[0], "hello");
});
