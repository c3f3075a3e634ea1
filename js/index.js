// nats-kv-wasm: the ES module users import. A thin layer over the wasm exports: it builds `Msg` and
// `Subscription` objects, adapts callbacks to `for await`, and owns the `NatsError` class.
import initWasm, * as wasm from "../pkg/nats_kv_wasm.js";
import { NatsError, makeNatsError, badOptions } from "./errors.js";
import { headers, flattenHeaders, MsgHdrsImpl } from "./headers.js";
import { PushQueue } from "./queue.js";
import { onPanic, panicked, onPanicEnd, guardClasses, guard } from "./panic.js";
import { makeEntry } from "./kv.js";

export { NatsError, headers };
export { Kvm } from "./kv.js";

/** Which history a KV watcher starts from. */
export const KvWatchInclude = Object.freeze({ LastValue: "", AllHistory: "history", UpdatesOnly: "updates" });

let ready = null;
/** Loads the wasm module (once); `connect()` calls it itself. */
export function init(moduleOrPath) {
  if (!ready) {
    ready = initWasm(moduleOrPath === undefined ? undefined : { module_or_path: moduleOrPath }).then(() => {
      wasm.setErrorFactory(makeNatsError);
      wasm.setEntryFactory(makeEntry);
      wasm.setPanicHandler(onPanic);
      guardClasses([wasm.WasmConnection, wasm.WasmKvm, wasm.WasmKv, wasm.WasmWatcher]);
    });
  }
  return ready;
}

const decoder = new TextDecoder();

function makeHeaders(flat, code, description) {
  if (!flat) return undefined;
  const h = new MsgHdrsImpl(code, description);
  for (let i = 0; i + 1 < flat.length; i += 2) h._entries.push([flat[i], flat[i + 1]]);
  return h;
}

/** A received message. */
class Msg {
  constructor(nc, subject, sid, reply, data, hdrs, code, description) {
    this._nc = nc;
    this.subject = subject;
    this.sid = sid;
    if (reply) this.reply = reply;
    this.data = data;
    const h = makeHeaders(hdrs, code, description);
    if (h) this.headers = h;
  }
  string() { return decoder.decode(this.data); }
  json() { return JSON.parse(this.string()); }
  respond(payload, opts) {
    if (!this.reply) return false;
    this._nc.publish(this.reply, payload, opts);
    return true;
  }
}

/** Messages a `for await` subscription may hold before it drops and reports `slowConsumer`. */
const DEFAULT_MAX_PENDING = 65536;

/** A subscription: a callback, or an async iterator of `Msg`. */
class Subscription {
  constructor(nc, subject, opts) {
    this._nc = nc;
    this._subject = subject;
    this._received = 0;
    this._closed = false;
    this._callback = opts.callback;
    this._queue = opts.callback ? null : new PushQueue();
    this._closedResolve = null;
    this.closed = new Promise((r) => { this._closedResolve = r; });
    this._limit = Infinity;
    // A `for await` consumer that falls behind: at most `maxPending` messages wait in the queue; the
    // rest are dropped and a `slowConsumer` status is raised (once per episode).
    const maxPending = opts.maxPending ?? DEFAULT_MAX_PENDING;
    if (!Number.isInteger(maxPending) || maxPending < 1) throw new NatsError("INVALID_ARGUMENT", "maxPending must be a whole number ≥ 1");
    this._maxPending = maxPending;
    this._slow = false;
    this._dropped = 0;
    // One call per batch of messages (usually a whole WebSocket frame's); each callback still sees one Msg.
    const onMsg = (subjects, replies, data, ends, hdrs) => {
      const subs = subjects.split(" ");
      const reps = replies === undefined ? undefined : replies.split(" ");
      const sid = this._sid;
      let start = 0;
      for (let i = 0; i < subs.length && this._received < this._limit; i++) {
        const end = ends[i];
        const h = hdrs === undefined ? undefined : hdrs[i];
        const m = h === undefined
          ? new Msg(nc, subs[i], sid, reps === undefined ? undefined : reps[i], data.subarray(start, end))
          : new Msg(nc, subs[i], sid, reps === undefined ? undefined : reps[i], data.subarray(start, end), h[0], h[1], h[2]);
        start = end;
        this._received++;
        if (this._callback) this._callback(null, m);
        else this._enqueue(m);
      }
    };
    const onDone = (err) => {
      this._unwatch();
      this._closed = true;
      if (err && this._callback) this._callback(err, undefined);
      if (this._queue) this._queue.end(err || null);
      this._closedResolve(err || undefined);
    };
    this._unwatch = onPanicEnd(this);
    this._poison = onDone;
    try {
      this._sid = nc._w.subscribe(subject, opts.queue, opts.max, onMsg, onDone);
    } catch (e) {
      this._unwatch();
      throw e;
    }
  }
  unsubscribe(max) {
    if (this._closed) return;
    this._nc._w.unsubscribe(this._sid, max);
    // An already-received batch is cut at the new limit (`max` in all, or now).
    this._limit = max === undefined || max === null ? this._received : Math.max(this._received, Number(max) || 0);
  }
  _enqueue(m) {
    const q = this._queue;
    if (q.length < this._maxPending) {
      if (this._slow && q.length < this._maxPending / 2) this._slow = false;
      q.push(m);
      return;
    }
    this._dropped++;
    if (!this._slow) {
      this._slow = true;
      this._nc._emit("slowConsumer", this._sid);
    }
  }
  /** Messages dropped because the iterator fell `maxPending` behind. */
  getDropped() { return this._dropped; }
  /** Messages waiting to be iterated. */
  getPending() { return this._queue ? this._queue.length : 0; }
  async drain() { if (!this._closed) await this._nc._w.drainSubscription(this._sid); }
  getSubject() { return this._subject; }
  getReceived() { return this._received; }
  getID() { return this._sid; }
  isClosed() { return this._closed; }
  [Symbol.asyncIterator]() {
    if (!this._queue) throw new NatsError("INVALID_ARGUMENT", "a subscription with a callback cannot be iterated");
    return { next: () => this._queue.next(), return: () => { this.unsubscribe(); return Promise.resolve({ value: undefined, done: true }); }, [Symbol.asyncIterator]() { return this; } };
  }
}

/** A connection to nats-server over WebSocket. */
class NatsConnectionImpl {
  constructor(w, listeners, emit) {
    this._w = w;
    this._listeners = listeners;
    this._emit = emit;
    const unwatch = onPanicEnd(this);
    this.closed().then(unwatch);
  }
  /** The module panicked: report it and end like a closed connection. */
  _poison(err) {
    this._emit("error", err);
    this._emit("close");
  }
  get info() {
    const text = this._w.info();
    return text === undefined ? undefined : JSON.parse(text);
  }
  publish(subject, payload, opts) {
    const bad = badOptions(opts, "publish options");
    if (bad) throw bad;
    this._w.publish(subject, payload, opts?.reply, flattenHeaders(opts?.headers));
  }
  subscribe(subject, opts = {}) {
    if (opts === null || typeof opts !== "object") throw new NatsError("INVALID_ARGUMENT", "subscribe options must be an object");
    if (opts.callback !== undefined && typeof opts.callback !== "function") throw new NatsError("INVALID_ARGUMENT", "callback must be a function");
    return new Subscription(this, subject, opts);
  }
  async request(subject, payload, opts = {}) {
    const bad = badOptions(opts, "request options");
    if (bad) throw bad;
    const r = await this._w.request(subject, payload, flattenHeaders(opts?.headers), opts?.timeout);
    return new Msg(this, r[0], r[1], r[2], r[3], r[4], r[5], r[6]);
  }
  async flush() { await this._w.flush(); }
  async rtt() { return this._w.flush(); }
  async drain() { return this._w.drain(); }
  async close() { if (!panicked()) await this._w.close(); }
  /** Resolves when the connection is closed: with the error that closed it, if any. */
  async closed() {
    try { return await this._w.closed(); } catch (e) { return e; }
  }
  isClosed() { return panicked() !== null || this._w.isClosed(); }
  onStatus(cb) {
    if (typeof cb !== "function") throw new NatsError("INVALID_ARGUMENT", "onStatus takes a function");
    this._listeners.add(cb);
    return () => this._listeners.delete(cb);
  }
}

const connectWasm = guard((opts, onStatus) => wasm.connect(opts, onStatus));

/** Connects to nats-server's WebSocket listener (API.md `ConnectionOptions`). */
export async function connect(opts) {
  await init();
  const listeners = new Set();
  const onStatus = (type, data) => {
    for (const cb of [...listeners]) {
      try { cb(data === undefined ? { type } : { type, data }); } catch (e) { queueMicrotask(() => { throw e; }); }
    }
  };
  const w = await connectWasm(opts, onStatus);
  return new NatsConnectionImpl(w, listeners, onStatus);
}
