// The dashboard (www/) in Chromium against a real nats-server: create a bucket, add/edit/delete keys,
// live updates in a second page, CAS conflicts resolved by retry and by overwrite, history, filter,
// a server restart, the remembered server, and the connect form with token auth.
// The tests run in order and share the pages; screenshots go to test-results/dashboard-*.png.
// engines: chromium — drives the dashboard UI with Playwright locators (fill, click, selectOption, :has(), hasText)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { launchBrowser, startStack, modulePage, ARTIFACTS } from "./helpers.mjs";
import { startNatsServer } from "../../scripts/lib/nats-server.mjs";
import { tokenSetup } from "../../scripts/lib/auth-fixtures.mjs";

let stack, browser, a, b, writer, authServer;
const pageErrors = [];
const BUCKET = "settings";

async function dashboard(path = "") {
  const page = await browser.newPage({ viewport: { width: 1360, height: 860 } });
  page.on("pageerror", (e) => pageErrors.push(e));
  await page.goto(stack.web.url + path);
  return page;
}
const shot = (page, name) => page.screenshot({ path: join(ARTIFACTS, `dashboard-${name}.png`), animations: "disabled" });
const row = (page, key) => page.locator(`tr[data-key="${key}"]`);
const connected = (page, timeout = 15000) => page.locator('#state[data-state="connected"]').waitFor({ timeout });
const pretty = (v) => JSON.stringify(v, null, 2);

/** Waits until the value cell of `key` shows exactly `text`. */
function waitValue(page, key, text, timeout = 10000) {
  return page.waitForFunction(([k, t]) => {
    const cell = document.querySelector(`tr[data-key="${CSS.escape(k)}"]:not(.editing) td.value`);
    return cell && cell.innerText.trim() === t;
  }, [key, text], { timeout });
}
const cellText = async (page, key, cls) => (await row(page, key).locator(`td.${cls}`).innerText()).trim();
/** The writer page: a separate connection that reads and writes the bucket directly. */
const w = (fn, arg) => writer.evaluate(fn, arg);

before(async () => {
  stack = await startStack();
  browser = await launchBrowser();
  writer = await modulePage(browser, stack.web);
  await writer.evaluate(async (url) => {
    const nc = await nats.connect({ servers: url, reconnectTimeWait: 200, maxReconnectAttempts: -1 });
    window.nc = nc;
    window.kvm = new nats.Kvm(nc);
  }, stack.server.wsUrl);
});
after(async () => {
  await browser?.close();
  await authServer?.dispose();
  await stack?.close();
});

test("connects to the server /config.json names and remembers it", async () => {
  a = await dashboard();
  await connected(a);
  assert.equal(await a.locator("#state").textContent(), "connected");
  assert.equal(await a.locator("#server").textContent(), stack.server.wsUrl);
  assert.equal(await a.locator("#jetstream").textContent(), "enabled");
  assert.match(await a.locator("#version").textContent(), /^\d+\.\d+\.\d+/);
  assert.equal(await a.evaluate(() => localStorage.getItem("nats-kv-dashboard.server")), stack.server.wsUrl);
  await a.locator("#no-buckets").waitFor();
});

test("creates buckets with history, TTL and storage", async () => {
  await a.locator("#new-bucket-btn").click();
  await a.locator("#bucket-name-input").fill("sessions");
  await a.locator("#bucket-history").fill("1");
  await a.locator("#bucket-ttl").fill("2");
  await a.locator("#bucket-ttl-unit").selectOption({ label: "h" });
  await a.locator('#bucket-form label:has(input[value="memory"])').click();
  await a.locator("#bucket-create").click();
  await a.locator('[data-bucket="sessions"][aria-current="true"]').waitFor();

  await a.locator("#new-bucket-btn").click();
  await a.locator("#bucket-name-input").fill(BUCKET);
  await a.locator("#bucket-history").fill("5");
  await a.locator("#bucket-description").fill("Service settings");
  await shot(a, "new-bucket");
  await a.locator("#bucket-create").click();
  await a.locator(`[data-bucket="${BUCKET}"][aria-current="true"]`).waitFor();
  assert.equal(await a.locator("#bucket-title").textContent(), BUCKET);
  await a.locator("#no-keys", { hasText: "empty" }).waitFor();
  await a.locator("#bucket-meta", { hasText: "history5" }).waitFor();

  const st = await w(async () => {
    const s1 = await (await kvm.open("sessions")).status();
    window.kv = await kvm.open("settings");
    const s2 = await kv.status();
    return [s1, s2].map((s) => ({ history: s.history, ttl: s.ttl, storage: s.storage, description: s.description }));
  });
  assert.deepEqual(st, [
    { history: 1, ttl: 2 * 3600 * 1000, storage: "memory", description: "" },
    { history: 5, ttl: 0, storage: "file", description: "Service settings" },
  ]);
  // A bucket name that exists is refused in the form.
  await a.locator("#new-bucket-btn").click();
  await a.locator("#bucket-name-input").fill(BUCKET);
  await a.locator("#bucket-create").click();
  await a.locator("#bucket-error", { hasText: "exists already" }).waitFor();
  await a.locator("#bucket-cancel").click();
});

test("adds keys (JSON validated first) and a second page shows them", async () => {
  await a.locator("#add-key-btn").click();
  await a.locator("#new-key").fill("app.limits");
  await a.locator('#add-key-form label:has(input[value="json"])').click();
  await a.locator("#new-value").fill('{"max": 10,}');
  await a.locator("#add-key-error", { hasText: "Invalid JSON" }).waitFor();
  await a.locator("#add-key-save").click();
  await a.locator("#add-key-error", { hasText: "Invalid JSON" }).waitFor();
  assert.equal(await w(async () => kv.get("app.limits")), null, "nothing written for invalid JSON");
  await a.locator("#new-value").fill('{"max": 10, "burst": 20}');
  await a.locator("#add-key-save").click();
  await waitValue(a, "app.limits", pretty({ max: 10, burst: 20 }));
  assert.equal(await cellText(a, "app.limits", "rev"), "1");

  await a.locator("#add-key-btn").click();
  await a.locator("#new-key").fill("app.name");
  await a.locator("#new-value").fill("demo");
  await a.locator("#add-key-save").click();
  await waitValue(a, "app.name", "demo");
  // Creating a key that exists is refused (kv.create → KEY_EXISTS).
  await a.locator("#add-key-btn").click();
  await a.locator("#new-key").fill("app.name");
  await a.locator("#new-value").fill("other");
  await a.locator("#add-key-save").click();
  await a.locator("#add-key-error", { hasText: "exists already" }).waitFor();
  await a.locator("#add-key-cancel").click();

  b = await dashboard();
  await connected(b);
  await b.locator(`[data-bucket="${BUCKET}"]`).click();
  await waitValue(b, "app.name", "demo");
  await waitValue(b, "app.limits", pretty({ max: 10, burst: 20 }));
  assert.equal(await b.locator("#count").textContent(), "2 keys");
  // A key written elsewhere shows up live in both pages.
  await w(() => kv.put("feature.dark-mode", "on"));
  await waitValue(a, "feature.dark-mode", "on");
  await waitValue(b, "feature.dark-mode", "on");
  await shot(a, "bucket");
});

test("an inline edit saves with update() at the shown revision and the other page follows live", async () => {
  await row(a, "app.name").locator('[data-action="edit"]').click();
  const ta = row(a, "app.name").locator("textarea");
  assert.equal(await ta.inputValue(), "demo");
  await ta.fill("demo v2");
  await row(a, "app.name").locator('[data-action="save"]').click();
  await waitValue(a, "app.name", "demo v2");
  await waitValue(b, "app.name", "demo v2");
  const e = await w(async () => { const e = await kv.get("app.name"); return [e.string(), e.revision]; });
  assert.deepEqual(e, ["demo v2", 4]);
  assert.equal(await cellText(b, "app.name", "rev"), "4");

  // JSON is validated before save: Save is disabled and the error shown; Escape leaves the value.
  await row(a, "app.limits").locator('[data-action="edit"]').click();
  const jta = row(a, "app.limits").locator("textarea");
  assert.equal(await jta.inputValue(), pretty({ max: 10, burst: 20 }), "JSON is edited pretty-printed");
  await jta.fill('{ "max": 11, }');
  await row(a, "app.limits").locator(".editor-error", { hasText: "Invalid JSON" }).waitFor();
  assert.ok(await row(a, "app.limits").locator('[data-action="save"]').isDisabled());
  await shot(a, "edit-invalid-json");
  await jta.press("Escape");
  await waitValue(a, "app.limits", pretty({ max: 10, burst: 20 }));
});

test("a CAS conflict shows the newer value; retry saves on top of it", async () => {
  await row(a, "app.limits").locator('[data-action="edit"]').click();
  await row(a, "app.limits").locator("textarea").fill(pretty({ max: 50, burst: 20 }));
  // Meanwhile page B edits and saves the same key.
  await row(b, "app.limits").locator('[data-action="edit"]').click();
  await row(b, "app.limits").locator("textarea").fill(pretty({ max: 10, burst: 99 }));
  await row(b, "app.limits").locator('[data-action="save"]').click();
  await waitValue(b, "app.limits", pretty({ max: 10, burst: 99 }));
  const bRev = await w(async () => (await kv.get("app.limits")).revision);
  // A is told while still editing, then saves at its old revision: WRONG_LAST_REVISION.
  await row(a, "app.limits").locator(".editor-notice", { hasText: `revision ${bRev}` }).waitFor();
  await row(a, "app.limits").locator('[data-action="save"]').click();
  const conflict = row(a, "app.limits").locator(".conflict");
  await conflict.waitFor();
  assert.equal((await conflict.locator(".theirs pre").innerText()).trim(), pretty({ max: 10, burst: 99 }));
  assert.equal((await conflict.locator(".mine pre").innerText()).trim(), pretty({ max: 50, burst: 20 }));
  await conflict.locator(".side-label", { hasText: `revision ${bRev}` }).waitFor();
  await shot(a, "conflict");
  await conflict.locator('[data-action="retry"]').click();
  await waitValue(a, "app.limits", pretty({ max: 50, burst: 20 }));
  await waitValue(b, "app.limits", pretty({ max: 50, burst: 20 }));
  const after = await w(async () => { const e = await kv.get("app.limits"); return [e.json(), e.revision]; });
  assert.deepEqual(after, [{ max: 50, burst: 20 }, bRev + 1], "saved by update() on top of B's revision");
});

test("a CAS conflict resolved by overwrite (put)", async () => {
  await row(a, "app.name").locator('[data-action="edit"]').click();
  await row(a, "app.name").locator("textarea").fill("from A");
  const wRev = await w(() => kv.put("app.name", "from another connection"));
  await row(a, "app.name").locator(".editor-notice", { hasText: `revision ${wRev}` }).waitFor();
  await row(a, "app.name").locator("textarea").press("Control+Enter");
  const conflict = row(a, "app.name").locator(".conflict");
  await conflict.waitFor();
  assert.equal((await conflict.locator(".theirs pre").innerText()).trim(), "from another connection");
  await conflict.locator('[data-action="overwrite"]').click();
  await waitValue(a, "app.name", "from A");
  await waitValue(b, "app.name", "from A");
  const e = await w(async () => { const e = await kv.get("app.name"); return [e.string(), e.revision]; });
  assert.deepEqual(e, ["from A", wRev + 1]);
});

test("the history drawer lists every revision of a key and restores an old one", async () => {
  await row(a, "app.name").locator('[data-action="history"]').click();
  const items = a.locator("#history-list .history-item");
  await items.first().waitFor();
  const revs = await items.evaluateAll((els) => els.map((el) => [Number(el.dataset.revision), el.querySelector(".val, .val-empty").innerText.trim()]));
  const hist = await w(async () => (await kv.history({ key: "app.name" })).map((e) => [e.revision, e.string()]).reverse());
  assert.deepEqual(revs, hist);
  assert.deepEqual(revs.map((r) => r[1]), ["from A", "from another connection", "demo v2", "demo"]);
  await items.first().locator(".current").waitFor();
  await shot(a, "history");
  // Restore the first value: written again as the newest revision; the drawer follows.
  await items.last().locator('[data-action="restore"]').click();
  await waitValue(a, "app.name", "demo");
  await a.waitForFunction(() => document.querySelectorAll("#history-list .history-item").length === 5);
  await a.locator("#drawer-close").click();
  await a.locator("#drawer.open").waitFor({ state: "detached" });
});

test("the filter box narrows the table", async () => {
  await a.locator("#filter").fill("APP.");
  await a.waitForFunction(() => document.querySelectorAll("#keys tbody tr").length === 2);
  assert.equal(await a.locator("#count").textContent(), "2 of 3 keys");
  await a.locator("#filter").fill("nothing-like-this");
  await a.locator("#no-keys", { hasText: "No key matches" }).waitFor();
  await a.locator("#filter").fill("");
  await a.waitForFunction(() => document.querySelectorAll("#keys tbody tr").length === 3);
});

test("deletes a key; it disappears in both pages", async () => {
  await row(a, "feature.dark-mode").locator('[data-action="delete"]').click();
  await row(a, "feature.dark-mode").locator('[data-action="confirm-delete"]').click();
  await row(a, "feature.dark-mode").waitFor({ state: "detached" });
  await row(b, "feature.dark-mode").waitFor({ state: "detached" });
  assert.equal(await w(() => kv.get("feature.dark-mode")), null);
  assert.equal(await a.locator("#count").textContent(), "2 keys");
});

test("survives a server restart: the indicator goes red, then green, and the table is live again", async () => {
  await stack.server.stop();
  for (const p of [a, b]) {
    await p.locator('#state[data-state="disconnected"], #state[data-state="reconnecting"]').first().waitFor({ timeout: 15000 });
    await p.locator("#banner").waitFor();
  }
  const red = await a.evaluate(() => getComputedStyle(document.getElementById("state")).color);
  assert.equal(red, "rgb(240, 90, 95)");
  await shot(a, "offline");
  await stack.server.start();
  await connected(a, 30000);
  await connected(b, 30000);
  const green = await a.evaluate(() => getComputedStyle(document.getElementById("state")).color);
  assert.equal(green, "rgb(47, 191, 113)");
  await a.locator("#banner").waitFor({ state: "hidden" });
  // Written by another connection after the restart: both tables follow.
  await w(async () => { await nc.flush(); await kv.put("app.limits", JSON.stringify({ max: 70 })); });
  await waitValue(a, "app.limits", pretty({ max: 70 }), 20000);
  await waitValue(b, "app.limits", pretty({ max: 70 }), 20000);
  // And the page writes again.
  await row(b, "app.name").locator('[data-action="edit"]').click();
  await row(b, "app.name").locator("textarea").fill("after restart");
  await row(b, "app.name").locator('[data-action="save"]').click();
  await waitValue(a, "app.name", "after restart");
  await shot(a, "reconnected");
});

test("a reload reconnects to the remembered server and bucket; a stale one falls back to /config.json", async () => {
  await a.reload();
  await connected(a);
  await a.locator(`[data-bucket="${BUCKET}"][aria-current="true"]`).waitFor();
  await waitValue(a, "app.name", "after restart");
  await a.evaluate(() => localStorage.setItem("nats-kv-dashboard.server", "ws://127.0.0.1:1"));
  await a.reload();
  await connected(a);
  assert.equal(await a.locator("#server").textContent(), stack.server.wsUrl);
  await waitValue(a, "app.name", "after restart");
});

test("the connect form: token auth, wrong token refused, right token connects", async () => {
  authServer = await startNatsServer({ extraConfig: tokenSetup("s3cret-t0ken") });
  const c = await dashboard(`?server=${encodeURIComponent(authServer.wsUrl)}`);
  await c.locator("#connect-panel").waitFor();
  await c.locator("#connect-error", { hasText: "AUTHORIZATION_VIOLATION" }).waitFor();
  assert.equal(await c.locator("#url").inputValue(), authServer.wsUrl);
  await c.locator('#connect-form label:has(input[value="token"])').click();
  await c.locator("#token").fill("wrong");
  await c.locator("#connect-btn").click();
  await c.locator("#connect-error", { hasText: "AUTHORIZATION_VIOLATION" }).waitFor();
  await shot(c, "connect-form");
  await c.locator("#token").fill("s3cret-t0ken");
  await c.locator("#connect-btn").click();
  await connected(c);
  assert.equal(await c.locator("#server").textContent(), authServer.wsUrl);
  await c.locator("#no-buckets").waitFor();
  assert.equal(await c.evaluate(() => [localStorage.getItem("nats-kv-dashboard.auth"), JSON.stringify(localStorage).includes("s3cret")].join()), "token,false",
    "the auth mode is remembered, the token is not");
  // "Change server" goes back to the form, which connects to another server.
  await c.locator("#change-server").click();
  await c.locator("#connect-panel").waitFor();
  await c.locator("#url").fill(stack.server.wsUrl);
  await c.locator('#connect-form label:has(input[value="none"])').click();
  await c.locator("#connect-btn").click();
  await connected(c);
  await c.locator(`[data-bucket="${BUCKET}"]`).waitFor();
  await c.close();
});

test("no page errors", () => {
  assert.deepEqual(pageErrors.map(String), []);
});
