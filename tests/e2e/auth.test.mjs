// Each auth method of connect() against a nats-server configured for it; wrong credentials are
// refused with AUTHORIZATION_VIOLATION. Keys, JWTs and creds are made by the test (auth-fixtures.mjs).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as fx from "../../scripts/lib/auth-fixtures.mjs";
import { startNatsServer } from "../../scripts/lib/nats-server.mjs";
import { launchBrowser, startStack, modulePage } from "./helpers.mjs";

let stack, browser, page;
const servers = [];
before(async () => {
  stack = await startStack();
  browser = await launchBrowser();
  page = await modulePage(browser, stack.web);
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

/** Connects with `good` and with `bad` options; the good one must also publish and flush. */
function tryBoth(url, good, bad) {
  return page.evaluate(async ({ url, good, bad }) => {
    const out = {};
    try {
      const nc = await nats.connect({ servers: url, ...good });
      const sub = nc.subscribe("auth.check", { max: 1 });
      nc.publish("auth.check", "ok");
      for await (const m of sub) out.good = m.string();
      await nc.close();
    } catch (e) { out.good = `${e.code}: ${e.message}`; }
    try {
      const nc = await nats.connect({ servers: url, ...bad });
      out.bad = "connected";
      await nc.close();
    } catch (e) { out.bad = e.code; out.badMessage = e.message; }
    return out;
  }, { url, good, bad });
}

test("user and password", async () => {
  const s = await serverWith(fx.userPassSetup("alice", "s3cret"));
  const r = await tryBoth(s.wsUrl, { user: "alice", pass: "s3cret" }, { user: "alice", pass: "wrong" });
  assert.equal(r.good, "ok");
  assert.equal(r.bad, "AUTHORIZATION_VIOLATION");
  assert.ok(!r.badMessage.includes("wrong"), "the password is not in the error message");
});

test("token", async () => {
  const s = await serverWith(fx.tokenSetup("t0ken-123"));
  const r = await tryBoth(s.wsUrl, { token: "t0ken-123" }, { token: "nope" });
  assert.equal(r.good, "ok");
  assert.equal(r.bad, "AUTHORIZATION_VIOLATION");
});

test("nkey seed signs the server nonce", async () => {
  const setup = fx.nkeyUserSetup();
  const s = await serverWith(setup.serverConfig);
  const other = fx.newNkey("U");
  const r = await tryBoth(s.wsUrl, { nkeySeed: setup.seed }, { nkeySeed: other.seed });
  assert.equal(r.good, "ok");
  assert.equal(r.bad, "AUTHORIZATION_VIOLATION");
  assert.ok(!r.badMessage.includes(other.seed));
});

test("creds (operator / account / user JWT made by the test)", async () => {
  const setup = fx.operatorSetup();
  const s = await serverWith(setup.serverConfig);
  // A user signed by an account the server does not know.
  const stranger = fx.operatorSetup();
  const r = await tryBoth(s.wsUrl, { creds: setup.creds }, { creds: stranger.creds });
  assert.equal(r.good, "ok");
  assert.equal(r.bad, "AUTHORIZATION_VIOLATION");
});

test("a malformed seed or creds text is an INVALID_ARGUMENT before connecting", async () => {
  const r = await page.evaluate(async (url) => {
    const codes = [];
    for (const opts of [{ nkeySeed: "SUnotaseed" }, { creds: "no blocks here" }, { nkeySeed: 42 }]) {
      try { await nats.connect({ servers: url, ...opts }); codes.push("connected"); } catch (e) { codes.push(e.code); }
    }
    return codes;
  }, stack.server.wsUrl);
  assert.deepEqual(r, ["INVALID_ARGUMENT", "INVALID_ARGUMENT", "INVALID_ARGUMENT"]);
});

test("permissions violations reach the subscription or request concerned; the connection stays up", async () => {
  const s = await serverWith(`authorization { users: [
    { user: "limited", password: "p", permissions: { publish: { deny: ["secret.>"] }, subscribe: { deny: ["secret.>"] } } }
  ] }`);
  const r = await page.evaluate(async (url) => {
    const nc = await nats.connect({ servers: url, user: "limited", pass: "p" });
    const out = { statuses: [] };
    nc.onStatus((st) => out.statuses.push(st.type));
    const subErr = new Promise((resolve) => nc.subscribe("secret.sub", { callback: (err) => { if (err) resolve(err.code); } }));
    out.sub = await Promise.race([subErr, new Promise((r) => setTimeout(() => r("no error"), 5000))]);
    try { await nc.request("secret.req", "x", { timeout: 5000 }); out.req = "replied"; } catch (e) { out.req = e.code; }
    const ok = nc.subscribe("open.x", { max: 1 });
    nc.publish("open.x", "still up");
    for await (const m of ok) out.after = m.string();
    out.closed = nc.isClosed();
    await nc.close();
    return out;
  }, s.wsUrl);
  assert.equal(r.sub, "PERMISSIONS_VIOLATION");
  assert.equal(r.req, "PERMISSIONS_VIOLATION");
  assert.equal(r.after, "still up");
  assert.equal(r.closed, false);
  assert.ok(!r.statuses.includes("disconnect"), `no disconnect: ${r.statuses}`);
});

test("nkey and creds without crypto.subtle (an insecure context, simulated): INVALID_ARGUMENT saying why, before connecting", async () => {
  const nkey = fx.nkeyUserSetup();
  const op = fx.operatorSetup();
  const s1 = await serverWith(nkey.serverConfig);
  const s2 = await serverWith(op.serverConfig);
  const connections = async (s) => (await (await fetch(`${s.monitorUrl}/varz`)).json()).total_connections;
  const before = [await connections(s1), await connections(s2)];
  const insecure = await modulePage(browser, stack.web);
  try {
    const r = await insecure.evaluate(async ({ cases }) => {
      // What an http:// page (not localhost) sees: no SubtleCrypto. The getter is WebIDL's, on the prototype.
      Object.defineProperty(Crypto.prototype, "subtle", { get: () => undefined, configurable: true });
      const out = { subtle: typeof crypto.subtle };
      for (const [name, url, opts] of cases) {
        try { await nats.connect({ servers: url, reconnect: false, ...opts }); out[name] = "connected"; } catch (e) {
          out[name] = { code: e.code, message: e.message, isNatsError: e instanceof nats.NatsError };
        }
      }
      return out;
    }, { cases: [["nkey", s1.wsUrl, { nkeySeed: nkey.seed }], ["creds", s2.wsUrl, { creds: op.creds }]] });
    assert.equal(r.subtle, "undefined");
    for (const name of ["nkey", "creds"]) {
      assert.equal(r[name].isNatsError, true, `${name}: ${JSON.stringify(r[name])}`);
      assert.equal(r[name].code, "INVALID_ARGUMENT", `${name}: ${JSON.stringify(r[name])}`);
      assert.match(r[name].message, /Ed25519.*needs a secure context: https or localhost/, name);
      assert.ok(!r[name].message.includes(nkey.seed) && !r[name].message.includes(op.userSeed), `${name}: no seed in the message`);
    }
    assert.deepEqual([await connections(s1), await connections(s2)], before, "nothing connected to the servers");
  } finally {
    await insecure.close();
  }
});
