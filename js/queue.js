// A push queue consumed with `for await`: what subscriptions (and later watchers) hand to users.

/** Values pushed by the library, pulled by `for await`; `end(err)` finishes the iteration. */
export class PushQueue {
  constructor() {
    this._items = [];
    this._waiting = null;
    this._done = false;
    this._error = null;
  }
  get length() { return this._items.length; }
  push(v) {
    if (this._done) return;
    if (this._waiting) { const w = this._waiting; this._waiting = null; w.resolve({ value: v, done: false }); }
    else this._items.push(v);
  }
  end(err = null) {
    if (this._done) return;
    this._done = true;
    this._error = err;
    if (this._waiting) {
      const w = this._waiting; this._waiting = null;
      if (err) w.reject(err); else w.resolve({ value: undefined, done: true });
    }
  }
  next() {
    if (this._items.length) return Promise.resolve({ value: this._items.shift(), done: false });
    if (this._done) {
      if (this._error) { const e = this._error; this._error = null; return Promise.reject(e); }
      return Promise.resolve({ value: undefined, done: true });
    }
    return new Promise((resolve, reject) => { this._waiting = { resolve, reject }; });
  }
}
