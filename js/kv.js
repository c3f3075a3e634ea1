// Key/Value for the ES module: `Kvm`, `KV`, watchers and views over the wasm exports (the protocol
// work and every rule — modify()'s retries, which changes a view takes — are in the session layer).
import { NatsError, badOptions } from "./errors.js";
import { PushQueue } from "./queue.js";
import { onPanicEnd, settled, watcherLife } from "./guard.js";
import { unpack, EVENT } from "./batch.js";
import { context, admin, ADMIN } from "./context.js";

// A `for await` watcher that falls behind: once this many entries wait, the watcher stops answering
// the server's flow control (the server then stops sending after its window); below the low mark it
// answers again. Nothing is dropped, and memory stays bounded.
const WATCH_HIGH_WATER = 4096;
const WATCH_LOW_WATER = 1024;

/** Marks a JetStream client (js/jetstream.js) for `connectionOf`, which the KV entry uses without the
 * JetStream client's code. */
export const JS_CLIENT = Symbol("JetStreamClient");

/** `Kvm`/`Objm`'s first argument: a connection, or a JetStream client whose connection and options
 * are used (API.md), the given `opts` laid over them. */
export function connectionOf(ncOrJs, opts) {
  if (ncOrJs?.[JS_CLIENT]) return { nc: ncOrJs._nc, opts: { ...ncOrJs._opts, ...(opts ?? {}) } };
  return { nc: ncOrJs, opts };
}

/** A running watch: a callback, or an async iterator of entries. */
class KvWatcherImpl {
  constructor(kv, opts, started, failed) {
    const callback = opts.callback;
    this._queue = callback ? null : new PushQueue();
    this._stopped = false;
    this._paused = false;
    const life = watcherLife(this, { started, failed, onInitialized: opts.onInitialized });
    // One call per batch of entries (usually a WebSocket frame's).
    const onBatch = (text, nums, data, kind) => {
      for (const e of unpack(kind, text, nums, data)) {
        if (this._stopped) return;
        if (!callback) {
          this._queue.push(e);
          if (!this._paused && this._queue.length >= WATCH_HIGH_WATER) {
            this._paused = true;
            this._w.pause(true);
          }
        } else {
          // A throwing callback does not cost the entries after it.
          try { callback(e); } catch { /* ignored, as before */ }
        }
      }
    };
    this._w = kv._w.watch(opts, onBatch, (kind, err) => {
      if (kind === EVENT.INITIALIZED) {
        life.initialized();
      } else if (kind === EVENT.STARTED) {
        life.started();
      } else if (kind === EVENT.ENDED) {
        this._poison(err || null);
      }
    });
  }
  stop() { this._stopped = true; this._w.stop(); }
  /** Entries waiting to be iterated. */
  getPending() { return this._queue ? this._queue.length : 0; }
  _next() {
    const p = this._queue.next();
    if (this._paused && this._queue.length <= WATCH_LOW_WATER) {
      this._paused = false;
      if (!this._stopped) this._w.pause(false);
    }
    return p;
  }
  [Symbol.asyncIterator]() {
    if (!this._queue) throw new NatsError("INVALID_ARGUMENT", "a watcher with a callback cannot be iterated");
    return { next: () => this._next(), return: () => { this.stop(); return Promise.resolve({ value: undefined, done: true }); }, [Symbol.asyncIterator]() { return this; } };
  }
}

// Snapshots handed out by `view()` are read-only: `set`/`delete`/`clear` throw, so a snapshot a UI
// holds can never change under it (React's useSyncExternalStore compares them by identity).
const sealed = new WeakSet();
class Snapshot extends Map {
  constructor(entries) {
    super(entries);
    sealed.add(this);
    Object.freeze(this);
  }
  set(k, v) {
    if (sealed.has(this)) throw new TypeError("a KV view snapshot is read-only");
    return super.set(k, v);
  }
  delete() { throw new TypeError("a KV view snapshot is read-only"); }
  clear() { throw new TypeError("a KV view snapshot is read-only"); }
}
const EMPTY = new Snapshot();

/**
 * A live, read-only map of a bucket (React / Svelte store contracts). The session layer decides which
 * entries change the map and when a new snapshot is due (`NOTIFY`); this mirrors its map with the JS
 * entries and hands out frozen snapshots.
 */
class KvViewImpl {
  constructor(kv, key, started, failed) {
    this._map = new Map();
    this._snapshot = EMPTY;
    this._subs = new Set();
    this._ready = false;
    this._closed = false;
    let readyResolve, readyReject;
    this.ready = new Promise((res, rej) => { readyResolve = res; readyReject = rej; });
    this.ready.catch(() => {});
    let isStarted = false;
    const unwatch = onPanicEnd(this);
    this._poison = (err) => {
      unwatch();
      if (!this._ready) readyReject(err || new NatsError("CONNECTION_CLOSED", "the view was closed before its initial values"));
      if (!isStarted) failed(err || new NatsError("CONNECTION_CLOSED", "view ended before it started"));
    };
    const onBatch = (text, nums, data, kind) => {
      for (const e of unpack(kind, text, nums, data)) {
        if (e.operation === "PUT") this._map.set(e.key, Object.freeze(e));
        else this._map.delete(e.key);
      }
    };
    this._w = kv._w.view(key, onBatch, (kind, err) => {
      if (kind === EVENT.NOTIFY) this._notify();
      else if (kind === EVENT.INITIALIZED) { this._ready = true; readyResolve(); }
      else if (kind === EVENT.STARTED) { isStarted = true; started(this); }
      else if (kind === EVENT.ENDED) this._poison(err || null);
    });
  }
  _notify() {
    this._snapshot = new Snapshot(this._map);
    for (const fn of [...this._subs]) {
      if (!this._subs.has(fn)) continue;
      try { fn(this._snapshot); } catch (err) { queueMicrotask(() => { throw err; }); }
    }
  }
  get(key) { return this._ready ? this._map.get(key) : undefined; }
  keys() { return this._ready ? [...this._map.keys()] : []; }
  get size() { return this._ready ? this._map.size : 0; }
  get revision() { return this._w.revision; }
  getSnapshot() { return this._snapshot; }
  subscribe(fn) {
    if (typeof fn !== "function") throw new NatsError("INVALID_ARGUMENT", "subscribe takes a function");
    if (this._closed) { fn(this._snapshot); return () => {}; }
    this._subs.add(fn);
    fn(this._snapshot);
    return () => { this._subs.delete(fn); };
  }
  close() {
    if (this._closed) return;
    this._closed = true;
    this._subs.clear();
    this._w.close();
  }
}

// `WasmKv.call(op, key, value, a, b, settle)`: the bucket's calls that answer once.
const OP = Object.freeze({ get: 0, put: 1, create: 2, update: 3, delete: 4, purge: 5, keys: 6, history: 7, status: 8, purgeDeletes: 9, destroy: 10 });

/** A bound bucket. */
class KVImpl {
  constructor(w) { this._w = w; }
  get bucket() { return this._w.bucket; }
  /** One call of `OP` (`WasmKv.call`), after checking that `opts` is an object (or absent). */
  _call(op, key, value, a, b, opts, what) {
    return settled((s) => {
      const bad = badOptions(opts, what);
      if (bad) throw bad;
      this._w.call(op, key, value, a, b, s);
    });
  }
  get(key, opts) { return this._call(OP.get, key, undefined, opts?.revision, undefined, opts, "get options"); }
  put(key, value, opts) { return this._call(OP.put, key, value, opts?.previousSeq, opts?.timeout, opts, "put options"); }
  create(key, value, markerTTL) { return this._call(OP.create, key, value, markerTTL); }
  update(key, value, revision, timeout) { return this._call(OP.update, key, value, revision, timeout); }
  delete(key, opts) { return this._call(OP.delete, key, undefined, opts?.previousSeq, undefined, opts, "delete options"); }
  purge(key, opts) { return this._call(OP.purge, key, undefined, opts?.previousSeq, opts?.ttl, opts, "purge options"); }
  keys(filter) { return this._call(OP.keys, filter); }
  history(opts) { return this._call(OP.history, opts?.key, undefined, opts?.headers_only, undefined, opts, "history options"); }
  status() { return this._call(OP.status); }
  async purgeDeletes(olderMillis) { return { purged: await this._call(OP.purgeDeletes, undefined, undefined, olderMillis) }; }
  destroy() { return this._call(OP.destroy); }

  watch(opts = {}) {
    if (opts === null || typeof opts !== "object") return Promise.reject(new NatsError("INVALID_ARGUMENT", "watch options must be an object"));
    for (const f of ["callback", "onInitialized"]) {
      if (opts[f] !== undefined && typeof opts[f] !== "function") return Promise.reject(new NatsError("INVALID_ARGUMENT", `${f} must be a function`));
    }
    return new Promise((resolve, reject) => {
      try { new KvWatcherImpl(this, opts, resolve, reject); } catch (e) { reject(e); }
    });
  }

  view(opts = {}) {
    if (opts === null || typeof opts !== "object") return Promise.reject(new NatsError("INVALID_ARGUMENT", "view options must be an object"));
    return new Promise((resolve, reject) => {
      try { new KvViewImpl(this, opts.key, resolve, reject); } catch (e) { reject(e); }
    });
  }

  /** Read, change with `fn`, compare-and-swap; retried on conflicts (the loop is the session layer's). */
  modify(key, fn, opts) {
    return settled((s) => {
      const bad = badOptions(opts, "modify options");
      if (bad) throw bad;
      const apply = typeof fn === "function" ? (text, nums, data, kind) => fn(kind === undefined ? null : unpack(kind, text, nums, data)[0]) : fn;
      this._w.modify(key, apply, opts, s);
    });
  }
}

/** The Key/Value manager of a connection. */
export class Kvm {
  constructor(ncOrJs, opts) {
    const { nc, opts: o } = connectionOf(ncOrJs, opts);
    this._w = context(nc, o, "Kvm", "connect() or a JetStream client");
  }
  async create(bucket, opts) { return new KVImpl(await settled((s) => this._w.kvm(0, bucket, opts, s))); }
  async open(bucket, opts) { return new KVImpl(await settled((s) => this._w.kvm(1, bucket, opts, s))); }
  list() { return admin(this._w, ADMIN.kvList); }
}
