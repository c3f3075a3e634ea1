// The nats.js side of the benchmark: the official browser client, bundled with esbuild.
export { wsconnect } from "@nats-io/nats-core";
export { Kvm } from "@nats-io/kv";
export { jetstream, jetstreamManager } from "@nats-io/jetstream";
export { Objm } from "@nats-io/obj";
