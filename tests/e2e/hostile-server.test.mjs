// A hostile "NATS server": a minimal RFC 6455 WebSocket server (node:http + node:crypto, no npm package)
// that answers the client with broken protocol — malformed INFO, INFO with wrong types, MSG with wrong
// sizes, over-long control lines, invalid HMSG headers, random bytes. The page must get a typed
// PROTOCOL_ERROR (connect rejects, or an `error` status on a live connection), reconnect (the hostile
// server counts connection attempts), never trap (afterwards the same page does pub/sub on the real
// nats-server) and never throw a page error.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { createHash } from "node:crypto";
import { launchBrowser, startStack, modulePage } from "./helpers.mjs";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
const INFO = 'INFO {"server_id":"HOSTILE","server_name":"hostile","version":"2.11.0","proto":1,"headers":true,"max_payload":1048576}\r\n';

/** One unmasked server frame (FIN set) with the given opcode. */
function frame(opcode, payload) {
  const len = payload.length;
  let head;
  if (len < 126) head = Buffer.from([0x80 | opcode, len]);
  else if (len < 65536) { head = Buffer.alloc(4); head[0] = 0x80 | opcode; head[1] = 126; head.writeUInt16BE(len, 2); }
  else { head = Buffer.alloc(10); head[0] = 0x80 | opcode; head[1] = 127; head.writeBigUInt64BE(BigInt(len), 2); }
  return Buffer.concat([head, payload]);
}

/** Deterministic pseudo-random bytes (xorshift32). */
function randomBytes(n, seed) {
  const out = Buffer.alloc(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; out[i] = x & 255; }
  // Never a valid op by accident: start with a byte no NATS verb starts with.
  out[0] = 0x01;
  return out;
}

/**
 * Starts the hostile server. `scenario` is read per connection: `{ when: "hello" | "connected", bytes }` —
 * "hello" sends `bytes` instead of INFO; "connected" completes the handshake (INFO, PONG to the CONNECT's
 * PING), then sends `bytes`. `attempts` counts WebSocket upgrades.
 */
async function startHostile() {
  const state = { scenario: null, attempts: 0, sockets: new Set() };
  const http = createServer((req, res) => { res.writeHead(426); res.end(); });
  http.on("upgrade", (req, socket) => {
    const key = req.headers["sec-websocket-key"];
    if (!key || req.headers.upgrade?.toLowerCase() !== "websocket") { socket.destroy(); return; }
    state.attempts++;
    state.sockets.add(socket);
    socket.on("close", () => state.sockets.delete(socket));
    socket.on("error", () => {});
    const accept = createHash("sha1").update(key + GUID).digest("base64");
    socket.write(
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
      `Sec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    const sc = state.scenario;
    const send = (bytes) => { if (!socket.destroyed) socket.write(frame(2, Buffer.from(bytes))); };
    if (sc.when === "hello") send(sc.bytes);
    else send(INFO);
    let pending = Buffer.alloc(0);
    let text = "";
    let hostileSent = sc.when === "hello";
    socket.on("data", (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      // Client frames are masked (RFC 6455 §5.3).
      for (;;) {
        if (pending.length < 2) return;
        const opcode = pending[0] & 0x0f;
        let len = pending[1] & 0x7f;
        let off = 2;
        if (len === 126) { if (pending.length < 4) return; len = pending.readUInt16BE(2); off = 4; }
        else if (len === 127) { if (pending.length < 10) return; len = Number(pending.readBigUInt64BE(2)); off = 10; }
        const masked = (pending[1] & 0x80) !== 0;
        const maskOff = off;
        if (masked) off += 4;
        if (pending.length < off + len) return;
        const payload = Buffer.from(pending.subarray(off, off + len));
        if (masked) for (let i = 0; i < len; i++) payload[i] ^= pending[maskOff + (i & 3)];
        pending = pending.subarray(off + len);
        if (opcode === 8) { if (!socket.destroyed) { socket.write(frame(8, payload.subarray(0, 2))); socket.end(); } return; }
        if (opcode === 9) { socket.write(frame(10, payload)); continue; }
        if (opcode !== 1 && opcode !== 2 && opcode !== 0) continue;
        text += payload.toString("latin1");
        let i;
        while ((i = text.indexOf("\r\n")) >= 0) {
          const line = text.slice(0, i);
          text = text.slice(i + 2);
          if (line === "PING") {
            send("PONG\r\n");
            if (!hostileSent) { hostileSent = true; send(sc.bytes); }
          }
        }
      }
    });
  });
  await new Promise((r) => http.listen(0, "127.0.0.1", r));
  state.url = `ws://127.0.0.1:${http.address().port}`;
  state.close = () => new Promise((r) => { for (const s of state.sockets) s.destroy(); http.close(r); });
  return state;
}

let stack, browser, page, hostile;
const pageErrors = [];
before(async () => {
  stack = await startStack();
  hostile = await startHostile();
  browser = await launchBrowser();
  page = await modulePage(browser, stack.web);
  page.on("pageerror", (e) => pageErrors.push(String(e)));
});
after(async () => { await browser?.close(); await hostile?.close(); await stack?.close(); });

const longLine = (verb, n) => verb + "x".repeat(n);

// Sent instead of INFO: the first connect must reject with PROTOCOL_ERROR.
const HELLO = {
  "malformed INFO (not JSON)": "INFO {not json\r\n",
  "malformed INFO (truncated JSON)": 'INFO {"server_id":"a",\r\n',
  "INFO without JSON": "INFO\r\n",
  "INFO that is a JSON array": "INFO [1,2,3]\r\n",
  "INFO with a string max_payload": 'INFO {"server_id":"x","max_payload":"huge"}\r\n',
  "INFO with a negative max_payload": 'INFO {"max_payload":-1}\r\n',
  // Would let the server make the decoder buffer gigabytes for one message.
  "INFO with max_payload above nats-server's 64 MiB limit": 'INFO {"max_payload":9007199254740991}\r\n',
  "INFO with a non-string nonce": 'INFO {"nonce":{"a":1}}\r\n',
  "INFO with connect_urls of numbers": 'INFO {"connect_urls":[1,2]}\r\n',
  "INFO with a string headers flag": 'INFO {"headers":"yes"}\r\n',
  "over-long INFO line (no CRLF)": longLine("INFO ", 200_000),
  "over-long unknown line": longLine("", 10_000),
  "random bytes": randomBytes(4096, 7),
  "a message before INFO": "MSG a 1 2\r\nhi\r\n",
};

// Sent after a complete handshake: an `error` status with PROTOCOL_ERROR, then a reconnect.
const CONNECTED = {
  "MSG whose payload is longer than its size": "MSG a 1 5\r\nhello world\r\n",
  "MSG whose payload is shorter than its size": "MSG a 1 50\r\nhi\r\nPING\r\n" + "x".repeat(60) + "\r\n",
  "MSG with a negative size": "MSG a 1 -5\r\nhello\r\n",
  "MSG with a non-numeric size": "MSG a 1 five\r\nhello\r\n",
  "MSG with a size beyond max_payload": "MSG a 1 99999999999\r\n",
  "MSG with a size that overflows u64": "MSG a 1 999999999999999999999999\r\n",
  "MSG with a non-numeric sid": "MSG a x 2\r\nhi\r\n",
  "MSG with too many arguments": "MSG a 1 r extra 2\r\nhi\r\n",
  "over-long MSG control line": longLine("MSG ", 8_000),
  "HMSG with a header block not starting NATS/1.0": "HMSG a 1 12 14\r\nXXXX/1.0\r\n\r\nhi\r\n",
  "HMSG whose header size exceeds its total size": "HMSG a 1 20 14\r\nNATS/1.0\r\n\r\nhi\r\n",
  "HMSG with a header line without a colon": "HMSG a 1 27 29\r\nNATS/1.0\r\nno colon here\r\n\r\nhi\r\n",
  "HMSG whose header block does not end with a blank line": "HMSG a 1 12 14\r\nNATS/1.0\r\nA:\r\nhi\r\n",
  "malformed INFO on a live connection": "INFO {oops}\r\n",
  "INFO with wrong types on a live connection": 'INFO {"connect_urls":"nope","max_payload":true}\r\n',
  "random bytes on a live connection": randomBytes(8192, 12345),
};

for (const [name, bytes] of Object.entries(HELLO)) {
  test(`instead of INFO: ${name} → connect rejects with PROTOCOL_ERROR`, async () => {
    hostile.scenario = { when: "hello", bytes };
    const before = hostile.attempts;
    const r = await page.evaluate(async (url) => {
      try {
        const nc = await nats.connect({ servers: [url], reconnect: false, timeout: 10000 });
        await nc.close();
        return { connected: true };
      } catch (e) {
        return { isNatsError: e instanceof nats.NatsError, code: e.code, name: e.name, message: String(e.message) };
      }
    }, hostile.url);
    assert.equal(r.connected, undefined, "connect must reject");
    assert.equal(r.isNatsError, true, JSON.stringify(r));
    assert.equal(r.code, "PROTOCOL_ERROR", JSON.stringify(r));
    // The server's bytes are not echoed wholesale into the message (over-long lines, random bytes).
    assert.ok(r.message.length < 1024, `message of ${r.message.length} chars`);
    assert.equal(hostile.attempts, before + 1);
    assert.deepEqual(pageErrors, []);
  });
}

for (const [name, bytes] of Object.entries(CONNECTED)) {
  test(`on a live connection: ${name} → error status PROTOCOL_ERROR, reconnects`, async () => {
    hostile.scenario = { when: "connected", bytes };
    const before = hostile.attempts;
    await page.evaluate(async (url) => {
      const nc = await nats.connect({
        servers: [url], maxReconnectAttempts: -1, reconnectTimeWait: 50, reconnectJitter: 10,
      });
      window.h = { nc, errors: [], statuses: [] };
      nc.onStatus((s) => {
        window.h.statuses.push(s.type);
        if (s.type === "error") {
          const e = s.data;
          window.h.errors.push({ isNatsError: e instanceof nats.NatsError, code: e?.code, short: String(e?.message).length < 1024 });
        }
      });
      nc.subscribe("a");
    }, hostile.url);
    // At least two further attempts after the first: the client keeps reconnecting.
    await page.waitForFunction(() => window.h.statuses.filter((s) => s === "reconnect").length >= 2, null, { timeout: 20000 });
    const r = await page.evaluate(async () => {
      const { nc, errors, statuses } = window.h;
      await nc.close();
      return { errors, statuses, closed: nc.isClosed() };
    });
    assert.ok(hostile.attempts >= before + 3, `attempts: ${hostile.attempts - before}`);
    assert.ok(r.errors.length >= 1, JSON.stringify(r));
    for (const e of r.errors) assert.deepEqual(e, { isNatsError: true, code: "PROTOCOL_ERROR", short: true });
    assert.ok(r.statuses.includes("disconnect"), JSON.stringify(r.statuses));
    assert.equal(r.closed, true);
    assert.deepEqual(pageErrors, []);
  });
}

test("after all of it the same page (same wasm module) connects to nats-server and does pub/sub", async () => {
  const r = await page.evaluate(async (url) => {
    const nc = await nats.connect({ servers: url });
    const sub = nc.subscribe("after.hostile");
    nc.publish("after.hostile", "still alive", { headers: nats.headers() });
    let got;
    for await (const m of sub) { got = m.string(); break; }
    const kvm = new nats.Kvm(nc);
    const kv = await kvm.create("hostile");
    await kv.put("k", "v");
    const v = (await kv.get("k")).string();
    await nc.close();
    return { got, v };
  }, stack.server.wsUrl);
  assert.deepEqual(r, { got: "still alive", v: "v" });
  assert.deepEqual(pageErrors, []);
});
