// The Files view: the object stores with their size and object count, a store's objects live through
// `store.watch()` (name, size, chunks, mtime, digest, description, metadata), uploads by file picker or
// drag-and-drop with a progress bar fed by `put()`'s onProgress, downloads through `get()` (a verified stream
// turned into a Blob URL), delete after a confirmation, and a form to create a store. Everything goes through
// the public Object Store API (`new Objm(nc)`); errors show as the NatsError's code and message.
import { $, h, icon as uiIcon, ago, fullTime, bytes, toast, errText } from "./ui.js";
import { showError } from "./streams.js";

// Icons this view adds to ui.js's set (same stroke style).
const ICONS = {
  file: '<path d="M14 3H7a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V8z"/><path d="M14 3v5h5"/>',
  download: '<path d="M12 4v11M7 10l5 5 5-5M5 20h14"/>',
};
function icon(name, size = 16) {
  if (!ICONS[name]) return uiIcon(name, size);
  const span = document.createElement("span");
  span.className = "icon";
  span.innerHTML = `<svg width="${size}" height="${size}" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">${ICONS[name]}</svg>`;
  return span;
}

const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
/** The last part of an object name, for the downloaded file ("models/a.onnx" → "a.onnx"). */
const baseName = (name) => name.split("/").filter(Boolean).pop() || "download";

export class FilesView {
  /** `objm`: the Object Store manager. `onSelect(name)`: told when the selected store changes (to remember it). */
  constructor(objm, { onSelect = () => {} } = {}) {
    this.objm = objm;
    this.onSelect = onSelect;
    this.stores = new Map();   // bucket → { status, count }
    this.selected = null;
    this.store = null;         // the selected ObjectStore
    this.watcher = null;
    this.objects = new Map();  // name → ObjectInfo (live objects of the selected store)
    this.rows = new Map();     // name → <tr>
    this.ready = false;        // the watcher's initial objects are in
    this.closed = false;
    this.loading = null;
    this.metaTimer = null;
    this.queue = Promise.resolve();   // uploads run one after another
    this.uploads = 0;
    $("#stores").replaceChildren();
    $("#uploads").replaceChildren();
    this.clearStore();
  }

  close() {
    this.closed = true;
    this.watcher?.stop();
    this.watcher = null;
    clearTimeout(this.metaTimer);
  }

  // ------------------------------------------------------------------------------- the stores

  /** Lists the stores (objm.list()) and counts each one's objects (store.list()). */
  async refresh() {
    if (this.closed) return;
    if (this.loading) return this.loading;
    this.loading = (async () => {
      try {
        const list = await this.objm.list();
        const counted = await Promise.all(list.map(async (st) => {
          let count = null;
          if (st.bucket === this.selected && this.ready) count = this.objects.size;
          else { try { count = (await (await this.objm.open(st.bucket, false)).list()).length; } catch { /* shown as – */ } }
          return [st.bucket, { status: st, count }];
        }));
        if (this.closed) return;
        this.stores = new Map(counted);
        this.renderStores();
        $("#files-side").dataset.loaded = "true";
      } catch (e) {
        if (!this.closed) toast(`Could not list the object stores: ${errText(e)}`, "bad");
      } finally { this.loading = null; }
    })();
    return this.loading;
  }

  renderStores() {
    const names = [...this.stores.keys()].sort((a, b) => a.localeCompare(b));
    $("#stores").replaceChildren(...names.map((n) => {
      const { status, count } = this.stores.get(n);
      return h("li", {}, h("button.bucket-item.store-item", {
        type: "button", dataset: { store: n, objects: count ?? "", size: status.size }, "aria-current": n === this.selected ? "true" : undefined,
        onclick: () => this.select(n),
      },
      icon("file", 16),
      h("span.bucket-text", {},
        h("span.bucket-name", {}, n, status.sealed ? h("span.kind-tag", {}, "sealed") : null),
        h("span.bucket-sub", {}, h("span.count-objects", {}, count === null ? "–" : plural(count, "object")), " · ", h("span.count-bytes", {}, bytes(status.size))))));
    }));
    $("#no-stores").hidden = names.length > 0;
  }

  /** Creates a store from the form's values; resolves with the ObjectStore, rejects with the NatsError. */
  async createStore({ name, description, storage, maxBytes }) {
    const opts = { storage };
    if (description) opts.description = description;
    if (maxBytes) opts.max_bytes = maxBytes;
    const existed = this.stores.has(name);
    const store = await this.objm.create(name, opts);
    await this.refresh();
    await this.select(name);
    return { store, existed };
  }

  // ---------------------------------------------------------------------------- one store

  clearStore() {
    this.rows.clear();
    this.objects.clear();
    $("#objects tbody").replaceChildren();
    $("#store-view").hidden = true;
    $("#no-store").hidden = false;
    $("#store-error").hidden = true;
    $("#delete-store-confirm").hidden = true;
  }

  async select(name, { quiet = false } = {}) {
    if (this.closed) return;
    if (name === this.selected && this.store) return;
    this.watcher?.stop();
    this.watcher = null;
    this.store = null;
    this.ready = false;
    if (name !== this.selected) $("#uploads").replaceChildren();   // the uploads shown are the open store's
    this.selected = name;
    this.clearStore();
    this.renderStores();
    this.onSelect(name);
    if (!name) return;
    let store;
    try { store = await this.objm.open(name); } catch (e) {
      if (this.selected !== name) return;
      if (!quiet) toast(`Could not open ${name}: ${errText(e)}`, "bad");
      this.selected = null;
      this.onSelect(null);
      this.renderStores();
      return;
    }
    if (this.closed || this.selected !== name) return;
    this.store = store;
    $("#no-store").hidden = true;
    $("#store-view").hidden = false;
    $("#store-title").textContent = name;
    $("#objects-wrap").dataset.ready = "false";
    this.renderObjects();
    this.refreshMeta();
    try {
      const w = await store.watch({
        ignoreDeletes: false,
        callback: (o) => { if (this.store === store) this.onObject(o); },
        onInitialized: () => {
          if (this.store !== store) return;
          this.ready = true;
          $("#objects-wrap").dataset.ready = "true";
          this.renderObjects();
          const entry = this.stores.get(name);
          if (entry) { entry.count = this.objects.size; this.renderStores(); }
          this.refreshMeta();
        },
      });
      if (this.store !== store || this.closed) { w.stop(); return; }
      this.watcher = w;
    } catch (e) {
      if (this.store === store) showError($("#store-error"), e);
    }
  }

  /** One change from the watcher: an object written, updated or deleted. */
  onObject(o) {
    if (o.deleted) this.objects.delete(o.name);
    else this.objects.set(o.name, o);
    if (!this.ready) return;
    this.renderObjects(o.name);
    // The store's size and the sidebar count follow (the size at most every half second).
    const entry = this.stores.get(this.selected);
    if (entry) { entry.count = this.objects.size; this.renderStores(); }
    clearTimeout(this.metaTimer);
    this.metaTimer = setTimeout(() => this.refreshMeta(), 500);
  }

  async refreshMeta() {
    const store = this.store;
    if (!store) return;
    let st;
    try { st = await store.status(); } catch { return; }
    if (this.store !== store) return;
    const entry = this.stores.get(store.bucket);
    if (entry) { entry.status = st; this.renderStores(); }
    const chip = (label, value, title) => h("span.chip", { title }, h("span.chip-label", {}, label), value);
    const maxBytes = st.streamInfo?.config?.max_bytes;
    $("#store-meta").replaceChildren(...[
      chip("objects", String(this.ready ? this.objects.size : entry?.count ?? "–")),
      chip("size", bytes(st.size), "Bytes stored, chunks and metadata"),
      chip("max", maxBytes > 0 ? bytes(maxBytes) : "unlimited", "Max bytes"),
      chip("storage", st.storage),
      st.sealed ? chip("sealed", "yes", "Read-only") : null,
    ].filter(Boolean));
    const desc = $("#store-description-text");
    desc.hidden = !st.description;
    desc.textContent = st.description || "";
  }

  renderObjects(changed) {
    const tbody = $("#objects tbody");
    const names = [...this.objects.keys()].sort((a, b) => a.localeCompare(b));
    for (const [n, row] of this.rows) if (!this.objects.has(n)) { row.remove(); this.rows.delete(n); }
    let at = tbody.firstElementChild;
    for (const n of names) {
      const o = this.objects.get(n);
      let row = this.rows.get(n);
      if (!row || row.dataset.revision !== String(o.revision)) {
        const fresh = this.objectRow(o);
        if (row) row.replaceWith(fresh);
        row = fresh;
        this.rows.set(n, row);
        if (n === changed) row.classList.add("flash-new");
      }
      if (row !== at) tbody.insertBefore(row, at);
      else at = at.nextElementSibling;
    }
    $("#object-count").textContent = this.ready ? plural(names.length, "object") : "";
    const empty = $("#no-objects");
    empty.hidden = names.length > 0;
    if (!names.length) empty.replaceChildren(...(this.ready ? [h("strong", {}, "No objects yet."), " Drop files here or choose them to upload."] : ["Loading objects…"]));
  }

  objectRow(o) {
    const link = o.options?.link;
    const meta = Object.entries(o.metadata || {});
    const mtime = new Date(o.mtime);
    const row = h("tr", { dataset: { object: o.name, revision: String(o.revision), size: String(o.size) } },
      h("td.key.oname", {},
        h("code", { title: o.name }, o.name, link ? h("span.kind-tag", {}, `link → ${link.bucket}${link.name ? `/${link.name}` : ""}`) : null),
        o.description ? h("span.object-desc", {}, o.description) : null,
        meta.length ? h("span.object-meta", {}, meta.map(([k, v]) => h("span.meta-chip", { dataset: { key: k } }, h("span.chip-label", {}, k), v))) : null),
      h("td.num.osize", { title: `${o.size} bytes` }, bytes(o.size)),
      h("td.num.ochunks", {}, String(o.chunks)),
      h("td.time", { title: fullTime(mtime) }, h("time", { datetime: o.mtime }, ago(mtime))),
      h("td.digest", {}, h("code", { title: o.digest, dataset: { digest: o.digest } }, o.digest ? `${o.digest.slice(0, 16)}…` : "–")),
      h("td.ops"));
    row.cells[5].replaceChildren(this.objectActions(o.name));
    return row;
  }

  objectActions(name) {
    return h("div.row-actions", {},
      h("button.btn.icon-btn.ghost", { type: "button", dataset: { action: "download" }, title: "Download", "aria-label": `Download ${name}`, onclick: (ev) => this.download(name, ev.currentTarget) }, icon("download")),
      h("button.btn.icon-btn.ghost.danger", { type: "button", dataset: { action: "delete" }, title: "Delete", "aria-label": `Delete ${name}`, onclick: () => this.confirmDelete(name) }, icon("trash")));
  }

  /** Reads the object as a verified stream (get()), then saves it through a Blob URL. */
  async download(name, btn) {
    const store = this.store;
    if (!store) return;
    const row = this.rows.get(name);
    if (btn) btn.disabled = true;
    row?.classList.add("busy");
    $("#store-error").hidden = true;
    try {
      const r = await store.get(name);
      if (!r) throw Object.assign(new Error(`${name} is gone (deleted or missing)`), { code: "OBJECT_NOT_FOUND" });
      let blob;
      try { blob = await new Response(r.data).blob(); } catch (e) { throw (await r.error) ?? e; }
      const err = await r.error;
      if (err) throw err;
      const type = r.info.headers?.get?.("Content-Type") || "application/octet-stream";
      const url = URL.createObjectURL(new Blob([blob], { type }));
      const a = h("a", { href: url, download: baseName(name), hidden: true });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      $("#objects-wrap").dataset.downloaded = name;
    } catch (e) {
      if (this.store !== store) return;
      showError($("#store-error"), e);
      $("#store-error").prepend(`Download of ${name} failed: `);
      toast(`Download of ${name} failed: ${errText(e)}`, "bad");
    } finally {
      if (btn) btn.disabled = false;
      row?.classList.remove("busy");
    }
  }

  confirmDelete(name) {
    const row = this.rows.get(name);
    if (!row) return;
    const store = this.store;
    row.classList.add("confirming");
    const restore = () => { row.classList.remove("confirming"); row.cells[5].replaceChildren(this.objectActions(name)); };
    const yes = h("button.btn.small.danger-solid", { type: "button", dataset: { action: "confirm-delete" }, onclick: async () => {
      yes.disabled = true;
      try {
        const r = await store.delete(name);
        toast(r.success ? `Deleted ${name}` : `${name} was already gone`, r.success ? "ok" : "info");
      } catch (e) { toast(`Delete failed: ${errText(e)}`, "bad"); showError($("#store-error"), e); restore(); }
    } }, "Delete");
    row.cells[5].replaceChildren(h("div.row-actions.confirm", {}, h("span", {}, "Delete?"), yes,
      h("button.btn.small.ghost", { type: "button", dataset: { action: "cancel-delete" }, onclick: restore }, "Cancel")));
    yes.focus();
  }

  async deleteStore() {
    const store = this.store;
    if (!store) return null;
    await store.destroy();
    await this.select(null);
    await this.refresh();
    return store.bucket;
  }

  // ------------------------------------------------------------------------------- uploads

  /** Queues the files for upload to the selected store: each gets a row with a progress bar. */
  upload(files, description = "") {
    const store = this.store;
    if (!store) return Promise.resolve();
    const jobs = [...files].map((file) => {
      const id = String(++this.uploads);
      const bar = h("progress", { max: 1, value: 0 });
      const pct = h("span.up-pct", {}, "0 %");
      const status = h("span.up-status", {}, "waiting");
      const row = h("li.upload", { dataset: { upload: id, name: file.name, state: "waiting", percent: "0" } },
        h("div.up-head", {}, h("code.up-name", {}, file.name), h("span.muted.up-size", {}, bytes(file.size)), pct),
        bar, status);
      $("#uploads").prepend(row);
      while ($("#uploads").children.length > 8) $("#uploads").lastElementChild.remove();
      return { file, row, bar, pct, status };
    });
    const run = async ({ file, row, bar, pct, status }) => {
      row.dataset.state = "uploading";
      status.textContent = "uploading…";
      const show = (done, total) => {
        const p = total ? Math.min(100, Math.floor((done / total) * 100)) : 100;
        bar.max = total || 1;
        bar.value = total ? done : 1;
        pct.textContent = `${p} %`;
        row.dataset.percent = String(p);
        row.dataset.done = String(done);
      };
      try {
        const meta = { name: file.name };
        if (description) meta.description = description;
        if (file.type) meta.headers = { "Content-Type": file.type };
        const info = await store.put(meta, file, { onProgress: show });
        show(info.size, info.size);
        row.dataset.state = "done";
        status.replaceChildren(`stored · ${plural(info.chunks, "chunk")} · revision ${info.revision}`);
      } catch (e) {
        row.dataset.state = "failed";
        row.dataset.code = e?.code ?? "";
        status.replaceChildren(...(e?.code ? [h("code.err-code", {}, e.code), " ", e.message] : [String(e?.message || e)]));
        toast(`Upload of ${file.name} failed: ${errText(e)}`, "bad");
      }
    };
    for (const job of jobs) this.queue = this.queue.then(() => run(job));
    return this.queue;
  }
}
