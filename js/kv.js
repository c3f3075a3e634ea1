// Key/Value for the ES module: `Kvm`, `KV`, entries, watchers, `view()` and `modify()`, over the
// wasm exports (which do the protocol work).
import { WasmKvm } from "../pkg/nats_kv_wasm.js";
import { NatsError, badOptions } from "./errors.js";
import { PushQueue } from "./queue.js";
import { panicked, onPanicEnd, settled } from "./panic.js";

const decoder = new TextDecoder();

/** One revision of a key. */
class KvEntryImpl {
  constructor(bucket, key, value, revision, created, delta, operation, length, isUpdate) {
    this.bucket = bucket;
    this.key = key;
    this.value = value;
    this.revision = revision;
    this.created = new Date(created);
    this.delta = delta;
    this.operation = operation;
    this.length = length;
    this.isUpdate = isUpdate;
  }
  string() { return decoder.decode(this.value); }
  /** The value as JSON; `reviver` as in `JSON.parse` (and nats.js `KvEntry.json(reviver)`). */
  json(reviver) { return JSON.parse(this.string(), reviver); }
}

/** `[bucket, key, value, revision, created, delta, operation, length, isUpdate]` from the wasm side. */
const toEntry = (a) => (a === null ? null : new KvEntryImpl(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8]));

const OPERATIONS = ["PUT", "DEL", "PURGE"];

/** The entry factory the wasm side calls for `get` (registered by `init` in index.js). */
export const makeEntry = (bucket, key, value, revision, created, delta, op, length, isUpdate) =>
  new KvEntryImpl(bucket, key, value, revision, created, delta, OPERATIONS[op], length, isUpdate);

// A `for await` watcher that falls behind: once this many entries wait, the watcher stops answering
// the server's flow control (the server then stops sending after its window); below the low mark it
// answers again. Nothing is dropped, and memory stays bounded.
const WATCH_HIGH_WATER = 4096;
const WATCH_LOW_WATER = 1024;

/** A running watch: a callback, or an async iterator of entries. */
class KvWatcherImpl {
  constructor(kv, opts, started, failed) {
    const callback = opts.callback;
    const onInitialized = opts.onInitialized;
    this._queue = callback ? null : new PushQueue();
    this._stopped = false;
    this._paused = false;
    let initResolve, initReject, initDone = false;
    this.initialized = new Promise((res, rej) => { initResolve = res; initReject = rej; });
    this.initialized.catch(() => {});
    let isStarted = false;
    const unwatch = onPanicEnd(this);
    // The end of the watch: stopped (err null), failed, or the module panicked.
    this._poison = (err) => {
      unwatch();
      if (!initDone) initReject(err || new NatsError("CONNECTION_CLOSED", "watch ended before its initial values"));
      if (!isStarted) failed(err || new NatsError("CONNECTION_CLOSED", "watch ended before it started"));
      if (this._queue) this._queue.end(err);
    };
    const bucket = kv.bucket;
    // One call per batch of entries (usually a WebSocket frame's): the keys joined with spaces, and one
    // buffer with 6 numbers per entry (a Float64Array) followed by the values (see `EntryPacker` in
    // src/kv/watch.rs).
    const onEntries = (keys, buf) => {
      const ks = keys.split(" ");
      const nums = new Float64Array(buf.buffer, buf.byteOffset, ks.length * 6);
      const data = buf.subarray(ks.length * 48);
      let start = 0;
      for (let i = 0, j = 0; i < ks.length; i++, j += 6) {
        if (this._stopped) return;
        const end = nums[j];
        const flags = nums[j + 5];
        const e = new KvEntryImpl(bucket, ks[i], data.subarray(start, end), nums[j + 1], nums[j + 2], nums[j + 3],
          OPERATIONS[flags & 3], nums[j + 4], (flags & 4) !== 0);
        start = end;
        if (!callback) {
          this._queue.push(e);
          if (!this._paused && this._queue.length >= WATCH_HIGH_WATER) {
            this._paused = true;
            this._w.pause(true);
          }
        } else {
          // As when each entry was its own call from the wasm side: a throwing callback does not
          // cost the entries after it.
          try { callback(e); } catch { /* ignored, as before */ }
        }
      }
    };
    this._w = kv._w.watch(opts, onEntries, (kind, x) => {
      if (kind === 1) {
        initDone = true;
        initResolve();
        if (onInitialized) onInitialized();
      } else if (kind === 3) {
        isStarted = true;
        started(this);
      } else {
        this._poison(x || null);
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
 * A live, read-only map of a bucket fed by a watcher (React / Svelte store contracts). Before the
 * initial values are in it is empty; it then publishes them as one snapshot, and every later change
 * (a PUT, or a DEL/PURGE of a present key) as a new one.
 */
class KvViewImpl {
  constructor() {
    this._map = new Map();       // working state, fed by the watcher
    this._snapshot = EMPTY;      // last published state
    this._dirty = false;         // _map differs from _snapshot
    this._subs = new Set();
    this._revision = 0;
    this._ready = false;
    this._closed = false;
    this._watcher = null;
  }
  _apply(e) {
    if (this._closed) return;
    if (e.revision > this._revision) this._revision = e.revision;
    if (e.operation === "PUT") this._map.set(e.key, Object.freeze(e));
    else if (!this._map.delete(e.key)) return;
    this._dirty = true;
    if (this._ready) this._notify();
  }
  _initialized() {
    if (this._closed || this._ready) return;
    this._ready = true;
    if (this._dirty) this._notify();
  }
  _notify() {
    if (this._subs.size === 0) return;
    const snap = this.getSnapshot();
    for (const fn of [...this._subs]) {
      if (!this._subs.has(fn)) continue;
      try { fn(snap); } catch (err) { queueMicrotask(() => { throw err; }); }
    }
  }
  get(key) { return this._ready ? this._map.get(key) : undefined; }
  keys() { return this._ready ? [...this._map.keys()] : []; }
  get size() { return this._ready ? this._map.size : 0; }
  get revision() { return this._revision; }
  getSnapshot() {
    if (this._dirty && this._ready) { this._snapshot = new Snapshot(this._map); this._dirty = false; }
    return this._snapshot;
  }
  subscribe(fn) {
    if (typeof fn !== "function") throw new NatsError("INVALID_ARGUMENT", "subscribe takes a function");
    if (this._closed) { fn(this.getSnapshot()); return () => {}; }
    this._subs.add(fn);
    fn(this.getSnapshot());
    return () => { this._subs.delete(fn); };
  }
  close() {
    if (this._closed) return;
    this._closed = true;
    this._subs.clear();
    this._watcher?.stop();
    if (!this._ready) this._rejectReady(new NatsError("CONNECTION_CLOSED", "the view was closed before its initial values"));
  }
}

/** A bound bucket. */
class KVImpl {
  constructor(w) { this._w = w; }
  get bucket() { return this._w.bucket; }
  // get and put settle their promise from the wasm side when the reply is decoded (`settled`): no
  // `async` wrapper, no race, one microtask between the reply and the caller.
  get(key, opts) {
    return settled((settle) => {
      const bad = badOptions(opts, "get options");
      if (bad) throw bad;
      this._w.get(key, opts?.revision, settle);
    });
  }
  put(key, value, opts) {
    return settled((settle) => {
      const bad = badOptions(opts, "put options");
      if (bad) throw bad;
      this._w.put(key, value, opts?.previousSeq, opts?.timeout, settle);
    });
  }
  async create(key, value, markerTTL) { return this._w.create(key, value, markerTTL); }
  async update(key, value, revision, timeout) { return this._w.update(key, value, revision, timeout); }
  async delete(key, opts) {
    const bad = badOptions(opts, "delete options");
    if (bad) throw bad;
    return this._w.delete(key, opts?.previousSeq);
  }
  async purge(key, opts) {
    const bad = badOptions(opts, "purge options");
    if (bad) throw bad;
    return this._w.purge(key, opts?.previousSeq, opts?.ttl);
  }
  async keys(filter) { return this._w.keys(filter); }
  async history(opts) {
    const bad = badOptions(opts, "history options");
    if (bad) throw bad;
    return (await this._w.history(opts?.key, opts?.headers_only)).map(toEntry);
  }
  async status() { return this._w.status(); }
  async purgeDeletes(olderMillis) { return { purged: await this._w.purgeDeletes(olderMillis) }; }
  async destroy() { return this._w.destroy(); }

  watch(opts = {}) {
    if (opts === null || typeof opts !== "object") return Promise.reject(new NatsError("INVALID_ARGUMENT", "watch options must be an object"));
    for (const f of ["callback", "onInitialized"]) {
      if (opts[f] !== undefined && typeof opts[f] !== "function") return Promise.reject(new NatsError("INVALID_ARGUMENT", `${f} must be a function`));
    }
    return new Promise((resolve, reject) => {
      try { new KvWatcherImpl(this, opts, resolve, reject); } catch (e) { reject(e); }
    });
  }

  async view(opts = {}) {
    if (opts === null || typeof opts !== "object") throw new NatsError("INVALID_ARGUMENT", "view options must be an object");
    const view = new KvViewImpl();
    let readyResolve, readyReject;
    view.ready = new Promise((res, rej) => { readyResolve = res; readyReject = rej; });
    view.ready.catch(() => {});
    view._rejectReady = readyReject;
    view._watcher = await this.watch({
      key: opts.key,
      callback: (e) => view._apply(e),
      onInitialized: () => { view._initialized(); readyResolve(); },
    });
    view._watcher.initialized.catch((err) => readyReject(err));
    return view;
  }

  async modify(key, fn, opts = {}) {
    if (typeof fn !== "function") throw new NatsError("INVALID_ARGUMENT", "modify takes a function");
    const bad = badOptions(opts, "modify options");
    if (bad) throw bad;
    const maxRetries = opts?.maxRetries ?? 10;
    if (!Number.isInteger(maxRetries) || maxRetries < 0 || maxRetries > 1_000_000) {
      throw new NatsError("INVALID_ARGUMENT", "maxRetries must be a whole number from 0 to 1000000");
    }
    for (let attempt = 0; attempt <= maxRetries; attempt++) {
      const current = await this.get(key);
      const next = fn(current);
      if (next === undefined) return current ? current.revision : 0;
      try {
        return current ? await this.update(key, next, current.revision) : await this.create(key, next);
      } catch (e) {
        if (e.code !== "WRONG_LAST_REVISION" && e.code !== "KEY_EXISTS") throw e;
      }
    }
    throw new NatsError("WRONG_LAST_REVISION", `modify of ${key} still conflicted after ${maxRetries} retries`);
  }
}

/** The Key/Value manager of a connection. */
export class Kvm {
  constructor(nc, opts) {
    if (!nc || !nc._w) throw new NatsError("INVALID_ARGUMENT", "Kvm needs a connection from connect()");
    if (panicked()) throw panicked();
    this._w = new WasmKvm(nc._w, opts);
  }
  async create(bucket, opts) { return new KVImpl(await this._w.create(bucket, opts)); }
  async open(bucket, opts) { return new KVImpl(await this._w.open(bucket, opts)); }
  async list() { return this._w.list(); }
}
