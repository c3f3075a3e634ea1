// wss:// to a nats-server whose WebSocket listener uses TLS with a certificate from a throw-away test CA
// made here with Debian's `openssl` CLI (CA key + cert; server key + cert for 127.0.0.1/localhost with
// subjectAltName, signed by the CA).
//
// How the browser trusts it, for this test only (helpers.mjs launchBrowser's `trust`): a separate
// Chromium is launched with `--ignore-certificate-errors-spki-list=<base64(sha256(SubjectPublicKeyInfo
// DER of the server cert))>` and accepts a chain whose leaf has that public key (Playwright always passes a
// temporary --user-data-dir, which this switch requires); Firefox gets a fresh profile whose NSS store
// (certutil) trusts the test CA; WebKitGTK gets WebKitWebDriver's `certificates` option, which allows
// the server certificate for 127.0.0.1. No system trust store is touched, and the other browser (no
// trust) shows that an untrusted certificate fails with a typed error.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHash, X509Certificate } from "node:crypto";
import { startNatsServer } from "../../scripts/lib/nats-server.mjs";
import { launchBrowser, startStack, modulePage } from "./helpers.mjs";

/** Test CA + server certificate for 127.0.0.1/localhost; returns paths and the server cert's SPKI hash. */
function makeCerts(dir) {
  const ssl = (...args) => execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  ssl("req", "-x509", ...ec, "-keyout", "ca.key", "-out", "ca.crt", "-days", "2",
    "-subj", "/CN=nats-kv-wasm test CA",
    "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
  ssl("req", ...ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1");
  writeFileSync(join(dir, "server.ext"), [
    "basicConstraints=critical,CA:FALSE",
    "keyUsage=critical,digitalSignature,keyEncipherment",
    "extendedKeyUsage=serverAuth",
    "subjectAltName=IP:127.0.0.1,DNS:localhost",
  ].join("\n") + "\n");
  ssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
    "-out", "server.crt", "-days", "2", "-extfile", "server.ext");
  const cert = new X509Certificate(readFileSync(join(dir, "server.crt")));
  assert.ok(cert.verify(new X509Certificate(readFileSync(join(dir, "ca.crt"))).publicKey), "signed by the test CA");
  const spki = cert.publicKey.export({ type: "spki", format: "der" });
  return {
    cert: join(dir, "server.crt"),
    key: join(dir, "server.key"),
    ca: join(dir, "ca.crt"),
    spkiHash: createHash("sha256").update(spki).digest("base64"),
  };
}

let dir, certs, tlsServer, stack, trusting, untrusting, pageTrusting, pageUntrusting;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), "nats-kv-wasm-tls-"));
  certs = makeCerts(dir);
  tlsServer = await startNatsServer({
    websocketTls: true,
    websocketExtra: `  tls { cert_file: "${certs.cert}", key_file: "${certs.key}" }`,
  });
  stack = await startStack();
  trusting = await launchBrowser([], { trust: { caFile: certs.ca, certFile: certs.cert, spkiHash: certs.spkiHash } });
  untrusting = await launchBrowser();
  pageTrusting = await modulePage(trusting, stack.web);
  pageUntrusting = await modulePage(untrusting, stack.web);
});
after(async () => {
  await trusting?.close();
  await untrusting?.close();
  await tlsServer?.dispose();
  await stack?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test("the TLS server speaks wss://", () => {
  assert.match(tlsServer.wsUrl, /^wss:\/\/127\.0\.0\.1:\d+$/);
});

test("wss:// with the test CA's certificate trusted: connect, pub/sub, KV put/get", async () => {
  const r = await pageTrusting.evaluate(async (url) => {
    const nc = await nats.connect({ servers: url, timeout: 10000 });
    const sub = nc.subscribe("tls.>");
    nc.publish("tls.one", "over tls");
    let got;
    for await (const m of sub) { got = { subject: m.subject, data: m.string() }; break; }
    const kv = await new nats.Kvm(nc).create("tls");
    await kv.put("k", "secret value");
    const v = (await kv.get("k")).string();
    await nc.close();
    return { got, v };
  }, tlsServer.wsUrl);
  assert.deepEqual(r.got, { subject: "tls.one", data: "over tls" });
  assert.equal(r.v, "secret value");
});

test("wss:// without trusting the certificate: connect rejects with a typed CONNECTION_REFUSED", async () => {
  const r = await pageUntrusting.evaluate(async (url) => {
    try {
      const nc = await nats.connect({ servers: url, timeout: 10000, reconnect: false });
      await nc.close();
      return { connected: true };
    } catch (e) {
      return { isNatsError: e instanceof nats.NatsError, code: e.code, message: e.message };
    }
  }, tlsServer.wsUrl);
  assert.equal(r.connected, undefined, "must not connect to an untrusted certificate");
  assert.equal(r.isNatsError, true, JSON.stringify(r));
  assert.equal(r.code, "CONNECTION_REFUSED", JSON.stringify(r));
});

test("ws:// (plain) to the TLS listener fails with a typed error too", async () => {
  const plain = tlsServer.wsUrl.replace(/^wss:/, "ws:");
  const r = await pageTrusting.evaluate(async (url) => {
    try {
      const nc = await nats.connect({ servers: url, timeout: 10000, reconnect: false });
      await nc.close();
      return { connected: true };
    } catch (e) {
      return { isNatsError: e instanceof nats.NatsError, code: e.code };
    }
  }, plain);
  assert.equal(r.connected, undefined);
  assert.equal(r.isNatsError, true, JSON.stringify(r));
  assert.equal(r.code, "CONNECTION_REFUSED", JSON.stringify(r));
});
