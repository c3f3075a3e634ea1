// JetStream (API.md "JetStream"): the manager, the client's publish, listers and stored messages.
// Configurations cross to wasm as JSON text; the session layer checks them before sending.
import { JS_CLIENT } from "./kv.js";
import { NatsError, badOptions } from "./errors.js";
import { MsgHdrsImpl, flattenHeaders } from "./headers.js";
import { settled } from "./guard.js";
import { pullConsumer, pushConsumer } from "./consumer.js";
import { json, str, ADMIN, admin, context } from "./context.js";

export { json, str, ADMIN, admin, context };

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

const opt = (v, what) => (v === undefined || v === null ? undefined : str(v, what));

/** A nats.js `Lister`: awaited, every item; `for await`, item by item; `next()`, the list then []. */
export function lister(load) {
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

const success = (r) => r.success === true;

class StreamAPI {
  constructor(w) { this._w = w; }
  add(cfg) { return admin(this._w, ADMIN.streamAdd, () => ["", "", json(cfg, "stream config")]); }
  update(name, cfg) { return admin(this._w, ADMIN.streamUpdate, () => [str(name, SN), "", json(cfg, "stream config")]); }
  info(name, opts) { return admin(this._w, ADMIN.streamInfo, () => [str(name, SN), "", json(opts, "stream info options")]); }
  delete(name) { return admin(this._w, ADMIN.streamDelete, () => [str(name, SN)]).then(success); }
  purge(name, opts) { return admin(this._w, ADMIN.streamPurge, () => [str(name, SN), "", json(opts, "purge options")]); }
  list(subject) { return lister(() => admin(this._w, ADMIN.streamList, () => [opt(subject, "subject")])); }
  names(subject) { return lister(() => admin(this._w, ADMIN.streamNames, () => [opt(subject, "subject")])); }
  find(subject) { return admin(this._w, ADMIN.streamFind, () => [str(subject, "subject")]); }
  async getMessage(stream, query) {
    const m = await admin(this._w, ADMIN.getMessage, () => [str(stream, SN), "", json(query, "message query")]);
    return m === null ? null : new StoredMsgImpl(m);
  }
  deleteMessage(stream, seq, erase = true) {
    return admin(this._w, ADMIN.deleteMessage, () => {
      if (typeof seq !== "number") throw new NatsError("INVALID_ARGUMENT", "deleteMessage seq must be a number");
      return [str(stream, SN), erase === false ? "" : "erase", String(seq)];
    }).then(success);
  }
}

class ConsumerAPI {
  constructor(w) { this._w = w; }
  add(stream, cfg) { return admin(this._w, ADMIN.consumerAdd, () => [str(stream, SN), "", json(cfg, "consumer config")]); }
  addOrUpdate(stream, cfg) { return admin(this._w, ADMIN.consumerAddOrUpdate, () => [str(stream, SN), "", json(cfg, "consumer config")]); }
  update(stream, name, cfg) { return admin(this._w, ADMIN.consumerUpdate, () => [str(stream, SN), str(name, CN), json(cfg, "consumer config")]); }
  info(stream, name) { return admin(this._w, ADMIN.consumerInfo, () => [str(stream, SN), str(name, CN)]); }
  delete(stream, name) { return admin(this._w, ADMIN.consumerDelete, () => [str(stream, SN), str(name, CN)]).then(success); }
  list(stream) { return lister(() => admin(this._w, ADMIN.consumerList, () => [str(stream, SN)])); }
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
  getAccountInfo() { return admin(this._w, ADMIN.accountInfo); }
  jetstream() { return new JetStreamClientImpl(this._nc, this._w, this._opts); }
  getOptions() { return { ...this._opts }; }
}

/** Publishing and consuming (API.md `JetStreamClient`). */
export class JetStreamClientImpl {
  constructor(nc, w, opts) {
    this._nc = nc;
    this._w = w;
    this._opts = opts;
    const named = (op, stream, name) => admin(w, op, () => [str(stream, "stream"), str(name, CN)]);
    this.consumers = {
      /** An existing pull consumer by name (`WRONG_CONSUMER_KIND` for a push one), else a new
       * ordered consumer with `OrderedConsumerOptions`. */
      get: (stream, nameOrOpts) => typeof nameOrOpts === "string"
        ? pullConsumer(named(ADMIN.pullConsumer, stream, nameOrOpts))
        : pullConsumer(settled((s) => w.ordered(stream, nameOrOpts ?? {}, s))),
      /** An existing push consumer (`WRONG_CONSUMER_KIND` for a pull one). */
      getPushConsumer: (stream, name) => pushConsumer(named(ADMIN.pushConsumer, stream, name)),
    };
  }
  get [JS_CLIENT]() { return true; }
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

export { connectionOf } from "./kv.js";

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
