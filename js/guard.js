// Panic containment, the JS half (the Rust half is src/web/panic.rs), at the one promise path and the
// wasm classes. A panic is a bug: the module stops for good ("poisoned"), every connection,
// subscription and watcher ends with a NatsError `INTERNAL`, pending promises reject with it, and
// later calls throw or reject with it — nothing hangs and no raw `WebAssembly.RuntimeError` reaches
// the caller. Reloading the page starts afresh.
import { NatsError } from "./errors.js";
import { unpack, ONE } from "./batch.js";

let failure = null;
// The settle functions of the promises not settled yet (see `settled`): a panic rejects them all.
const pending = new Set();
const victims = new Set();

/** The `INTERNAL` error once the module has panicked, else `null`. */
export function panicked() { return failure; }

/** Called by the wasm panic hook, once, with the panic message. */
export function onPanic(message) {
  if (failure) return;
  failure = new NatsError("INTERNAL", `nats-kv-wasm stopped after an internal error (a bug, please report it): ${message}; reload the page to start again`);
  for (const settle of [...pending]) settle(false, failure);
  for (const v of [...victims]) {
    try { v._poison(failure); } catch (e) { queueMicrotask(() => { throw e; }); }
  }
  victims.clear();
}

/** Registers an object whose `_poison(err)` ends it if the module panics; returns "unregister". */
export function onPanicEnd(v) {
  victims.add(v);
  return () => victims.delete(v);
}

/**
 * A watcher's life (KV and Object Store): sets `w.initialized` and `w._poison(err)`, the watch's end
 * (stopped: err null; failed; or the module panicked), which rejects what has not happened yet and ends
 * `w._queue`. The returned `initialized()` and `started()` report those events.
 */
export function watcherLife(w, { started, failed, onInitialized }) {
  let initResolve, initReject, initDone = false, isStarted = false;
  w.initialized = new Promise((res, rej) => { initResolve = res; initReject = rej; });
  w.initialized.catch(() => {});
  const unwatch = onPanicEnd(w);
  w._poison = (err) => {
    unwatch();
    if (!initDone) initReject(err || new NatsError("CONNECTION_CLOSED", "watch ended before its initial values"));
    if (!isStarted) failed(err || new NatsError("CONNECTION_CLOSED", "watch ended before it started"));
    if (w._queue) w._queue.end(err);
  };
  return {
    initialized() { initDone = true; initResolve(); if (onInitialized) onInitialized(); },
    started() { isStarted = true; started(w); },
  };
}

/**
 * The one promise path: a promise settled by `settle(ok, value, nums?, data?, kind?)`, which
 * `start(settle)` hands to a wasm export; the session layer calls it once, from the event handler that
 * decoded the reply. With a batch `kind` the value is unpacked (`ctx`: the connection, for messages).
 * A throw from `start` rejects it; so does a panic before it settles.
 */
export function settled(start, ctx) {
  if (failure) return Promise.reject(failure);
  return new Promise((resolve, reject) => {
    const settle = (ok, v, nums, data, kind) => {
      if (!pending.delete(settle)) return;
      if (!ok) reject(v);
      else if (kind === undefined) resolve(v);
      else if (kind & ONE) resolve(unpack(kind & ~ONE, v, nums, data, ctx)[0] ?? null);
      else resolve(unpack(kind, v, nums, data, ctx));
    };
    pending.add(settle);
    try {
      start(settle);
    } catch (e) {
      settle(false, failure ?? e);
    }
  });
}

/**
 * Wraps a wasm method: throws the `INTERNAL` error once poisoned and turns a trap into it. The glue's
 * methods declare every parameter they read (`f.length`), so up to 8 they get a fixed-arity wrapper:
 * no rest array and `apply` per call on the hot paths (publish), and no argument dropped; a method
 * with more parameters gets the rest form.
 */
function guard(f) {
  if (f.length > 8) {
    return function (...args) {
      if (failure) throw failure;
      try {
        return f.apply(this, args);
      } catch (err) {
        throw failure ?? err;
      }
    };
  }
  return function (a, b, c, d, e, g, h, i) {
    if (failure) throw failure;
    try {
      return f.call(this, a, b, c, d, e, g, h, i);
    } catch (err) {
      throw failure ?? err;
    }
  };
}

/** Guards every method and getter of every class the wasm module exports (once, at init). */
export function guardExports(wasm) {
  for (const C of Object.values(wasm)) {
    if (typeof C !== "function" || !C.prototype || typeof C.prototype.free !== "function") continue;
    const proto = C.prototype;
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (name === "constructor" || name === "free" || name.startsWith("__")) continue;
      const d = Object.getOwnPropertyDescriptor(proto, name);
      if (typeof d.value === "function") d.value = guard(d.value);
      else if (d.get) d.get = guard(d.get);
      else continue;
      Object.defineProperty(proto, name, d);
    }
  }
}
