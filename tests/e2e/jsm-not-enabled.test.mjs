// jetstreamManager(nc) against a nats-server without JetStream: its account check (API.md "JetStream":
// unless `checkAPI: false`) rejects with JETSTREAM_NOT_ENABLED; with `checkAPI: false` it resolves and
// the first call rejects the same way. Core NATS on that server keeps working.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startStack, launchBrowser, modulePage } from "./helpers.mjs";

let stack, browser, page, url;
before(async () => {
  stack = await startStack({ jetstream: false });
  browser = await launchBrowser();
  page = await modulePage(browser, stack.web);
  url = stack.server.wsUrl;
});
after(async () => { await browser?.close(); await stack?.close(); });

test("jetstreamManager(nc) rejects with JETSTREAM_NOT_ENABLED on a server without JetStream", async () => {
  const r = await page.evaluate(async (url) => {
    // How a promise settled, as plain data.
    const outcome = (p) => p.then(() => ({ ok: true }), (e) => ({
      ok: false, isNatsError: e instanceof nats.NatsError, code: e.code, apiCode: e.apiCode ?? null, message: e.message,
    }));
    const nc = await nats.connect({ servers: url });
    const checked = await outcome(nats.jetstreamManager(nc));
    const unchecked = await nats.jetstreamManager(nc, { checkAPI: false });
    const call = await outcome(unchecked.getAccountInfo());
    // The connection is unharmed: core request/reply still works.
    nc.subscribe("echo", { callback: (_e, m) => m.respond(m.data) });
    const echo = (await nc.request("echo", "hi", { timeout: 2000 })).string();
    await nc.close();
    return { checked, call, echo };
  }, url);
  for (const e of [r.checked, r.call]) {
    assert.equal(e.ok, false);
    assert.equal(e.isNatsError, true);
    assert.equal(e.code, "JETSTREAM_NOT_ENABLED", e.message);
    assert.equal(e.apiCode, 503);
  }
  assert.equal(r.echo, "hi");
});
