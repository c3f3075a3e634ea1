// Panic containment, the JS half (the Rust half is src/web/panic.rs). A panic is a bug: the module
// stops for good ("poisoned"), every connection, subscription and watcher ends with a NatsError
// `INTERNAL`, pending promises reject with it, and later calls throw or reject with it — nothing
// hangs and no raw `WebAssembly.RuntimeError` reaches the caller. Reloading the page starts afresh.
import { NatsError } from "./errors.js";

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
 * A promise settled by `settle(ok, value)`, which `start(settle)` hands on (to a wasm export that calls
 * it when the reply is in: one promise and one microtask between the reply and the caller). It also
 * rejects with the `INTERNAL` error if the module panics before it settles; a throw from `start`
 * rejects it.
 */
export function settled(start) {
  if (failure) return Promise.reject(failure);
  return new Promise((resolve, reject) => {
    const settle = (ok, v) => {
      pending.delete(settle);
      if (ok) resolve(v); else reject(v);
    };
    pending.add(settle);
    try {
      start(settle);
    } catch (e) {
      settle(false, failure ?? e);
    }
  });
}

/** A promise that also rejects with the `INTERNAL` error if the module panics before it settles.
 * (Not `Promise.race` with a never-settling promise: every race would leave a reaction on it for good.) */
export function orPanic(p) {
  return settled((settle) => p.then((v) => settle(true, v), (e) => settle(false, e)));
}

/** Wraps a wasm export: throws the `INTERNAL` error once poisoned, turns a trap into it, and races
 * returned promises against it. */
export function guard(f) {
  // Fixed arity (no rest/apply) keeps the hot paths (publish) cheap; extra `undefined`s are harmless.
  return function (a, b, c, d, e, g, h, i) {
    if (failure) throw failure;
    let r;
    try {
      r = f.call(this, a, b, c, d, e, g, h, i);
    } catch (err) {
      throw failure ?? err;
    }
    return r instanceof Promise ? orPanic(r) : r;
  };
}

/** Wraps the methods and getters of the wasm classes with the poisoned check (once, at init). */
export function guardClasses(classes) {
  for (const C of classes) {
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
