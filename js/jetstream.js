// JetStream (API.md "JetStream"): the manager, the client's publish, listers and stored messages.
// Configurations cross to wasm as JSON text; the session layer checks them before sending.
import * as wasm from "../pkg/nats_kv_wasm.js";
import { NatsError, badOptions } from "./errors.js";
import { MsgHdrsImpl, flattenHeaders } from "./headers.js";
import { settled, panicked } from "./guard.js";

const enumOf = (o) => Object.freeze(o);
export const AckPolicy = enumOf({ None: "none", All: "all", Explicit: "explicit" });
export const DeliverPolicy = enumOf({ All: "all", Last: "last", New: "new", StartSequence: "by_start_sequence", StartTime: "by_start_time", LastPerSubject: "last_per_subject" });
export const RetentionPolicy = enumOf({ Limits: "limits", Interest: "interest", Workqueue: "workqueue" });
export const StorageType = enumOf({ File: "file", Memory: "memory" });
export const DiscardPolicy = enumOf({ Old: "old", New: "new" });
export const ReplayPolicy = enumOf({ Instant: "instant", Original: "original" });
export const StoreCompression = enumOf({ None: "none", S2: "s2" });
/** Milliseconds → nanoseconds. */
export function nanos(millis) { return millis * 1e6; }
/** Nanoseconds → whole milliseconds. */
export function millis(ns) { return Math.floor(ns / 1e6); }

/** A config or options object as JSON text (`{}` when absent); else `INVALID_ARGUMENT`. */
function json(v, what) {
  if (v === undefined || v === null) return "{}";
  if (typeof v !== "object" || Array.isArray(v)) throw new NatsError("INVALID_ARGUMENT", `${what} must be an object`);
  try { return JSON.stringify(v); } catch (e) { throw new NatsError("INVALID_ARGUMENT", `${what} cannot be sent: ${e.message}`); }
}

/** A name or subject argument: a string, else `INVALID_ARGUMENT`. */
function str(v, what) {
  if (typeof v !== "string") throw new NatsError("INVALID_ARGUMENT", `${what} must be a string`);
  return v;
}
const opt = (v, what) => (v === undefined || v === null ? undefined : str(v, what));

/** A nats.js `Lister`: awaited, every item; `for await`, item by item; `next()`, the list then []. */
function lister(load) {
  let all = null;
  const get = () => (all ??= load());
  let given = false;
  return {
    then(ok, fail) { return get().then(ok, fail); },
    catch(fail) { return get().catch(fail); },
    finally(f) { return get().finally(f); },
    async *[Symbol.asyncIterator]() { for (const item of await get()) yield item; },
    async next() { if (given) return []; given = true; return get(); },
  };
}

const decoder = new TextDecoder();

/** A message read from a stream (`getMessage`). */
class StoredMsgImpl {
  constructor(m) {
    this.subject = m.subject;
    this.seq = m.seq;
    this.data = m.data;
    this.timestamp = m.timestamp;
    this.time = new Date(m.time);
    this.header = new MsgHdrsImpl();
    const h = m.headers ?? [];
    for (let i = 0; i + 1 < h.length; i += 2) this.header._entries.push([h[i], h[i + 1]]);
  }
  string() { return decoder.decode(this.data); }
  json() { return JSON.parse(this.string()); }
}

const SN = "stream name";
const CN = "consumer name";

class StreamAPI {
  constructor(w) { this._w = w; }
  add(cfg) { return settled((s) => this._w.streamAdd(json(cfg, "stream config"), s)); }
  update(name, cfg) { return settled((s) => this._w.streamUpdate(str(name, SN), json(cfg, "stream config"), s)); }
  info(name, opts) { return settled((s) => this._w.streamInfo(str(name, SN), json(opts, "stream info options"), s)); }
  delete(name) { return settled((s) => this._w.streamDelete(str(name, SN), s)); }
  purge(name, opts) { return settled((s) => this._w.streamPurge(str(name, SN), json(opts, "purge options"), s)); }
  list(subject) { return lister(() => settled((s) => this._w.streamList(opt(subject, "subject"), false, s))); }
  names(subject) { return lister(() => settled((s) => this._w.streamList(opt(subject, "subject"), true, s))); }
  find(subject) { return settled((s) => this._w.streamFind(str(subject, "subject"), s)); }
  async getMessage(stream, query) {
    const m = await settled((s) => this._w.getMessage(str(stream, SN), json(query, "message query"), s));
    return m === null ? null : new StoredMsgImpl(m);
  }
  deleteMessage(stream, seq, erase = true) {
    return settled((s) => {
      if (typeof seq !== "number") throw new NatsError("INVALID_ARGUMENT", "deleteMessage seq must be a number");
      this._w.deleteMessage(str(stream, SN), seq, erase !== false, s);
    });
  }
}

class ConsumerAPI {
  constructor(w) { this._w = w; }
  add(stream, cfg) { return settled((s) => this._w.consumerAdd(str(stream, SN), json(cfg, "consumer config"), true, s)); }
  addOrUpdate(stream, cfg) { return settled((s) => this._w.consumerAdd(str(stream, SN), json(cfg, "consumer config"), false, s)); }
  update(stream, name, cfg) { return settled((s) => this._w.consumerUpdate(str(stream, SN), str(name, CN), json(cfg, "consumer config"), s)); }
  info(stream, name) { return settled((s) => this._w.consumerInfo(str(stream, SN), str(name, CN), s)); }
  delete(stream, name) { return settled((s) => this._w.consumerDelete(str(stream, SN), str(name, CN), s)); }
  list(stream) { return lister(() => settled((s) => this._w.consumerList(str(stream, SN), s))); }
}

function context(nc, opts, what) {
  if (!nc || !nc._w) throw new NatsError("INVALID_ARGUMENT", `${what} needs a connection from connect()`);
  const bad = badOptions(opts, "JetStream options");
  if (bad) throw bad;
  if (panicked()) throw panicked();
  return new wasm.WasmJsm(nc._w, opts ?? {});
}

/** JetStream administration (API.md `JetStreamManager`). */
class JetStreamManagerImpl {
  constructor(nc, w, opts) {
    this._nc = nc;
    this._w = w;
    this._opts = opts;
    this.streams = new StreamAPI(w);
    this.consumers = new ConsumerAPI(w);
  }
  /** The account's JetStream usage and limits. */
  getAccountInfo() { return settled((s) => this._w.accountInfo(s)); }
  jetstream() { return new JetStreamClientImpl(this._nc, this._w, this._opts); }
  getOptions() { return { ...this._opts }; }
}

/** Publishing and consuming (API.md `JetStreamClient`). */
export class JetStreamClientImpl {
  constructor(nc, w, opts) {
    this._nc = nc;
    this._w = w;
    this._opts = opts;
  }
  get apiPrefix() { return this._w.apiPrefix(); }
  /** Publishes to a stream subject; resolves with the PubAck. Rejects, never throws. */
  publish(subject, payload, opts) {
    return settled((s) => {
      const bad = badOptions(opts, "publish options");
      if (bad) throw bad;
      const { headers, ...rest } = opts ?? {};
      this._w.publish(subject, payload ?? new Uint8Array(0), flattenHeaders(headers), json(rest, "publish options"), s);
    });
  }
  async jetstreamManager(checkAPI) {
    const jsm = new JetStreamManagerImpl(this._nc, this._w, this._opts);
    if (checkAPI !== false) await jsm.getAccountInfo();
    return jsm;
  }
  getOptions() { return { ...this._opts }; }
}

/** The JetStream client of a connection (synchronous, as nats.js). */
export function jetstream(nc, opts = {}) {
  return new JetStreamClientImpl(nc, context(nc, opts, "jetstream"), { ...(opts ?? {}) });
}

/** The JetStream manager of a connection; unless `checkAPI: false`, checks the account first
 * (`JETSTREAM_NOT_ENABLED` when JetStream is off). */
export async function jetstreamManager(nc, opts = {}) {
  const w = context(nc, opts, "jetstreamManager");
  const { checkAPI, ...rest } = opts ?? {};
  const jsm = new JetStreamManagerImpl(nc, w, rest);
  if (checkAPI !== false) await jsm.getAccountInfo();
  return jsm;
}
