// engines: chromium — drives the dashboard UI with Playwright locators (fill, click, setInputFiles, dispatchEvent with a DataTransfer, waitForEvent("download"))
// The Files view of the dashboard (www/files.js) in Chromium against a real nats-server: create an object store
// through the form, upload a file with the file picker (its progress bar reaches 100 %) and another by drag and
// drop, an object written by a second connection in the page appears live with its description and metadata,
// download it and compare the bytes, a corrupted object's download shows OBJECT_DIGEST_MISMATCH, delete after a
// confirmation, and the errors of the form (INVALID_BUCKET_NAME, BUCKET_EXISTS) and of an upload (a full store);
// and the `npm start` demo's `assets` store (scripts/demo.mjs), open in the Files view with nothing to type.
// The tests run in order and share the page; screenshots go to test-results/dashboard-files-*.png.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { launchBrowser, startStack, ARTIFACTS, ROOT } from "./helpers.mjs";
import { startNatsServer } from "../../scripts/lib/nats-server.mjs";
import { serveStatic } from "../../scripts/lib/static-server.mjs";
import { startDemo, DEMO_OPEN, ASSETS, ASSET_FILES } from "../../scripts/demo.mjs";

let stack, browser, a;
const pageErrors = [];
const STORE = "assets";

async function dashboard(web, path = "") {
  const page = await browser.newPage({ viewport: { width: 1360, height: 1000 }, acceptDownloads: true });
  page.on("pageerror", (e) => pageErrors.push(e));
  await page.goto(web.url + path);
  return page;
}
const shot = (page, name) => page.screenshot({ path: join(ARTIFACTS, `dashboard-files-${name}.png`), animations: "disabled", fullPage: true });
const connected = (page, timeout = 15000) => page.locator('#state[data-state="connected"]').waitFor({ timeout });
const storeItem = (page, name) => page.locator(`.store-item[data-store="${name}"]`);
const objectRow = (page, name) => page.locator(`tr[data-object="${name}"]`);
/** Runs `fn` in the dashboard page, where `pub` is a second connection and `pobjm` its Objm. */
const p = (fn, arg) => a.evaluate(fn, arg);
/** Deterministic bytes: n of them from seed. */
function data(n, seed) {
  const out = Buffer.alloc(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; out[i] = x & 0xff; }
  return out;
}

before(async () => {
  stack = await startStack();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await stack?.close();
});

test("the Files tab: an empty server lists no object stores", async () => {
  a = await dashboard(stack.web, "?view=files");
  await connected(a);
  await a.locator('#tab-files[aria-selected="true"]').waitFor();
  await a.locator('#files-side[data-loaded="true"]').waitFor({ state: "attached" });
  await a.locator("#no-stores").waitFor();
  await a.locator("#no-store").waitFor();
  assert.equal(await a.locator("#kv-main").isHidden(), true);
  assert.equal(await a.locator("#streams-main").isHidden(), true);
  await p(async (url) => {
    const m = await import("/js/index.js");
    window.pub = await m.connect({ servers: url });
    window.pobjm = new m.Objm(pub);
    window.pjsm = await m.jetstreamManager(pub);
  }, stack.server.wsUrl);
});

test("creates a store through the form; the library's and the server's refusals show in the form", async () => {
  await a.locator("#new-store-btn").click();
  // An invalid name: the library's INVALID_BUCKET_NAME, nothing sent.
  await a.locator("#store-name-input").fill("bad.name");
  await a.locator("#store-create").click();
  await a.locator("#store-form-error .err-code", { hasText: "INVALID_BUCKET_NAME" }).waitFor();
  await a.locator("#store-name-input").fill(STORE);
  await a.locator("#store-description").fill("images and models");
  await a.locator('#store-form label:has(input[value="memory"])').click();
  await a.locator("#store-max-bytes").fill("2");
  await a.locator("#store-max-bytes-unit").selectOption({ label: "MB" });
  await shot(a, "new-store");
  await a.locator("#store-create").click();
  await storeItem(a, STORE).and(a.locator('[aria-current="true"]')).waitFor();
  await a.locator("#store-form").waitFor({ state: "hidden" });
  assert.equal(await a.locator("#store-title").textContent(), STORE);
  await a.locator('#objects-wrap[data-ready="true"]').waitFor({ state: "attached" });
  await a.locator("#no-objects", { hasText: "No objects yet" }).waitFor();
  await storeItem(a, STORE).locator(".count-objects", { hasText: "0 objects" }).waitFor();
  await a.locator("#store-description-text", { hasText: "images and models" }).waitFor();
  const st = await p(async (n) => { const s = await (await pobjm.open(n)).status(); return { storage: s.storage, description: s.description, max_bytes: s.streamInfo.config.max_bytes }; }, STORE);
  assert.deepEqual(st, { storage: "memory", description: "images and models", max_bytes: 2 * 1048576 });

  // The same name with another configuration: the server's BUCKET_EXISTS.
  await a.locator("#new-store-btn").click();
  await a.locator("#store-name-input").fill(STORE);
  await a.locator("#store-create").click();
  await a.locator("#store-form-error .err-code", { hasText: "BUCKET_EXISTS" }).waitFor();
  await shot(a, "bucket-exists");
  await a.locator("#store-cancel").click();
  await a.locator("#store-form").waitFor({ state: "hidden" });
});

const REPORT = data(300 * 1024, 7);   // 3 chunks of 128 KiB (the last shorter)

test("uploads a file with the picker: the progress bar reaches 100 % and the object is listed", async () => {
  await a.locator("#upload-description").fill("quarterly report");
  // Every value the bar shows, as onProgress reports each acknowledged chunk (two acks may land in one task:
  // each record's old value, then the last value).
  await p(() => {
    window.progressSeen = [];
    new MutationObserver((ms) => { for (const m of ms) if (m.target.dataset.name === "report.bin" && m.oldValue !== null) progressSeen.push(Number(m.oldValue)); })
      .observe(document.getElementById("uploads"), { subtree: true, attributes: true, attributeOldValue: true, attributeFilter: ["data-done"] });
  });
  await a.locator("#file-input").setInputFiles({ name: "report.bin", mimeType: "application/octet-stream", buffer: REPORT });
  const up = a.locator('.upload[data-name="report.bin"]');
  await up.and(a.locator('[data-state="done"]')).waitFor();
  assert.equal(await up.getAttribute("data-percent"), "100");
  assert.equal(await up.getAttribute("data-done"), String(REPORT.length));
  const seen = [...await p(() => progressSeen), Number(await up.getAttribute("data-done"))];
  assert.deepEqual([...new Set(seen)], [128 * 1024, 256 * 1024, REPORT.length], "the bar moved chunk by chunk");
  assert.equal((await up.locator(".up-pct").textContent()).trim(), "100 %");
  assert.deepEqual(await up.locator("progress").evaluate((el) => [el.value, el.max]), [REPORT.length, REPORT.length]);
  await up.locator(".up-status", { hasText: "3 chunks" }).waitFor();
  const row = objectRow(a, "report.bin");
  await row.waitFor();
  assert.equal((await row.locator("td.osize").textContent()).trim(), "300.0 KB");
  assert.equal(await row.getAttribute("data-size"), String(REPORT.length));
  assert.equal((await row.locator("td.ochunks").textContent()).trim(), "3");
  await row.locator(".object-desc", { hasText: "quarterly report" }).waitFor();
  await row.locator("td.time", { hasText: "just now" }).waitFor();
  const info = await p(async (n) => { const i = await (await pobjm.open(n)).info("report.bin"); return { size: i.size, digest: i.digest, description: i.description, type: i.headers.get("Content-Type") }; }, STORE);
  assert.deepEqual(info, { size: REPORT.length, digest: await row.locator("td.digest code").getAttribute("data-digest"), description: "quarterly report", type: "application/octet-stream" });
  assert.match(info.digest, /^SHA-256=/);
  await storeItem(a, STORE).locator(".count-objects", { hasText: "1 object" }).waitFor();
  await a.locator("#object-count", { hasText: "1 object" }).waitFor();
  await a.locator("#upload-description").fill("");
});

test("uploads a file dropped on the drop zone", async () => {
  const dt = await a.evaluateHandle(() => {
    const d = new DataTransfer();
    d.items.add(new File(["hello from a drop\n"], "notes.txt", { type: "text/plain" }));
    return d;
  });
  await a.locator("#dropzone").dispatchEvent("dragover", { dataTransfer: dt });
  await a.locator("#dropzone.over").waitFor();
  await a.locator("#dropzone").dispatchEvent("drop", { dataTransfer: dt });
  await a.locator('.upload[data-name="notes.txt"][data-state="done"][data-percent="100"]').waitFor();
  await objectRow(a, "notes.txt").locator("td.osize", { hasText: "18 B" }).waitFor();
  assert.equal(await a.locator("#dropzone.over").count(), 0);
  const back = await p(async (n) => new TextDecoder().decode(await (await pobjm.open(n)).getBlob("notes.txt")), STORE);
  assert.equal(back, "hello from a drop\n");
});

const MODEL = data(200 * 1024 + 5, 11);

test("an object written by a second connection appears live, with its description and metadata", async () => {
  await p(async ([n, bytes]) => {
    const s = await pobjm.open(n);
    await s.putBlob({ name: "models/classifier.onnx", description: "image classifier, v3", metadata: { version: "3", trainedOn: "2026-11-30" } }, new Uint8Array(bytes));
  }, [STORE, [...MODEL]]);
  const row = objectRow(a, "models/classifier.onnx");
  await row.waitFor();
  assert.equal(await row.getAttribute("data-size"), String(MODEL.length));
  assert.equal((await row.locator("td.ochunks").textContent()).trim(), "2");
  await row.locator(".object-desc", { hasText: "image classifier, v3" }).waitFor();
  await row.locator('.meta-chip[data-key="version"]', { hasText: "3" }).waitFor();
  await row.locator('.meta-chip[data-key="trainedOn"]', { hasText: "2026-11-30" }).waitFor();
  await storeItem(a, STORE).locator(".count-objects", { hasText: "3 objects" }).waitFor();
  await a.locator("#store-meta .chip", { hasText: "objects3" }).waitFor();
  await shot(a, "objects");
});

test("downloads an object: the saved file has the stored bytes", async () => {
  const row = objectRow(a, "models/classifier.onnx");
  const [dl] = await Promise.all([a.waitForEvent("download"), row.locator('[data-action="download"]').click()]);
  assert.equal(dl.suggestedFilename(), "classifier.onnx");
  const got = readFileSync(await dl.path());
  assert.equal(got.length, MODEL.length);
  assert.ok(got.equals(MODEL), "downloaded bytes differ from the stored ones");
  const [dl2] = await Promise.all([a.waitForEvent("download"), objectRow(a, "report.bin").locator('[data-action="download"]').click()]);
  assert.ok(readFileSync(await dl2.path()).equals(REPORT));
  assert.equal(await a.locator("#store-error").isHidden(), true);
});

test("a corrupted object's download shows OBJECT_DIGEST_MISMATCH and saves nothing", async () => {
  // Rewrite report.bin's chunks through the JetStream API with one byte flipped.
  await p(async ([n, bytes]) => {
    const info = await (await pobjm.open(n)).info("report.bin");
    const subj = `$O.${n}.C.${info.nuid}`;
    await pjsm.streams.purge(`OBJ_${n}`, { filter: subj });
    const bad = new Uint8Array(bytes);
    bad[200 * 1024] ^= 0xff;
    const js = pjsm.jetstream();
    for (let i = 0; i < bad.length; i += 128 * 1024) await js.publish(subj, bad.slice(i, i + 128 * 1024));
  }, [STORE, [...REPORT]]);
  let downloads = 0;
  a.on("download", () => downloads++);
  await objectRow(a, "report.bin").locator('[data-action="download"]').click();
  await a.locator("#store-error .err-code", { hasText: "OBJECT_DIGEST_MISMATCH" }).waitFor();
  await a.locator("#store-error", { hasText: "Download of report.bin failed" }).waitFor();
  await objectRow(a, "report.bin").locator('[data-action="download"]:not([disabled])').waitFor();
  assert.equal(downloads, 0);
  await shot(a, "digest-mismatch");
});

test("deletes an object after a confirmation", async () => {
  const row = objectRow(a, "notes.txt");
  await row.locator('[data-action="delete"]').click();
  await row.locator('[data-action="cancel-delete"]').click();
  await row.locator('[data-action="delete"]').waitFor();
  assert.equal(await p(async (n) => (await (await pobjm.open(n)).info("notes.txt")).deleted, STORE), false);
  await row.locator('[data-action="delete"]').click();
  await row.and(a.locator(".confirming")).waitFor();
  await shot(a, "confirm-delete");
  await row.locator('[data-action="confirm-delete"]').click();
  await row.waitFor({ state: "detached" });
  assert.equal(await p(async (n) => (await (await pobjm.open(n)).info("notes.txt")).deleted, STORE), true);
  await storeItem(a, STORE).locator(".count-objects", { hasText: "2 objects" }).waitFor();
  // Deleted by the second connection: gone from the table too.
  await p(async (n) => (await pobjm.open(n)).delete("report.bin"), STORE);
  await objectRow(a, "report.bin").waitFor({ state: "detached" });
  await storeItem(a, STORE).locator(".count-objects", { hasText: "1 object" }).waitFor();
});

test("an upload the server refuses (the store is full) shows the error code; a store made elsewhere is listed", async () => {
  await a.locator("#new-store-btn").click();
  await a.locator("#store-name-input").fill("tiny");
  await a.locator('#store-form label:has(input[value="memory"])').click();
  await a.locator("#store-max-bytes").fill("64");
  await a.locator("#store-max-bytes-unit").selectOption({ label: "KB" });
  await a.locator("#store-create").click();
  await storeItem(a, "tiny").and(a.locator('[aria-current="true"]')).waitFor();
  await a.locator('#objects-wrap[data-ready="true"]').waitFor({ state: "attached" });
  await a.locator("#file-input").setInputFiles({ name: "big.bin", mimeType: "application/octet-stream", buffer: data(300 * 1024, 3) });
  const up = a.locator('.upload[data-name="big.bin"][data-state="failed"]');
  await up.waitFor();
  assert.equal(await up.getAttribute("data-code"), "LIMIT_EXCEEDED");
  await up.locator(".err-code", { hasText: "LIMIT_EXCEEDED" }).waitFor();
  await a.locator('.upload[data-name="report.bin"]').waitFor({ state: "detached" });   // the uploads shown are this store's
  assert.equal(await objectRow(a, "big.bin").count(), 0);
  assert.equal(await p(async () => (await (await pobjm.open("tiny")).list()).length), 0);
  await shot(a, "upload-failed");

  // A store created by someone else shows when the view is shown again.
  await p(() => pobjm.create("elsewhere", { storage: "memory" }));
  await a.locator("#tab-kv").click();
  await a.locator("#tab-files").click();
  await storeItem(a, "elsewhere").waitFor();
  await storeItem(a, STORE).click();
  await objectRow(a, "models/classifier.onnx").waitFor();
  // Delete a store after a confirmation.
  await storeItem(a, "tiny").click();
  await a.locator("#delete-store-btn").click();
  await a.locator("#delete-store-confirm", { hasText: "Delete object store tiny" }).waitFor();
  await a.locator("#delete-store-yes").click();
  await storeItem(a, "tiny").waitFor({ state: "detached" });
  await a.locator("#no-store").waitFor();
  await p(() => pub.close());
});

test("the demo: its assets store is open in the Files view, and a file downloads as written", async () => {
  const server = await startNatsServer();
  const demo = await startDemo(server.natsUrl, { orderEvery: 500, configEvery: 1000, reviewEvery: 1000 });
  const web = await serveStatic(ROOT, { extra: { "/config.json": { servers: [server.wsUrl], open: DEMO_OPEN } } });
  try {
    const d = await dashboard(web);
    await connected(d);
    await d.locator("#tab-files").click();
    await d.locator(`.store-item[data-store="${ASSETS}"][aria-current="true"]`).waitFor();
    await storeItem(d, ASSETS).locator(".count-objects", { hasText: `${ASSET_FILES.length} objects` }).waitFor();
    await d.locator("#store-meta .chip", { hasText: `objects${ASSET_FILES.length}` }).waitFor();
    for (const [meta] of ASSET_FILES) await objectRow(d, meta.name).locator(".object-desc", { hasText: meta.description }).waitFor();
    await objectRow(d, "config/theme.json").locator('.meta-chip[data-key="owner"]', { hasText: "web" }).waitFor();
    const [dl] = await Promise.all([d.waitForEvent("download"), objectRow(d, "config/theme.json").locator('[data-action="download"]').click()]);
    assert.equal(readFileSync(await dl.path(), "utf8"), ASSET_FILES[1][1]);
    await shot(d, "demo");
    await d.close();
  } finally {
    await demo.stop();
    await web.close();
    await server.dispose();
  }
});

test("no page errors", () => {
  assert.deepEqual(pageErrors.map(String), []);
});
