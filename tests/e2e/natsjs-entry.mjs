// The official nats.js 3.4 client (CommonJS only) for the interop tests: bundled to one ES module with
// esbuild at test start (see kv-interop.test.mjs) and loaded in the page next to our module.
export { wsconnect, headers } from "@nats-io/nats-core";
export { Kvm } from "@nats-io/kv";
export { jetstream, jetstreamManager } from "@nats-io/jetstream";
