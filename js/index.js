// nats-kv-wasm: the ES module users import — everything (core, Key/Value, JetStream, Object Store), with
// the full .wasm in pkg/. `nats-kv-wasm/kv` (js/index-kv.js) is core + Key/Value with a smaller .wasm.
import initWasm, * as glue from "../pkg/nats_kv_wasm.js";
import { load, open } from "./nats.js";

export { NatsError, headers, KvWatchInclude } from "./nats.js";
export { Kvm } from "./kv.js";
export { Objm } from "./obj.js";
export { jetstream, jetstreamManager, AckPolicy, DeliverPolicy, RetentionPolicy, StorageType, DiscardPolicy, ReplayPolicy, StoreCompression, nanos, millis } from "./jetstream.js";

/** Loads the wasm module (once); `connect()` calls it itself. */
export function init(moduleOrPath) { return load(initWasm, glue, moduleOrPath); }

/** Connects to nats-server's WebSocket listener (API.md `ConnectionOptions`). */
export function connect(opts) { return open(init, opts); }
