// The live configuration dashboard: connect (remembering the last server), pick or create a bucket,
// and work on its keys (keys.js); or switch to the Streams view (streams.js): streams, their messages and
// consumers; or to the Files view (files.js): object stores and their files. The connection indicator follows
// the client's status events.
import { connect, Kvm, Objm, jetstreamManager } from "/js/index.js";
import { $, h, icon, toast, errText, duration, bytes } from "./ui.js";
import { KeysTable, checkKey } from "./keys.js";
import { StreamsView, checkName, showError } from "./streams.js";
import { FilesView } from "./files.js";

const LS = {
  server: "nats-kv-dashboard.server",
  auth: "nats-kv-dashboard.auth",
  user: "nats-kv-dashboard.user",
  bucket: (url) => `nats-kv-dashboard.bucket:${url}`,
  view: "nats-kv-dashboard.view",
  stream: (url) => `nats-kv-dashboard.stream:${url}`,
  store: (url) => `nats-kv-dashboard.objstore:${url}`,
};
const store = {
  get(k) { try { return localStorage.getItem(k); } catch { return null; } },
  set(k, v) { try { if (v === null || v === undefined) localStorage.removeItem(k); else localStorage.setItem(k, v); } catch { /* private mode */ } },
};

const app = {
  nc: null, kvm: null, url: null, offStatus: null, buckets: [], bucket: null, kv: null, table: null, rttTimer: null, configServer: null,
  jsm: null, streams: null, view: "kv", files: null,
  open: null,   // /config.json's `open`: { view, stream, bucket } shown when nothing is remembered (the npm start demo)
  asked: {},    // what the address asks for: ?view=streams&stream=ORDERS&bucket=config
};

// ------------------------------------------------------------------------------------ connection

function setState(state, text = state) {
  const el = $("#state");
  el.className = `state ${state}`;
  el.dataset.state = state;
  el.textContent = text;
  const offline = state === "disconnected" || state === "reconnecting";
  $("#banner").hidden = !offline;
  $("#live").textContent = offline ? "offline" : "live";
  $("#streams-live").textContent = offline ? "offline" : "live";
  $("#files-live").textContent = offline ? "offline" : "live";
  document.body.classList.toggle("offline", offline);
  if (state === "connected") app.streams?.poke();
}

function showFacts() {
  const info = app.nc?.info || {};
  $("#version").textContent = info.version ?? "–";
  $("#server-name").textContent = info.server_name ?? "–";
  $("#jetstream").textContent = info.jetstream ? "enabled" : "disabled";
  $("#max-payload").textContent = info.max_payload ? bytes(info.max_payload) : "–";
}

async function measureRtt() {
  if (!app.nc || $("#state").dataset.state !== "connected") return;
  try { const ms = await app.nc.rtt(); $("#rtt").textContent = `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`; } catch { $("#rtt").textContent = "–"; }
}

function authFromForm() {
  const mode = document.querySelector('input[name="auth"]:checked').value;
  return { mode, token: $("#token").value, user: $("#user").value.trim(), pass: $("#pass").value };
}

function showAuthFields(mode) {
  $("#token-field").hidden = mode !== "token";
  $("#userpass-fields").hidden = mode !== "userpass";
}

async function openConnection(url, auth, timeout = 10000) {
  const opts = {
    servers: url, name: "nats-kv-wasm dashboard", timeout,
    maxReconnectAttempts: -1, reconnectTimeWait: 1000, reconnectJitter: 250,
  };
  if (auth.mode === "token") opts.token = auth.token;
  if (auth.mode === "userpass") { opts.user = auth.user; opts.pass = auth.pass; }
  $("#server").textContent = url;
  setState("connecting", "connecting…");
  const nc = await connect(opts);
  await attach(nc, url, auth);
}

async function attach(nc, url, auth) {
  app.nc = nc;
  app.url = url;
  app.kvm = new Kvm(nc);
  store.set(LS.server, url);
  store.set(LS.auth, auth.mode);
  store.set(LS.user, auth.mode === "userpass" ? auth.user : null);
  app.offStatus = nc.onStatus(onStatus);
  setState("connected");
  showFacts();
  $("#server").textContent = url;
  $("#connect-panel").hidden = true;
  $("#app").hidden = false;
  $("#change-server").hidden = false;
  clearInterval(app.rttTimer);
  app.rttTimer = setInterval(measureRtt, 5000);
  measureRtt();
  // checkAPI: false — the KV calls already say if JetStream is off, and the view shows list errors.
  app.jsm = await jetstreamManager(nc, { checkAPI: false });
  app.streams = new StreamsView(app.jsm, {
    wanted: () => app.view === "streams" && document.visibilityState === "visible" && $("#state").dataset.state === "connected",
    onSelect: (name) => store.set(LS.stream(url), name),
  });
  app.files = new FilesView(new Objm(nc), { onSelect: (name) => store.set(LS.store(url), name) });
  $("#views").hidden = false;
  const pick = (key, remembered) => app.asked[key] || remembered || app.open?.[key] || null;
  const view = pick("view", store.get(LS.view));
  showView(view === "streams" || view === "files" ? view : "kv");
  const objStore = pick("store", store.get(LS.store(url)));
  if (objStore) app.files.select(objStore, { quiet: !app.asked.store });
  const stream = pick("stream", store.get(LS.stream(url)));
  const streamShown = stream ? app.streams.select(stream, { quiet: !app.asked.stream }) : null;
  await loadBuckets();
  const last = pick("bucket", store.get(LS.bucket(url)));
  if (last && app.buckets.some((b) => b.bucket === last)) await selectBucket(last);
  await streamShown;
}

function onStatus(s) {
  switch (s.type) {
    case "disconnect": setState("disconnected"); break;
    case "reconnecting": setState("reconnecting", "reconnecting…"); break;
    case "reconnect":
      setState("connected");
      showFacts();
      measureRtt();
      loadBuckets().catch(() => {});
      refreshBucketMeta();
      app.streams?.poke();
      if (app.view === "files") app.files?.refresh();
      toast("Reconnected — the table is live again", "ok");
      break;
    case "close":
      setState("closed");
      showConnectForm(new Error("The connection was closed."));
      break;
    case "error":
      if (s.data) toast(errText(s.data), "bad");
      break;
    default: break;
  }
}

async function disconnect() {
  closeBucket();
  app.streams?.close();
  app.streams = null;
  app.files?.close();
  app.files = null;
  app.jsm = null;
  clearInterval(app.rttTimer);
  app.offStatus?.();
  const nc = app.nc;
  app.nc = null;
  app.kvm = null;
  if (nc) await nc.close().catch(() => {});
}

/** Why a connection failed, in words that say what to do. */
function connectErrText(e, url) {
  switch (e.code) {
    case "CONNECTION_REFUSED": return `Nothing answers at ${url}. Is nats-server running with a WebSocket listener there? (${e.code})`;
    case "AUTHORIZATION_VIOLATION": return `The server refused these credentials: choose the authentication it expects. (${e.code})`;
    case "AUTHENTICATION_EXPIRED": return `The credentials have expired. (${e.code})`;
    case "TIMEOUT": return `The server did not answer in time. (${e.code})`;
    case "INVALID_ARGUMENT": return `${e.message} (${e.code})`;
    default: return errText(e);
  }
}

function showConnectForm(err) {
  closeBucket();
  $("#app").hidden = true;
  $("#views").hidden = true;
  $("#change-server").hidden = true;
  $("#connect-panel").hidden = false;
  const box = $("#connect-error");
  box.hidden = !err;
  if (err) box.textContent = connectErrText(err, $("#url").value);
  if (!err) setState("idle", "not connected");
  const focus = $("#url").value ? (document.querySelector('input[name="auth"]:checked').value === "token" ? $("#token") : document.querySelector('input[name="auth"]:checked').value === "userpass" ? ($("#user").value ? $("#pass") : $("#user")) : $("#connect-btn")) : $("#url");
  focus.focus();
}

$("#connect-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const url = $("#url").value.trim();
  const auth = authFromForm();
  const btn = $("#connect-btn");
  btn.disabled = true;
  btn.textContent = "Connecting…";
  $("#connect-error").hidden = true;
  try {
    await disconnect();
    await openConnection(url, auth);
  } catch (e) {
    setState("error", "not connected");
    showConnectForm(e);
  } finally {
    btn.disabled = false;
    btn.textContent = "Connect";
  }
});

for (const r of document.querySelectorAll('input[name="auth"]')) r.addEventListener("change", () => showAuthFields(r.value));

$("#change-server").addEventListener("click", async () => {
  await disconnect();
  $("#url").value = app.url || $("#url").value;
  showConnectForm();
});

// --------------------------------------------------------------------------------------- buckets

async function loadBuckets() {
  if (!app.kvm) return;
  let list;
  try { list = await app.kvm.list(); } catch (e) { toast(`Could not list buckets: ${errText(e)}`, "bad"); return; }
  app.buckets = list.sort((a, b) => a.bucket.localeCompare(b.bucket));
  renderBuckets();
}

function renderBuckets() {
  const ul = $("#buckets");
  ul.replaceChildren(...app.buckets.map((b) => h("li", {},
    h("button.bucket-item", {
      type: "button", dataset: { bucket: b.bucket }, "aria-current": b.bucket === app.bucket ? "true" : undefined,
      onclick: () => selectBucket(b.bucket),
    },
    icon("bucket", 16),
    h("span.bucket-text", {},
      h("span.bucket-name", {}, b.bucket),
      h("span.bucket-sub", {}, [`history ${b.history}`, b.ttl ? `ttl ${duration(b.ttl)}` : null, b.storage === "memory" ? "memory" : null].filter(Boolean).join(" · ")))))));
  $("#no-buckets").hidden = app.buckets.length > 0;
}

function closeBucket() {
  app.table?.close();
  app.table = null;
  app.kv = null;
  app.bucket = null;
  $("#bucket-view").hidden = true;
  $("#no-bucket").hidden = false;
  $("#add-key-form").hidden = true;
  renderBuckets();
}

async function selectBucket(name) {
  if (app.bucket === name && app.table) return;
  closeBucket();
  app.bucket = name;
  renderBuckets();
  let kv;
  try { kv = await app.kvm.open(name); } catch (e) { toast(`Could not open ${name}: ${errText(e)}`, "bad"); app.bucket = null; renderBuckets(); return; }
  if (app.bucket !== name) return;
  app.kv = kv;
  store.set(LS.bucket(app.url), name);
  $("#no-bucket").hidden = true;
  $("#bucket-view").hidden = false;
  $("#bucket-title").textContent = name;
  $("#filter").value = "";
  const status = await refreshBucketMeta();
  app.table = new KeysTable(kv, { onChange: onTableChange, history: status?.history ?? 1 });
  try { await app.table.start(); } catch (e) { toast(`Could not watch ${name}: ${errText(e)}`, "bad"); }
}

let metaTimer = null;
/** Bucket configuration chips; the size is refreshed (at most once a second) after changes. */
async function refreshBucketMeta() {
  if (!app.kv) return null;
  const kv = app.kv;
  let st;
  try { st = await kv.status(); } catch { return null; }
  if (app.kv !== kv) return null;
  const chip = (label, value, title) => h("span.chip", { title }, h("span.chip-label", {}, label), value);
  $("#bucket-meta").replaceChildren(
    chip("history", String(st.history), "Revisions kept per key"),
    chip("ttl", duration(st.ttl), "How long a value lives"),
    chip("storage", st.storage),
    chip("size", bytes(st.size), "Bytes stored, all revisions"));
  const desc = $("#bucket-description-text");
  desc.hidden = !st.description;
  desc.textContent = st.description || "";
  return st;
}

function onTableChange({ total, shown, filtered, ready }) {
  $("#count").textContent = !ready ? "" : filtered ? `${shown} of ${total} key${total === 1 ? "" : "s"}` : `${total} key${total === 1 ? "" : "s"}`;
  if (!ready) return;
  clearTimeout(metaTimer);
  metaTimer = setTimeout(refreshBucketMeta, 1000);
}

$("#new-bucket-btn").addEventListener("click", () => {
  const f = $("#bucket-form");
  f.hidden = !f.hidden;
  $("#bucket-error").hidden = true;
  if (!f.hidden) $("#bucket-name-input").focus();
});
$("#bucket-cancel").addEventListener("click", () => { $("#bucket-form").hidden = true; $("#bucket-form").reset(); });
$("#bucket-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const f = ev.currentTarget;
  const data = new FormData(f);
  const name = String(data.get("name")).trim();
  const err = $("#bucket-error");
  err.hidden = true;
  if (app.buckets.some((b) => b.bucket === name)) { err.hidden = false; err.textContent = `A bucket named ${name} exists already.`; return; }
  const opts = {
    history: Number(data.get("history")) || 1,
    ttl: Math.round(Number(data.get("ttl") || 0) * Number(data.get("ttlUnit"))),
    storage: data.get("storage") === "memory" ? "memory" : "file",
  };
  const description = String(data.get("description") || "").trim();
  if (description) opts.description = description;
  const btn = $("#bucket-create");
  btn.disabled = true;
  try {
    await app.kvm.create(name, opts);
    f.hidden = true;
    f.reset();
    toast(`Created bucket ${name}`, "ok");
    await loadBuckets();
    await selectBucket(name);
  } catch (e) {
    err.hidden = false;
    err.textContent = errText(e);
  } finally { btn.disabled = false; }
});

// ------------------------------------------------------------------------------------------ keys

$("#filter").addEventListener("input", (ev) => app.table?.setFilter(ev.target.value));
document.addEventListener("keydown", (ev) => {
  const typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement?.tagName);
  if (ev.key === "/" && !typing && app.table) { ev.preventDefault(); $("#filter").focus(); }
  if (ev.key === "Escape" && app.table?.drawerKey) app.table.closeHistory();
});

function newKeyMode() { return document.querySelector('input[name="newmode"]:checked').value; }

$("#add-key-btn").addEventListener("click", () => {
  const f = $("#add-key-form");
  f.hidden = !f.hidden;
  $("#add-key-error").hidden = true;
  if (!f.hidden) $("#new-key").focus();
});
$("#add-key-cancel").addEventListener("click", () => { $("#add-key-form").hidden = true; $("#add-key-form").reset(); });
$("#new-key").addEventListener("input", (ev) => {
  const bad = ev.target.value ? checkKey(ev.target.value) : null;
  ev.target.classList.toggle("invalid", !!bad);
  $("#add-key-error").hidden = !bad;
  $("#add-key-error").textContent = bad || "";
});
$("#new-value").addEventListener("input", () => {
  if (newKeyMode() !== "json") return;
  try { JSON.parse($("#new-value").value); $("#new-value").classList.remove("invalid"); $("#add-key-error").hidden = true; } catch (e) {
    $("#new-value").classList.add("invalid");
    $("#add-key-error").hidden = false;
    $("#add-key-error").textContent = `Invalid JSON: ${e.message}`;
  }
});
$("#add-key-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  if (!app.table) return;
  const form = ev.currentTarget;
  const key = $("#new-key").value.trim();
  const err = $("#add-key-error");
  const btn = $("#add-key-save");
  btn.disabled = true;
  try {
    const rev = await app.table.createKey(key, $("#new-value").value, newKeyMode());
    form.reset();
    form.hidden = true;
    err.hidden = true;
    toast(`Created ${key} · revision ${rev}`, "ok");
  } catch (e) {
    err.hidden = false;
    err.textContent = e.code === "KEY_EXISTS" ? `${key} exists already: edit it in the table.` : errText(e);
  } finally { btn.disabled = false; }
});

// ----------------------------------------------------------------------------------------- views

/** Shows the Key/Value ("kv"), Streams ("streams") or Files ("files") view; the streams poll only while theirs is shown. */
function showView(view) {
  app.view = view;
  store.set(LS.view, view);
  for (const tab of document.querySelectorAll(".view-tab")) tab.setAttribute("aria-selected", String(tab.dataset.view === view));
  $("#kv-side").hidden = view !== "kv";
  $("#kv-main").hidden = view !== "kv";
  $("#streams-side").hidden = view !== "streams";
  $("#streams-main").hidden = view !== "streams";
  $("#files-side").hidden = view !== "files";
  $("#files-main").hidden = view !== "files";
  $("#brand-sub").textContent = view === "kv" ? "live configuration" : view === "streams" ? "live streams" : "object stores";
  app.streams?.poke();
  if (view === "files") app.files?.refresh();
}
for (const tab of document.querySelectorAll(".view-tab")) tab.addEventListener("click", () => showView(tab.dataset.view));
// A hidden tab stops polling; it catches up at once when shown again.
document.addEventListener("visibilitychange", () => app.streams?.poke());

// --------------------------------------------------------------------------------------- streams

$("#new-stream-btn").addEventListener("click", () => {
  const f = $("#stream-form");
  f.hidden = !f.hidden;
  $("#stream-error").hidden = true;
  if (!f.hidden) $("#stream-name-input").focus();
});
$("#stream-cancel").addEventListener("click", () => { $("#stream-form").hidden = true; $("#stream-form").reset(); });
$("#stream-name-input").addEventListener("input", (ev) => {
  const bad = ev.target.value ? checkName(ev.target.value.trim(), "stream") : null;
  ev.target.classList.toggle("invalid", !!bad);
  $("#stream-error").hidden = !bad;
  $("#stream-error").textContent = bad || "";
});
$("#stream-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  if (!app.streams) return;
  const f = ev.currentTarget;
  const data = new FormData(f);
  const n = (k) => { const v = String(data.get(k) ?? "").trim(); return v === "" ? 0 : Number(v); };
  const name = String(data.get("name")).trim();
  const btn = $("#stream-create");
  btn.disabled = true;
  $("#stream-error").hidden = true;
  try {
    await app.streams.createStream({
      name,
      subjects: String(data.get("subjects") || "").split(/[\s,]+/).filter(Boolean),
      storage: data.get("storage") === "memory" ? "memory" : "file",
      retention: String(data.get("retention")),
      discard: String(data.get("discard")),
      maxMsgs: n("maxMsgs"),
      maxBytes: Math.round(n("maxBytes") * Number(data.get("maxBytesUnit"))),
      maxAgeMs: Math.round(n("maxAge") * Number(data.get("maxAgeUnit"))),
      description: String(data.get("description") || "").trim(),
    });
    f.hidden = true;
    f.reset();
    toast(`Created stream ${name}`, "ok");
    await app.streams.select(name);
  } catch (e) {
    showError($("#stream-error"), e);
  } finally { btn.disabled = false; }
});

$("#delete-stream-btn").addEventListener("click", () => {
  const si = app.streams?.info;
  if (!si) return;
  const n = si.state.messages;
  $("#delete-stream-text").textContent = `Delete stream ${si.config.name}, its ${n} message${n === 1 ? "" : "s"} and its consumers? This cannot be undone.`;
  $("#delete-stream-confirm").hidden = false;
  $("#delete-stream-yes").focus();
});
$("#delete-stream-cancel").addEventListener("click", () => { $("#delete-stream-confirm").hidden = true; });
$("#delete-stream-yes").addEventListener("click", async (ev) => {
  const btn = ev.currentTarget;
  btn.disabled = true;
  try { toast(`Deleted stream ${await app.streams.deleteStream()}`, "ok"); } catch (e) { toast(`Delete failed: ${errText(e)}`, "bad"); } finally { btn.disabled = false; }
});

$("#new-consumer-btn").addEventListener("click", () => {
  const f = $("#consumer-form");
  f.hidden = !f.hidden;
  $("#consumer-error").hidden = true;
  if (!f.hidden) $("#consumer-name").focus();
});
$("#consumer-cancel").addEventListener("click", () => { $("#consumer-form").hidden = true; $("#consumer-form").reset(); $("#consumer-start-field").hidden = true; });
$("#consumer-deliver").addEventListener("change", (ev) => { $("#consumer-start-field").hidden = ev.target.value !== "by_start_sequence"; });
$("#consumer-name").addEventListener("input", (ev) => {
  const bad = ev.target.value ? checkName(ev.target.value.trim(), "consumer") : null;
  ev.target.classList.toggle("invalid", !!bad);
  $("#consumer-error").hidden = !bad;
  $("#consumer-error").textContent = bad || "";
});
$("#consumer-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  if (!app.streams) return;
  const f = ev.currentTarget;
  const data = new FormData(f);
  const name = String(data.get("name")).trim();
  const btn = $("#consumer-create");
  btn.disabled = true;
  $("#consumer-error").hidden = true;
  try {
    await app.streams.createConsumer({
      name,
      filter: String(data.get("filter") || "").trim(),
      ack: String(data.get("ack")),
      deliver: String(data.get("deliver")),
      startSeq: Number(data.get("startSeq")) || 1,
      description: String(data.get("description") || "").trim(),
    });
    f.hidden = true;
    f.reset();
    $("#consumer-start-field").hidden = true;
    toast(`Created consumer ${name}`, "ok");
  } catch (e) {
    showError($("#consumer-error"), e);
  } finally { btn.disabled = false; }
});

// The message browser.
// Going to a message of one's own choice stops following the newest one.
for (const [id, how] of [["#msg-first", "first"], ["#msg-prev", "prev"], ["#msg-next", "next"], ["#msg-last", "last"]]) {
  $(id).addEventListener("click", () => { if (how !== "last") $("#msg-follow").checked = false; app.streams?.browse(how); });
}
$("#msg-seq-form").addEventListener("submit", (ev) => { ev.preventDefault(); $("#msg-follow").checked = false; app.streams?.browse("seq"); });
$("#msg-subject-form").addEventListener("submit", (ev) => { ev.preventDefault(); app.streams?.browse("lastOnSubject"); });
$("#msg-follow").addEventListener("change", (ev) => { if (ev.target.checked) app.streams?.browse($("#msg-subject").value.trim() ? "lastOnSubject" : "last"); });

// ----------------------------------------------------------------------------------------- files

$("#new-store-btn").addEventListener("click", () => {
  const f = $("#store-form");
  f.hidden = !f.hidden;
  $("#store-form-error").hidden = true;
  if (!f.hidden) $("#store-name-input").focus();
});
$("#store-cancel").addEventListener("click", () => { $("#store-form").hidden = true; $("#store-form").reset(); });
$("#store-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  if (!app.files) return;
  const f = ev.currentTarget;
  const data = new FormData(f);
  const name = String(data.get("name")).trim();
  const btn = $("#store-create");
  btn.disabled = true;
  $("#store-form-error").hidden = true;
  try {
    // The library checks the name (INVALID_BUCKET_NAME) and the server the rest (BUCKET_EXISTS for a taken
    // name with another configuration): their errors show in the form as they are.
    const { existed } = await app.files.createStore({
      name,
      description: String(data.get("description") || "").trim(),
      storage: data.get("storage") === "memory" ? "memory" : "file",
      maxBytes: Math.round(Number(data.get("maxBytes") || 0) * Number(data.get("maxBytesUnit"))),
    });
    f.hidden = true;
    f.reset();
    toast(existed ? `Store ${name} exists already with this configuration: opened it` : `Created store ${name}`, "ok");
  } catch (e) {
    showError($("#store-form-error"), e);
  } finally { btn.disabled = false; }
});

$("#choose-files").addEventListener("click", () => $("#file-input").click());
$("#file-input").addEventListener("change", (ev) => {
  const files = [...ev.target.files];
  ev.target.value = "";
  if (files.length) app.files?.upload(files, $("#upload-description").value.trim());
});
// The whole store section takes drops (a file dropped beside the zone would make the browser open it).
const dropzone = $("#dropzone");
const dropTarget = $("#store-view");
for (const type of ["dragenter", "dragover"]) {
  dropTarget.addEventListener(type, (ev) => {
    if (![...(ev.dataTransfer?.types ?? [])].includes("Files")) return;
    ev.preventDefault();
    ev.dataTransfer.dropEffect = "copy";
    dropzone.classList.add("over");
  });
}
dropTarget.addEventListener("dragleave", (ev) => { if (!dropTarget.contains(ev.relatedTarget)) dropzone.classList.remove("over"); });
// Elsewhere in the Files view (no store open) a dropped file is refused rather than opened by the browser.
for (const type of ["dragover", "drop"]) {
  document.addEventListener(type, (ev) => { if (app.view === "files" && [...(ev.dataTransfer?.types ?? [])].includes("Files")) ev.preventDefault(); });
}
dropTarget.addEventListener("drop", (ev) => {
  ev.preventDefault();
  dropzone.classList.remove("over");
  const files = [...(ev.dataTransfer?.files ?? [])];
  if (files.length) app.files?.upload(files, $("#upload-description").value.trim());
});

$("#delete-store-btn").addEventListener("click", () => {
  const f = app.files;
  if (!f?.store) return;
  $("#delete-store-text").textContent = `Delete object store ${f.selected} and its ${f.objects.size} object${f.objects.size === 1 ? "" : "s"}? This cannot be undone.`;
  $("#delete-store-confirm").hidden = false;
  $("#delete-store-yes").focus();
});
$("#delete-store-cancel").addEventListener("click", () => { $("#delete-store-confirm").hidden = true; });
$("#delete-store-yes").addEventListener("click", async (ev) => {
  const btn = ev.currentTarget;
  btn.disabled = true;
  try { toast(`Deleted store ${await app.files.deleteStore()}`, "ok"); } catch (e) { toast(`Delete failed: ${errText(e)}`, "bad"); } finally { btn.disabled = false; }
});

// Buckets (and object stores) made elsewhere show up when the tab comes back into focus.
window.addEventListener("focus", () => {
  if (!app.kvm || $("#state").dataset.state !== "connected") return;
  loadBuckets();
  if (app.view === "files") app.files?.refresh();
});

$("#drawer-close").append(icon("close", 18));
$("#drawer-close").addEventListener("click", () => app.table?.closeHistory());
$("#scrim").addEventListener("click", () => app.table?.closeHistory());

// ----------------------------------------------------------------------------------------- start

async function start() {
  const params = new URLSearchParams(location.search);
  try {
    const cfg = await (await fetch("/config.json", { cache: "no-store" })).json();
    app.configServer = [cfg.servers].flat()[0] || null;
    app.open = cfg.open && typeof cfg.open === "object" ? cfg.open : null;
  } catch { app.configServer = null; }
  app.asked = { view: params.get("view"), stream: params.get("stream"), bucket: params.get("bucket"), store: params.get("store") };
  const asked = params.get("server");
  const last = store.get(LS.server);
  const mode = store.get(LS.auth) || "none";
  $("#url").value = asked || last || app.configServer || "";
  document.querySelector(`input[name="auth"][value="${mode}"]`)?.click();
  showAuthFields(mode);
  $("#user").value = store.get(LS.user) || "";
  // Secrets are not remembered: with auth the form asks for them.
  if (mode !== "none" && !asked) { showConnectForm(); return; }
  // A server named in the address (?server=ws://…) is the only one tried; else the last one used, then
  // the one /config.json names (the last one may be gone, e.g. after a new `npm start`).
  const candidates = asked ? [asked] : [...new Set([last, app.configServer].filter(Boolean))];
  if (!candidates.length) { showConnectForm(); return; }
  let lastErr = null;
  for (const url of candidates) {
    try { await openConnection(url, { mode: "none" }, 5000); return; } catch (e) { lastErr = e; }
  }
  $("#url").value = candidates[0];
  setState("error", "not connected");
  showConnectForm(lastErr);
}

start().catch((e) => {
  setState("error", "not connected");
  const el = $("#error");
  el.hidden = false;
  el.textContent = `${e.code ?? "ERROR"}: ${e.message}`;
});
