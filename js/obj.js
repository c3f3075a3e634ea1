// The Object Store for the ES module (API.md "Object Store"): `Objm`, stores, puts fed from a
// ReadableStream/Blob/Uint8Array as fast as the chunk window allows, gets as a verified ReadableStream,
// watchers. The rules (names, meta, chunking, SHA-256, verification) are in wasm; this adapts shapes.
import { NatsError } from "./errors.js";
import { MsgHdrsImpl } from "./headers.js";
import { PushQueue } from "./queue.js";
import { settled, panicked, onPanicEnd, watcherLife } from "./guard.js";
import { connectionOf } from "./kv.js";
import { lister } from "./jetstream.js";
import { context, admin, ADMIN, str, json } from "./context.js";

const BAD = (m) => new NatsError("INVALID_ARGUMENT", m);

/** `MsgHdrs | Record<string, string | string[]>` → `{name: [values]}` (checked in wasm). */
function headerRecord(h) {
  if (h === undefined || h === null) return undefined;
  const out = {};
  const add = (k, v) => { if (typeof v !== "string") throw BAD(`meta header ${k} must be a string`); (out[k] ??= []).push(v); };
  if (h instanceof MsgHdrsImpl) for (const [k, v] of h._entries) add(k, v);
  else if (typeof h === "object") for (const [k, v] of Object.entries(h)) for (const one of Array.isArray(v) ? v : [v]) add(k, one);
  else throw BAD("meta headers must be MsgHdrs or a record");
  return out;
}

/** `ObjectStoreMeta` (or a part of it) as JSON text. */
function metaJson(meta, what = "object meta") {
  if (meta === null || typeof meta !== "object" || Array.isArray(meta)) throw BAD(`${what} must be an object`);
  return json({ ...meta, headers: headerRecord(meta.headers) }, what);
}

/** An ObjectInfo from wasm's JSON object: `headers` as MsgHdrs. */
function infoOf(i) {
  if (!i) return null;
  const h = new MsgHdrsImpl();
  for (const [k, vs] of Object.entries(i.headers ?? {})) for (const v of Array.isArray(vs) ? vs : [vs]) h._entries.push([k, String(v)]);
  i.headers = h;
  return i;
}

/** What wasm needs of an ObjectInfo given back to it (link targets, reads). */
function infoText(i) {
  if (i === null || typeof i !== "object") throw BAD("target must be an ObjectInfo");
  const { name, bucket, options, nuid, size, chunks, digest, deleted, revision, mtime } = i;
  return JSON.stringify({ name, bucket, options, nuid, size, chunks, digest, deleted, revision, mtime });
}

// `WasmObjStore.call(op, a, b, settle)`: the store's one-answer calls.
const OP = Object.freeze({ status: 0, seal: 1, destroy: 2, info: 3, resolve: 4, list: 5, delete: 6, link: 7, linkStore: 8, update: 9 });
const RUN = Object.freeze({ STARTED: 0, ITEMS: 1, INITIALIZED: 2, ENDED: 3 });
const closed = () => new NatsError("CONNECTION_CLOSED", "the read ended before the object was complete");

/** A running object watch: a callback, or an async iterator of ObjectWatchInfo. */
class ObjectWatcherImpl {
  constructor(store, flags, opts, started, failed) {
    const callback = opts.callback;
    this._queue = callback ? null : new PushQueue();
    this._stopped = false;
    const life = watcherLife(this, { started, failed, onInitialized: opts.onInitialized });
    this._w = store._w.run(flags, "", (kind, v) => {
      if (kind === RUN.ITEMS) {
        for (const i of JSON.parse(v)) {
          if (this._stopped) return;
          const info = infoOf(i);
          if (callback) { try { callback(info); } catch { /* a throwing callback costs nothing else */ } }
          else this._queue.push(info);
        }
      } else if (kind === RUN.INITIALIZED) {
        life.initialized();
      } else if (kind === RUN.STARTED) {
        life.started();
      } else if (kind === RUN.ENDED) this._poison(v || null);
    });
  }
  stop() { this._stopped = true; this._w.stop(); }
  [Symbol.asyncIterator]() {
    if (!this._queue) throw BAD("a watcher with a callback cannot be iterated");
    return { next: () => this._queue.next(), return: () => { this.stop(); return Promise.resolve({ value: undefined, done: true }); }, [Symbol.asyncIterator]() { return this; } };
  }
}

// Bytes handed to wasm per write: what wasm holds of a put is bounded by this plus the chunk window,
// whatever the size of the source's pieces.
const SLICE = 1 << 20;
async function write(p, bytes) {
  for (let at = 0; at < bytes.length; at += SLICE) {
    const part = bytes.subarray(at, at + SLICE);
    await settled((s) => p.write(part, s));
  }
}

/** Reads `src` (ReadableStream, Blob, Uint8Array or null) into the put `p`. */
async function feed(p, src) {
  if (src === null || src === undefined) return null;
  if (src instanceof Uint8Array) {
    await write(p, src);
    return null;
  }
  const stream = typeof Blob !== "undefined" && src instanceof Blob ? src.stream() : src;
  if (!stream || typeof stream.getReader !== "function") throw BAD("data must be a ReadableStream, a Blob, a Uint8Array or null");
  const reader = stream.getReader();
  for (;;) {
    let r;
    try { r = await reader.read(); } catch (e) { return e ?? new Error("the source failed"); }
    if (r.done) return null;
    if (!(r.value instanceof Uint8Array)) {
      reader.cancel().catch(() => {});
      return BAD("the source gave something other than a Uint8Array");
    }
    try {
      await write(p, r.value);
    } catch (e) {
      reader.cancel().catch(() => {});
      throw e;
    }
  }
}

/** A bound object store (API.md `ObjectStore`). */
class ObjectStoreImpl {
  constructor(w) { this._w = w; this.bucket = w.bucket; }

  async put(meta, data, opts = {}) {
    if (opts === null || typeof opts !== "object") throw BAD("put options must be an object");
    const { previousRevision, timeout, onProgress } = opts;
    if (previousRevision !== undefined && !(Number.isSafeInteger(previousRevision) && previousRevision >= 0)) throw BAD("previousRevision must be a whole number ≥ 0");
    if (timeout !== undefined && !(Number.isFinite(timeout) && timeout > 0 && timeout <= 2147483647)) throw BAD("timeout must be a positive number of ms (at most 2147483647)");
    if (onProgress !== undefined && typeof onProgress !== "function") throw BAD("onProgress must be a function");
    const text = metaJson(meta);
    const isStream = data !== null && data !== undefined && typeof data.getReader === "function";
    if (!(data === null || data === undefined || data instanceof Uint8Array || isStream || (typeof Blob !== "undefined" && data instanceof Blob))) {
      throw BAD("data must be a ReadableStream, a Blob, a Uint8Array or null");
    }
    if (panicked()) throw panicked();
    const total = data instanceof Uint8Array ? data.length : typeof Blob !== "undefined" && data instanceof Blob ? data.size : data == null ? 0 : undefined;
    const progress = onProgress ? (n) => { try { onProgress(n, total); } catch { /* ignored */ } } : undefined;
    const p = this._w.put(text, previousRevision ?? -1, timeout ?? 0, progress);
    let failure = null;
    try {
      failure = await feed(p, data);
    } catch (e) {
      if (!(e instanceof NatsError)) failure = e;
    }
    if (failure) p.abort(String(failure?.message ?? failure));
    try {
      return infoOf(await settled((s) => p.finish(s)));
    } catch (e) {
      if (failure && e instanceof NatsError) e.cause = failure;
      throw e;
    }
  }
  putBlob(meta, data, opts) {
    if (data !== null && data !== undefined && !(data instanceof Uint8Array)) return Promise.reject(BAD("putBlob data must be a Uint8Array or null"));
    return this.put(meta, data ?? null, opts);
  }
  async get(name) {
    const info = await this._call(OP.resolve, () => [str(name, "object name")]);
    if (!info) return null;
    let run = null, finished = false, errorResolve, unpanic = () => {};
    const error = new Promise((r) => { errorResolve = r; });
    const end = (e) => { if (!finished) { finished = true; unpanic(); errorResolve(e); } };
    const text = infoText(info);
    const data = new ReadableStream({
      start: (c) => {
        // A panic of the module ends the read like any other error.
        unpanic = onPanicEnd({ _poison: (e) => { if (!finished) { c.error(e); end(e); } } });
        try {
          run = this._w.run(-1, text, (kind, v) => {
            if (finished) return;
            if (kind === RUN.ITEMS) {
              for (const chunk of v) c.enqueue(chunk);
              if (c.desiredSize !== null && c.desiredSize <= 0) run?.pause(true);
            } else if (kind === RUN.INITIALIZED) {
              c.close();
              end(null);
            } else if (kind === RUN.ENDED) {
              const e = v || closed();
              c.error(e);
              end(e);
            }
          });
        } catch (e) {
          end(panicked() ?? e);
          throw panicked() ?? e;
        }
      },
      pull: () => { if (!finished) run?.pause(false); },
      cancel: () => { end(null); finished = true; run?.stop(); },
    }, { highWaterMark: 8 });
    return { info: infoOf(info), data, error };
  }
  async getBlob(name) {
    const r = await this.get(name);
    if (!r) return null;
    const parts = [];
    let size = 0;
    const reader = r.data.getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      parts.push(value);
      size += value.length;
    }
    const err = await r.error;
    if (err) throw err;
    const out = new Uint8Array(size);
    let at = 0;
    for (const p of parts) { out.set(p, at); at += p.length; }
    return out;
  }
  /** One store call; `args()` gives `a`, `b`, or throws (the promise rejects). */
  _call(op, args = () => []) {
    return settled((s) => { const [a = "", b = ""] = args(); this._w.call(op, a, b, s); });
  }
  async info(name) { return infoOf(await this._call(OP.info, () => [str(name, "object name")])); }
  async list() { return (await this._call(OP.list)).map(infoOf); }
  delete(name) { return this._call(OP.delete, () => [str(name, "object name")]); }
  async link(name, target) { return infoOf(await this._call(OP.link, () => [str(name, "link name"), infoText(target)])); }
  async linkStore(name, store) {
    if (!(store instanceof ObjectStoreImpl)) throw BAD("linkStore needs an ObjectStore");
    return infoOf(await this._call(OP.linkStore, () => [str(name, "link name"), store.bucket]));
  }
  update(name, meta) { return this._call(OP.update, () => [str(name, "object name"), metaJson(meta ?? {}, "update meta")]); }
  watch(opts = {}) {
    if (opts === null || typeof opts !== "object") return Promise.reject(BAD("watch options must be an object"));
    const flags = (opts.includeHistory ? 1 : 0) | (opts.updatesOnly ? 2 : 0) | (opts.ignoreDeletes ? 4 : 0);
    return new Promise((resolve, reject) => {
      try { new ObjectWatcherImpl(this, flags, opts, resolve, reject); } catch (e) { reject(panicked() ?? e); }
    });
  }
  status() { return this._call(OP.status); }
  seal() { return this._call(OP.seal); }
  destroy() { return this._call(OP.destroy); }
}

/** The Object Store manager: `new Objm(nc)` or `new Objm(jetstream(nc))`. */
export class Objm {
  constructor(ncOrJs, opts) {
    const { nc, opts: o } = connectionOf(ncOrJs, opts);
    this._w = context(nc, o, "Objm", "connect() or a JetStream client");
  }
  async create(bucket, opts) {
    return new ObjectStoreImpl(await admin(this._w, ADMIN.objCreate, () => [str(bucket, "bucket"), "", json(opts, "object store options")]));
  }
  async open(bucket, check = true) {
    return new ObjectStoreImpl(await admin(this._w, ADMIN.objOpen, () => [str(bucket, "bucket"), check !== false ? "" : "-"]));
  }
  list() { return lister(() => admin(this._w, ADMIN.objList)); }
}
