// engines: chromium — drives the dashboard UI with Playwright locators (fill, click, selectOption, :has(), hasText)
// The Streams view of the dashboard (www/streams.js) in Chromium against a real nats-server: create a stream
// through the form, counts that follow messages published by a second connection in the page, the message
// browser (sequence, prev/next over a deleted message, subject filter, headers, pretty JSON), a durable
// consumer created through the form with live counters, the server's errors in the forms, polling only while
// the view is shown, delete with a confirm; and the `npm start` demo (scripts/demo.mjs): ORDERS grows,
// order-review's ack floor advances, and the dashboard opens on it with nothing to type.
// The tests run in order and share the page; screenshots go to test-results/dashboard-streams-*.png.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { jetstreamManager as njsJetstreamManager } from "@nats-io/jetstream";
import { Kvm as NjsKvm } from "@nats-io/kv";
import { launchBrowser, startStack, ARTIFACTS, ROOT } from "./helpers.mjs";
import { startNatsServer } from "../../scripts/lib/nats-server.mjs";
import { serveStatic } from "../../scripts/lib/static-server.mjs";
import { startDemo, connectTcp, DEMO_OPEN, STREAM, CONSUMER, BUCKET } from "../../scripts/demo.mjs";

let stack, browser, a;
const pageErrors = [];
const NAME = "ORDERS";

async function dashboard(web, path = "") {
  const page = await browser.newPage({ viewport: { width: 1360, height: 1000 } });
  page.on("pageerror", (e) => pageErrors.push(e));
  await page.goto(web.url + path);
  return page;
}
const shot = (page, name) => page.screenshot({ path: join(ARTIFACTS, `dashboard-streams-${name}.png`), animations: "disabled", fullPage: true });
const connected = (page, timeout = 15000) => page.locator('#state[data-state="connected"]').waitFor({ timeout });
const item = (page, name) => page.locator(`.stream-item[data-stream="${name}"]`);
const consumerRow = (page, name) => page.locator(`tr[data-consumer="${name}"]`);
const pretty = (v) => JSON.stringify(v, null, 2);
/** Runs `fn` in the dashboard page, where `pub` is a second connection (`pjs`, `pjsm` its JetStream). */
const p = (fn, arg) => a.evaluate(fn, arg);
/** The error code of a rejected call in the page's second connection. */
const pageErr = (fn, arg) => p(async ([src, x]) => { try { await (0, eval)(src)(x); return "resolved"; } catch (e) { return e.code; } }, [fn.toString(), arg]);

/** Waits until the text of `selector` is exactly `text`. */
function waitText(page, selector, text, timeout = 10000) {
  return page.waitForFunction(([s, t]) => document.querySelector(s)?.textContent.trim() === t, [selector, text], { timeout });
}
/** Waits until the number shown by `selector` passes `min`; returns it. */
async function waitNumberAbove(page, selector, min, timeout = 20000) {
  const h = await page.waitForFunction(([s, m]) => {
    const v = Number(document.querySelector(s)?.textContent.replace(/\s/g, ""));
    return v > m ? v : false;
  }, [selector, min], { timeout });
  return h.jsonValue();
}
const statSel = (stat) => `#stream-stats [data-stat="${stat}"] .stat-value`;
const counterSel = (consumer, field) => `tr[data-consumer="${consumer}"] td[data-field="${field}"]`;

before(async () => {
  stack = await startStack();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await stack?.close();
});

test("the Streams tab: an empty server lists no streams", async () => {
  a = await dashboard(stack.web, "?view=streams");
  await connected(a);
  await a.locator('#tab-streams[aria-selected="true"]').waitFor();
  await a.locator("#streams-side").waitFor();
  assert.equal(await a.locator("#kv-main").isHidden(), true);
  await a.locator("#no-streams").waitFor();
  await a.locator("#no-stream").waitFor();
  // The second connection in the same page publishes and checks what the server holds.
  await p(async (url) => {
    const m = await import("/js/index.js");
    window.pub = await m.connect({ servers: url });
    window.pjs = m.jetstream(pub);
    window.pjsm = await m.jetstreamManager(pub);
  }, stack.server.wsUrl);
});

test("creates a stream through the form and lists it", async () => {
  await a.locator("#new-stream-btn").click();
  await a.locator("#stream-name-input").fill("bad.name");
  await a.locator("#stream-error", { hasText: "cannot contain" }).waitFor();
  await a.locator("#stream-name-input").fill(NAME);
  await a.locator("#stream-subjects").fill("ORDERS.*, ORDERS.archive.>");
  await a.locator('#stream-form label:has(input[value="memory"])').click();
  await a.locator("#stream-retention").selectOption("limits");
  await a.locator("#stream-max-msgs").fill("1000");
  await a.locator("#stream-max-age").fill("2");
  await a.locator("#stream-max-age-unit").selectOption({ label: "h" });
  await a.locator("#stream-description").fill("Orders from the shop");
  await shot(a, "new-stream");
  await a.locator("#stream-create").click();
  await a.locator(`.stream-item[data-stream="${NAME}"][aria-current="true"]`).waitFor();
  await a.locator("#stream-form").waitFor({ state: "hidden" });
  assert.equal(await a.locator("#stream-title").textContent(), NAME);
  await waitText(a, statSel("messages"), "0");
  await a.locator("#stream-config", { hasText: "ORDERS.archive.>" }).waitFor();
  await a.locator("#message .msg-note", { hasText: "no messages yet" }).waitFor();
  const cfg = await p(async (n) => (await pjsm.streams.info(n)).config, NAME);
  assert.deepEqual(
    { subjects: cfg.subjects, storage: cfg.storage, retention: cfg.retention, max_msgs: cfg.max_msgs, max_age: cfg.max_age, description: cfg.description },
    { subjects: ["ORDERS.*", "ORDERS.archive.>"], storage: "memory", retention: "limits", max_msgs: 1000, max_age: 2 * 3600 * 1e9, description: "Orders from the shop" });

  // A stream made by someone else shows up by itself, and goes when deleted.
  await p(() => pjsm.streams.add({ name: "ELSEWHERE", subjects: ["elsewhere.>"], storage: "memory" }));
  await item(a, "ELSEWHERE").waitFor();
  await p(() => pjsm.streams.delete("ELSEWHERE"));
  await item(a, "ELSEWHERE").waitFor({ state: "detached" });
});

const ORDER = (id) => ({ id, customer: "ada", items: [{ sku: "sku-kbd", qty: 1 }], total: 59 + id });

test("messages published by a second connection update the counts live", async () => {
  await p(async (orders) => {
    for (const o of orders) await pjs.publish("ORDERS.created", JSON.stringify(o), { msgID: `o-${o.id}`, headers: { "Order-Id": String(o.id), "Trace-Id": ["t1", "t2"] } });
    await pjs.publish("ORDERS.shipped", JSON.stringify({ id: 2, carrier: "dhl" }));
    await pjs.publish("ORDERS.created", "plain text, not JSON");
  }, [ORDER(1), ORDER(2), ORDER(3)]);
  await waitText(a, statSel("messages"), "5");
  await a.waitForFunction((n) => document.querySelector(`.stream-item[data-stream="${n}"]`)?.dataset.messages === "5", NAME);
  await item(a, NAME).locator(".count-msgs", { hasText: "5 msgs" }).waitFor();
  await waitText(a, statSel("last"), "5");
  await waitText(a, statSel("subjects"), "2");
  // Per-subject counts, and the browser follows the newest message.
  await a.locator('.subject-chip[data-subject="ORDERS.created"]', { hasText: "4" }).waitFor();
  await a.locator('#message[data-seq="5"]').waitFor();
  await a.locator("#message .msg-section", { hasText: "plain text, not JSON" }).waitFor();
  await a.locator("#message .no-headers").waitFor();
  // One more: the list and the stats follow without a click.
  await p(() => pjs.publish("ORDERS.created", JSON.stringify({ id: 4, customer: "grace", total: 12 }), { headers: { "Order-Id": "4" } }));
  await waitText(a, statSel("messages"), "6");
  await item(a, NAME).locator(".count-msgs", { hasText: "6 msgs" }).waitFor();
  await a.locator('#message[data-seq="6"]').waitFor();
  await shot(a, "live");
});

test("browses messages: by sequence, prev/next over a deleted one, subject filter; headers and pretty JSON", async () => {
  await a.locator("#msg-seq").fill("2");
  await a.locator("#msg-go").click();
  await a.locator('#message[data-seq="2"]').waitFor();
  assert.equal(await a.locator("#msg-follow").isChecked(), false, "choosing a message stops following the newest");
  assert.equal(await a.locator("#message .msg-subject").textContent(), "ORDERS.created");
  const headers = await a.locator("#message table.headers tr").evaluateAll((rows) => rows.map((r) => [r.cells[0].textContent, r.cells[1].textContent]));
  assert.deepEqual(headers.filter(([k]) => k !== "Nats-Msg-Id"), [["Order-Id", "2"], ["Trace-Id", "t1"], ["Trace-Id", "t2"]]);
  assert.deepEqual(headers.find(([k]) => k === "Nats-Msg-Id"), ["Nats-Msg-Id", "o-2"]);
  assert.equal((await a.locator("#message pre.payload").innerText()).trim(), pretty(ORDER(2)), "JSON pretty-printed");
  assert.equal(await a.locator("#message pre.payload .j-key").first().textContent(), '"id"', "and highlighted");
  await a.locator("#message .kind-tag", { hasText: "JSON" }).waitFor();
  await shot(a, "message");

  await a.locator("#msg-next").click();
  await a.locator('#message[data-seq="3"]').waitFor();
  await a.locator("#msg-prev").click();
  await a.locator('#message[data-seq="2"]').waitFor();
  await a.locator("#msg-first").click();
  await a.locator('#message[data-seq="1"]').waitFor();
  assert.equal(await a.locator("#msg-prev").isDisabled(), true);
  // A deleted message is stepped over; asked for by number, it is said to be gone.
  await p((n) => pjsm.streams.deleteMessage(n, 2), NAME);
  await a.locator("#msg-next").click();
  await a.locator('#message[data-seq="3"]').waitFor();
  await a.locator("#msg-prev").click();
  await a.locator('#message[data-seq="1"]').waitFor();
  await a.locator("#msg-seq").fill("2");
  await a.locator("#msg-go").click();
  await a.locator("#message .msg-note", { hasText: "No message at sequence 2" }).waitFor();
  await a.locator("#msg-seq").fill("99");
  await a.locator("#msg-go").click();
  await a.locator("#message .msg-note", { hasText: "the last is 6" }).waitFor();

  // Subject filter: the newest on a subject (getMessage({ last_by_subj })); prev/next keep to the filter.
  await a.locator("#msg-subject").fill("ORDERS.shipped");
  await a.locator("#msg-last-subject").click();
  await a.locator('#message[data-seq="4"]').waitFor();
  assert.equal((await a.locator("#message pre.payload").innerText()).trim(), pretty({ id: 2, carrier: "dhl" }));
  await a.locator("#msg-subject").fill("ORDERS.created");
  await a.locator("#msg-last-subject").click();
  await a.locator('#message[data-seq="6"]').waitFor();
  await a.locator("#msg-prev").click();
  await a.locator('#message[data-seq="5"]').waitFor();
  await a.locator("#msg-prev").click();
  await a.locator('#message[data-seq="3"]').waitFor(); // 4 is ORDERS.shipped, 2 deleted
  await a.locator("#msg-subject").fill("ORDERS.*");
  await a.locator("#msg-next").click();
  await a.locator('#message[data-seq="4"]').waitFor();
  await a.locator("#msg-subject").fill("ORDERS.nothing");
  await a.locator("#msg-last-subject").click();
  await a.locator("#message .msg-note", { hasText: "No message on ORDERS.nothing" }).waitFor();
  // A chip of the per-subject counts jumps to that subject's newest message.
  await a.locator('.subject-chip[data-subject="ORDERS.shipped"]').click();
  await a.locator('#message[data-seq="4"]').waitFor();
  assert.equal(await a.locator("#msg-subject").inputValue(), "ORDERS.shipped");
  await a.locator("#msg-subject").fill("");
});

test("creates a durable consumer through the form; its counters update live", async () => {
  await a.locator("#no-consumers", { hasText: "No consumers yet" }).waitFor();
  await a.locator("#new-consumer-btn").click();
  await a.locator("#consumer-name").fill("review");
  await a.locator("#consumer-filter").fill("ORDERS.created");
  await a.locator("#consumer-ack").selectOption("explicit");
  await a.locator("#consumer-deliver").selectOption("all");
  await shot(a, "new-consumer");
  await a.locator("#consumer-create").click();
  await consumerRow(a, "review").waitFor();
  await a.locator("#consumer-form").waitFor({ state: "hidden" });
  // ORDERS.created holds seq 1, 3, 5, 6 (2 was deleted).
  await waitText(a, counterSel("review", "num_pending"), "4");
  for (const f of ["num_ack_pending", "num_redelivered", "num_waiting", "ack_floor"]) assert.equal((await a.locator(counterSel("review", f)).textContent()).trim(), "0", f);
  await consumerRow(a, "review").locator(".subject", { hasText: "ORDERS.created" }).waitFor();
  await waitText(a, statSel("consumers"), "1");
  const ci = await p(async (n) => (await pjsm.consumers.info(n, "review")).config, NAME);
  assert.deepEqual({ durable_name: ci.durable_name, filter_subject: ci.filter_subject, ack_policy: ci.ack_policy, deliver_policy: ci.deliver_policy },
    { durable_name: "review", filter_subject: "ORDERS.created", ack_policy: "explicit", deliver_policy: "all" });

  // A new order: pending follows. Then one is pulled (a raw pull request) and acked: ack pending, then the
  // ack floor, follow.
  await p(() => pjs.publish("ORDERS.created", JSON.stringify({ id: 7 })));
  await waitText(a, counterSel("review", "num_pending"), "5");
  // (Not pub.request(): the message comes back on its own subject, which a muxed request inbox cannot match.)
  const ackSubject = await p(async (n) => {
    const got = new Promise((resolve) => pub.subscribe("_PULL.review", { max: 1, callback: (err, m) => resolve(m) }));
    pub.publish(`$JS.API.CONSUMER.MSG.NEXT.${n}.review`, JSON.stringify({ batch: 1, expires: 5e9 }), { reply: "_PULL.review" });
    window.pulled = await got;
    return pulled.reply;
  }, NAME);
  assert.match(ackSubject, /^\$JS\.ACK\.ORDERS\.review\./);
  await waitText(a, counterSel("review", "num_ack_pending"), "1");
  await waitText(a, counterSel("review", "num_pending"), "4");
  await shot(a, "consumers");
  await p(() => { pulled.respond("+ACK"); return pub.flush(); });
  await waitText(a, counterSel("review", "num_ack_pending"), "0");
  await waitText(a, counterSel("review", "ack_floor"), "1");
});

test("the server's errors are shown in the forms (STREAM_EXISTS, overlapping subjects, CONSUMER_EXISTS, a bad policy)", async () => {
  await a.locator("#new-stream-btn").click();
  await a.locator("#stream-name-input").fill(NAME);
  await a.locator("#stream-subjects").fill("OTHER.*");
  await a.locator("#stream-create").click();
  await a.locator("#stream-error .err-code", { hasText: "STREAM_EXISTS" }).waitFor();
  const text = await a.locator("#stream-error").textContent();
  assert.match(text, /^STREAM_EXISTS .+/, "the code, then the message");
  assert.deepEqual(await p(async (n) => (await pjsm.streams.info(n)).config.subjects, NAME), ["ORDERS.*", "ORDERS.archive.>"], "nothing changed");
  await shot(a, "stream-exists");
  await a.locator("#stream-name-input").fill("OVERLAP");
  await a.locator("#stream-subjects").fill("ORDERS.created");
  await a.locator("#stream-create").click();
  await a.locator("#stream-error", { hasText: "subjects overlap with an existing stream" }).waitFor();
  assert.equal(await a.locator("#stream-error .err-code").textContent(), "JETSTREAM_API");
  assert.equal(await pageErr(() => pjsm.streams.info("OVERLAP")), "STREAM_NOT_FOUND");
  await a.locator("#stream-cancel").click();
  await a.locator("#stream-form").waitFor({ state: "hidden" });

  await a.locator("#new-consumer-btn").click();
  await a.locator("#consumer-name").fill("review");
  await a.locator("#consumer-filter").fill("ORDERS.shipped");
  await a.locator("#consumer-create").click();
  await a.locator("#consumer-error .err-code", { hasText: "CONSUMER_EXISTS" }).waitFor();
  // "Last per subject" without a filter: the server's own words.
  await a.locator("#consumer-name").fill("stray");
  await a.locator("#consumer-filter").fill("");
  await a.locator("#consumer-deliver").selectOption("last_per_subject");
  await a.locator("#consumer-create").click();
  await a.locator("#consumer-error", { hasText: "filter subject is not set" }).waitFor();
  assert.equal(await a.locator("#consumer-error .err-code").textContent(), "JETSTREAM_API");
  await shot(a, "consumer-error");
  await a.locator("#consumer-cancel").click();
  assert.equal(await pageErr((n) => pjsm.consumers.info(n, "stray"), NAME), "CONSUMER_NOT_FOUND");
});

test("polls only while the Streams view is shown and the tab visible", async () => {
  const polls = () => a.evaluate(() => Number(document.querySelector("#streams-side").dataset.polls));
  await a.locator("#tab-kv").click();
  await a.locator('#streams-side[data-polling="off"]').waitFor({ state: "attached" });
  const before = await polls();
  // An observation window, not a synchronisation: nothing may happen in it.
  await new Promise((r) => setTimeout(r, 2500));
  assert.equal(await polls(), before, "no poll while the KV view is shown");
  await a.locator("#tab-streams").click();
  await a.waitForFunction((n) => Number(document.querySelector("#streams-side").dataset.polls) > n, before);
  await a.locator('#streams-side[data-polling="on"]').waitFor();
  // A hidden tab stops polling; shown again, it polls at once.
  const setVisibility = (state) => a.evaluate((s) => {
    Object.defineProperty(document, "visibilityState", { value: s, configurable: true });
    document.dispatchEvent(new Event("visibilitychange"));
  }, state);
  await setVisibility("hidden");
  await a.locator('#streams-side[data-polling="off"]').waitFor({ state: "attached" });
  const hidden = await polls();
  await p(() => pjs.publish("ORDERS.created", JSON.stringify({ id: 8 })));
  await new Promise((r) => setTimeout(r, 2500));
  assert.equal(await polls(), hidden, "no poll while the tab is hidden");
  await setVisibility("visible");
  await waitText(a, counterSel("review", "num_pending"), "5");
  assert.ok(await polls() > hidden);
});

test("deletes a consumer and then the stream, each after a confirm", async () => {
  await consumerRow(a, "review").locator('[data-action="delete"]').click();
  await consumerRow(a, "review").locator('[data-action="cancel-delete"]').click();
  await consumerRow(a, "review").locator('[data-action="delete"]').click();
  await consumerRow(a, "review").locator('[data-action="confirm-delete"]').click();
  await consumerRow(a, "review").waitFor({ state: "detached" });
  assert.equal(await pageErr((n) => pjsm.consumers.info(n, "review"), NAME), "CONSUMER_NOT_FOUND");
  await a.locator("#no-consumers", { hasText: "No consumers yet" }).waitFor();

  await a.locator("#delete-stream-btn").click();
  await a.locator("#delete-stream-confirm", { hasText: `Delete stream ${NAME}, its 7 messages` }).waitFor();
  await shot(a, "delete-confirm");
  await a.locator("#delete-stream-cancel").click();
  await a.locator("#delete-stream-confirm").waitFor({ state: "hidden" });
  assert.equal(await p(async (n) => (await pjsm.streams.info(n)).config.name, NAME), NAME, "cancel keeps it");
  await a.locator("#delete-stream-btn").click();
  await a.locator("#delete-stream-yes").click();
  await item(a, NAME).waitFor({ state: "detached" });
  await a.locator("#no-stream").waitFor();
  await a.locator("#no-streams").waitFor();
  assert.equal(await pageErr((n) => pjsm.streams.info(n), NAME), "STREAM_NOT_FOUND");
});

test("survives a server restart: no polls while offline, live counts again after", async () => {
  await p(() => pjsm.streams.add({ name: "EVENTS", subjects: ["events.>"], storage: "file" }));
  await item(a, "EVENTS").click();
  await a.locator('.stream-item[data-stream="EVENTS"][aria-current="true"]').waitFor();
  await p(async () => { for (let i = 0; i < 3; i++) await pjs.publish("events.x", `e${i}`); });
  await waitText(a, statSel("messages"), "3");
  await stack.server.stop();
  await a.locator('#state[data-state="disconnected"], #state[data-state="reconnecting"]').first().waitFor({ timeout: 15000 });
  await a.locator('#streams-side[data-polling="off"]').waitFor({ state: "attached" });
  await a.locator("#streams-live", { hasText: "offline" }).waitFor();
  await shot(a, "offline");
  await stack.server.start();
  await connected(a, 30000);
  await a.locator('#streams-side[data-polling="on"]').waitFor({ state: "attached" });
  // The second connection comes back on its own schedule: its first publish is retried until it is.
  await p(async () => {
    for (let i = 0; ; i++) {
      try { await pjs.publish("events.y", "after"); break; } catch (e) { if (i > 50) throw e; await new Promise((r) => setTimeout(r, 200)); }
    }
    await pjs.publish("events.y", JSON.stringify({ after: "restart" }));
  });
  await waitText(a, statSel("messages"), "5");
  await item(a, "EVENTS").locator(".count-msgs", { hasText: "5 msgs" }).waitFor();
  await a.locator('#message[data-seq="5"]').waitFor();
  await p(() => pub.close());
});

test("the demo: the feeder grows ORDERS, order-review's ack floor advances, and the dashboard opens on it", async () => {
  const server = await startNatsServer();
  const demo = await startDemo(server.natsUrl, { orderEvery: 150, configEvery: 200, reviewEvery: 200 });
  const web = await serveStatic(ROOT, { extra: { "/config.json": { servers: [server.wsUrl], open: DEMO_OPEN } } });
  const nc = await connectTcp(server.natsUrl);
  try {
    const jsm = await njsJetstreamManager(nc);
    const kv = await new NjsKvm(nc).open(BUCKET);
    /** Polls `read` until `ok(value)`; a condition with a deadline, not a sleep. */
    const until = async (read, ok, what, ms = 20000) => {
      const end = Date.now() + ms;
      for (let v; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) if (ok((v = await read()))) return v;
      throw new Error(`timed out: ${what}`);
    };
    const si0 = await jsm.streams.info(STREAM);
    const ci0 = await jsm.consumers.info(STREAM, CONSUMER);
    assert.deepEqual(si0.config.subjects, [`${STREAM}.*`]);
    assert.equal(ci0.config.ack_policy, "explicit");
    assert.equal(ci0.config.filter_subject, `${STREAM}.created`);
    await until(() => jsm.streams.info(STREAM), (si) => si.state.messages >= si0.state.messages + 5, "ORDERS grows");
    const ci = await until(() => jsm.consumers.info(STREAM, CONSUMER), (c) => c.ack_floor.stream_seq > ci0.ack_floor.stream_seq && c.ack_floor.stream_seq >= 3, "the ack floor advances");
    const approved = await until(() => jsm.streams.info(STREAM, { subjects_filter: `${STREAM}.approved` }), (si) => (si.state.subjects?.[`${STREAM}.approved`] ?? 0) >= 1, "orders approved");
    assert.ok(approved.state.subjects[`${STREAM}.approved`] >= 1);
    assert.ok(ci.delivered.stream_seq >= ci.ack_floor.stream_seq);
    const created = await jsm.streams.getMessage(STREAM, { last_by_subj: `${STREAM}.created` });
    assert.equal(created.header.get("Content-Type"), "application/json");
    assert.equal(created.json().id, Number(created.header.get("Order-Id")));
    const rev0 = (await kv.status()).values;
    await until(() => kv.status(), (st) => st.values > rev0, "config keys change");

    // The dashboard on the demo server: nothing to type, it opens on ORDERS and moves.
    const d = await dashboard(web);
    await connected(d);
    await d.locator('#tab-streams[aria-selected="true"]').waitFor();
    await d.locator(`.stream-item[data-stream="${STREAM}"][aria-current="true"]`).waitFor();
    await consumerRow(d, CONSUMER).waitFor();
    const floor = Number((await d.locator(counterSel(CONSUMER, "ack_floor")).textContent()).replace(/\s/g, ""));
    await waitNumberAbove(d, counterSel(CONSUMER, "ack_floor"), floor);
    const msgs = Number((await d.locator(statSel("messages")).textContent()).replace(/\s/g, ""));
    await waitNumberAbove(d, statSel("messages"), msgs);
    await d.locator("#message[data-seq] .msg-subject").waitFor();
    await shot(d, "demo");
    // The KV view has the demo's bucket open, its keys changing.
    await d.locator("#tab-kv").click();
    await d.locator(`[data-bucket="${BUCKET}"][aria-current="true"]`).waitFor();
    await d.locator('tr[data-key="ui.theme"]').waitFor();
    assert.equal(await d.locator("#count").textContent(), "5 keys");
    await d.close();
  } finally {
    await nc.close();
    await demo.stop();
    assert.ok(demo.stats.published > 0 && demo.stats.reviewed > 0 && demo.stats.configWrites > 0, JSON.stringify(demo.stats));
    await web.close();
    await server.dispose();
  }
});

test("the browser's subject filter follows NATS wildcards", async () => {
  const page = await dashboard(stack.web, "blank");
  const got = await page.evaluate(async () => {
    const { subjectMatches: m } = await import("/www/streams.js");
    return [m("", "a.b"), m("a.b", "a.b"), m("a.b", "a.c"), m("a.*", "a.b"), m("a.*", "a.b.c"), m("a.>", "a.b.c"), m("a.>", "a"),
      m("*.b", "a.b"), m(">", "x"), m("a.*.c", "a.b.c"), m("a.*.c", "a.b.d"), m("a.b", "a")];
  });
  assert.deepEqual(got, [true, true, false, true, false, true, false, true, true, true, false, false]);
  await page.close();
});

test("no page errors", () => {
  assert.deepEqual(pageErrors.map(String), []);
});
