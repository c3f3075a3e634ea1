// The JetStream context shared by the entries: `WasmJsm` over a connection (the Key/Value manager's
// too, so that the KV entry needs nothing of js/jetstream.js), its one `admin` call and the argument
// checks of names and JSON configs.
import { wasm } from "./wasm.js";
import { NatsError, badOptions } from "./errors.js";
import { settled, panicked } from "./guard.js";

/** A config or options object as JSON text (`{}` when absent); else `INVALID_ARGUMENT`. */
export function json(v, what) {
  if (v === undefined || v === null) return "{}";
  if (typeof v !== "object" || Array.isArray(v)) throw new NatsError("INVALID_ARGUMENT", `${what} must be an object`);
  try { return JSON.stringify(v); } catch (e) { throw new NatsError("INVALID_ARGUMENT", `${what} cannot be sent: ${e.message}`); }
}

/** A name or subject argument: a string, else `INVALID_ARGUMENT`. */
export function str(v, what) {
  if (typeof v !== "string") throw new NatsError("INVALID_ARGUMENT", `${what} must be a string`);
  return v;
}

// `WasmJsm.admin(op, a, b, text, settle)`: the manager's calls that answer with JSON, and the
// managers' (Kvm, Objm) and consumers' calls that take names.
export const ADMIN = Object.freeze({
  streamAdd: 0, streamUpdate: 1, streamInfo: 2, streamDelete: 3, streamPurge: 4, streamList: 5, streamNames: 6,
  streamFind: 7, deleteMessage: 8, consumerAdd: 9, consumerAddOrUpdate: 10, consumerUpdate: 11, consumerInfo: 12,
  consumerDelete: 13, consumerList: 14, accountInfo: 15, kvList: 16, objList: 17, objOpen: 18, objCreate: 19,
  pullConsumer: 20, pushConsumer: 21, getMessage: 22,
});
/** One call of `ADMIN`; `args()` gives `a`, `b` (names or a subject) and `text` (JSON), or throws. */
export function admin(w, op, args = () => []) {
  return settled((s) => {
    const [a = "", b = "", text = ""] = args();
    w.admin(op, a, b, text, s);
  });
}

/** The wasm JetStream context of `nc` with `JetStreamOptions` `opts` (also of Kvm and Objm). */
export function context(nc, opts, what, needs = "connect()") {
  if (!nc || !nc._w) throw new NatsError("INVALID_ARGUMENT", `${what} needs a connection from ${needs}`);
  const bad = badOptions(opts, "JetStream options");
  if (bad) throw bad;
  if (panicked()) throw panicked();
  return new wasm.WasmJsm(nc._w, opts ?? {});
}
