// nats.js 3.4's Object Store for obj-interop.test.mjs, bundled on its own with esbuild
// (`--external:node:crypto`: @nats-io/obj's optional node backend, JETSTREAM-SPEC §9), so the shared
// natsjs-entry.mjs of the KV and JetStream interop tests keeps bundling without that flag.
export { wsconnect } from "@nats-io/nats-core";
export { Objm } from "@nats-io/obj";
