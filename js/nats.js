// The core of both package entries (js/index.js: everything; js/index-kv.js: core + Key/Value): the
// connection, subscriptions and the loading of the entry's .wasm. A thin layer over the wasm exports: a
// class per public type, callbacks adapted to `for await`, and the `NatsError` class.
import { wasm, bindWasm } from "./wasm.js";
import { NatsError, makeNatsError, badOptions } from "./errors.js";
import { headers, flattenHeaders } from "./headers.js";
import { PushQueue } from "./queue.js";
import { onPanic, panicked, onPanicEnd, guardExports, settled } from "./guard.js";
import { initBatch, unpack, EVENT } from "./batch.js";
import { preopen, handOver } from "./load.js";

export { NatsError, headers };

/** Which history a KV watcher starts from. */
export const KvWatchInclude = Object.freeze({ LastValue: "", AllHistory: "history", UpdatesOnly: "updates" });

let ready = null;
/** Loads the entry's wasm module once: `initWasm` and `glue` are its wasm-bindgen glue's default export
 * and namespace; the classes then reach its exports through js/wasm.js. */
export function load(initWasm, glue, moduleOrPath) {
  if (!ready) {
    ready = initWasm(moduleOrPath === undefined ? undefined : { module_or_path: moduleOrPath }).then(() => {
      bindWasm(glue);
      wasm.setErrorFactory(makeNatsError);
      wasm.setPanicHandler(onPanic);
      initBatch(wasm.batchLayout());
      guardExports(wasm);
    });
  }
  return ready;
}

// `WasmConnection.call(op, sid, settle)`: the connection's calls that only settle.
const CALL = Object.freeze({ flush: 0, drain: 1, close: 2, closed: 3, drainSubscription: 4 });

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
    const onBatch = (text, nums, data, kind) => {
      for (const m of unpack(kind, text, nums, data, nc)) {
        if (this._received >= this._limit) break;
        this._received++;
        if (this._callback) this._callback(null, m);
        else this._enqueue(m);
      }
    };
    const onEvent = (kind, err) => {
      if (kind !== EVENT.ENDED) return;
      this._unwatch();
      this._closed = true;
      if (err && this._callback) this._callback(err, undefined);
      if (this._queue) this._queue.end(err || null);
      this._closedResolve(err || undefined);
    };
    this._unwatch = onPanicEnd(this);
    this._poison = (err) => onEvent(EVENT.ENDED, err);
    try {
      this._sid = nc._w.subscribe(subject, opts.queue, opts.max, onBatch, onEvent);
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
  async drain() { if (!this._closed) await settled((s) => this._nc._w.call(CALL.drainSubscription, this._sid, s)); }
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
  request(subject, payload, opts = {}) {
    return settled((s) => {
      const bad = badOptions(opts, "request options");
      if (bad) throw bad;
      this._w.request(subject, payload, flattenHeaders(opts?.headers), opts?.timeout, s);
    }, this);
  }
  async flush() { await this.rtt(); }
  rtt() { return settled((s) => this._w.call(CALL.flush, 0, s)); }
  drain() { return settled((s) => this._w.call(CALL.drain, 0, s)); }
  async close() { if (!panicked()) await settled((s) => this._w.call(CALL.close, 0, s)); }
  /** Resolves when the connection is closed: with the error that closed it, if any. */
  async closed() {
    try { return await settled((s) => this._w.call(CALL.closed, 0, s)); } catch (e) { return e; }
  }
  isClosed() { return panicked() !== null || this._w.isClosed(); }
  onStatus(cb) {
    if (typeof cb !== "function") throw new NatsError("INVALID_ARGUMENT", "onStatus takes a function");
    this._listeners.add(cb);
    return () => this._listeners.delete(cb);
  }
}

/** `connect(opts)` of an entry whose `init()` loads its wasm (API.md `ConnectionOptions`). */
export async function open(init, opts) {
  // The WebSocket handshake runs while the wasm loads; the wasm takes the socket over.
  let pre = panicked() ? null : preopen(opts);
  try {
    await init();
  } catch (e) {
    pre?.ws.close();
    throw e;
  }
  if (pre && panicked()) { // no call into a module that has panicked
    pre.ws.close();
    pre = null;
  }
  const listeners = new Set();
  const onStatus = (type, data) => {
    for (const cb of [...listeners]) {
      try { cb(data === undefined ? { type } : { type, data }); } catch (e) { queueMicrotask(() => { throw e; }); }
    }
  };
  const w = await handOver(wasm, pre, () => settled((s) => wasm.connect(opts, onStatus, s)));
  return new NatsConnectionImpl(w, listeners, onStatus);
}
