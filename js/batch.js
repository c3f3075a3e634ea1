// The JS twin of the packed batch format (src/session/batch.rs): what crosses from wasm in bulk —
// core messages, KV entries and JetStream messages — as (text, nums, data, kind). The layout is read from the wasm module
// at init, so the twins share one definition; tests/e2e/batch-delivery.test.mjs checks every field.
import { MsgHdrsImpl } from "./headers.js";

const decoder = new TextDecoder();

/** A received message. */
export class Msg {
  constructor(nc, subject, sid, reply, data, headers) {
    this._nc = nc;
    this.subject = subject;
    this.sid = sid;
    if (reply !== undefined) this.reply = reply;
    this.data = data;
    if (headers !== undefined) this.headers = headers;
  }
  string() { return decoder.decode(this.data); }
  json() { return JSON.parse(this.string()); }
  respond(payload, opts) {
    if (!this.reply) return false;
    this._nc.publish(this.reply, payload, opts);
    return true;
  }
}

/** One revision of a key. */
export class KvEntryImpl {
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

/**
 * A message of a JetStream consumer. Its acks go through `ctx` (the consumer, js/consumer.js), which
 * applies the final-ack rule in the wasm module and keeps the state number in `_s`.
 */
export class JsMsgImpl {
  constructor(ctx, subject, reply, data, headers, info, state) {
    this._ctx = ctx;
    this._s = state;
    this.subject = subject;
    this.reply = reply;
    this.data = data;
    if (headers !== undefined) this.headers = headers;
    this.info = info;
    this.seq = info.streamSequence;
    this.redelivered = info.redelivered;
  }
  /** When stored, ns since the epoch (exact). */
  get timestampNanos() { return this.info.timestampNanos; }
  get time() { return new Date(Number(this.info.timestampNanos / 1000000n)); }
  get timestamp() { return this.time.toISOString(); }
  ack() { this._ctx._ack(this, 0); }
  nak(millis) { this._ctx._ack(this, 1, millis); }
  working() { this._ctx._ack(this, 2); }
  term(reason) { this._ctx._ack(this, 3, reason); }
  ackAck(opts) { return this._ctx._ackAck(this, opts); }
  string() { return decoder.decode(this.data); }
  json(reviver) { return JSON.parse(this.string(), reviver); }
}

const OPERATIONS = ["PUT", "DEL", "PURGE"];

/** Added to a kind by a promise that wants one record (see `ONE` in src/api/promise.rs). */
export const ONE = 0x100;
/** Event kinds (`STARTED`, `INITIALIZED`, `ENDED`, `NOTIFY`), from the wasm module. */
export const EVENT = {};
let MSG, ENTRY, M_SID, M_END, M_REPLY, M_PAIRS, M_CODE, M_WIDTH, E_END, E_REV, E_CREATED, E_DELTA, E_LENGTH, E_FLAGS, E_WIDTH;
let JSMSG, J_END, J_PAIRS, J_CODE, J_SSEQ, J_DSEQ, J_DELIVERED, J_PENDING, J_TS_HI, J_TS_LO, J_ACK, J_WIDTH;

/** Reads the layout from the wasm module's `batchLayout()` (once, at init). */
export function initBatch(layout) {
  [MSG, ENTRY, M_SID, M_END, M_REPLY, M_PAIRS, M_CODE, M_WIDTH, E_END, E_REV, E_CREATED, E_DELTA, E_LENGTH, E_FLAGS, E_WIDTH,
    EVENT.STARTED, EVENT.INITIALIZED, EVENT.ENDED, EVENT.NOTIFY,
    JSMSG, J_END, J_PAIRS, J_CODE, J_SSEQ, J_DSEQ, J_DELIVERED, J_PENDING, J_TS_HI, J_TS_LO, J_ACK, J_WIDTH] = layout;
}

/** The records of a batch: `Msg`s (of connection `ctx`), `KvEntry`s or `JsMsg`s (of consumer `ctx`). */
export function unpack(kind, text, nums, data, ctx) {
  const f = text.split("\n");
  const out = [];
  let start = 0;
  if (kind === MSG) {
    for (let j = 0, i = 0; j < nums.length; j += M_WIDTH) {
      const subject = f[i++];
      const reply = nums[j + M_REPLY] ? f[i++] : undefined;
      const pairs = nums[j + M_PAIRS];
      let h;
      if (pairs >= 0) {
        h = new MsgHdrsImpl(nums[j + M_CODE], f[i++]);
        for (let k = 0; k < pairs; k++, i += 2) h._entries.push([f[i], f[i + 1]]);
      }
      const end = nums[j + M_END];
      out.push(new Msg(ctx, subject, nums[j + M_SID], reply, data.subarray(start, end), h));
      start = end;
    }
  } else if (kind === ENTRY) {
    const bucket = f[0];
    for (let j = 0, i = 1; j < nums.length; j += E_WIDTH, i++) {
      const end = nums[j + E_END];
      const flags = nums[j + E_FLAGS];
      out.push(new KvEntryImpl(bucket, f[i], data.subarray(start, end), nums[j + E_REV], nums[j + E_CREATED],
        nums[j + E_DELTA], OPERATIONS[flags & 3], nums[j + E_LENGTH], (flags & 4) !== 0));
      start = end;
    }
  } else if (kind === JSMSG) {
    for (let j = 0, i = 0; j < nums.length; j += J_WIDTH) {
      const subject = f[i++], reply = f[i++], stream = f[i++], consumer = f[i++], domain = f[i++], hash = f[i++];
      const pairs = nums[j + J_PAIRS];
      let h;
      if (pairs >= 0) {
        h = new MsgHdrsImpl(nums[j + J_CODE], f[i++]);
        for (let k = 0; k < pairs; k++, i += 2) h._entries.push([f[i], f[i + 1]]);
      }
      const delivered = nums[j + J_DELIVERED];
      const info = {
        domain, stream, consumer, deliveryCount: delivered, streamSequence: nums[j + J_SSEQ],
        deliverySequence: nums[j + J_DSEQ], timestampNanos: (BigInt(nums[j + J_TS_HI]) << 32n) | BigInt(nums[j + J_TS_LO]),
        pending: nums[j + J_PENDING], redelivered: delivered > 1,
      };
      if (hash) info.account_hash = hash;
      const end = nums[j + J_END];
      out.push(new JsMsgImpl(ctx, subject, reply, data.subarray(start, end), h, info, nums[j + J_ACK]));
      start = end;
    }
  }
  return out;
}
