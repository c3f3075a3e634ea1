// The JetStream manager and js.publish() against a real nats-server (API.md "JetStream"), named after
// the nats.js 3.4 jetstream tests they port (jsm_test.ts, jetstream_test.ts): streams and consumers
// add/info/update/delete/list, purge variants, getMessage/deleteMessage, find, publish with msgID and
// expectations, mirrors and sources with transforms, and bad input rejected before sending.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launchBrowser, startStack, modulePage } from "./helpers.mjs";

let stack, browser, page;
before(async () => {
  stack = await startStack();
  browser = await launchBrowser();
  page = await modulePage(browser, stack.web);
  await page.evaluate(async (url) => {
    const nc = await nats.connect({ servers: url });
    const jsm = await nats.jetstreamManager(nc);
    window.t = { nc, jsm, js: nats.jetstream(nc), n: 0 };
    window.fresh = (tag = "S") => `${tag}${++t.n}`;
    // The error of a promise (or a throw), as plain data.
    window.err = async (f) => {
      try { await f(); return { resolved: true }; } catch (e) { return { code: e.code, message: e.message, isNatsError: e instanceof nats.NatsError, errCode: e.errCode }; }
    };
  }, stack.server.wsUrl);
});
after(async () => {
  await page?.evaluate(() => t.nc.close()).catch(() => {});
  await browser?.close();
  await stack?.close();
});

test("jsm - stream crud (add, info, update keeps unknown fields, delete)", async () => {
  const r = await page.evaluate(async () => {
    const name = fresh();
    const si = await t.jsm.streams.add({ name, subjects: [`${name}.*`], storage: nats.StorageType.Memory, max_age: nats.nanos(60000) });
    const again = await t.jsm.streams.add({ name, subjects: [`${name}.*`], storage: "memory", max_age: nats.nanos(60000) });
    const differ = await err(() => t.jsm.streams.add({ name, subjects: [`${name}.x`] }));
    const info = await t.jsm.streams.info(name);
    const up = await t.jsm.streams.update(name, { subjects: [`${name}.*`, `${name}b.>`], description: "d" });
    const del = await t.jsm.streams.delete(name);
    const gone = await err(() => t.jsm.streams.info(name));
    const upGone = await err(() => t.jsm.streams.update(name, { description: "x" }));
    return { si: si.config, again: again.config.name, differ, info: info.config, up: up.config, del, gone, upGone };
  });
  assert.equal(r.si.storage, "memory");
  assert.equal(r.si.max_age, 60e9);
  assert.equal(r.si.retention, "limits");
  assert.equal(r.again, r.si.name);
  assert.equal(r.differ.code, "STREAM_EXISTS");
  assert.equal(r.differ.errCode, 10058);
  assert.deepEqual(r.up.subjects, [`${r.si.name}.*`, `${r.si.name}b.>`]);
  assert.equal(r.up.description, "d");
  // Fields this client does not list (e.g. allow_msg_counter in 2.12+) are sent back as they were.
  for (const k of Object.keys(r.info)) if (k !== "subjects" && k !== "description") assert.deepEqual(r.up[k], r.info[k], k);
  assert.equal(r.del, true);
  assert.equal(r.gone.code, "STREAM_NOT_FOUND");
  assert.equal(r.upGone.code, "STREAM_NOT_FOUND");
});

test("jsm - list, names and find page through every stream", async () => {
  const r = await page.evaluate(async () => {
    const tag = fresh("L");
    const names = [];
    // More than one STREAM.NAMES page is 1024 items; list pages are 256: 260 streams cross a list page.
    for (let i = 0; i < 260; i++) names.push(`${tag}_${i}`);
    await Promise.all(names.map((n) => t.jsm.streams.add({ name: n, subjects: [`${n}.>`], storage: "memory" })));
    const listed = (await t.jsm.streams.list()).map((s) => s.config.name).filter((n) => n.startsWith(`${tag}_`));
    const iterated = [];
    for await (const s of t.jsm.streams.list()) if (s.config.name.startsWith(`${tag}_`)) iterated.push(s.config.name);
    const allNames = (await t.jsm.streams.names()).filter((n) => n.startsWith(`${tag}_`));
    const l = t.jsm.streams.names(`${tag}_7.a`);
    const first = await l.next();
    const second = await l.next();
    const found = await t.jsm.streams.find(`${tag}_12.x.y`);
    const none = await err(() => t.jsm.streams.find(`nobody.${tag}`));
    await Promise.all(names.map((n) => t.jsm.streams.delete(n)));
    return { listed: listed.length, iterated: iterated.length, allNames: allNames.length, first, second, found, none };
  });
  assert.equal(r.listed, 260);
  assert.equal(r.iterated, 260);
  assert.equal(r.allNames, 260);
  assert.equal(r.first.length, 1);
  assert.deepEqual(r.second, []);
  assert.match(r.found, /_12$/);
  assert.equal(r.none.code, "STREAM_NOT_FOUND");
});

test("jsm - purge by filter, seq and keep; getMessage; deleteMessage", async () => {
  const r = await page.evaluate(async () => {
    const name = fresh("P");
    await t.jsm.streams.add({ name, subjects: [`${name}.*`], storage: "memory" });
    for (let i = 1; i <= 10; i++) await t.js.publish(`${name}.${i % 2 ? "odd" : "even"}`, `m${i}`, { headers: { n: String(i) } });
    const bySeq = await t.jsm.streams.getMessage(name, { seq: 3 });
    const last = await t.jsm.streams.getMessage(name, { last_by_subj: `${name}.even` });
    const missing = await t.jsm.streams.getMessage(name, { seq: 999 });
    const del = await t.jsm.streams.deleteMessage(name, 3);
    const delNoErase = await t.jsm.streams.deleteMessage(name, 4, false);
    const delAgain = await err(() => t.jsm.streams.deleteMessage(name, 3));
    const afterDel = await t.jsm.streams.getMessage(name, { seq: 3 });
    const filter = await t.jsm.streams.purge(name, { filter: `${name}.odd` });
    const keep = await t.jsm.streams.purge(name, { keep: 2 });
    const s1 = (await t.jsm.streams.info(name)).state;
    const seq = await t.jsm.streams.purge(name, { seq: 10 });
    const s2 = (await t.jsm.streams.info(name)).state;
    const both = await err(() => t.jsm.streams.purge(name, { seq: 1, keep: 1 }));
    const all = await t.jsm.streams.purge(name);
    await t.jsm.streams.delete(name);
    // As nats.js: the server's response ({type, success, purged}).
    const p = (x) => ({ success: x.success, purged: x.purged });
    return {
      bySeq: { subject: bySeq.subject, seq: bySeq.seq, s: bySeq.string(), n: bySeq.header.get("n"), time: bySeq.time instanceof Date && !isNaN(bySeq.time), ts: bySeq.timestamp },
      last: [last.seq, last.string()], missing, del, delNoErase, delAgain, afterDel, filter: p(filter), keep: p(keep), s1: [s1.messages, s1.first_seq], seq: p(seq), s2: [s2.messages, s2.first_seq], both, all: p(all),
    };
  });
  assert.equal(r.bySeq.seq, 3);
  assert.equal(r.bySeq.s, "m3");
  assert.equal(r.bySeq.n, "3");
  assert.equal(r.bySeq.time, true);
  assert.match(r.bySeq.ts, /^\d{4}-\d\d-\d\dT/);
  assert.deepEqual(r.last, [10, "m10"]);
  assert.equal(r.missing, null);
  assert.equal(r.del, true);
  assert.equal(r.delNoErase, true);
  assert.equal(r.delAgain.code, "MESSAGE_NOT_FOUND");
  assert.equal(r.afterDel, null);
  assert.deepEqual(r.filter, { success: true, purged: 4 }); // odd 1,5,7,9 (3 deleted)
  assert.deepEqual(r.keep, { success: true, purged: 2 });   // even 6,8 left of 6,8,10 → keep 8,10
  assert.deepEqual(r.s1, [2, 8]);
  assert.deepEqual(r.seq, { success: true, purged: 1 });
  assert.deepEqual(r.s2, [1, 10]);
  assert.equal(r.both.code, "INVALID_ARGUMENT");
  assert.deepEqual(r.all, { success: true, purged: 1 });
});

test("jsm - consumer crud (add defaults to explicit acks, update merges, list, delete)", async () => {
  const r = await page.evaluate(async () => {
    const name = fresh("C");
    await t.jsm.streams.add({ name, subjects: [`${name}.*`], storage: "memory" });
    const ci = await t.jsm.consumers.add(name, { durable_name: "dur", filter_subject: `${name}.a` });
    const same = await t.jsm.consumers.add(name, { durable_name: "dur", filter_subject: `${name}.a` });
    const differ = await err(() => t.jsm.consumers.add(name, { durable_name: "dur", filter_subject: `${name}.b` }));
    const none = await t.jsm.consumers.add(name, { name: "noack", ack_policy: nats.AckPolicy.None });
    const multi = await t.jsm.consumers.add(name, { name: "multi", filter_subjects: [`${name}.a`, `${name}.b`] });
    const upd = await t.jsm.consumers.update(name, "dur", { description: "x", max_deliver: 5 });
    const aou = await t.jsm.consumers.addOrUpdate(name, { durable_name: "dur", filter_subject: `${name}.a`, description: "y", max_deliver: 5 });
    const list = (await t.jsm.consumers.list(name)).map((c) => c.name).sort();
    const info = await t.jsm.consumers.info(name, "noack");
    const del = await t.jsm.consumers.delete(name, "noack");
    const gone = await err(() => t.jsm.consumers.info(name, "noack"));
    const updGone = await err(() => t.jsm.consumers.update(name, "noack", { description: "z" }));
    const noStream = await err(() => t.jsm.consumers.add(`${name}x`, { durable_name: "d" }));
    await t.jsm.streams.delete(name);
    return { ci: ci.config, same: same.name, differ, none: none.config.ack_policy, multi: multi.config.filter_subjects, upd: upd.config, aou: aou.config.description, list, info: info.name, del, gone, updGone, noStream };
  });
  assert.equal(r.ci.ack_policy, "explicit");
  assert.equal(r.ci.durable_name, "dur");
  assert.equal(r.same, "dur");
  assert.equal(r.differ.code, "CONSUMER_EXISTS");
  assert.equal(r.none, "none");
  assert.equal(r.multi.length, 2);
  assert.equal(r.upd.description, "x");
  assert.equal(r.upd.max_deliver, 5);
  assert.equal(r.upd.filter_subject, r.ci.filter_subject);
  assert.equal(r.aou, "y");
  assert.deepEqual(r.list, ["dur", "multi", "noack"]);
  assert.equal(r.info, "noack");
  assert.equal(r.del, true);
  assert.equal(r.gone.code, "CONSUMER_NOT_FOUND");
  assert.equal(r.updGone.code, "CONSUMER_NOT_FOUND");
  assert.equal(r.noStream.code, "STREAM_NOT_FOUND");
});

test("jetstream - publish: PubAck, msgID de-duplication, expectations, no stream", async () => {
  const r = await page.evaluate(async () => {
    const name = fresh("PUB");
    await t.jsm.streams.add({ name, subjects: [`${name}.*`], storage: "memory", duplicate_window: nats.nanos(60000) });
    const a = await t.js.publish(`${name}.a`, "1", { msgID: "x" });
    const dup = await t.js.publish(`${name}.a`, "1", { msgID: "x" });
    const b = await t.js.publish(`${name}.b`, "2", { expect: { lastSequence: 1, streamName: name, lastMsgID: "x" } });
    const wrongSeq = await err(() => t.js.publish(`${name}.a`, "3", { expect: { lastSequence: 1 } }));
    const wrongStream = await err(() => t.js.publish(`${name}.a`, "3", { expect: { streamName: "nope" } }));
    const wrongId = await err(() => t.js.publish(`${name}.a`, "3", { expect: { lastMsgID: "nope" } }));
    const subjSeq = await t.js.publish(`${name}.c`, "4", { expect: { lastSubjectSequence: 0 } });
    const subjWrong = await err(() => t.js.publish(`${name}.c`, "5", { expect: { lastSubjectSequence: 0 } }));
    const noStream = await err(() => t.js.publish(`nostream.${name}`, "x"));
    const badSubject = await err(() => t.js.publish("a b", "x"));
    const badOpt = await err(() => t.js.publish(`${name}.a`, "x", { nope: 1 }));
    const state = (await t.jsm.streams.info(name)).state;
    await t.jsm.streams.delete(name);
    return { a, dup, b, wrongSeq, wrongStream, wrongId, subjSeq, subjWrong, noStream, badSubject, badOpt, msgs: state.messages, prefix: t.js.apiPrefix };
  });
  assert.deepEqual(r.a, { stream: r.a.stream, seq: 1, duplicate: false });
  assert.equal(r.dup.duplicate, true);
  assert.equal(r.dup.seq, 1);
  assert.equal(r.b.seq, 2);
  assert.equal(r.wrongSeq.code, "WRONG_LAST_SEQUENCE");
  assert.equal(r.wrongStream.code, "WRONG_STREAM");
  assert.equal(r.wrongId.code, "WRONG_LAST_MSG_ID");
  assert.equal(r.subjSeq.seq, 3);
  assert.equal(r.subjWrong.code, "WRONG_LAST_SEQUENCE");
  assert.equal(r.noStream.code, "NO_RESPONDERS");
  assert.equal(r.badSubject.code, "INVALID_SUBJECT");
  assert.equal(r.badOpt.code, "INVALID_ARGUMENT");
  assert.equal(r.msgs, 3);
  assert.equal(r.prefix, "$JS.API");
});

test("jsm - a mirror and a sourced stream with subject transforms hold the expected subjects", async () => {
  const r = await page.evaluate(async () => {
    const name = fresh("ORIG");
    await t.jsm.streams.add({ name, subjects: [`${name}.>`], storage: "memory" });
    for (const s of ["a", "b", "a"]) await t.js.publish(`${name}.${s}`, s);
    const mirror = `${name}_M`;
    const sourced = `${name}_S`;
    await t.jsm.streams.add({ name: mirror, storage: "memory", mirror: { name, filter_subject: `${name}.a` } });
    await t.jsm.streams.add({ name: sourced, storage: "memory", sources: [{ name, subject_transforms: [{ src: `${name}.>`, dest: `copy.${name}.>` }] }] });
    // Wait (by polling the server's state, not by time) until both caught up.
    const count = async (s) => (await t.jsm.streams.info(s)).state.messages;
    while ((await count(mirror)) < 2 || (await count(sourced)) < 3) await new Promise((r) => setTimeout(r, 50));
    const m = [(await t.jsm.streams.getMessage(mirror, { seq: 1 })).subject, (await t.jsm.streams.getMessage(mirror, { seq: 3 })).subject];
    const s = [];
    for (let i = 1; i <= 3; i++) s.push((await t.jsm.streams.getMessage(sourced, { seq: i })).subject);
    const withDomainAndExternal = await err(() => t.jsm.streams.add({ name: `${name}_X`, sources: [{ name, domain: "d", external: { api: "$JS.d.API" } }] }));
    for (const n of [mirror, sourced, name]) await t.jsm.streams.delete(n);
    return { name, m, s, withDomainAndExternal };
  });
  assert.deepEqual(r.m, [`${r.name}.a`, `${r.name}.a`]);
  assert.deepEqual(r.s, [`copy.${r.name}.a`, `copy.${r.name}.b`, `copy.${r.name}.a`]);
  assert.equal(r.withDomainAndExternal.code, "INVALID_ARGUMENT");
});

test("jsm - bad names, fields and values are rejected before anything is sent", async () => {
  const r = await page.evaluate(async () => {
    const cases = {
      dotName: () => t.jsm.streams.add({ name: "a.b" }),
      emptyName: () => t.jsm.streams.add({ name: "" }),
      spaceName: () => t.jsm.streams.info("a b"),
      longName: () => t.jsm.streams.info("x".repeat(256)),
      noName: () => t.jsm.streams.add({ subjects: ["x"] }),
      unknownField: () => t.jsm.streams.add({ name: "ok", nope: 1 }),
      badRetention: () => t.jsm.streams.add({ name: "ok", retention: "forever" }),
      badSubject: () => t.jsm.streams.add({ name: "ok", subjects: ["a..b"] }),
      notObject: () => t.jsm.streams.add("ok"),
      bigint: () => t.jsm.streams.add({ name: "ok", max_msgs: 1n }),
      consumerName: () => t.jsm.consumers.add("ok", { durable_name: "a>b" }),
      consumerField: () => t.jsm.consumers.add("ok", { durable_name: "d", nope: true }),
      groupWithHb: () => t.jsm.consumers.add("ok", { durable_name: "d", deliver_subject: "x", deliver_group: "g", idle_heartbeat: 1e9 }),
      nameVsDurable: () => t.jsm.consumers.add("ok", { name: "a", durable_name: "b" }),
      badQuery: () => t.jsm.streams.getMessage("ok", { seq: 1, last_by_subj: "x" }),
      badSeq: () => t.jsm.streams.deleteMessage("ok", -1),
      infoOpt: () => t.jsm.streams.info("ok", { nope: 1 }),
    };
    const out = {};
    for (const [k, f] of Object.entries(cases)) out[k] = await err(f);
    return out;
  });
  for (const [k, e] of Object.entries(r)) {
    assert.equal(e.isNatsError, true, `${k}: ${JSON.stringify(e)}`);
    assert.ok(["INVALID_ARGUMENT", "INVALID_SUBJECT"].includes(e.code), `${k}: ${e.code} ${e.message}`);
  }
  assert.equal(r.badSubject.code, "INVALID_SUBJECT");
});

test("jsm - nanos, millis and the frozen enums work right after import", async () => {
  const r = await page.evaluate(() => ({
    n: nats.nanos(1500), m: nats.millis(1_999_999), frozen: Object.isFrozen(nats.AckPolicy),
    d: nats.DeliverPolicy.StartSequence, ret: nats.RetentionPolicy.Workqueue,
  }));
  assert.deepEqual(r, { n: 1.5e9, m: 1, frozen: true, d: "by_start_sequence", ret: "workqueue" });
});

test("Kvm and Objm take a JetStreamClient in place of the connection, with its options", async () => {
  const r = await page.evaluate(async () => {
    const js = nats.jetstream(t.nc, { timeout: 2000 });
    const kvm = new nats.Kvm(js);
    const kv = await kvm.create(fresh("kvjs"));
    await kv.put("k", "v");
    const got = (await kv.get("k")).string();
    await kv.destroy();
    const objm = new nats.Objm(js);
    const os = await objm.create(fresh("objjs"));
    await os.putBlob({ name: "o" }, new Uint8Array([1, 2]));
    const blob = [...(await os.getBlob("o"))];
    await os.destroy();
    // The client's options go along: a domain nobody serves reaches no JetStream.
    const lost = await err(() => new nats.Kvm(nats.jetstream(t.nc, { domain: "nowhere", timeout: 500 })).open("x"));
    return { got, blob, lost: lost.code };
  });
  assert.equal(r.got, "v");
  assert.deepEqual(r.blob, [1, 2]);
  assert.equal(r.lost, "JETSTREAM_NOT_ENABLED");
});
