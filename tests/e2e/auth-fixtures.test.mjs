// Proves scripts/lib/auth-fixtures.mjs against a real nats-server: for each auth mode, a client that
// presents the right credentials gets PONG, a client with wrong ones gets
// -ERR 'Authorization Violation'. Checked over the client port (raw TCP) and over the websocket
// listener (a minimal WebSocket client on node:net), and, where Node can (flag
// --experimental-websocket on Node 20), with @nats-io/nats-core's own wsconnect + authenticators.
// engines: node — checks the auth fixtures from Node against nats-server; no browser
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { connect as netConnect } from "node:net";
import { createPublicKey, randomBytes, verify } from "node:crypto";
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { startNatsServer } from "../../scripts/lib/nats-server.mjs";
import * as fx from "../../scripts/lib/auth-fixtures.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const require = createRequire(import.meta.url);

// ---------------------------------------------------------------------------------------------
// A raw NATS protocol session over a byte transport (TCP or WebSocket frames).

class ProtoSession {
  constructor(write, close) {
    this.write = write;
    this.closeTransport = close;
    this.buf = Buffer.alloc(0);
    this.ops = [];
    this.waiters = [];
    this.closed = false;
  }
  feed(bytes) {
    this.buf = Buffer.concat([this.buf, bytes]);
    for (;;) {
      const eol = this.buf.indexOf("\r\n");
      if (eol < 0) return;
      const line = this.buf.subarray(0, eol).toString("utf8");
      const m = /^MSG\s+(\S+)\s+(\S+)\s+(?:(\S+)\s+)?(\d+)$/i.exec(line);
      if (m) {
        const size = Number(m[4]);
        if (this.buf.length < eol + 2 + size + 2) return;
        const payload = this.buf.subarray(eol + 2, eol + 2 + size);
        this.buf = this.buf.subarray(eol + 2 + size + 2);
        this.push({ op: "MSG", subject: m[1], payload: Buffer.from(payload) });
        continue;
      }
      this.buf = this.buf.subarray(eol + 2);
      const op = line.split(" ", 1)[0].toUpperCase();
      this.push({ op, line });
    }
  }
  push(op) {
    this.ops.push(op);
    for (const w of this.waiters.splice(0)) w();
  }
  onClose() {
    this.closed = true;
    this.push({ op: "CLOSED" });
  }
  /** The next op matching `pred` (ops before it are dropped). */
  async next(pred = () => true, ms = 5000) {
    const deadline = Date.now() + ms;
    for (;;) {
      const i = this.ops.findIndex(pred);
      if (i >= 0) return this.ops.splice(0, i + 1)[i];
      if (this.ops.some((o) => o.op === "CLOSED")) return { op: "CLOSED" };
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timeout; ops so far: ${JSON.stringify(this.ops)}`);
      await new Promise((r) => {
        const t = setTimeout(r, left);
        this.waiters.push(() => { clearTimeout(t); r(); });
      });
    }
  }
  send(text) { this.write(Buffer.from(text, "utf8")); }
  close() { this.closeTransport(); }

  /**
   * INFO → CONNECT (fields from `auth(info)`) + PING → PONG or -ERR.
   * Returns `{ ok, err, info }`; `ok` means PONG came and no -ERR.
   */
  async handshake(auth) {
    const infoOp = await this.next((o) => o.op === "INFO" || o.op === "CLOSED");
    assert.equal(infoOp.op, "INFO", "the server's first op is INFO");
    const info = JSON.parse(infoOp.line.slice(5));
    const connect = {
      verbose: false, pedantic: false, protocol: 1, headers: true, no_responders: true,
      lang: "auth-fixtures-test", version: "0.0.0", ...auth(info),
    };
    this.send(`CONNECT ${JSON.stringify(connect)}\r\nPING\r\n`);
    const r = await this.next((o) => o.op === "PONG" || o.op === "-ERR" || o.op === "CLOSED");
    return { ok: r.op === "PONG", err: r.op === "-ERR" ? r.line : null, info };
  }

  /** A request over the session (after a successful handshake): the reply payload as JSON. */
  async requestJson(subject, body = "") {
    const inbox = `_INBOX.${randomBytes(8).toString("hex")}`;
    this.send(`SUB ${inbox} 99\r\nPUB ${subject} ${inbox} ${Buffer.byteLength(body)}\r\n${body}\r\n`);
    const m = await this.next((o) => (o.op === "MSG" && o.subject === inbox) || o.op === "-ERR" || o.op === "CLOSED");
    assert.equal(m.op, "MSG", `reply to ${subject}: ${m.line ?? m.op}`);
    return JSON.parse(m.payload.toString("utf8"));
  }
}

function once(emitter, ok, fail = "error") {
  return new Promise((res, rej) => {
    emitter.once(ok, res);
    emitter.once(fail, rej);
  });
}

/** A protocol session over TCP to the server's client port. */
async function tcpSession(server) {
  const sock = netConnect(server.ports.client, "127.0.0.1");
  await once(sock, "connect");
  const s = new ProtoSession((b) => sock.write(b), () => sock.destroy());
  sock.on("data", (d) => s.feed(d));
  sock.on("close", () => s.onClose());
  sock.on("error", () => {});
  return s;
}

/** A protocol session over a minimal WebSocket client (RFC 6455, masked binary frames). */
async function wsSession(server) {
  const sock = netConnect(server.ports.ws, "127.0.0.1");
  await once(sock, "connect");
  sock.on("error", () => {});
  sock.write(
    `GET / HTTP/1.1\r\nHost: 127.0.0.1:${server.ports.ws}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${randomBytes(16).toString("base64")}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
  let pending = Buffer.alloc(0);
  let upgraded = false;
  let s;
  const upgradedP = new Promise((res, rej) => {
    sock.on("data", (d) => {
      pending = Buffer.concat([pending, d]);
      if (!upgraded) {
        const end = pending.indexOf("\r\n\r\n");
        if (end < 0) return;
        const head = pending.subarray(0, end).toString("latin1");
        if (!/^HTTP\/1\.1 101/.test(head)) return rej(new Error(`websocket upgrade failed: ${head}`));
        upgraded = true;
        pending = pending.subarray(end + 4);
        res();
      }
      // Server frames are unmasked; no extensions were negotiated.
      for (;;) {
        if (pending.length < 2) return;
        const opcode = pending[0] & 0x0f;
        let len = pending[1] & 0x7f;
        let off = 2;
        if (len === 126) {
          if (pending.length < 4) return;
          len = pending.readUInt16BE(2);
          off = 4;
        } else if (len === 127) {
          if (pending.length < 10) return;
          len = Number(pending.readBigUInt64BE(2));
          off = 10;
        }
        if (pending.length < off + len) return;
        const payload = pending.subarray(off, off + len);
        pending = pending.subarray(off + len);
        if (opcode === 0x8) sock.end();
        else if (opcode === 0x0 || opcode === 0x1 || opcode === 0x2) s.feed(Buffer.from(payload));
      }
    });
  });
  const writeFrame = (bytes) => {
    const mask = randomBytes(4);
    const n = bytes.length;
    const head = n < 126 ? Buffer.from([0x82, 0x80 | n])
      : n < 65536 ? Buffer.from([0x82, 0x80 | 126, n >> 8, n & 0xff])
      : (() => { const h = Buffer.alloc(10); h[0] = 0x82; h[1] = 0x80 | 127; h.writeBigUInt64BE(BigInt(n), 2); return h; })();
    const body = Buffer.from(bytes);
    for (let i = 0; i < n; i++) body[i] ^= mask[i & 3];
    sock.write(Buffer.concat([head, mask, body]));
  };
  s = new ProtoSession(writeFrame, () => sock.destroy());
  sock.on("close", () => s.onClose());
  await upgradedP;
  return s;
}

const TRANSPORTS = { tcp: tcpSession, websocket: wsSession };

/** Handshake over each transport with `auth(info)`; returns `{ tcp: result, websocket: result }`. */
async function tryAuth(server, auth, { jetstream = false } = {}) {
  const out = {};
  for (const [name, open] of Object.entries(TRANSPORTS)) {
    const s = await open(server);
    try {
      const r = await s.handshake(auth);
      if (r.ok && jetstream) r.accountInfo = await s.requestJson("$JS.API.INFO");
      out[name] = r;
    } finally {
      s.close();
    }
  }
  return out;
}

function assertAccepted(results) {
  for (const [t, r] of Object.entries(results)) {
    assert.ok(r.ok, `${t}: expected PONG, got ${r.err ?? "connection closed"}`);
  }
}

function assertRejected(results) {
  for (const [t, r] of Object.entries(results)) {
    assert.ok(!r.ok, `${t}: expected a rejection, got PONG`);
    assert.match(r.err ?? "", /Authorization Violation/i, `${t}: -ERR 'Authorization Violation'`);
  }
}

/** Runs a connect check with @nats-io/nats-core over WebSocket in a child Node with WebSocket. */
function natsCoreCheck(wsUrl, authExpr) {
  const script = `
    import { wsconnect, credsAuthenticator, nkeyAuthenticator, usernamePasswordAuthenticator,
             tokenAuthenticator } from "@nats-io/nats-core";
    const te = new TextEncoder();
    try {
      const nc = await wsconnect({ servers: ${JSON.stringify(wsUrl)}, ${authExpr}, reconnect: false,
                                   maxReconnectAttempts: 0, timeout: 5000 });
      await nc.flush();
      const rtt = await nc.rtt();
      await nc.close();
      console.log(JSON.stringify({ ok: true, rtt }));
    } catch (e) {
      console.log(JSON.stringify({ ok: false, error: String(e?.message ?? e) }));
    }`;
  const r = spawnSync(process.execPath, ["--experimental-websocket", "--no-warnings", "--input-type=module", "-e", script], {
    cwd: ROOT, encoding: "utf8", timeout: 20000,
  });
  const last = r.stdout.trim().split("\n").pop();
  try {
    return JSON.parse(last);
  } catch {
    return { ok: false, error: `child failed: ${r.stderr || r.stdout}` };
  }
}

const hasModule = (m) => { try { require.resolve(m); return true; } catch { return false; } };

const haveChildWebSocket = (() => {
  const r = spawnSync(process.execPath, ["--experimental-websocket", "--no-warnings", "-e", "process.exit(typeof WebSocket === 'function' ? 0 : 1)"]);
  return r.status === 0 && hasModule("@nats-io/nats-core");
})();

// ---------------------------------------------------------------------------------------------
// Pure encodings

describe("nkey and JWT encodings", () => {
  test("known seed → public key (nkeys documentation pair)", () => {
    const k = fx.nkeyFromSeed("SUAMLK2ZNL35WSMW37E7UD4VZ7ELPKW7DHC3BWBSD2GCZ7IUQQXZIORRBU");
    assert.equal(k.publicKey, "UCK5N7N66OBOINFXAYC2ACJQYFSOD4VYNU6APEJTAVFZB2SVHLKGEW7L");
    assert.equal(k.seed, "SUAMLK2ZNL35WSMW37E7UD4VZ7ELPKW7DHC3BWBSD2GCZ7IUQQXZIORRBU");
  });

  test("RFC 8032 test 1: public key and signature of the empty message", () => {
    const raw = Buffer.from("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60", "hex");
    const k = fx.newNkey("U", raw);
    assert.equal(fx.decodePublicKey(k.publicKey).raw.toString("hex"),
      "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    assert.equal(Buffer.from(fx.signBase64url(k.privateKey, ""), "base64url").toString("hex"),
      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
    assert.deepEqual(fx.decodeSeed(k.seed), { prefix: "U", raw });
  });

  test("prefixes, lengths, round trips and checksums", () => {
    for (const [p, seedPrefix] of [["U", "SU"], ["A", "SA"], ["O", "SO"]]) {
      const k = fx.newNkey(p);
      assert.equal(k.seed.slice(0, 2), seedPrefix);
      assert.equal(k.publicKey[0], p);
      assert.equal(k.seed.length, 58);
      assert.equal(k.publicKey.length, 56);
      assert.equal(fx.nkeyFromSeed(k.seed).publicKey, k.publicKey);
      assert.equal(fx.decodePublicKey(k.publicKey).prefix, p);
    }
    const k = fx.newNkey("U");
    const bad = k.seed.slice(0, 10) + (k.seed[10] === "A" ? "B" : "A") + k.seed.slice(11);
    assert.throws(() => fx.decodeSeed(bad), /checksum/);
    assert.throws(() => fx.decodeSeed(k.publicKey));
  });

  test("agrees with @nats-io/nkeys (the nats.js implementation)", { skip: !hasModule("@nats-io/nkeys") && "@nats-io/nkeys not installed" }, () => {
    const nkeys = require("@nats-io/nkeys");
    for (const [p, make] of [["U", "createUser"], ["A", "createAccount"], ["O", "createOperator"]]) {
      const mine = fx.newNkey(p);
      const theirs = nkeys.fromSeed(new TextEncoder().encode(mine.seed));
      assert.equal(theirs.getPublicKey(), mine.publicKey);
      const nonce = "Tw5IjVQIVlzdRi0";
      assert.equal(Buffer.from(theirs.sign(Buffer.from(nonce))).toString("base64url"), fx.signNonce(mine.privateKey, nonce));
      const gen = nkeys[make]();
      const seed = new TextDecoder().decode(gen.getSeed());
      assert.equal(fx.nkeyFromSeed(seed).publicKey, gen.getPublicKey());
    }
  });

  test("JWT shape: header, iss, jti, signature over header.payload", () => {
    const acct = fx.newNkey("A");
    const user = fx.newNkey("U");
    const jwt = fx.encodeJwt(fx.userClaims(user), acct);
    const { header, claims, signature } = fx.decodeJwt(jwt);
    assert.deepEqual(header, { typ: "JWT", alg: "ed25519-nkey" });
    assert.equal(claims.iss, acct.publicKey);
    assert.equal(claims.sub, user.publicKey);
    assert.equal(claims.nats.type, "user");
    assert.equal(claims.nats.version, 2);
    assert.match(claims.jti, /^[A-Z2-7]{52}$/);
    const { jti, ...rest } = claims;
    assert.equal(jti, fx.claimsHash(rest));
    const [h, p] = jwt.split(".");
    assert.ok(verify(null, Buffer.from(`${h}.${p}`), createPublicKey(acct.privateKey), signature));
  });

  test("creds text parses back with nats.js's credsAuthenticator format", () => {
    const o = fx.operatorSetup();
    assert.match(o.creds, /-----BEGIN NATS USER JWT-----\n(.+)\n------END NATS USER JWT------/);
    assert.equal(/BEGIN NATS USER JWT-----\n(.+)\n/.exec(o.creds)[1], o.userJwt);
    assert.equal(/BEGIN USER NKEY SEED-----\n(.+)\n/.exec(o.creds)[1], o.userSeed);
    assert.equal(fx.nkeyFromSeed(o.userSeed).publicKey, o.userPublicKey);
  });
});

// ---------------------------------------------------------------------------------------------
// Against a real nats-server

describe("operator (JWT) mode", () => {
  let server;
  let setup;
  before(async () => {
    setup = fx.operatorSetup();
    server = await startNatsServer({ extraConfig: setup.serverConfig });
  });
  after(async () => { await server?.dispose(); });

  test("INFO carries a nonce; the creds user connects and JetStream is enabled for its account", async () => {
    const user = fx.nkeyFromSeed(setup.userSeed);
    const r = await tryAuth(server, (info) => {
      assert.ok(info.nonce, "INFO.nonce in operator mode");
      assert.equal(info.auth_required, true);
      return { jwt: setup.userJwt, nkey: user.publicKey, sig: fx.signNonce(user.privateKey, info.nonce) };
    }, { jetstream: true });
    assertAccepted(r);
    for (const [t, x] of Object.entries(r)) {
      assert.equal(x.accountInfo.type, "io.nats.jetstream.api.v1.account_info_response", t);
      assert.equal(x.accountInfo.error, undefined, `${t}: ${JSON.stringify(x.accountInfo.error)}`);
    }
  });

  test("a signature by another key is rejected", async () => {
    const other = fx.newNkey("U");
    const user = fx.nkeyFromSeed(setup.userSeed);
    assertRejected(await tryAuth(server, (info) => ({
      jwt: setup.userJwt, nkey: user.publicKey, sig: fx.signNonce(other.privateKey, info.nonce),
    })));
  });

  test("a user JWT issued by an unknown account is rejected", async () => {
    const rogueAccount = fx.newNkey("A");
    const user = fx.newNkey("U");
    const jwt = fx.encodeJwt(fx.userClaims(user), rogueAccount);
    assertRejected(await tryAuth(server, (info) => ({
      jwt, nkey: user.publicKey, sig: fx.signNonce(user.privateKey, info.nonce),
    })));
  });

  test("no credentials are rejected", async () => {
    assertRejected(await tryAuth(server, () => ({})));
  });

  test("nats.js (wsconnect + credsAuthenticator) accepts the creds text", { skip: !haveChildWebSocket && "no WebSocket in child Node" }, () => {
    const ok = natsCoreCheck(server.wsUrl, `authenticator: credsAuthenticator(te.encode(${JSON.stringify(setup.creds)}))`);
    assert.ok(ok.ok, ok.error);
    const bad = fx.operatorSetup(); // creds of another operator
    const r = natsCoreCheck(server.wsUrl, `authenticator: credsAuthenticator(te.encode(${JSON.stringify(bad.creds)}))`);
    assert.ok(!r.ok);
    assert.match(r.error, /Authorization Violation|authorization/i);
  });
});

describe("nkey mode", () => {
  let server;
  let setup;
  before(async () => {
    setup = fx.nkeyUserSetup();
    server = await startNatsServer({ extraConfig: setup.serverConfig });
  });
  after(async () => { await server?.dispose(); });

  test("the nkey user connects (TCP and websocket)", async () => {
    const k = fx.nkeyFromSeed(setup.seed);
    assert.equal(k.publicKey, setup.publicKey);
    assertAccepted(await tryAuth(server, (info) => {
      assert.ok(info.nonce, "INFO.nonce in nkey mode");
      return { nkey: k.publicKey, sig: fx.signNonce(k.privateKey, info.nonce) };
    }, { jetstream: true }));
  });

  test("a wrong seed is rejected", async () => {
    const k = fx.nkeyFromSeed(setup.seed);
    const wrong = fx.newNkey("U");
    assertRejected(await tryAuth(server, (info) => ({ nkey: k.publicKey, sig: fx.signNonce(wrong.privateKey, info.nonce) })));
    assertRejected(await tryAuth(server, (info) => ({ nkey: wrong.publicKey, sig: fx.signNonce(wrong.privateKey, info.nonce) })));
  });

  test("nats.js (wsconnect + nkeyAuthenticator) connects", { skip: !haveChildWebSocket && "no WebSocket in child Node" }, () => {
    const ok = natsCoreCheck(server.wsUrl, `authenticator: nkeyAuthenticator(te.encode(${JSON.stringify(setup.seed)}))`);
    assert.ok(ok.ok, ok.error);
  });
});

describe("user/password mode", () => {
  let server;
  before(async () => {
    server = await startNatsServer({ extraConfig: fx.userPassSetup("alice", "s3cret pass\"with quote") });
  });
  after(async () => { await server?.dispose(); });

  test("the right password connects, a wrong one is rejected", async () => {
    assertAccepted(await tryAuth(server, () => ({ user: "alice", pass: "s3cret pass\"with quote" }), { jetstream: true }));
    assertRejected(await tryAuth(server, () => ({ user: "alice", pass: "wrong" })));
    assertRejected(await tryAuth(server, () => ({ user: "bob", pass: "s3cret pass\"with quote" })));
    assertRejected(await tryAuth(server, () => ({})));
  });

  test("nats.js (wsconnect + user/pass) connects", { skip: !haveChildWebSocket && "no WebSocket in child Node" }, () => {
    assert.ok(natsCoreCheck(server.wsUrl, `user: "alice", pass: ${JSON.stringify("s3cret pass\"with quote")}`).ok);
    assert.ok(!natsCoreCheck(server.wsUrl, `user: "alice", pass: "nope"`).ok);
  });
});

describe("token mode", () => {
  let server;
  const token = `tok-${randomBytes(12).toString("hex")}`;
  before(async () => {
    server = await startNatsServer({ extraConfig: fx.tokenSetup(token) });
  });
  after(async () => { await server?.dispose(); });

  test("the right token connects, a wrong one is rejected", async () => {
    assertAccepted(await tryAuth(server, () => ({ auth_token: token }), { jetstream: true }));
    assertRejected(await tryAuth(server, () => ({ auth_token: token + "x" })));
    assertRejected(await tryAuth(server, () => ({})));
  });

  test("nats.js (wsconnect + token) connects", { skip: !haveChildWebSocket && "no WebSocket in child Node" }, () => {
    assert.ok(natsCoreCheck(server.wsUrl, `token: ${JSON.stringify(token)}`).ok);
    assert.ok(!natsCoreCheck(server.wsUrl, `token: "nope"`).ok);
  });
});
