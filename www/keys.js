// The keys table of one bucket: fed live by `kv.view()`, with inline editing saved by `kv.update()` at
// the shown revision, conflict resolution, create/delete, and the per-key history drawer.
import { $, h, icon, describeValue, highlightJson, ago, fullTime, bytes, validateDraft, draftToValue, toast, errText } from "./ui.js";

const KEY_RE = /^[-/_=.a-zA-Z0-9]+$/;

/** A key name for people: returns an error message or null (the library checks again). */
export function checkKey(key) {
  if (!key) return "A key needs a name.";
  if (!KEY_RE.test(key)) return "Keys may use letters, digits and - / _ = . only.";
  if (key.startsWith(".") || key.endsWith(".") || key.includes("..")) return "A key cannot start or end with a dot, or have two dots in a row.";
  return null;
}

function valueCell(entry) {
  const d = describeValue(entry.value);
  if (d.kind === "binary") return h("span.val-binary", {}, `binary · ${bytes(d.size)}`);
  if (d.kind === "json") return h("pre.val.json", { html: highlightJson(d.pretty) });
  if (d.text === "") return h("span.val-empty", {}, "empty");
  return h("pre.val.text", {}, d.text);
}

function seg(name, value, onchange) {
  const opt = (v, label) => h("label", {}, h("input", { type: "radio", name, value: v, checked: v === value, onchange: () => onchange(v) }), h("span", {}, label));
  return h("div.seg.small", { role: "radiogroup", "aria-label": "Value type" }, opt("text", "Text"), opt("json", "JSON"));
}

let editorSeq = 0;

export class KeysTable {
  /** `onChange(info)` is told the key counts after every render. */
  constructor(kv, { onChange = () => {}, history = 1 } = {}) {
    this.kv = kv;
    this.onChange = onChange;
    this.bucketHistory = history;
    this.rows = new Map();    // key → <tr>
    this.edits = new Map();   // key → edit state
    this.snapshot = new Map();
    this.filter = "";
    this.ready = false;
    this.closed = false;
    this.tbody = $("#keys tbody");
    this.tbody.replaceChildren();
    this.drawerKey = null;
    this.timer = setInterval(() => this.tickTimes(), 10000);
  }

  async start() {
    this.view = await this.kv.view();
    if (this.closed) { this.view.close(); return; }
    this.unsub = this.view.subscribe((snap) => this.render(snap));
    await this.view.ready;
    this.ready = true;
    this.render(this.view.getSnapshot());
  }

  close() {
    this.closed = true;
    clearInterval(this.timer);
    this.unsub?.();
    this.view?.close();
    this.closeHistory();
  }

  setFilter(text) {
    this.filter = text.trim().toLowerCase();
    this.render(this.snapshot);
  }

  // ----------------------------------------------------------------------------------- rendering

  render(snap) {
    if (this.closed) return;
    const prev = this.snapshot;
    this.snapshot = snap;
    const all = new Set([...snap.keys(), ...this.edits.keys()]);
    const sorted = [...all].sort((a, b) => a.localeCompare(b));
    const visible = sorted.filter((k) => this.edits.has(k) || !this.filter || k.toLowerCase().includes(this.filter));
    const keep = new Set(visible);
    for (const [k, row] of this.rows) {
      if (!keep.has(k)) { row.remove(); this.rows.delete(k); }
    }
    let at = this.tbody.firstElementChild;
    for (const k of visible) {
      let row = this.rows.get(k);
      if (!row) { row = this.makeRow(k); this.rows.set(k, row); }
      this.updateRow(row, k, snap.get(k), prev.get(k));
      if (row !== at) this.tbody.insertBefore(row, at);
      else at = at.nextElementSibling;
    }
    const empty = $("#no-keys");
    if (!this.ready && snap.size === 0) { empty.hidden = false; empty.textContent = "Loading keys…"; }
    else if (!this.ready) empty.hidden = true;
    else if (snap.size === 0) { empty.hidden = false; empty.replaceChildren(h("strong", {}, "This bucket is empty."), " Add a key to get started.",
      h("button.btn.small", { type: "button", onclick: () => { const f = $("#add-key-form"); f.hidden = false; $("#new-key").focus(); } }, "+ Add key")); }
    else if (visible.length === 0) { empty.hidden = false; empty.replaceChildren("No key matches ", h("code", {}, this.filter), "."); }
    else empty.hidden = true;
    this.onChange({ total: snap.size, shown: visible.length, filtered: !!this.filter, ready: this.ready });
    if (this.drawerKey && snap.get(this.drawerKey) !== prev.get(this.drawerKey)) this.loadHistory(this.drawerKey);
  }

  makeRow(key) {
    const row = h("tr", { dataset: { key } },
      h("td.key", {}, h("code", { title: key }, key)),
      h("td.value"),
      h("td.rev.num"),
      h("td.time"),
      h("td.ops"));
    row.cells[1].addEventListener("dblclick", () => { if (!this.edits.has(key) && this.snapshot.has(key)) this.edit(key); });
    return row;
  }

  updateRow(row, key, entry, before) {
    const [, vcell, rcell, tcell, acell] = row.cells;
    const ed = this.edits.get(key);
    if (ed) {
      this.updateEditorNotice(ed, entry);
      if (entry) { rcell.textContent = entry.revision; this.setTime(tcell, entry.created); }
      return;
    }
    if (!entry || row.dataset.rev === String(entry.revision)) return;
    const fresh = row.dataset.rev === undefined;
    row.dataset.rev = entry.revision;
    vcell.replaceChildren(valueCell(entry));
    rcell.textContent = entry.revision;
    this.setTime(tcell, entry.created);
    acell.replaceChildren(this.actionButtons(key, entry));
    row.classList.remove("confirming");
    // Highlight what changed in this render (a live update), not rows the filter brings back.
    if (this.ready && before !== entry) {
      const cls = before || !fresh ? "flash" : "flash-new";
      row.classList.remove("flash", "flash-new");
      void row.offsetWidth; // restart the animation
      row.classList.add(cls);
    }
  }

  setTime(cell, date) {
    cell.dataset.ts = date.getTime();
    cell.title = fullTime(date);
    cell.textContent = ago(date);
  }

  tickTimes() {
    const now = Date.now();
    for (const row of this.rows.values()) {
      const c = row.cells[3];
      if (c.dataset.ts) c.textContent = ago(new Date(Number(c.dataset.ts)), now);
    }
  }

  actionButtons(key, entry) {
    const binary = describeValue(entry.value).kind === "binary";
    return h("div.row-actions", {},
      h("button.btn.icon-btn.ghost", { type: "button", dataset: { action: "edit" }, title: binary ? "Binary values cannot be edited here" : "Edit value", "aria-label": `Edit ${key}`, disabled: binary, onclick: () => this.edit(key) }, icon("edit")),
      h("button.btn.icon-btn.ghost", { type: "button", dataset: { action: "history" }, title: "History", "aria-label": `History of ${key}`, onclick: () => this.openHistory(key) }, icon("history")),
      h("button.btn.icon-btn.ghost.danger", { type: "button", dataset: { action: "delete" }, title: "Delete key", "aria-label": `Delete ${key}`, onclick: () => this.confirmDelete(key) }, icon("trash")));
  }

  // -------------------------------------------------------------------------------------- delete

  confirmDelete(key) {
    const row = this.rows.get(key);
    if (!row) return;
    row.classList.add("confirming");
    const restore = () => { row.classList.remove("confirming"); const e = this.snapshot.get(key); if (e) row.cells[4].replaceChildren(this.actionButtons(key, e)); };
    const yes = h("button.btn.small.danger-solid", { type: "button", dataset: { action: "confirm-delete" }, onclick: async () => {
      yes.disabled = true;
      try { await this.kv.delete(key); toast(`Deleted ${key}`, "ok"); } catch (e) { toast(`Delete failed: ${errText(e)}`, "bad"); restore(); }
    } }, "Delete");
    row.cells[4].replaceChildren(h("div.row-actions.confirm", {}, h("span", {}, "Delete?"), yes,
      h("button.btn.small.ghost", { type: "button", dataset: { action: "cancel-delete" }, onclick: restore }, "Cancel")));
    yes.focus();
  }

  // ---------------------------------------------------------------------------------------- edit

  edit(key) {
    const entry = this.snapshot.get(key);
    if (!entry || this.edits.has(key)) return;
    const d = describeValue(entry.value);
    if (d.kind === "binary") return;
    const row = this.rows.get(key);
    const id = `ed-${++editorSeq}`;
    const ed = {
      key, base: entry.revision, mode: d.kind === "json" ? "json" : "text", compact: d.kind === "json" ? d.compact : false,
      row, busy: false,
    };
    ed.text = h("textarea.editor-text", { id, spellcheck: false, "aria-label": `Value of ${key}` });
    ed.text.value = d.kind === "json" ? d.pretty : d.text;
    ed.error = h("p.editor-error", { role: "alert", hidden: true });
    ed.notice = h("p.editor-notice", { hidden: true });
    ed.conflict = h("div.conflict", { hidden: true, role: "alert" });
    ed.baseLabel = h("span.base", {}, `editing revision ${ed.base} · changed ${ago(entry.created)}`);
    ed.format = h("button.btn.small.ghost", { type: "button", dataset: { action: "format" }, hidden: ed.mode !== "json", onclick: () => this.formatDraft(ed) }, "Format");
    ed.save = h("button.btn.small.primary", { type: "button", dataset: { action: "save" }, onclick: () => this.save(ed) }, "Save");
    const modes = seg(`mode-${id}`, ed.mode, (m) => { ed.mode = m; ed.format.hidden = m !== "json"; this.validate(ed); });
    ed.el = h("div.editor", {},
      h("div.editor-bar", {}, modes, ed.baseLabel),
      ed.text, ed.error, ed.notice, ed.conflict,
      h("div.editor-actions", {},
        h("span.kbd-hint", {}, h("kbd", {}, "Ctrl"), "+", h("kbd", {}, "Enter"), " to save · ", h("kbd", {}, "Esc"), " to cancel"),
        ed.format,
        h("button.btn.small.ghost", { type: "button", dataset: { action: "cancel" }, onclick: () => this.stopEdit(key) }, "Cancel"),
        ed.save));
    ed.text.addEventListener("input", () => { this.fit(ed.text); this.validate(ed); });
    ed.text.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); if (ed.conflict.hidden) this.save(ed); }
      else if (ev.key === "Escape") { ev.preventDefault(); this.stopEdit(key); }
    });
    this.edits.set(key, ed);
    row.classList.add("editing");
    // The editor takes the revision and time columns too (the narrow layout has no time column).
    row.cells[1].colSpan = matchMedia("(max-width: 900px)").matches ? 2 : 3;
    row.cells[1].replaceChildren(ed.el);
    row.cells[4].replaceChildren();
    this.fit(ed.text);
    ed.text.focus();
  }

  fit(ta) {
    const lines = ta.value.split("\n").length;
    ta.rows = Math.min(Math.max(lines, 2), 18);
  }

  validate(ed) {
    const err = validateDraft(ed.text.value, ed.mode);
    ed.error.hidden = !err;
    ed.error.textContent = err || "";
    ed.text.classList.toggle("invalid", !!err);
    ed.save.disabled = !!err || ed.busy;
    return !err;
  }

  formatDraft(ed) {
    if (!this.validate(ed)) return;
    ed.text.value = JSON.stringify(JSON.parse(ed.text.value), null, 2);
    this.fit(ed.text);
  }

  updateEditorNotice(ed, entry) {
    if (!ed.conflict.hidden) return;
    if (!entry) {
      ed.notice.hidden = false;
      ed.notice.replaceChildren(icon("warn", 14), " This key was deleted while you were editing.");
    } else if (entry.revision !== ed.base) {
      ed.notice.hidden = false;
      ed.notice.replaceChildren(icon("warn", 14), ` Someone changed this key (now revision ${entry.revision}) while you were editing.`);
    } else ed.notice.hidden = true;
  }

  stopEdit(key) {
    const ed = this.edits.get(key);
    if (!ed) return;
    this.edits.delete(key);
    const row = ed.row;
    row.classList.remove("editing", "conflicted");
    row.cells[1].colSpan = 1;
    delete row.dataset.rev; // re-render the cells from the view
    const entry = this.snapshot.get(key);
    if (!entry) { row.remove(); this.rows.delete(key); }
    this.render(this.snapshot);
    if (entry) row.classList.remove("flash", "flash-new");
  }

  setBusy(ed, busy) {
    ed.busy = busy;
    ed.el.classList.toggle("busy", busy);
    ed.save.disabled = busy;
    for (const b of ed.conflict.querySelectorAll("button")) b.disabled = busy;
  }

  /** Save at the revision the edit started from (or the newer one after "retry"). */
  async save(ed) {
    if (ed.busy || !this.validate(ed)) return;
    const value = draftToValue(ed.text.value, ed.mode, ed.compact);
    this.setBusy(ed, true);
    try {
      const rev = ed.base === 0 ? await this.kv.create(ed.key, value) : await this.kv.update(ed.key, value, ed.base);
      this.setBusy(ed, false);
      this.stopEdit(ed.key);
      toast(`Saved ${ed.key} · revision ${rev}`, "ok");
    } catch (e) {
      this.setBusy(ed, false);
      if (e.code === "WRONG_LAST_REVISION" || e.code === "KEY_EXISTS") await this.showConflict(ed);
      else { ed.error.hidden = false; ed.error.textContent = `Not saved: ${errText(e)}`; }
    }
  }

  async overwrite(ed) {
    if (ed.busy || !this.validate(ed)) return;
    const value = draftToValue(ed.text.value, ed.mode, ed.compact);
    this.setBusy(ed, true);
    try {
      const rev = await this.kv.put(ed.key, value);
      this.setBusy(ed, false);
      this.stopEdit(ed.key);
      toast(`Overwrote ${ed.key} · revision ${rev}`, "ok");
    } catch (e) {
      this.setBusy(ed, false);
      ed.error.hidden = false;
      ed.error.textContent = `Not saved: ${errText(e)}`;
    }
  }

  /** The newer value, and the choice: retry on top of it, overwrite it, or drop the edit. */
  async showConflict(ed) {
    let theirs = null;
    try { theirs = await this.kv.get(ed.key); } catch (e) { ed.error.hidden = false; ed.error.textContent = errText(e); return; }
    const mine = ed.text.value;
    ed.notice.hidden = true;
    ed.theirs = theirs;
    const theirsView = theirs ? valueCell(theirs) : h("span.val-empty", {}, "deleted");
    const newRev = theirs ? theirs.revision : 0;
    const retry = h("button.btn.small.primary", { type: "button", dataset: { action: "retry" }, onclick: () => { ed.base = newRev; this.hideConflict(ed); this.save(ed); } },
      theirs ? `Retry on top of revision ${newRev}` : "Re-create with my value");
    const over = h("button.btn.small.warn", { type: "button", dataset: { action: "overwrite" }, onclick: () => this.overwrite(ed) }, "Overwrite");
    const take = h("button.btn.small.ghost", { type: "button", dataset: { action: "take-theirs" }, onclick: () => {
      if (theirs) {
        const d = describeValue(theirs.value);
        ed.text.value = d.kind === "json" ? d.pretty : (d.text ?? "");
        ed.base = theirs.revision;
        this.hideConflict(ed);
        this.fit(ed.text);
        this.validate(ed);
      } else this.stopEdit(ed.key);
    } }, theirs ? "Edit their value" : "Discard my edit");
    ed.conflict.replaceChildren(
      h("div.conflict-head", {}, icon("warn", 18), h("div", {},
        h("strong", {}, theirs ? "Someone else changed this key" : "This key was deleted"),
        h("p", {}, theirs
          ? `Your edit was based on revision ${ed.base}; the key is now at revision ${theirs.revision} (${ago(theirs.created)}). Nothing was saved.`
          : `Your edit was based on revision ${ed.base}; the key has been deleted since. Nothing was saved.`))),
      h("div.compare", {},
        h("div.side.theirs", {}, h("div.side-label", {}, theirs ? `Newer value · revision ${theirs.revision}` : "Current"), theirsView),
        h("div.side.mine", {}, h("div.side-label", {}, "Your edit"), h("pre.val", {}, mine))),
      h("div.conflict-actions", {}, take, over, retry));
    ed.conflict.hidden = false;
    ed.save.hidden = true;
    ed.baseLabel.textContent = `conflict · your base was revision ${ed.base}`;
    ed.row.classList.add("conflicted");
    retry.focus();
  }

  hideConflict(ed) {
    ed.conflict.hidden = true;
    ed.conflict.replaceChildren();
    ed.save.hidden = false;
    ed.baseLabel.textContent = `editing revision ${ed.base}`;
    ed.row.classList.remove("conflicted");
    this.updateEditorNotice(ed, this.snapshot.get(ed.key));
  }

  // ---------------------------------------------------------------------------------------- create

  /** Creates a key (fails with KEY_EXISTS when it has a value). Returns the revision. */
  async createKey(key, text, mode) {
    const bad = checkKey(key);
    if (bad) throw new Error(bad);
    const err = validateDraft(text, mode);
    if (err) throw new Error(err);
    const value = mode === "json" ? JSON.stringify(JSON.parse(text), null, 2) : text;
    return this.kv.create(key, value);
  }

  // --------------------------------------------------------------------------------------- history

  openHistory(key) {
    this.drawerKey = key;
    $("#drawer-key").textContent = key;
    $("#drawer-note").textContent = `This bucket keeps the last ${this.bucketHistory} revision${this.bucketHistory === 1 ? "" : "s"} of each key.`;
    $("#history-list").replaceChildren(h("li.history-loading", {}, "Loading…"));
    const drawer = $("#drawer");
    drawer.classList.add("open");
    drawer.setAttribute("aria-hidden", "false");
    $("#scrim").hidden = false;
    this.loadHistory(key);
  }

  closeHistory() {
    this.drawerKey = null;
    const drawer = $("#drawer");
    drawer.classList.remove("open");
    drawer.setAttribute("aria-hidden", "true");
    $("#scrim").hidden = true;
  }

  async loadHistory(key) {
    const seq = (this.historySeq = (this.historySeq || 0) + 1);
    let entries;
    try { entries = await this.kv.history({ key }); } catch (e) {
      if (seq === this.historySeq) $("#history-list").replaceChildren(h("li.history-error", {}, errText(e)));
      return;
    }
    if (seq !== this.historySeq || this.drawerKey !== key) return;
    const current = this.snapshot.get(key);
    const items = entries.slice().reverse().map((e) => {
      const isCurrent = current && current.revision === e.revision;
      const op = e.operation;
      const body = op === "PUT" ? valueCell(e) : h("span.val-empty", {}, op === "DEL" ? "deleted" : "purged");
      const restore = op === "PUT" && !isCurrent
        ? h("button.btn.small.ghost", { type: "button", dataset: { action: "restore" }, title: "Write this value again as the newest revision", onclick: async (ev) => {
          ev.currentTarget.disabled = true;
          try { const rev = await this.kv.put(key, e.value); toast(`Restored revision ${e.revision} of ${key} as revision ${rev}`, "ok"); } catch (err) { toast(`Restore failed: ${errText(err)}`, "bad"); }
        } }, icon("restore", 14), " Restore")
        : null;
      return h(`li.history-item.op-${op.toLowerCase()}`, { dataset: { revision: e.revision } },
        h("div.history-meta", {},
          h("span.rev-badge", {}, `rev ${e.revision}`),
          h(`span.op.op-${op.toLowerCase()}`, {}, op),
          isCurrent ? h("span.current", {}, "current") : null,
          h("time", { title: fullTime(e.created), datetime: e.created.toISOString() }, ago(e.created)),
          restore),
        body);
    });
    $("#history-list").replaceChildren(...(items.length ? items : [h("li.history-empty", {}, "No history.")]));
  }
}
