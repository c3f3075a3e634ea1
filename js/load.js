// Start-up, shared by the entries (js/nats.js `open`): the first WebSocket is opened while the wasm
// loads, so the handshake overlaps the wasm's fetch + compile (README "Benchmarks" P8).

/**
 * The WebSocket `connect(opts)` will dial first, opened now: only for one ws:// or wss:// server and no
 * nkey/creds sign-in (that dials after an async step). It holds its events until the wasm has taken it
 * (see `handOver`). `null` if not.
 */
export function preopen(opts) {
  const s = opts?.servers;
  const url = typeof s === "string" ? s : Array.isArray(s) && s.length === 1 ? s[0] : null;
  if (typeof url !== "string" || !/^wss?:\/\/[^\s]+$/i.test(url) || opts.creds != null || opts.nkeySeed != null) return null;
  let ws;
  try {
    ws = new WebSocket(url);
  } catch {
    return null;
  }
  ws.binaryType = "arraybuffer";
  const held = [];
  const hold = (e) => held.push(e);
  const TYPES = ["open", "message", "close"];
  for (const t of TYPES) ws.addEventListener(t, hold);
  const replay = () => {
    for (const t of TYPES) ws.removeEventListener(t, hold);
    for (const e of held) {
      ws.dispatchEvent(e.type === "message" ? new MessageEvent("message", { data: e.data })
        : e.type === "close" ? new CloseEvent("close", { code: e.code, reason: e.reason, wasClean: e.wasClean })
        : new Event(e.type));
    }
  };
  return { ws, replay };
}

/**
 * Calls `start()` (which calls the wasm `connect` at once) with `pre` on offer to it
 * (src/web/transport.rs). A socket it took (it set `onmessage`) gets the events it held replayed on a
 * microtask: after the wasm returned, before any new socket event (a task). One it did not take (bad
 * options, a panicked module) is closed.
 */
export function handOver(wasm, pre, start) {
  if (!pre) return start();
  wasm.preopened(pre.ws);
  try {
    return start();
  } finally {
    wasm.preopened();
    if (pre.ws.onmessage === null) pre.ws.close();
    else queueMicrotask(pre.replay);
  }
}
