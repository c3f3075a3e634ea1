// Short import/export names for the wasm-bindgen output (README "Size"): wasm-bindgen names every import
// `__wbg_<name>_<16 hex digits>` in the module "./<crate>_bg.js" and exports each Rust function under its
// mangled path; these names are in the .wasm and again in the glue. This renames them to `a`, `b`, …
// in both: the .wasm's import and export sections, and in the glue the keys of the imports object
// (`        <name>: function(`), its module key and every `wasm.<name>`. `memory` keeps its name. Every
// name must be found exactly where expected, else it throws: a wasm-bindgen whose glue looks different
// fails the build instead of shipping a module whose imports do not resolve. The .wasm's .d.ts follows.
import { existsSync, readFileSync, writeFileSync } from "node:fs";

const IDENT = /^[A-Za-z_$][\w$]*$/;
const FIRST = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const REST = FIRST + "0123456789_$";

/** The n-th short name: a … Z, aa … */
function shortName(n) {
  let s = FIRST[n % FIRST.length];
  for (n = Math.floor(n / FIRST.length); n > 0; n = Math.floor((n - 1) / REST.length)) s += REST[(n - 1) % REST.length];
  return s;
}

function readU32(buf, pos) {
  let result = 0, shift = 0, byte;
  do {
    byte = buf[pos.i++];
    result += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return result;
}

function u32(n) {
  const out = [];
  do {
    let byte = n & 0x7f;
    n = Math.floor(n / 128);
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return Buffer.from(out);
}

function readName(buf, pos) {
  const len = readU32(buf, pos);
  const s = buf.toString("utf8", pos.i, pos.i + len);
  pos.i += len;
  return s;
}

const name = (s) => Buffer.concat([u32(Buffer.byteLength(s)), Buffer.from(s)]);

/**
 * Renames `wasmFile`'s imports and exports and, when `glueFile` is given, the glue's references to them.
 * Returns the mapping { module, imports: Map(old → new), exports: Map(old → new) }.
 */
export function minifyNames(wasmFile, glueFile) {
  const buf = readFileSync(wasmFile);
  const out = [buf.subarray(0, 8)];
  const imports = new Map();
  const exports = new Map();
  let module = null;
  let next = 0;
  for (const pos = { i: 8 }; pos.i < buf.length;) {
    const start = pos.i;
    const id = buf[pos.i++];
    const size = readU32(buf, pos);
    const body = pos.i;
    const end = body + size;
    if (id === 2 || id === 7) {
      const count = readU32(buf, pos);
      const parts = [u32(count)];
      for (let k = 0; k < count; k++) {
        if (id === 2) {
          const mod = readName(buf, pos);
          if (module !== null && mod !== module) throw new Error(`minify-names: imports from ${module} and ${mod}`);
          module = mod;
          const old = readName(buf, pos);
          const descStart = pos.i;
          const kind = buf[pos.i++];
          if (kind === 0) readU32(buf, pos); // function: type index
          else if (kind === 1 || kind === 2) { // table (reftype, limits) or memory (limits)
            if (kind === 1) pos.i++;
            const flags = buf[pos.i++];
            readU32(buf, pos);
            if (flags & 1) readU32(buf, pos);
          } else if (kind === 3) pos.i += 2; // global: value type, mutability
          else throw new Error(`minify-names: import ${old} of kind ${kind}`);
          if (imports.has(old)) throw new Error(`minify-names: import ${old} twice`);
          const neu = shortName(next++);
          imports.set(old, neu);
          parts.push(name("a"), name(neu), buf.subarray(descStart, pos.i));
        } else {
          const old = readName(buf, pos);
          const descStart = pos.i;
          pos.i++;
          readU32(buf, pos);
          let neu = old;
          if (old !== "memory") {
            do neu = shortName(next++); while (neu === "memory");
            exports.set(old, neu);
          }
          parts.push(name(neu), buf.subarray(descStart, pos.i));
        }
      }
      if (pos.i !== end) throw new Error(`minify-names: section ${id} parsed to ${pos.i}, ends at ${end}`);
      const content = Buffer.concat(parts);
      out.push(Buffer.from([id]), u32(content.length), content);
    } else {
      out.push(buf.subarray(start, end));
    }
    pos.i = end;
  }
  writeFileSync(wasmFile, Buffer.concat(out));
  if (glueFile) {
    let js = readFileSync(glueFile, "utf8");
    const once = (re, to, what) => {
      let n = 0;
      js = js.replace(re, (...m) => { n++; return to(...m); });
      if (n !== 1) throw new Error(`minify-names: ${what} found ${n} times in ${glueFile}`);
    };
    const key = JSON.stringify(module).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    once(new RegExp(`^(\\s*)${key}: import0,$`, "m"), (_, sp) => `${sp}a: import0,`, `module ${module}`);
    for (const [old, neu] of imports) {
      if (!IDENT.test(old)) throw new Error(`minify-names: import ${old} is no identifier`);
      const re = new RegExp(`^( {8})${old.replace(/\$/g, "\\$")}: function\\(`, "m");
      once(re, (_, sp) => `${sp}${neu}: function(`, `import ${old}`);
    }
    js = js.replace(/\bwasm\.([A-Za-z_$][\w$]*)/g, (m, old) => {
      if (old === "memory") return m;
      const neu = exports.get(old);
      if (!neu) throw new Error(`minify-names: ${glueFile} uses wasm.${old}, which the .wasm does not export`);
      return `wasm.${neu}`;
    });
    writeFileSync(glueFile, js);
    // The .wasm's own declarations (wasm-bindgen writes them next to it).
    const dts = `${wasmFile}.d.ts`;
    if (existsSync(dts)) {
      const rename = (m, old) => (exports.has(old) ? `export const ${exports.get(old)}:` : m);
      writeFileSync(dts, readFileSync(dts, "utf8").replace(/^export const ([\w$]+):/gm, rename));
    }
  }
  return { module, imports, exports };
}
