// Our package as an app would bundle it (for the size comparison; the .wasm is counted separately):
// everything, as nats.js's side bundles core + jetstream + kv + obj.
export { connect, Kvm, Objm, jetstream, jetstreamManager } from "../js/index.js";
