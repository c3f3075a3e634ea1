// The wasm-bindgen glue of the build in use, bound by the package entry that loaded it (js/index.js: the
// full build in pkg/; js/index-kv.js: the Key/Value build in pkg-kv/). Every class reaches the wasm
// exports through a connection, so always after `init()` has bound it. One entry per page.
export let wasm = null;
export function bindWasm(glue) { wasm = glue; }
