// Our package as an app would bundle it (for the size comparison; the .wasm is counted separately).
export { connect, Kvm } from "../js/index.js";
