// nats-kv-wasm/kv: core + Key/Value only, with the Key/Value .wasm in pkg-kv/ (built without the
// JetStream manager, js.publish, consumers and Object Store; README "Size"). The same classes as the
// full entry (js/index.js); `new Kvm(nc)` takes the connection. Use one entry per page.
import initWasm, * as glue from "../pkg-kv/nats_kv_wasm.js";
import { load, open } from "./nats.js";

export { NatsError, headers, KvWatchInclude } from "./nats.js";
export { Kvm } from "./kv.js";

/** Loads the wasm module (once); `connect()` calls it itself. */
export function init(moduleOrPath) { return load(initWasm, glue, moduleOrPath); }

/** Connects to nats-server's WebSocket listener (API.md `ConnectionOptions`). */
export function connect(opts) { return open(init, opts); }
