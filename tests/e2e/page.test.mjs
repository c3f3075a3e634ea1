// The page `npm start` serves connects to the local nats-server and shows "connected" and the version.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { launchBrowser, startStack, ARTIFACTS, ROOT } from "./helpers.mjs";

let stack, browser;
before(async () => { stack = await startStack(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await stack?.close(); });

test("page shows connected and the server version", async () => {
  const version = execFileSync(join(ROOT, ".tools/nats/bin/nats-server"), ["--version"]).toString().trim().replace(/^nats-server: v/, "");
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e));
  await page.goto(stack.web.url);
  await page.locator('#state[data-state="connected"]').waitFor({ timeout: 15000 });
  assert.equal(await page.locator("#state").textContent(), "connected");
  assert.equal(await page.locator("#version").textContent(), version);
  assert.equal(await page.locator("#jetstream").textContent(), "enabled");
  await page.screenshot({ path: join(ARTIFACTS, "page-connected.png"), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test("page shows the state going red on a server stop and green after restart", async () => {
  const page = await browser.newPage();
  await page.goto(stack.web.url);
  await page.locator('#state[data-state="connected"]').waitFor({ timeout: 15000 });
  await stack.server.stop();
  await page.locator('#state[data-state="disconnected"], #state[data-state="reconnecting"]').first().waitFor({ timeout: 15000 });
  await page.screenshot({ path: join(ARTIFACTS, "page-disconnected.png") });
  await stack.server.start();
  await page.locator('#state[data-state="connected"]').waitFor({ timeout: 20000 });
  await page.close();
});
