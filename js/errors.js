// NatsError: every rejected promise and callback error of nats-kv-wasm is one of these.

/** A typed error: `code` for programs (see API.md), `message` for people. */
export class NatsError extends Error {
  /**
   * @param {string} code
   * @param {string} message
   * @param {{apiCode?: number, errCode?: number}} [extra]
   */
  constructor(code, message, extra) {
    super(message);
    this.name = "NatsError";
    this.code = code;
    if (extra && extra.apiCode !== undefined) this.apiCode = extra.apiCode;
    if (extra && extra.errCode !== undefined) this.errCode = extra.errCode;
  }
}

/** Used by the wasm layer to build errors (one class for both sides, so `instanceof` holds). */
export function makeNatsError(code, message, apiCode, errCode) {
  return new NatsError(code, message, {
    apiCode: apiCode ?? undefined,
    errCode: errCode ?? undefined,
  });
}

/**
 * `undefined` when `opts` is absent (undefined/null) or a plain options object; otherwise the
 * `INVALID_ARGUMENT` error to throw or reject with (a number, string, boolean, symbol, BigInt or function
 * where an options object belongs).
 */
export function badOptions(opts, what) {
  if (opts === undefined || opts === null || typeof opts === "object") return undefined;
  return new NatsError("INVALID_ARGUMENT", `${what} must be an object`);
}
