// Key/Value for the ES module: `Kvm`, `KV`, entries, watchers, `view()` and `modify()`, over the
// wasm exports (which do the protocol work).
import { WasmKvm } from "../pkg/nats_kv_wasm.js";
import { NatsError } from "./errors.js";
import { PushQueue } from "./queue.js";

const decoder = new TextDecoder();

/** One revision of a key. */
class KvEntryImpl {
  constructor(a) {
    this.bucket = a[0];
    this.key = a[1];
    this.value = a[2];
    this.revision = a[3];
    this.created = new Date(a[4]);
    this.delta = a[5];
    this.operation = a[6];
    this.length = a[7];
    this.isUpdate = a[8];
  }
  string() { return decoder.decode(this.value); }
  /** The value as JSON; `reviver` as in `JSON.parse` (and nats.js `KvEntry.json(reviver)`). */
  json(reviver) { return JSON.parse(this.string(), reviver); }
}

const toEntry = (a) => (a === null ? null : new KvEntryImpl(a));

/** A running watch: a callback, or an async iterator of entries. */
class KvWatcherImpl {
  constructor(kv, opts, started, failed) {
    const callback = opts.callback;
    const onInitialized = opts.onInitialized;
    this._queue = callback ? null : new PushQueue();
    let initResolve, initReject, initDone = false;
    this.initialized = new Promise((res, rej) => { initResolve = res; initReject = rej; });
    this.initialized.catch(() => {});
    let isStarted = false;
    this._w = kv._w.watch(opts, (kind, x) => {
      if (kind === 0) {
        const e = new KvEntryImpl(x);
        if (callback) callback(e); else this._queue.push(e);
      } else if (kind === 1) {
        initDone = true;
        initResolve();
        if (onInitialized) onInitialized();
      } else if (kind === 3) {
        isStarted = true;
        started(this);
      } else {
        const err = x || null;
        if (!initDone) initReject(err || new NatsError("CONNECTION_CLOSED", "watch ended before its initial values"));
        if (!isStarted) failed(err || new NatsError("CONNECTION_CLOSED", "watch ended before it started"));
        if (this._queue) this._queue.end(err);
      }
    });
  }
  stop() { this._w.stop(); }
  [Symbol.asyncIterator]() {
    if (!this._queue) throw new NatsError("INVALID_ARGUMENT", "a watcher with a callback cannot be iterated");
    return { next: () => this._queue.next(), return: () => { this.stop(); return Promise.resolve({ value: undefined, done: true }); }, [Symbol.asyncIterator]() { return this; } };
  }
}

/** A live, read-only map of a bucket fed by a watcher (React / Svelte store contracts). */
class KvViewImpl {
  constructor() {
    this._map = new Map();
    this._snapshot = new Map();
    this._dirty = false;
    this._subs = new Set();
    this._revision = 0;
    this._watcher = null;
  }
  _apply(e) {
    if (e.operation === "PUT") this._map.set(e.key, e); else this._map.delete(e.key);
    this._revision = Math.max(this._revision, e.revision);
    this._dirty = true;
    if (this._ready) this._notify();
  }
  _notify() {
    const snap = this.getSnapshot();
    for (const fn of [...this._subs]) fn(snap);
  }
  get(key) { return this._map.get(key); }
  keys() { return [...this._map.keys()]; }
  get size() { return this._map.size; }
  get revision() { return this._revision; }
  getSnapshot() {
    if (this._dirty) { this._snapshot = new Map(this._map); this._dirty = false; }
    return this._snapshot;
  }
  subscribe(fn) {
    if (typeof fn !== "function") throw new NatsError("INVALID_ARGUMENT", "subscribe takes a function");
    this._subs.add(fn);
    fn(this.getSnapshot());
    return () => { this._subs.delete(fn); };
  }
  close() { this._watcher?.stop(); this._subs.clear(); }
}

/** A bound bucket. */
class KVImpl {
  constructor(w) { this._w = w; }
  get bucket() { return this._w.bucket; }
  async get(key, opts) { return toEntry(await this._w.get(key, opts?.revision)); }
  put(key, value, opts) { return this._w.put(key, value, opts?.previousSeq, opts?.timeout); }
  create(key, value, markerTTL) { return this._w.create(key, value, markerTTL); }
  update(key, value, revision, timeout) { return this._w.update(key, value, revision, timeout); }
  delete(key, opts) { return this._w.delete(key, opts?.previousSeq); }
  purge(key, opts) { return this._w.purge(key, opts?.previousSeq, opts?.ttl); }
  keys(filter) { return this._w.keys(filter); }
  async history(opts) { return (await this._w.history(opts?.key, opts?.headers_only)).map(toEntry); }
  status() { return this._w.status(); }
  async purgeDeletes(olderMillis) { return { purged: await this._w.purgeDeletes(olderMillis) }; }
  destroy() { return this._w.destroy(); }

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
    const view = new KvViewImpl();
    let readyResolve;
    view.ready = new Promise((r) => { readyResolve = r; });
    view._watcher = await this.watch({
      key: opts?.key,
      callback: (e) => view._apply(e),
      onInitialized: () => { view._ready = true; readyResolve(); view._notify(); },
    });
    return view;
  }

  async modify(key, fn, opts = {}) {
    if (typeof fn !== "function") throw new NatsError("INVALID_ARGUMENT", "modify takes a function");
    const maxRetries = opts?.maxRetries ?? 10;
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
    this._w = new WasmKvm(nc._w, opts);
  }
  async create(bucket, opts) { return new KVImpl(await this._w.create(bucket, opts)); }
  async open(bucket, opts) { return new KVImpl(await this._w.open(bucket, opts)); }
  list() { return this._w.list(); }
}
