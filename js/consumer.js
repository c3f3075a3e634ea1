// Pull consumers for the ES module: `Consumer` (`js.consumers.get(stream, name)`), `ConsumerMessages`
// (what fetch() and consume() return) and the acks of `JsMsg`, over the wasm exports. Every rule —
// options, statuses, the pull window, the final-ack rule — is in the session layer and below.
import { NatsError } from "./errors.js";
import { PushQueue } from "./queue.js";
import { onPanicEnd, settled } from "./guard.js";
import { unpack, EVENT } from "./batch.js";

/** `js.consumers.get(stream, name | opts)`: the pull (named or ordered) consumer `p` settles with. */
export function pullConsumer(p) { return p.then((w) => new PullConsumerImpl(w)); }

/** `js.consumers.getPushConsumer(stream, name)`: the push consumer `p` settles with. */
export function pushConsumer(p) { return p.then((w) => new PushConsumerImpl(w)); }

/** A pull consumer (named or ordered). */
export class PullConsumerImpl {
  constructor(w) { this._w = w; }
  get stream() { return this._w.stream; }
  get name() { return this._w.name; }
  // `WasmConsumer.call(op, arg, settle)`: 0 info, 1 delete, 2 next.
  info(cached) { return settled((s) => this._w.call(0, !!cached, s)); }
  delete() { return settled((s) => this._w.call(1, undefined, s)); }
  isPullConsumer() { return true; }
  isPushConsumer() { return false; }
  next(opts) { return settled((s) => this._w.call(2, opts ?? {}, s), this); }
  fetch(opts) {
    try {
      return Promise.resolve(new ConsumerMessagesImpl(this, opts ?? {}, false));
    } catch (e) {
      return Promise.reject(e);
    }
  }
  consume(opts) {
    try {
      return Promise.resolve(new ConsumerMessagesImpl(this, opts ?? {}, true));
    } catch (e) {
      return Promise.reject(e);
    }
  }
  _ack(m, kind, arg) { m._s = this._w.ack(m.reply, m._s, kind, arg, undefined); }
  _ackAck(m, opts) {
    return settled((s) => { m._s = this._w.ack(m.reply, m._s, 4, opts?.timeout, s); });
  }
}

/** A push consumer: `consume()` subscribes to its deliver subject (in its deliver group). */
class PushConsumerImpl extends PullConsumerImpl {
  isPullConsumer() { return false; }
  isPushConsumer() { return true; }
  /** Resolves once subscribed (after a consumer check: `CONSUMER_BUSY`, `WRONG_CONSUMER_KIND`, …). */
  consume(opts) {
    try {
      return new ConsumerMessagesImpl(this, opts ?? {}, true)._started;
    } catch (e) {
      return Promise.reject(e);
    }
  }
}
for (const m of ["fetch", "next"]) Object.defineProperty(PushConsumerImpl.prototype, m, { value: undefined });

/** The messages of a fetch() or consume(): an async iterable, or a callback's feed. */
class ConsumerMessagesImpl {
  constructor(consumer, opts, isConsume) {
    const callback = isConsume ? opts.callback : undefined;
    if (callback !== undefined && typeof callback !== "function") throw new NatsError("INVALID_ARGUMENT", "callback must be a function");
    this._queue = callback ? null : new PushQueue();
    this._statuses = new Set();
    this._ended = false;
    let closedResolve;
    this._closed = new Promise((r) => { closedResolve = r; });
    let started, failed;
    this._started = new Promise((ok, fail) => { started = ok; failed = fail; });
    this._started.catch(() => {}); // only a push consume() hands it out
    const unwatch = onPanicEnd(this);
    this._poison = (err) => {
      if (this._ended) return;
      this._ended = true;
      unwatch();
      if (this._queue) this._queue.end(err || null);
      for (const q of this._statuses) q.end();
      closedResolve(err || undefined);
    };
    const onBatch = (text, nums, data, kind) => {
      for (const m of unpack(kind, text, nums, data, consumer)) {
        if (!callback) { this._queue.push(m); continue; }
        try {
          callback(m);
        } catch (e) {
          // A throwing callback ends it; closed() resolves with what it threw.
          this._run.stop();
          this._poison(e);
          return;
        }
      }
    };
    const onEvent = (kind, err) => {
      if (kind === EVENT.STARTED) started(this);
      if (kind !== EVENT.ENDED) return;
      if (err) failed(err); else started(this);
      this._poison(err);
    };
    const onStatus = (json) => { const n = JSON.parse(json); for (const q of this._statuses) q.push(n); };
    this._run = consumer._w.run(isConsume, opts, !callback, onBatch, onEvent, onStatus);
  }
  /** No more pulls; what is buffered is still handed out (then `err`, if given). */
  stop(err) {
    if (this._ended) return;
    this._run.stop();
    if (err) this._poison(err);
  }
  close() { this.stop(); return this._closed; }
  closed() { return this._closed; }
  /** `ConsumerNotification`s from this call on. */
  status() {
    const q = new PushQueue();
    if (this._ended) q.end(); else this._statuses.add(q);
    return { [Symbol.asyncIterator]: () => ({ next: () => q.next(), return: () => { this._statuses.delete(q); q.end(); return Promise.resolve({ value: undefined, done: true }); } }) };
  }
  getPending() { return this._run.pending(); }
  getReceived() { return this._run.received(); }
  getProcessed() { return this._run.processed(); }
  async _next() {
    const r = await this._queue.next();
    if (!r.done && !this._ended) this._run.handedOut(1);
    return r;
  }
  [Symbol.asyncIterator]() {
    if (!this._queue) throw new NatsError("INVALID_ARGUMENT", "a consume() with a callback cannot be iterated");
    return { next: () => this._next(), return: () => { this.stop(); return Promise.resolve({ value: undefined, done: true }); }, [Symbol.asyncIterator]() { return this; } };
  }
}
