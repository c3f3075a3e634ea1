// Every JS entry point called with hostile arguments — wrong types, undefined/null, huge and non-finite
// numbers, a 10 MB string, objects/arrays/functions/symbols/BigInts where strings or numbers are expected —
// must fail with a `NatsError` (`instanceof nats.NatsError`) carrying a local-validation code: never a
// TypeError, a RuntimeError or a wasm trap ("unreachable"), never a silent success, and the connection
// and the module keep working afterwards.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launchBrowser, startStack, modulePage } from "./helpers.mjs";

let stack, browser, page;
const pageErrors = [];
before(async () => {
  stack = await startStack();
  browser = await launchBrowser();
  page = await modulePage(browser, stack.web);
  page.on("pageerror", (e) => pageErrors.push(String(e)));
  await page.evaluate(async (url) => {
    const BIG = "x".repeat(10 * 1024 * 1024);
    // The hostile values, by name.
    const V = {
      undefined: undefined, null: null, huge: 1e300, NaN: NaN, Infinity: Infinity, minus1: -1,
      object: { a: 1 }, array: [1, 2], function: () => "x", boolean: true, string10MB: BIG,
      bigint: 1n, symbol: Symbol("s"),
    };
    const all = Object.keys(V);
    const except = (...names) => all.filter((n) => !names.includes(n));
    // Where a string is required / optional (absent = undefined or null).
    const STR = all;
    const OPT_STR = except("undefined", "null");
    // Where a number is expected (optional): a number that is not a sensible value, or not a number.
    const OPT_NUM = except("undefined", "null");
    const OPT_NUM_M1 = except("undefined", "null", "minus1"); // -1 means "unlimited"/"forever" there
    // Where a payload is expected: string or Uint8Array (or nothing).
    const PAYLOAD = except("undefined", "null");
    // Where an options object is expected (optional).
    const OPTS = ["huge", "NaN", "Infinity", "minus1", "boolean", "string10MB", "bigint", "symbol", "function"];
    const OPT_BOOL = ["huge", "NaN", "object", "array", "function", "string10MB", "bigint", "symbol"];
    const OPT_FN = except("undefined", "null", "function");
    const FN = except("function");
    // Header names/values are checked for CR/LF/…, not for size: a 10 MB one fails at publish
    // (MAX_PAYLOAD_EXCEEDED, covered by publish({headers:{a:v}})).
    const STR_NOT_BIG = except("string10MB");

    window.ep = { V, url, BIG, STR, OPT_STR, OPT_NUM, OPT_NUM_M1, PAYLOAD, OPTS, OPT_BOOL, OPT_FN, FN, STR_NOT_BIG };
    window.ep.outcome = async (fn) => {
      try {
        const r = await fn();
        if (r && typeof r.close === "function" && r !== window.ep.nc) { try { await r.close(); } catch {} }
        if (r && typeof r.stop === "function") { try { r.stop(); } catch {} }
        return { ok: true };
      } catch (e) {
        return {
          isNatsError: e instanceof nats.NatsError,
          code: e?.code,
          kind: e?.constructor?.name,
          message: String(e?.message ?? e).slice(0, 160),
        };
      }
    };
    window.ep.nc = await nats.connect({ servers: url });
    window.ep.kvm = new nats.Kvm(window.ep.nc);
    window.ep.kv = await window.ep.kvm.create("ep");
    await window.ep.kv.put("k", "v");
  }, stack.server.wsUrl);
});
after(async () => { await browser?.close(); await stack?.close(); });

// A 10 MB name/user/pass/token would make a CONNECT line longer than the server's control line: it is
// refused locally (INVALID_ARGUMENT) like any other over-long control line.
const OVERLONG_CONNECT = [];
const LOCAL = new Set(["INVALID_ARGUMENT", "INVALID_SUBJECT", "INVALID_KEY", "INVALID_BUCKET_NAME", "MAX_PAYLOAD_EXCEEDED"]);

/**
 * Runs each case `[name, valueSetName, (v) => call, extraCodes?]` for every value of the set; returns the
 * outcomes that are not a NatsError with a local code (or one of the case's `extraCodes`).
 */
async function badOutcomes(cases) {
  const r = await page.evaluate(async (cases) => {
    const { ep } = window;
    const { nc, kvm, kv } = ep;
    const bad = [];
    for (const [name, set, src, extra] of cases) {
      const call = eval(src); // eslint-disable-line no-eval
      for (const vn of ep[set]) {
        const o = await ep.outcome(() => call(ep.V[vn], { nc, kvm, kv }));
        bad.push({ call: `${name} ← ${vn}`, extra: extra || [], ...o });
      }
    }
    return bad;
  }, cases.map(([n, s, f, extra]) => [n, s, f.toString(), extra]));
  return r.filter((o) => !(o.isNatsError && (LOCAL.has(o.code) || o.extra.includes(o.code))));
}

async function check(cases) {
  const bad = await badOutcomes(cases);
  assert.deepEqual(bad, [], bad.map((b) => `${b.call}: ${b.ok ? "accepted" : `${b.kind} ${b.code} ${b.message}`}`).join("\n"));
  assert.deepEqual(pageErrors, []);
}

test("connect(): options of the wrong type or out of range reject with NatsError before connecting", async () => {
  await check([
    ["connect(opts)", "OPTS", (v) => nats.connect(v)],
    ["connect({servers})", "STR", (v) => nats.connect({ servers: v })],
    ["connect({servers:[v]})", "STR", (v) => nats.connect({ servers: [v] })],
    ["connect({name})", "OPT_STR", (v) => nats.connect({ servers: window.ep.url, name: v }), OVERLONG_CONNECT],
    ["connect({user})", "OPT_STR", (v) => nats.connect({ servers: window.ep.url, user: v, pass: "p" }), OVERLONG_CONNECT],
    ["connect({pass})", "OPT_STR", (v) => nats.connect({ servers: window.ep.url, user: "u", pass: v }), OVERLONG_CONNECT],
    ["connect({token})", "OPT_STR", (v) => nats.connect({ servers: window.ep.url, token: v }), OVERLONG_CONNECT],
    ["connect({nkeySeed})", "OPT_STR", (v) => nats.connect({ servers: window.ep.url, nkeySeed: v })],
    ["connect({creds})", "OPT_STR", (v) => nats.connect({ servers: window.ep.url, creds: v })],
    ["connect({inboxPrefix})", "OPT_STR", (v) => nats.connect({ servers: window.ep.url, inboxPrefix: v })],
    ["connect({timeout})", "OPT_NUM", (v) => nats.connect({ servers: window.ep.url, timeout: v })],
    ["connect({maxReconnectAttempts})", "OPT_NUM_M1", (v) => nats.connect({ servers: window.ep.url, maxReconnectAttempts: v })],
    ["connect({reconnectTimeWait})", "OPT_NUM", (v) => nats.connect({ servers: window.ep.url, reconnectTimeWait: v })],
    ["connect({reconnectJitter})", "OPT_NUM", (v) => nats.connect({ servers: window.ep.url, reconnectJitter: v })],
    ["connect({pingInterval})", "OPT_NUM", (v) => nats.connect({ servers: window.ep.url, pingInterval: v })],
    ["connect({maxPingOut})", "OPT_NUM", (v) => nats.connect({ servers: window.ep.url, maxPingOut: v })],
    ["connect({reconnect})", "OPT_BOOL", (v) => nats.connect({ servers: window.ep.url, reconnect: v })],
    ["connect({noEcho})", "OPT_BOOL", (v) => nats.connect({ servers: window.ep.url, noEcho: v })],
    ["connect({waitOnFirstConnect})", "OPT_BOOL", (v) => nats.connect({ servers: window.ep.url, waitOnFirstConnect: v })],
  ]);
});

test("publish/subscribe/request and headers: hostile arguments → NatsError", async () => {
  await check([
    ["publish(subject)", "STR", (v, { nc }) => nc.publish(v, "x")],
    ["publish(_, payload)", "PAYLOAD", (v, { nc }) => nc.publish("ep.p", v)],
    ["publish(_, _, opts)", "OPTS", (v, { nc }) => nc.publish("ep.p", "x", v)],
    ["publish({reply})", "OPT_STR", (v, { nc }) => nc.publish("ep.p", "x", { reply: v })],
    ["publish({headers})", "OPTS", (v, { nc }) => nc.publish("ep.p", "x", { headers: v })],
    ["publish({headers:{a:v}})", "OPT_STR", (v, { nc }) => nc.publish("ep.p", "x", { headers: { a: v } })],
    ["subscribe(subject)", "STR", (v, { nc }) => nc.subscribe(v)],
    ["subscribe(_, opts)", "OPTS", (v, { nc }) => nc.subscribe("ep.s", v)],
    ["subscribe({queue})", "OPT_STR", (v, { nc }) => nc.subscribe("ep.s", { queue: v })],
    ["subscribe({max})", "OPT_NUM", (v, { nc }) => nc.subscribe("ep.s", { max: v })],
    ["subscribe({callback})", "OPT_FN", (v, { nc }) => nc.subscribe("ep.s", { callback: v })],
    ["request(subject)", "STR", (v, { nc }) => nc.request(v, "x", { timeout: 100 })],
    ["request(_, payload)", "PAYLOAD", (v, { nc }) => nc.request("ep.r", v, { timeout: 100 })],
    ["request({timeout})", "OPT_NUM", (v, { nc }) => nc.request("ep.r", "x", { timeout: v })],
    ["request({headers:{a:v}})", "OPT_STR", (v, { nc }) => nc.request("ep.r", "x", { headers: { a: v }, timeout: 100 })],
    ["headers().set(name)", "STR_NOT_BIG", (v) => nats.headers().set(v, "x")],
    ["headers().set(_, value)", "STR_NOT_BIG", (v) => nats.headers().set("a", v)],
    ["headers().append(name)", "STR_NOT_BIG", (v) => nats.headers().append(v, "x")],
    ["headers().append(_, value)", "STR_NOT_BIG", (v) => nats.headers().append("a", v)],
  ]);
});

test("Kvm and KV methods: hostile arguments → NatsError", async () => {
  await check([
    ["new Kvm(nc)", "STR", (v) => new nats.Kvm(v).create("ep")],
    ["kvm.create(bucket)", "STR", (v, { kvm }) => kvm.create(v)],
    ["kvm.open(bucket)", "STR", (v, { kvm }) => kvm.open(v)],
    ["kvm.create(_, opts)", "OPTS", (v, { kvm }) => kvm.create("ep2", v)],
    ["kvm.create({history})", "OPT_NUM", (v, { kvm }) => kvm.create("ep2", { history: v })],
    ["kvm.create({ttl})", "OPT_NUM", (v, { kvm }) => kvm.create("ep2", { ttl: v })],
    ["kvm.create({maxBytes})", "OPT_NUM_M1", (v, { kvm }) => kvm.create("ep2", { maxBytes: v })],
    ["kvm.create({maxValueSize})", "OPT_NUM_M1", (v, { kvm }) => kvm.create("ep2", { maxValueSize: v })],
    ["kvm.create({replicas})", "OPT_NUM", (v, { kvm }) => kvm.create("ep2", { replicas: v })],
    ["kvm.create({storage})", "OPT_STR", (v, { kvm }) => kvm.create("ep2", { storage: v })],
    ["kvm.create({description})", "OPT_STR", (v, { kvm }) => kvm.create("ep2", { description: v })],
    ["kvm.create({metadata})", "OPTS", (v, { kvm }) => kvm.create("ep2", { metadata: v })],
    ["kvm.create({metadata:{a:v}})", "OPT_STR", (v, { kvm }) => kvm.create("ep2", { metadata: { a: v } })],
    ["kvm.create({timeout})", "OPT_NUM", (v, { kvm }) => kvm.create("ep2", { timeout: v })],
    ["kv.get(key)", "STR", (v, { kv }) => kv.get(v)],
    ["kv.get(_, {revision})", "OPT_NUM", (v, { kv }) => kv.get("k", { revision: v })],
    ["kv.put(key)", "STR", (v, { kv }) => kv.put(v, "x")],
    ["kv.put(_, value)", "STR", (v, { kv }) => kv.put("k", v)],
    ["kv.put(_, _, opts)", "OPTS", (v, { kv }) => kv.put("k", "x", v)],
    ["kv.put({previousSeq})", "OPT_NUM", (v, { kv }) => kv.put("k", "x", { previousSeq: v })],
    ["kv.put({timeout})", "OPT_NUM", (v, { kv }) => kv.put("k", "x", { timeout: v })],
    ["kv.create(key)", "STR", (v, { kv }) => kv.create(v, "x")],
    ["kv.create(_, value)", "STR", (v, { kv }) => kv.create("new", v)],
    ["kv.update(key)", "STR", (v, { kv }) => kv.update(v, "x", 1)],
    ["kv.update(_, _, revision)", "STR", (v, { kv }) => kv.update("k", "x", v)],
    ["kv.update(_, _, _, timeout)", "OPT_NUM", (v, { kv }) => kv.update("k", "x", 1, v)],
    ["kv.delete(key)", "STR", (v, { kv }) => kv.delete(v)],
    ["kv.delete({previousSeq})", "OPT_NUM", (v, { kv }) => kv.delete("k", { previousSeq: v })],
    ["kv.purge(key)", "STR", (v, { kv }) => kv.purge(v)],
    ["kv.purge({previousSeq})", "OPT_NUM", (v, { kv }) => kv.purge("k", { previousSeq: v })],
    ["kv.keys(filter)", "OPT_STR", (v, { kv }) => kv.keys(v === undefined || v === null ? 5 : v)],
    ["kv.history(opts)", "OPTS", (v, { kv }) => kv.history(v)],
    ["kv.history({key})", "OPT_STR", (v, { kv }) => kv.history({ key: v })],
    ["kv.purgeDeletes(olderMillis)", "OPT_NUM_M1", (v, { kv }) => kv.purgeDeletes(v)],
    ["kv.modify(key)", "STR", (v, { kv }) => kv.modify(v, () => "x")],
    ["kv.modify(_, fn)", "FN", (v, { kv }) => kv.modify("k", v)],
    ["kv.modify(_, fn → v)", "OPT_FN", (v, { kv }) => kv.modify("k", () => v)],
    ["kv.modify({maxRetries})", "OPT_NUM", (v, { kv }) => kv.modify("k", () => "x", { maxRetries: v })],
  ]);
});

test("watch and view options: hostile arguments → NatsError", async () => {
  await check([
    ["kv.watch(opts)", "OPTS", (v, { kv }) => kv.watch(v)],
    ["kv.watch({key})", "OPT_STR", (v, { kv }) => kv.watch({ key: v })],
    ["kv.watch({include})", "OPT_STR", (v, { kv }) => kv.watch({ include: v })],
    ["kv.watch({resumeFromRevision})", "OPT_NUM", (v, { kv }) => kv.watch({ resumeFromRevision: v })],
    ["kv.watch({callback})", "OPT_FN", (v, { kv }) => kv.watch({ callback: v })],
    ["kv.watch({onInitialized})", "OPT_FN", (v, { kv }) => kv.watch({ onInitialized: v })],
    ["kv.watch({ignoreDeletes})", "OPT_BOOL", (v, { kv }) => kv.watch({ ignoreDeletes: v })],
    ["kv.view(opts)", "OPTS", (v, { kv }) => kv.view(v)],
    ["kv.view({key})", "OPT_STR", (v, { kv }) => kv.view({ key: v })],
    ["view.subscribe(fn)", "OPT_FN", async (v, { kv }) => {
      const view = await kv.view();
      try { view.subscribe(v); } finally { view.close(); }
    }],
  ]);
});

test("afterwards the connection, the bucket and the module still work", async () => {
  const r = await page.evaluate(async () => {
    const { nc, kv } = window.ep;
    await nc.flush();
    const rev = await kv.put("after", "ok");
    const v = (await kv.get("after")).string();
    const sub = nc.subscribe("ep.after", { max: 1 });
    nc.publish("ep.after", "alive");
    let got;
    for await (const m of sub) got = m.string();
    await kv.destroy();
    await nc.close();
    return { rev: rev > 0, v, got };
  });
  assert.deepEqual(r, { rev: true, v: "ok", got: "alive" });
  assert.deepEqual(pageErrors, []);
});
