// Security: protocol injection through subjects, reply subjects, queue names, KV keys/buckets and header
// names/values is rejected locally (a wildcard monitor on a second connection sees nothing, the connection
// stays up); secrets never appear in errors; a user without publish permission on a bucket gets
// PERMISSIONS_VIOLATION from put() — not a TIMEOUT — and keeps its connection.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as fx from "../../scripts/lib/auth-fixtures.mjs";
import { startNatsServer } from "../../scripts/lib/nats-server.mjs";
import { launchBrowser, startStack, modulePage } from "./helpers.mjs";

let stack, browser, page;
const servers = [];
const pageErrors = [];
before(async () => {
  stack = await startStack();
  browser = await launchBrowser();
  page = await modulePage(browser, stack.web);
  page.on("pageerror", (e) => pageErrors.push(String(e)));
});
after(async () => {
  await browser?.close();
  for (const s of servers) await s.dispose();
  await stack?.close();
});

async function serverWith(config) {
  const s = await startNatsServer({ extraConfig: config });
  servers.push(s);
  return s;
}

// Each one would, if written verbatim, end the control line and start a forged op.
const INJECT = [
  "x\r\nPUB evil 4\r\nowned",
  "x\nPUB evil 4\nowned",
  "x\rPUB evil 4",
  "x evil",
  "x\tevil",
  "x\0evil",
  "x\u000bevil",
];

test("injection through subjects, reply, queue, KV keys/buckets and headers is rejected before sending", async () => {
  const r = await page.evaluate(async ({ url, INJECT }) => {
    const nc = await nats.connect({ servers: url });
    const kv = await new nats.Kvm(nc).create("sec");
    const statuses = [];
    nc.onStatus((s) => statuses.push(s.type));
    // The monitor: a second connection subscribed to everything.
    const mon = await nats.connect({ servers: url });
    const seen = [];
    let controlSeen;
    const control = new Promise((resolve) => { controlSeen = resolve; });
    mon.subscribe(">", { callback: (err, m) => { if (m) { seen.push(m.subject); if (m.subject === "sec.control") controlSeen(); } } });
    await mon.flush();

    const results = [];
    const attempt = async (what, fn) => {
      try { await fn(); results.push({ what, outcome: "accepted" }); } catch (e) {
        results.push({ what, isNatsError: e instanceof nats.NatsError, code: e.code });
      }
    };
    for (const bad of INJECT) {
      const tag = JSON.stringify(bad);
      await attempt(`publish subject ${tag}`, () => nc.publish(`sec.${bad}`, "x"));
      await attempt(`publish reply ${tag}`, () => nc.publish("sec.ok", "x", { reply: `r.${bad}` }));
      await attempt(`subscribe subject ${tag}`, () => nc.subscribe(`sec.${bad}`));
      await attempt(`subscribe queue ${tag}`, () => nc.subscribe("sec.q", { queue: `q${bad}` }));
      await attempt(`request subject ${tag}`, () => nc.request(`sec.${bad}`, "x", { timeout: 500 }));
      await attempt(`header name ${tag}`, () => nc.publish("sec.h", "x", { headers: { [`H${bad}`]: "v" } }));
      await attempt(`headers().set name ${tag}`, () => nats.headers().set(`H${bad}`, "v"));
      await attempt(`kv.put key ${tag}`, () => kv.put(`k${bad}`, "v"));
      await attempt(`kv.get key ${tag}`, () => kv.get(`k${bad}`));
      await attempt(`kv.delete key ${tag}`, () => kv.delete(`k${bad}`));
      await attempt(`kv.watch key ${tag}`, () => kv.watch({ key: `k${bad}` }));
      await attempt(`Kvm.create bucket ${tag}`, () => new nats.Kvm(nc).create(`b${bad}`));
      // Header values may hold spaces and tabs; CR, LF and NUL are what would break the block.
      if (/[\r\n\0]/.test(bad)) {
        await attempt(`header value ${tag}`, () => nc.publish("sec.h", "x", { headers: { H: `v${bad}` } }));
        await attempt(`headers().append value ${tag}`, () => nats.headers().append("H", `v${bad}`));
        await attempt(`request header value ${tag}`, () => nc.request("sec.h", "x", { headers: { H: `v${bad}` }, timeout: 500 }));
      }
    }
    // Control: a legitimate message goes through and the monitor sees it (so it would have seen the rest).
    nc.publish("sec.control", "ok");
    await nc.flush();
    await control;
    await mon.flush();
    const stillUp = !nc.isClosed();
    const seenBefore = [...seen];
    await kv.destroy();
    await nc.close();
    await mon.close();
    return { results, seen: seenBefore, statuses, stillUp };
  }, { url: stack.server.wsUrl, INJECT });
  const wrong = r.results.filter((x) => !(x.isNatsError && /^INVALID_/.test(x.code)));
  assert.deepEqual(wrong, [], JSON.stringify(wrong, null, 1));
  assert.ok(r.results.length >= INJECT.length * 12);
  assert.deepEqual(r.seen, ["sec.control"], "the monitor saw only the control message");
  assert.equal(r.stillUp, true);
  assert.ok(!r.statuses.includes("disconnect"), `statuses: ${r.statuses}`);
  assert.deepEqual(pageErrors, []);
});

/** `connect` with each option set; returns every error's `code`, `message`, `String(err)` and `stack`. */
function connectErrors(url, optionSets) {
  return page.evaluate(async ({ url, optionSets }) => {
    const out = [];
    for (const opts of optionSets) {
      const statuses = [];
      try {
        const nc = await nats.connect({ servers: url, reconnect: false, timeout: 5000, ...opts });
        nc.onStatus((s) => statuses.push(String(s.data ?? "")));
        out.push({ code: "connected" });
        await nc.close();
      } catch (e) {
        out.push({ code: e.code, isNatsError: e instanceof nats.NatsError, text: [e.message, String(e), e.stack ?? "", JSON.stringify(e), ...statuses].join("\n") });
      }
    }
    return out;
  }, { url, optionSets });
}

/** Asserts that no error text contains any of the secrets (or a distinctive part of one). */
function assertNoSecret(results, secrets) {
  for (const r of results) {
    for (const s of secrets) {
      assert.ok(!r.text.includes(s), `error text leaks ${s.slice(0, 6)}…: ${r.text.slice(0, 300)}`);
    }
  }
}

test("wrong and malformed credentials: typed errors that never contain the secret", async () => {
  const PASS = "pa55-Secret-Value", TOKEN = "t0ken-Secret-Value";
  const userPass = await serverWith(fx.userPassSetup("alice", PASS));
  const token = await serverWith(fx.tokenSetup(TOKEN));
  const nkey = fx.nkeyUserSetup();
  const nkeyServer = await serverWith(nkey.serverConfig);
  const op = fx.operatorSetup();
  const opServer = await serverWith(op.serverConfig);
  const stranger = fx.operatorSetup();
  const other = fx.newNkey("U");

  const wrongPass = "wr0ng-Secret-Pass";
  const wrongToken = "wr0ng-Secret-Token";
  // Wrong credentials: the server refuses.
  const wrong = [
    ...(await connectErrors(userPass.wsUrl, [{ user: "alice", pass: wrongPass }])),
    ...(await connectErrors(token.wsUrl, [{ token: wrongToken }])),
    ...(await connectErrors(nkeyServer.wsUrl, [{ nkeySeed: other.seed }])),
    ...(await connectErrors(opServer.wsUrl, [{ creds: stranger.creds }])),
  ];
  for (const r of wrong) {
    assert.equal(r.isNatsError, true);
    assert.equal(r.code, "AUTHORIZATION_VIOLATION");
  }
  assertNoSecret(wrong, [wrongPass, wrongToken, other.seed, stranger.userSeed, stranger.userJwt, stranger.userJwt.split(".")[2]]);

  // Malformed credentials: refused locally.
  const seedBody = nkey.seed.slice(2, 40);
  const badSeed = nkey.seed.slice(0, -3) + (nkey.seed.endsWith("A") ? "BBB" : "AAA"); // checksum broken
  const creds = op.creds;
  const badCreds = [
    creds.replace(op.userSeed, op.userSeed.slice(0, -4) + "AAAA"),           // seed checksum broken
    creds.replace(op.userSeed, op.userSeed.slice(0, 20)),                     // truncated seed
    creds.replace(op.userSeed, op.userSeed.replace(/^SU/, "SA")),             // account seed, not user
    creds.replace(/-----BEGIN USER NKEY SEED-----[\s\S]*?------END USER NKEY SEED------/, ""), // no seed block
    creds.replace(op.userJwt, op.userJwt + "\r\nPUB x 1"),                    // injected line in the JWT
  ];
  const malformed = await connectErrors(opServer.wsUrl, [
    { nkeySeed: badSeed },
    { nkeySeed: nkey.seed.slice(0, 30) },
    { nkeySeed: nkey.seed.replace(/^SU/, "SA") },
    { nkeySeed: `${nkey.seed}\r\nPUB x 1` },
    { user: "alice", pass: `${PASS}\r\nPUB evil 1` },
    { token: `${TOKEN}\nPUB evil 1` },
    ...badCreds.map((c) => ({ creds: c })),
  ]);
  for (const r of malformed) {
    assert.equal(r.isNatsError, true, JSON.stringify(r));
    assert.ok(["INVALID_ARGUMENT", "AUTHORIZATION_VIOLATION"].includes(r.code), JSON.stringify(r.code));
  }
  assertNoSecret(malformed, [seedBody, badSeed.slice(2, 40), PASS, TOKEN, op.userSeed.slice(2, 20), op.userJwt.split(".")[2]]);
  assert.deepEqual(pageErrors, []);
});

test("put() without publish permission on the bucket → PERMISSIONS_VIOLATION (not TIMEOUT); connection stays up", async () => {
  const s = await serverWith(`authorization { users: [
    { user: "admin", password: "a" },
    { user: "reader", password: "r", permissions: { publish: { deny: ["$KV.ro.>"] } } }
  ] }`);
  const r = await page.evaluate(async (url) => {
    const admin = await nats.connect({ servers: url, user: "admin", pass: "a" });
    const adminKv = await new nats.Kvm(admin).create("ro");
    await adminKv.put("k", "v1");
    const nc = await nats.connect({ servers: url, user: "reader", pass: "r" });
    const statuses = [];
    nc.onStatus((st) => statuses.push(st.type));
    const kv = await new nats.Kvm(nc).open("ro", { timeout: 10000 });
    const out = {};
    const t0 = performance.now();
    try { await kv.put("k", "v2", { timeout: 10000 }); out.put = "written"; } catch (e) {
      out.put = e.code; out.isNatsError = e instanceof nats.NatsError;
    }
    out.fastEnough = performance.now() - t0 < 5000; // long before the 10 s timeout
    try { await kv.create("new", "x"); out.create = "written"; } catch (e) { out.create = e.code; }
    try { await kv.delete("k"); out.delete = "deleted"; } catch (e) { out.delete = e.code; }
    // Reading still works: the connection is up and the value is unchanged.
    out.value = (await kv.get("k")).string();
    out.closed = nc.isClosed();
    out.statuses = statuses;
    await nc.close();
    await adminKv.destroy();
    await admin.close();
    return out;
  }, s.wsUrl);
  assert.equal(r.put, "PERMISSIONS_VIOLATION");
  assert.equal(r.isNatsError, true);
  assert.equal(r.fastEnough, true);
  assert.equal(r.create, "PERMISSIONS_VIOLATION");
  assert.equal(r.delete, "PERMISSIONS_VIOLATION");
  assert.equal(r.value, "v1");
  assert.equal(r.closed, false);
  assert.ok(!r.statuses.includes("disconnect"), `statuses: ${r.statuses}`);
  assert.deepEqual(pageErrors, []);
});
