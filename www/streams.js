// The Streams view: the stream list with live message and byte counts, the selected stream's state and
// configuration, its consumers with live counters, a message browser, and the forms to create streams and
// durable consumers. Everything goes through the public JetStream manager (`jetstreamManager(nc)`).
import { $, h, icon, describeValue, highlightJson, ago, fullTime, bytes, toast, errText } from "./ui.js";

// The server pushes nothing about stream or consumer state (no "stream changed" event: the only way to see
// counts move is to ask), so the view polls `streams.list()` and the selected stream's `consumers.list()`
// about once a second — only while the view is shown, the tab is visible and the connection is up.
export const POLL_MS = 1000;
/** At most this many getMessage() calls per prev/next click (deleted sequences and non-matching subjects are skipped). */
const MAX_PROBES = 100;
/** Per-subject counts are asked for only while a stream has at most this many subjects. */
const MAX_SUBJECT_COUNTS = 50;

const NAME_RE = /^[^\s.*>/\\]+$/;

/** A stream or consumer name for people: an error message or null (the library checks again). */
export function checkName(name, what) {
  if (!name) return `A ${what} needs a name.`;
  if (!NAME_RE.test(name)) return `A ${what} name cannot contain spaces, dots, *, >, / or \\.`;
  return null;
}

/** Whether `subject` matches the subject filter `filter` (NATS wildcards: `*` one token, `>` the rest). */
export function subjectMatches(filter, subject) {
  if (!filter) return true;
  const f = filter.split(".");
  const s = subject.split(".");
  for (let i = 0; i < f.length; i++) {
    if (f[i] === ">") return s.length > i;
    if (i >= s.length || (f[i] !== "*" && f[i] !== s[i])) return false;
  }
  return f.length === s.length;
}

/** A NatsError in a form: its code as a badge, then the server's (or the library's) message. */
export function showError(box, e) {
  box.hidden = false;
  if (e?.code) box.replaceChildren(h("code.err-code", {}, e.code), " ", e.message);
  else box.replaceChildren(String(e?.message || e));
}

/** "1 234" — counts with thin separators. */
const num = (n) => (typeof n === "number" ? n.toLocaleString("en-US").replace(/,/g, "\u2009") : "–");
const plural = (n, one, many = `${one}s`) => `${num(n)} ${n === 1 ? one : many}`;
/** A duration in nanoseconds as "forever", "90 s", "2 h"… */
function nsDuration(ns) {
  if (!ns) return "forever";
  const ms = Math.floor(ns / 1e6);
  for (const [u, f] of [["d", 86400000], ["h", 3600000], ["min", 60000], ["s", 1000]]) if (ms >= f && ms % f === 0) return `${ms / f} ${u}`;
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms} ms`;
}
const limit = (v, fmt = num) => (v === undefined || v === null || v < 0 ? "unlimited" : fmt(v));
/** What kind of stream a name says it is: the backing stream of a KV bucket or an object store. */
function streamKind(name) {
  if (name.startsWith("KV_")) return "KV";
  if (name.startsWith("OBJ_")) return "object store";
  return null;
}

export class StreamsView {
  /**
   * `jsm`: the JetStream manager. `wanted()`: whether to poll now (view shown, tab visible, connected).
   * `onSelect(name)`: told when the selected stream changes (to remember it).
   */
  constructor(jsm, { wanted = () => true, onSelect = () => {} } = {}) {
    this.jsm = jsm;
    this.wanted = wanted;
    this.onSelect = onSelect;
    this.streams = new Map();   // name → StreamInfo (the last poll's)
    this.items = new Map();     // name → <li>
    this.rows = new Map();      // consumer name → <tr>
    this.selected = null;
    this.info = null;           // the selected stream's last StreamInfo
    this.subjectCounts = null;
    this.loaded = false;
    this.closed = false;
    this.timer = null;
    this.inFlight = false;
    this.again = false;
    this.polls = 0;
    this.msg = null;            // the message shown: { seq, subject } | null
    this.browseSeq = 0;         // guards against out-of-order message loads
    this.configJson = "";
    this.changes = 0;           // streams and consumers created or deleted from this page
    $("#streams").replaceChildren();
    $("#consumers tbody").replaceChildren();
    this.clearStream();
  }

  close() {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = null;
    this.setPolling(false);
  }

  // ------------------------------------------------------------------------------------- polling

  /** Polls now (and then every POLL_MS) if wanted; call it when the view, the tab or the connection comes back. */
  poke() {
    if (this.closed) return;
    clearTimeout(this.timer);
    this.timer = null;
    if (this.inFlight) { this.again = true; return; }
    this.tick();
  }

  async tick() {
    // (A closed view leaves the shared DOM alone: the next connection's view owns it.)
    if (this.closed) return;
    if (!this.wanted()) { this.setPolling(false); return; }
    this.setPolling(true);
    this.inFlight = true;
    try { await this.refresh(); } catch (e) { if (!this.closed && this.wanted()) this.onPollError(e); } finally { this.inFlight = false; }
    if (this.closed) return;
    if (!this.wanted()) { this.setPolling(false); return; }
    const soon = this.again;
    this.again = false;
    this.timer = setTimeout(() => { this.timer = null; this.tick(); }, soon ? 0 : POLL_MS);
  }

  /** `data-polling` on the stream list says whether polls are going on (for tests and the curious). */
  setPolling(on) { $("#streams-side").dataset.polling = on ? "on" : "off"; }

  onPollError(e) {
    // Reported once until a poll succeeds again (a reconnect is shown by the connection indicator).
    if (this.pollError) return;
    this.pollError = e;
    toast(`Could not refresh the streams: ${errText(e)}`, "bad");
  }

  /** One poll: the stream list; for the selected stream, its consumers and per-subject counts. */
  async refresh() {
    const name = this.selected;
    const changes = this.changes;
    const wantSubjects = name && (this.info?.state?.num_subjects ?? 0) <= MAX_SUBJECT_COUNTS;
    const [list, consumers, withSubjects] = await Promise.all([
      this.jsm.streams.list(),
      name ? this.jsm.consumers.list(name).catch((e) => e) : null,
      wantSubjects ? this.jsm.streams.info(name, { subjects_filter: ">" }).catch(() => null) : null,
    ]);
    if (this.closed) return;
    // A stream or consumer created or deleted here while this poll was out: its answer is stale (poke() asks again).
    if (changes !== this.changes) return;
    this.polls++;
    $("#streams-side").dataset.polls = String(this.polls);
    this.pollError = null;
    this.streams = new Map(list.map((si) => [si.config.name, si]));
    this.loaded = true;
    this.renderList();
    if (!name || name !== this.selected) return;
    const si = this.streams.get(name);
    if (!si) { toast(`Stream ${name} was deleted`, "info"); this.select(null); return; }
    this.subjectCounts = withSubjects?.state?.subjects ?? (wantSubjects ? this.subjectCounts : null);
    this.renderStream(si);
    if (consumers instanceof Error) { if (consumers.code !== "STREAM_NOT_FOUND") this.onPollError(consumers); } else if (consumers) this.renderConsumers(consumers);
  }

  // ----------------------------------------------------------------------------------- the list

  renderList() {
    const ul = $("#streams");
    const names = [...this.streams.keys()].sort((a, b) => a.localeCompare(b));
    for (const [n, li] of this.items) if (!this.streams.has(n)) { li.remove(); this.items.delete(n); }
    let at = ul.firstElementChild;
    for (const n of names) {
      let li = this.items.get(n);
      if (!li) { li = this.makeItem(n); this.items.set(n, li); }
      this.updateItem(li, this.streams.get(n));
      if (li !== at) ul.insertBefore(li, at);
      else at = at.nextElementSibling;
    }
    $("#no-streams").hidden = !this.loaded || names.length > 0;
    this.markSelected();
  }

  makeItem(name) {
    const kind = streamKind(name);
    const btn = h("button.bucket-item.stream-item", { type: "button", dataset: { stream: name }, onclick: () => this.select(name) },
      icon("stream", 16),
      h("span.bucket-text", {},
        h("span.bucket-name", {}, name, kind ? h("span.kind-tag", {}, kind) : null),
        h("span.bucket-sub", {}, h("span.count-msgs"), " · ", h("span.count-bytes"))));
    return h("li", {}, btn);
  }

  updateItem(li, si) {
    const btn = li.firstElementChild;
    const { messages, bytes: size } = si.state;
    const msgs = btn.querySelector(".count-msgs");
    const text = plural(messages, "msg");
    if (msgs.textContent !== text) {
      msgs.textContent = text;
      btn.dataset.messages = String(messages);
      if (this.loaded) this.flash(btn.querySelector(".bucket-sub"));
    }
    btn.querySelector(".count-bytes").textContent = bytes(size);
    btn.title = (si.config.subjects || []).join(", ");
  }

  markSelected() {
    for (const [n, li] of this.items) {
      if (n === this.selected) li.firstElementChild.setAttribute("aria-current", "true");
      else li.firstElementChild.removeAttribute("aria-current");
    }
  }

  flash(el) {
    el.classList.remove("tick");
    void el.offsetWidth; // restart the animation
    el.classList.add("tick");
  }

  // ------------------------------------------------------------------------------- one stream

  clearStream() {
    this.info = null;
    this.subjectCounts = null;
    this.rows.clear();
    this.msg = null;
    this.configJson = "";
    $("#consumers tbody").replaceChildren();
    $("#stream-view").hidden = true;
    $("#no-stream").hidden = false;
    $("#consumer-form").hidden = true;
    $("#delete-stream-confirm").hidden = true;
    $("#message").replaceChildren();
    $("#msg-subject").value = "";
    $("#msg-seq").value = "";
    // Following the newest message until the user browses elsewhere: a live stream shows its flow at once.
    $("#msg-follow").checked = true;
  }

  /** Shows `name` (null: none), with its newest message in the browser. `quiet`: a stream that is not
   * there (a remembered one, gone since) is just not shown, without a toast. */
  async select(name, { quiet = false } = {}) {
    if (name === this.selected && name !== null) return;
    this.selected = name;
    this.clearStream();
    this.onSelect(name);
    this.markSelected();
    if (!name) return;
    let si;
    try { si = await this.jsm.streams.info(name); } catch (e) {
      if (!(quiet && e.code === "STREAM_NOT_FOUND")) toast(`Could not open ${name}: ${errText(e)}`, "bad");
      if (this.selected === name) { this.selected = null; this.onSelect(null); this.markSelected(); }
      return;
    }
    if (this.closed || this.selected !== name) return;
    $("#no-stream").hidden = true;
    $("#stream-view").hidden = false;
    $("#stream-title").textContent = name;
    this.renderStream(si);
    this.renderConsumers(null);
    this.poke();
    await this.browse("last");
  }

  renderStream(si) {
    const prev = this.info;
    this.info = si;
    const { config: c, state: s } = si;
    const desc = $("#stream-description-text");
    desc.hidden = !c.description;
    desc.textContent = c.description || "";
    const stat = (key, label, value, title) => h("div.stat", { dataset: { stat: key }, title }, h("span.stat-value", {}, value), h("span.stat-label", {}, label));
    const stats = [
      stat("messages", "messages", num(s.messages)),
      stat("bytes", "stored", bytes(s.bytes)),
      stat("first", "first seq", num(s.first_seq), s.first_ts && s.messages ? `stored ${fullTime(new Date(s.first_ts))}` : undefined),
      stat("last", "last seq", num(s.last_seq), s.last_ts && s.last_seq ? `stored ${fullTime(new Date(s.last_ts))}` : undefined),
      stat("subjects", "subjects", num(s.num_subjects ?? 0)),
      stat("consumers", "consumers", num(s.consumer_count)),
      s.num_deleted ? stat("deleted", "deleted", num(s.num_deleted), "Messages removed between the first and last sequence") : null,
    ].filter(Boolean);
    const box = $("#stream-stats");
    // Update in place, so only the numbers that changed flash.
    if (box.children.length !== stats.length || [...box.children].some((el, i) => el.dataset.stat !== stats[i].dataset.stat)) box.replaceChildren(...stats);
    else stats.forEach((el, i) => {
      const old = box.children[i].firstElementChild;
      const now = el.firstElementChild.textContent;
      if (old.textContent !== now) { old.textContent = now; if (prev) this.flash(box.children[i]); }
      box.children[i].title = el.title;
    });

    const counts = this.subjectCounts;
    $("#stream-subject-counts").replaceChildren(...(counts ? Object.entries(counts).sort((a, b) => a[0].localeCompare(b[0])).map(([subj, n]) =>
      h("button.chip.subject-chip", { type: "button", title: `Show the newest message on ${subj}`, dataset: { subject: subj }, onclick: () => { $("#msg-subject").value = subj; this.browse("lastOnSubject"); } },
        h("span", {}, subj), h("span.chip-label", {}, num(n)))) : []));

    const json = JSON.stringify(c, null, 2);
    if (json !== this.configJson) {
      this.configJson = json;
      this.renderConfig(c, si);
    }
    this.updateNav();
    // Following the newest message: load it when the stream grew.
    if ($("#msg-follow").checked && prev && s.last_seq !== prev.state.last_seq) this.browse(($("#msg-subject").value.trim() ? "lastOnSubject" : "last"), { quiet: true });
  }

  renderConfig(c, si) {
    const row = (label, value, title) => [h("dt", { title }, label), h("dd", {}, value)];
    const src = (x) => x.name + (x.filter_subject ? ` (${x.filter_subject})` : "");
    $("#stream-config").replaceChildren(...[
      row("Subjects", (c.subjects?.length ? c.subjects : ["–"]).map((s) => h("code.subject", {}, s))),
      row("Retention", c.retention),
      row("Storage", `${c.storage}${c.num_replicas > 1 ? ` · ${c.num_replicas} replicas` : ""}`),
      row("Discard", c.discard, "What goes when a limit is reached"),
      row("Max messages", limit(c.max_msgs)),
      row("Max bytes", limit(c.max_bytes, bytes)),
      row("Max age", nsDuration(c.max_age)),
      row("Max msgs / subject", limit(c.max_msgs_per_subject)),
      row("Max message size", limit(c.max_msg_size, bytes)),
      row("Duplicate window", nsDuration(c.duplicate_window)),
      c.mirror ? row("Mirror of", src(c.mirror)) : null,
      c.sources?.length ? row("Sources", c.sources.map(src).join(", ")) : null,
      row("Created", si.created ? fullTime(new Date(si.created)) : "–"),
    ].filter(Boolean).flat());
    $("#stream-config-json").innerHTML = highlightJson(JSON.stringify(c, null, 2));
  }

  // ---------------------------------------------------------------------------------- consumers

  renderConsumers(list) {
    const tbody = $("#consumers tbody");
    const empty = $("#no-consumers");
    if (list === null) { empty.hidden = false; empty.textContent = "Loading consumers…"; return; }
    const names = list.map((ci) => ci.name).sort((a, b) => a.localeCompare(b));
    const byName = new Map(list.map((ci) => [ci.name, ci]));
    for (const [n, row] of this.rows) if (!byName.has(n)) { row.remove(); this.rows.delete(n); }
    let at = tbody.firstElementChild;
    for (const n of names) {
      let row = this.rows.get(n);
      const fresh = !row;
      if (!row) { row = this.makeConsumerRow(byName.get(n)); this.rows.set(n, row); }
      this.updateConsumerRow(row, byName.get(n), !fresh);
      if (row !== at) tbody.insertBefore(row, at);
      else at = at.nextElementSibling;
    }
    $("#consumer-count").textContent = names.length ? plural(names.length, "consumer") : "";
    empty.hidden = names.length > 0;
    if (!names.length) empty.replaceChildren(h("strong", {}, "No consumers yet."), " Create a durable consumer for applications to read this stream.");
  }

  makeConsumerRow(ci) {
    const c = ci.config;
    const field = (f) => h("td.num.counter", { dataset: { field: f } });
    const kind = c.deliver_subject ? "push" : "pull";
    const row = h("tr", { dataset: { consumer: ci.name } },
      h("td.cname", {},
        h("code", { title: ci.name }, ci.name),
        h("span.consumer-sub", {}, h("span.kind-tag", {}, c.durable_name ? kind : `${kind} · ephemeral`), " ",
          c.filter_subject ? h("code.subject", {}, c.filter_subject) : (c.filter_subjects?.length ? h("code.subject", {}, c.filter_subjects.join(", ")) : h("span.muted", {}, "all subjects")))),
      h("td.policy", {}, h("span", {}, `ack ${c.ack_policy}`), h("span.muted", {}, `deliver ${c.deliver_policy.replace(/_/g, " ")}`)),
      field("num_pending"), field("num_ack_pending"), field("num_redelivered"), field("num_waiting"), field("ack_floor"),
      h("td.ops"));
    row.cells[7].replaceChildren(this.consumerActions(ci.name));
    return row;
  }

  updateConsumerRow(row, ci, live) {
    const values = {
      num_pending: ci.num_pending, num_ack_pending: ci.num_ack_pending, num_redelivered: ci.num_redelivered,
      num_waiting: ci.num_waiting, ack_floor: ci.ack_floor?.stream_seq ?? 0,
    };
    for (const cell of row.querySelectorAll("td.counter")) {
      const v = num(values[cell.dataset.field]);
      if (cell.textContent !== v) {
        cell.textContent = v;
        if (live) this.flash(cell);
      }
    }
    row.cells[6].title = ci.ack_floor?.last_active ? `last ack ${fullTime(new Date(ci.ack_floor.last_active))}; delivered up to ${ci.delivered?.stream_seq ?? 0}` : "";
    row.classList.toggle("busy-consumer", ci.num_ack_pending > 0);
  }

  consumerActions(name) {
    return h("div.row-actions", {},
      h("button.btn.icon-btn.ghost.danger", { type: "button", dataset: { action: "delete" }, title: "Delete consumer", "aria-label": `Delete consumer ${name}`, onclick: () => this.confirmDeleteConsumer(name) }, icon("trash")));
  }

  confirmDeleteConsumer(name) {
    const row = this.rows.get(name);
    if (!row) return;
    const stream = this.selected;
    row.classList.add("confirming");
    const restore = () => { row.classList.remove("confirming"); row.cells[7].replaceChildren(this.consumerActions(name)); };
    const yes = h("button.btn.small.danger-solid", { type: "button", dataset: { action: "confirm-delete" }, onclick: async () => {
      yes.disabled = true;
      try {
        await this.jsm.consumers.delete(stream, name);
        this.changes++;
        toast(`Deleted consumer ${name}`, "ok");
        if (this.rows.get(name) === row) { row.remove(); this.rows.delete(name); }
        this.poke();
      } catch (e) { toast(`Delete failed: ${errText(e)}`, "bad"); restore(); }
    } }, "Delete");
    row.cells[7].replaceChildren(h("div.row-actions.confirm", {}, h("span", {}, "Delete?"), yes,
      h("button.btn.small.ghost", { type: "button", dataset: { action: "cancel-delete" }, onclick: restore }, "Cancel")));
    yes.focus();
  }

  /** Creates a durable pull consumer from the form's values; resolves with its info, rejects with the NatsError. */
  async createConsumer({ name, filter, ack, deliver, startSeq, description }) {
    const bad = checkName(name, "consumer");
    if (bad) throw new Error(bad);
    const cfg = { durable_name: name, ack_policy: ack, deliver_policy: deliver };
    if (filter) cfg.filter_subject = filter;
    if (deliver === "by_start_sequence") cfg.opt_start_seq = startSeq;
    if (description) cfg.description = description;
    const ci = await this.jsm.consumers.add(this.selected, cfg);
    this.changes++;
    this.poke();
    return ci;
  }

  // ------------------------------------------------------------------------------------ streams

  /** Creates a stream from the form's values; resolves with its info, rejects with the NatsError. */
  async createStream({ name, subjects, storage, retention, discard, maxMsgs, maxBytes, maxAgeMs, description }) {
    const bad = checkName(name, "stream");
    if (bad) throw new Error(bad);
    const cfg = { name, subjects: subjects.length ? subjects : [name], storage, retention, discard };
    if (maxMsgs) cfg.max_msgs = maxMsgs;
    if (maxBytes) cfg.max_bytes = maxBytes;
    if (maxAgeMs) cfg.max_age = maxAgeMs * 1e6;
    if (description) cfg.description = description;
    const si = await this.jsm.streams.add(cfg);
    this.changes++;
    this.streams.set(name, si);
    this.renderList();
    this.poke();
    return si;
  }

  async deleteStream() {
    const name = this.selected;
    await this.jsm.streams.delete(name);
    this.changes++;
    this.streams.delete(name);
    if (this.selected === name) await this.select(null);
    this.renderList();
    this.poke();
    return name;
  }

  // ------------------------------------------------------------------------------ the messages

  updateNav() {
    const s = this.info?.state;
    const cur = this.msg?.seq ?? 0;
    const none = !s || s.messages === 0;
    $("#msg-first").disabled = none || (cur && cur <= s.first_seq);
    $("#msg-prev").disabled = none || !cur || cur <= s.first_seq;
    $("#msg-next").disabled = none || !cur || cur >= s.last_seq;
    $("#msg-last").disabled = none || (cur && cur >= s.last_seq);
  }

  /**
   * Loads a message into the browser. `how`: "first" | "last" | "prev" | "next" (by sequence, skipping
   * deleted ones and, with a subject filter, subjects that do not match), "seq" (exactly the one typed),
   * "lastOnSubject" (getMessage({ last_by_subj })).
   */
  async browse(how, { quiet = false } = {}) {
    const name = this.selected;
    if (!name || !this.info) return;
    const ticket = ++this.browseSeq;
    const s = this.info.state;
    const filter = $("#msg-subject").value.trim();
    const get = (q) => this.jsm.streams.getMessage(name, q);
    let m = null;
    let note = null;
    try {
      if (how === "lastOnSubject") {
        if (!filter) { $("#msg-subject").focus(); return; }
        m = await get({ last_by_subj: filter });
        if (!m) note = ["No message on ", h("code", {}, filter), " in this stream."];
      } else if (how === "seq") {
        const seq = Number($("#msg-seq").value);
        if (!Number.isInteger(seq) || seq < 1) { note = ["Type a sequence number (1 or more)."]; } else {
          m = await get({ seq });
          if (!m) note = [`No message at sequence ${num(seq)}: `, seq > s.last_seq ? `the last is ${num(s.last_seq)}.` : seq < s.first_seq ? `the first is ${num(s.first_seq)}.` : "it was deleted."];
        }
      } else {
        if (s.messages === 0) note = ["This stream holds no messages yet."];
        else {
          const cur = this.msg?.seq ?? 0;
          const [from, step] = how === "first" ? [s.first_seq, 1] : how === "last" ? [s.last_seq, -1] : how === "next" ? [cur + 1, 1] : [cur - 1, -1];
          // Without a filter "last" is one call: the newest message of any subject.
          if (how === "last" && filter) m = await get({ last_by_subj: filter });
          else {
            let probes = 0;
            for (let seq = from; seq >= s.first_seq && seq <= s.last_seq && probes < MAX_PROBES; seq += step, probes++) {
              const got = await get({ seq });
              if (this.closed || ticket !== this.browseSeq) return;
              if (got && subjectMatches(filter, got.subject)) { m = got; break; }
            }
            if (!m) note = probes >= MAX_PROBES
              ? [`No ${filter ? "matching " : ""}message within ${MAX_PROBES} sequences; type a sequence number or a subject to jump.`]
              : [`No ${how === "prev" ? "earlier" : how === "next" ? "later" : ""} message`, filter ? [" on ", h("code", {}, filter)] : "", "."];
          }
        }
      }
    } catch (e) {
      if (this.closed || ticket !== this.browseSeq || this.selected !== name) return;
      if (!quiet) this.showNote([h("span.form-error.inline", {}, errText(e))]);
      return;
    }
    if (this.closed || ticket !== this.browseSeq || this.selected !== name) return;
    if (m) this.showMessage(m);
    else if (!quiet) this.showNote(note, how === "seq" || how === "lastOnSubject");
    this.updateNav();
  }

  /** A note in the browser; `keep`: the message shown stays under it. */
  showNote(parts, keep = false) {
    const box = $("#message");
    const note = h("p.msg-note", { role: "status" }, ...parts.flat());
    box.querySelector(".msg-note")?.remove();
    if (keep && this.msg) box.prepend(note);
    else { this.msg = null; box.dataset.seq = ""; box.replaceChildren(note); }
  }

  showMessage(m) {
    this.msg = { seq: m.seq, subject: m.subject };
    $("#msg-seq").value = String(m.seq);
    const d = describeValue(m.data);
    const hdrs = m.header ? m.header.keys().flatMap((k) => m.header.values(k).map((v) => [k, v])) : [];
    const payload = d.kind === "binary" ? h("pre.val.hex", {}, hexDump(m.data))
      : d.kind === "json" ? h("pre.val.json.payload", { html: highlightJson(d.pretty) })
      : d.text === "" ? h("span.val-empty", {}, "empty")
      : h("pre.val.text.payload", {}, d.text);
    const box = $("#message");
    box.dataset.seq = String(m.seq);
    box.replaceChildren(
      h("div.msg-head", {},
        h("span.rev-badge.msg-seq", {}, `#${m.seq}`),
        h("code.msg-subject", {}, m.subject),
        h("time", { title: fullTime(m.time), datetime: m.timestamp }, ago(m.time)),
        h("span.muted.msg-size", {}, bytes(m.data.length))),
      h("div.msg-section", {},
        h("h3", {}, "Headers"),
        hdrs.length
          ? h("table.headers", {}, h("tbody", {}, hdrs.map(([k, v]) => h("tr", {}, h("th", {}, k), h("td", {}, h("code", {}, v))))))
          : h("p.muted.no-headers", {}, "No headers")),
      h("div.msg-section", {},
        h("h3", {}, "Payload ", h("span.kind-tag", {}, d.kind === "json" ? "JSON" : d.kind === "binary" ? "binary" : "text")),
        payload));
  }
}

/** The first 512 bytes as a hex dump with an ASCII column. */
function hexDump(data) {
  const lines = [];
  const n = Math.min(data.length, 512);
  for (let i = 0; i < n; i += 16) {
    const row = [...data.subarray(i, Math.min(i + 16, n))];
    lines.push(`${i.toString(16).padStart(6, "0")}  ${row.map((b) => b.toString(16).padStart(2, "0")).join(" ").padEnd(48)}  ${row.map((b) => (b >= 32 && b < 127 ? String.fromCharCode(b) : ".")).join("")}`);
  }
  if (data.length > n) lines.push(`… ${data.length - n} more bytes`);
  return lines.join("\n");
}
