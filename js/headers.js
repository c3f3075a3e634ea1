// MsgHdrs in plain JS, usable before the wasm module is initialised. Names and values are checked
// when set: CR and LF anywhere, and in names also space, ':' and other control characters, are rejected.
import { NatsError } from "./errors.js";

const BAD_NAME = /[\x00-\x20\x7f:]/;
const BAD_VALUE = /[\r\n\x00]/;

function checkName(k) {
  if (typeof k !== "string" || k.length === 0 || BAD_NAME.test(k)) {
    throw new NatsError("INVALID_ARGUMENT", `invalid header name ${JSON.stringify(String(k))}`);
  }
}
function checkValue(k, v) {
  if (typeof v !== "string" || BAD_VALUE.test(v)) {
    throw new NatsError("INVALID_ARGUMENT", `invalid value for header ${JSON.stringify(k)}`);
  }
}

/** Message headers: case-preserving, repeatable keys, with an optional status (code/description). */
export class MsgHdrsImpl {
  constructor(code = 0, description = "") {
    /** @type {[string, string][]} */
    this._entries = [];
    this._code = code;
    this._description = description;
  }
  get code() { return this._code; }
  get description() { return this._description; }
  get hasError() { return this._code >= 300; }
  get(k) { const e = this._entries.find(([n]) => n === k); return e ? e[1] : ""; }
  values(k) { return this._entries.filter(([n]) => n === k).map(([, v]) => v); }
  has(k) { return this._entries.some(([n]) => n === k); }
  set(k, v) { checkName(k); checkValue(k, v); this._entries = this._entries.filter(([n]) => n !== k); this._entries.push([k, v]); }
  append(k, v) { checkName(k); checkValue(k, v); this._entries.push([k, v]); }
  delete(k) { this._entries = this._entries.filter(([n]) => n !== k); }
  keys() { return [...new Set(this._entries.map(([n]) => n))]; }
  [Symbol.iterator]() { return this._entries[Symbol.iterator](); }
}

/** New, empty headers. */
export function headers(code = 0, description = "") {
  return new MsgHdrsImpl(code, description);
}

/**
 * Flattens `MsgHdrs | Record<string, string | string[]>` into [name, value, name, value, …] for the
 * wasm layer, checking every name and value first.
 */
export function flattenHeaders(h) {
  if (h === undefined || h === null) return undefined;
  const out = [];
  if (h instanceof MsgHdrsImpl) {
    for (const [k, v] of h._entries) out.push(k, v);
    return out;
  }
  if (typeof h !== "object") throw new NatsError("INVALID_ARGUMENT", "headers must be MsgHdrs or a record");
  for (const [k, v] of Object.entries(h)) {
    checkName(k);
    for (const one of Array.isArray(v) ? v : [v]) { checkValue(k, one); out.push(k, one); }
  }
  return out;
}
