// What bounds P7 (watch replay of 10 000 keys): the same ordered push consumer replay, hand-encoded,
// over different transports against one nats-server, plus batched direct gets (ADR-31) in the page.
//   node bench/p7-bound.mjs [rounds]
// - browser WS: bench/page.js's raw ceiling ("P0 replay 10k") (a bare WebSocket in headless Chromium; the server caps its
//   frames at 4 KiB because the User-Agent starts with "Mozilla/");
// - node TCP: the NATS port, no WebSocket;
// - node WS: Node's WebSocket with its own User-Agent (frames as large as the server's buffers), and
//   with a browser User-Agent (4 KiB frames, as the browser gets);
// - browser direct get: `{"next_by_subj":"$KV.b.>","batch":10000}` in one request and in 10 pipelined
//   requests of 1000, and `{"multi_last":["$KV.b.>"]}` (the server refuses more than 1024 subjects);
// - the P7 case itself (raw ceiling, ours, nats.js) against a server with WebSocket compression on.
// Needs a built pkg/ (`node scripts/build.mjs`). Node 20 needs --experimental-websocket (added here).
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import net from "node:net";

if (typeof WebSocket === "undefined") {
  execFileSync(process.execPath, ["--experimental-websocket", "--no-warnings", fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: "inherit" });
  process.exit(0);
}
const { startNatsServer } = await import("../scripts/lib/nats-server.mjs");
const { ROOT, esbuild, openBenchPage } = await import("./lib.mjs");

process.chdir(ROOT);
const ROUNDS = Number(process.argv[2] || 7);
esbuild("bench/natsjs-entry.mjs", join(ROOT, "bench/.build/natsjs.js"));
const { server, page, close } = await openBenchPage();
const N = 10000;
const bucket = await page.evaluate((n) => window.benchInternals.ensureReplayBucket(n), N);
const te = new TextEncoder();

/** CONNECT, SUB, CONSUMER.CREATE of the watcher's consumer; resolves to { ms, frames } at pending 0. */
function replay(write, onChunk) {
  const nuid = `b${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`;
  const deliver = `_INBOX.${nuid}.1`, name = `oc_${nuid}_1`, filter = `$KV.${bucket}.>`;
  const body = JSON.stringify({ stream_name: `KV_${bucket}`, config: { name, deliver_subject: deliver,
    deliver_policy: "last_per_subject", ack_policy: "none", max_deliver: 1, filter_subject: filter,
    replay_policy: "instant", flow_control: true, idle_heartbeat: 5e9, inactive_threshold: 3e11,
    headers_only: false, num_replicas: 1, mem_storage: true } });
  let rest = null, got = 0, frames = 0, pongs = 0, t0 = 0, onPong, done;
  const finished = new Promise((r) => { done = r; });
  const td = new TextDecoder();
  onChunk((chunk) => {
    frames++;
    let b = new Uint8Array(chunk.buffer ? chunk.buffer.slice(chunk.byteOffset, chunk.byteOffset + chunk.byteLength) : chunk);
    if (rest) { const m = new Uint8Array(rest.length + b.length); m.set(rest); m.set(b, rest.length); b = m; rest = null; }
    let i = 0;
    for (;;) {
      const cr = b.indexOf(13, i);
      if (cr < 0 || cr + 1 >= b.length) break;
      const line = td.decode(b.subarray(i, cr));
      if (line.startsWith("MSG ") || line.startsWith("HMSG ")) {
        const t = line.split(" "), total = Number(t[t.length - 1]), end = cr + 2 + total;
        if (end + 2 > b.length) break;
        const isH = t[0] === "HMSG", reply = t.length === (isH ? 6 : 5) ? t[3] : "";
        if (t[2] === "1") {
          if (isH && b[cr + 11] === 49 && b[cr + 12] === 48 && b[cr + 13] === 48) { if (reply) write(`PUB ${reply} 0\r\n\r\n`); } else {
            got++;
            const rt = reply.split(".");
            if (rt[rt.length === 9 ? 8 : 10] === "0") done(performance.now() - t0);
          }
        }
        i = end + 2;
      } else {
        if (line === "PONG") { pongs++; onPong?.(); } else if (line === "PING") write("PONG\r\n");
        i = cr + 2;
      }
    }
    if (i < b.length) rest = b.slice(i);
  });
  return (async () => {
    write('CONNECT {"verbose":false,"pedantic":false,"protocol":1,"headers":true}\r\nPING\r\n');
    await new Promise((r) => { onPong = r; });
    frames = 0;
    t0 = performance.now();
    write(`SUB ${deliver} 1\r\nSUB _INBOX.${nuid}.r 2\r\nPUB $JS.API.CONSUMER.CREATE.KV_${bucket}.${name}.${filter} _INBOX.${nuid}.r ${Buffer.byteLength(body)}\r\n${body}\r\n`);
    const ms = await finished;
    if (got !== N) throw new Error(`got ${got} of ${N}`);
    return { ms, frames };
  })();
}

async function tcp() {
  const sock = net.connect(Number(server.natsUrl.split(":").pop()), "127.0.0.1");
  await new Promise((r) => sock.once("connect", r));
  try { return await replay((s) => sock.write(s), (f) => sock.on("data", f)); } finally { sock.destroy(); }
}
async function nodeWs(userAgent) {
  const ws = new WebSocket(server.wsUrl, userAgent ? { headers: { "User-Agent": userAgent } } : undefined);
  ws.binaryType = "arraybuffer";
  let handler;
  ws.onmessage = (e) => handler(e.data);
  await new Promise((r, j) => { ws.onopen = r; ws.onerror = j; });
  try { return await replay((s) => ws.send(te.encode(s)), (f) => { handler = f; }); } finally { ws.close(); }
}
const browserUa = await page.evaluate(() => navigator.userAgent);
const variants = {
  "browser WS (4 KiB frames), bench/page.js raw ceiling": async () => (await page.evaluate(() => window.bench.run("P0 replay 10k", "ours"))).value,
  "node TCP (NATS port)": async () => (await tcp()).ms,
  "node WS, Node's User-Agent (large frames)": async () => (await nodeWs()).ms,
  "node WS, browser User-Agent (4 KiB frames)": async () => (await nodeWs(browserUa)).ms,
  "browser direct get next_by_subj, 1 × 10000": () => page.evaluate((b) => window.benchInternals.rawDirectGet(b, 1, 10000), bucket),
  "browser direct get next_by_subj, 10 × 1000 pipelined": () => page.evaluate((b) => window.benchInternals.rawDirectGet(b, 10, 1000), bucket),
};
const res = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
for (let r = 0; r < ROUNDS; r++) for (const [k, f] of Object.entries(variants)) res[k].push(await f());
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
console.log(`P7 bound, ${N} keys, ${ROUNDS} rounds (median ms):`);
for (const [k, xs] of Object.entries(res)) console.log(`  ${median(xs).toFixed(1).padStart(7)}  ${k}`);
console.log("  multi_last over the whole bucket:", await page.evaluate((b) => window.benchInternals.rawMultiLast(b), bucket));

// The same P7 case against a server whose WebSocket listener compresses (permessage-deflate: one
// fragmented WS message per server write instead of one per 4 KiB): fewer browser message events.
const zserver = await startNatsServer({ websocketExtra: "  compression: true" });
await page.evaluate((u) => { window.bench.setUrl(u); }, zserver.wsUrl);
await page.evaluate(() => window.benchInternals.resetReplayBucket());
const z = { raw: [], ours: [], theirs: [] };
for (let r = 0; r < ROUNDS; r++) {
  for (const who of Object.keys(z)) {
    const [id, client] = who === "raw" ? ["P0 replay 10k", "ours"] : ["P7 replay 10k", who];
    z[who].push((await page.evaluate(({ id, client }) => window.bench.run(id, client), { id, client })).value);
  }
}
console.log(`P7 with websocket { compression: true } (median ms): ${Object.entries(z).map(([k, v]) => `${k === "raw" ? "raw ceiling" : k === "theirs" ? "nats.js" : k} ${median(v).toFixed(1)}`).join(", ")}`);
await close(); await zserver.dispose();
process.exit(0);
