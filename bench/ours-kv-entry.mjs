// Our KV entry as a core + Key/Value app would bundle it (for the P9 size per feature set; the KV .wasm,
// pkg-kv/, is counted separately).
export { connect, Kvm } from "../js/index-kv.js";
