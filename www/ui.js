// Small DOM and formatting helpers for the dashboard (no framework).

/** `h("button.btn.primary", { onclick, type: "button" }, "Save")` → an element. */
export function h(tag, attrs = {}, ...children) {
  const [name, ...classes] = tag.split(".");
  const el = document.createElement(name || "div");
  if (classes.length) el.className = classes.join(" ");
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(el.dataset, v);
    else if (k === "html") el.innerHTML = v;
    else if (k in el && typeof v !== "string") el[k] = v;
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

export const $ = (sel, root = document) => root.querySelector(sel);

const ICONS = {
  edit: '<path d="M4 20h4L18.5 9.5a2.1 2.1 0 0 0-4-4L4 16v4z"/><path d="M13.5 6.5l4 4"/>',
  history: '<path d="M12 8v4l3 2"/><path d="M3.05 11a9 9 0 1 1 .5 4M3 4v5h5"/>',
  trash: '<path d="M4 7h16M10 11v6M14 11v6M6 7l1 12a2 2 0 0 0 2 2h6a2 2 0 0 0 2-2l1-12M9 7V4h6v3"/>',
  plus: '<path d="M12 5v14M5 12h14"/>',
  close: '<path d="M6 6l12 12M18 6L6 18"/>',
  search: '<circle cx="11" cy="11" r="7"/><path d="M20 20l-3.5-3.5"/>',
  bucket: '<ellipse cx="12" cy="6" rx="8" ry="3"/><path d="M4 6v12c0 1.7 3.6 3 8 3s8-1.3 8-3V6M4 12c0 1.7 3.6 3 8 3s8-1.3 8-3"/>',
  server: '<rect x="3" y="4" width="18" height="7" rx="2"/><rect x="3" y="13" width="18" height="7" rx="2"/><path d="M7 7.5h.01M7 16.5h.01"/>',
  warn: '<path d="M12 9v4M12 17h.01"/><path d="M10.3 3.9L1.8 18a2 2 0 0 0 1.7 3h17a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0z"/>',
  restore: '<path d="M3 12a9 9 0 1 0 3-6.7L3 8"/><path d="M3 3v5h5"/>',
  stream: '<path d="M3 6h13M3 12h18M3 18h9"/><circle cx="19" cy="6" r="2"/><circle cx="15" cy="18" r="2"/>',
  logout: '<path d="M15 3h4a2 2 0 0 1 2 2v14a2 2 0 0 1-2 2h-4M10 17l5-5-5-5M15 12H3"/>',
};

/** An inline SVG icon (stroke style, inherits the text colour). */
export function icon(name, size = 16) {
  const span = document.createElement("span");
  span.className = "icon";
  span.innerHTML = `<svg width="${size}" height="${size}" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">${ICONS[name]}</svg>`;
  return span;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * What a value is, for display and editing: `json` (an object or array), `text` (valid UTF-8) or
 * `binary`; `text` is the UTF-8 text, `pretty` the JSON pretty-printed.
 */
export function describeValue(bytes) {
  let text;
  try { text = utf8.decode(bytes); } catch { return { kind: "binary", size: bytes.length }; }
  const t = text.trim();
  if (t.startsWith("{") || t.startsWith("[")) {
    try {
      const parsed = JSON.parse(t);
      return { kind: "json", text, pretty: JSON.stringify(parsed, null, 2), compact: !text.includes("\n") };
    } catch { /* not JSON after all */ }
  }
  return { kind: "text", text };
}

const esc = (s) => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);

/** Pretty JSON text → HTML with token classes (keys, strings, numbers, literals). */
export function highlightJson(text) {
  const re = /("(?:\\u[a-fA-F0-9]{4}|\\[^u]|[^\\"])*")(\s*:)?|\b(true|false|null)\b|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g;
  let out = "";
  let last = 0;
  for (const m of text.matchAll(re)) {
    out += esc(text.slice(last, m.index));
    if (m[1]) out += m[2] ? `<span class="j-key">${esc(m[1])}</span>${m[2]}` : `<span class="j-str">${esc(m[1])}</span>`;
    else if (m[3]) out += `<span class="j-lit">${m[3]}</span>`;
    else out += `<span class="j-num">${m[4]}</span>`;
    last = m.index + m[0].length;
  }
  return out + esc(text.slice(last));
}

/** "just now", "12 s ago", "5 min ago", "3 h ago", else a date. */
export function ago(date, now = Date.now()) {
  const s = Math.round((now - date.getTime()) / 1000);
  if (s < 5) return "just now";
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return date.toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric" });
}

export function fullTime(date) {
  return date.toLocaleString(undefined, { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

export function bytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(1)} GB`;
}

/** A TTL in ms as "forever", "30 s", "5 min", "2 h", "7 d". */
export function duration(ms) {
  if (!ms) return "forever";
  const units = [["d", 86400000], ["h", 3600000], ["min", 60000], ["s", 1000]];
  for (const [u, f] of units) if (ms >= f && ms % f === 0) return `${ms / f} ${u}`;
  return `${ms} ms`;
}

/** Validates a draft: returns an error message or null. JSON mode parses it. */
export function validateDraft(text, mode) {
  if (mode !== "json") return null;
  try { JSON.parse(text); return null; } catch (e) { return `Invalid JSON: ${e.message.replace(/^JSON\.parse: /, "")}`; }
}

/** The bytes to save for a draft: JSON is normalised (compact if the original was one line). */
export function draftToValue(text, mode, compact) {
  if (mode !== "json") return text;
  const v = JSON.parse(text);
  return compact ? JSON.stringify(v) : JSON.stringify(v, null, 2);
}

let toastRoot = null;
/** A short message at the bottom right; `kind` is "ok" | "bad" | "info". */
export function toast(message, kind = "info") {
  toastRoot ??= document.getElementById("toasts");
  const t = h(`div.toast.${kind}`, { role: "status" }, message);
  toastRoot.append(t);
  while (toastRoot.children.length > 3) toastRoot.firstElementChild.remove();
  setTimeout(() => { t.classList.add("leaving"); t.addEventListener("transitionend", () => t.remove(), { once: true }); setTimeout(() => t.remove(), 600); }, kind === "bad" ? 6000 : 3000);
}

/** A NatsError (or anything thrown) as one line for people. */
export function errText(e) {
  if (!e) return "unknown error";
  return e.code ? `${e.message} (${e.code})` : String(e.message || e);
}
