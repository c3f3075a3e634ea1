// nats.js core + Key/Value (for the P9 size per feature set): what a KV app bundles.
export { wsconnect } from "@nats-io/nats-core";
export { Kvm } from "@nats-io/kv";
