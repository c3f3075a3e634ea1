// Object Store interoperability with nats.js 3.4 (`@nats-io/obj`) in the same page, ASCII names (nats.js
// files other names elsewhere, API.md): each client reads what the other wrote, digests verify, lists
// and infos agree; nats.js's own `mtime` (its writer's clock) next to ours (the server's time).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { installObjHelpers, launchBrowser, startStack, modulePage, bundleNatsjs } from "./helpers.mjs";

let stack, browser, page, url, bundle;
before(async () => {
  bundle = bundleNatsjs("natsjs-obj-entry.mjs", ["--external:node:crypto"]);
  stack = await startStack({}, { files: { "/natsjs-obj.js": bundle.file } });
  browser = await launchBrowser();
  page = await modulePage(browser, stack.web);
  await page.evaluate(installObjHelpers);
  await page.evaluate(async () => {
    window.njs = await import("/natsjs-obj.js");
    window.oi = {
      ...window.objHelpers,
      info(i) {
        return i && { name: i.name, size: i.size, chunks: i.chunks, digest: i.digest, deleted: !!i.deleted, revision: i.revision, description: i.description, nuid: i.nuid };
      },
    };
  });
  url = stack.server.wsUrl;
});
after(async () => {
  await browser?.close();
  await stack?.close();
  bundle?.dispose();
});

const SIZES = [0, 1, 128 * 1024, 128 * 1024 + 1, 300 * 1024];

test("interop: nats.js 3.4 writes, we read (get verifies the digests), list and info agree", async () => {
  const r = await page.evaluate(async ({ url, SIZES }) => {
    const jnc = await njs.wsconnect({ servers: url });
    const nc = await nats.connect({ servers: url });
    const theirs = await new njs.Objm(jnc).create("byjs");
    const out = [];
    for (const n of SIZES) {
      const data = oi.bytes(n, n + 3);
      const ti = await theirs.putBlob({ name: `js-${n}`, description: "from nats.js" }, data);
      const ours = await new nats.Objm(nc).open("byjs");
      const back = await ours.getBlob(`js-${n}`);
      const info = await ours.info(`js-${n}`);
      out.push({ n, same: oi.same(back, data), theirs: oi.info(ti), ours: oi.info(info) });
    }
    await theirs.delete("js-1");
    const ours = await new nats.Objm(nc).open("byjs");
    const list = (await ours.list()).map((i) => i.name).sort();
    const deleted = oi.info(await ours.info("js-1"));
    await ours.destroy();
    await jnc.close();
    await nc.close();
    return { out, list, deleted };
  }, { url, SIZES });
  for (const o of r.out) {
    assert.ok(o.same, `bytes of ${o.n}`);
    assert.deepEqual(o.ours, o.theirs, `info of ${o.n}`);
  }
  assert.deepEqual(r.list, SIZES.filter((n) => n !== 1).map((n) => `js-${n}`).sort());
  assert.equal(r.deleted.deleted, true);
});

test("interop: we write, nats.js 3.4 reads (its digest check passes), infos agree", async () => {
  const r = await page.evaluate(async ({ url, SIZES }) => {
    const jnc = await njs.wsconnect({ servers: url });
    const nc = await nats.connect({ servers: url });
    const ours = await new nats.Objm(nc).create("byus");
    const theirs = await new njs.Objm(jnc).open("byus");
    const out = [];
    for (const n of SIZES) {
      const data = oi.bytes(n, n + 5);
      const mine = await ours.putBlob({ name: `us-${n}`, description: "from us", headers: { "Content-Type": "application/octet-stream" } }, data);
      const got = await theirs.get(`us-${n}`);
      const chunks = [];
      for await (const c of oi.chunks(got.data)) chunks.push(c);
      const err = await got.error;
      const back = new Uint8Array(chunks.reduce((s, c) => s + c.length, 0));
      let at = 0;
      for (const c of chunks) { back.set(c, at); at += c.length; }
      const ti = await theirs.info(`us-${n}`);
      out.push({ n, same: oi.same(back, data), err: err ? String(err) : null, ours: oi.info(mine), theirs: oi.info(ti), hdr: ti.headers?.get("Content-Type") });
    }
    const theirList = (await theirs.list()).map((i) => i.name).sort();
    await ours.destroy();
    await jnc.close();
    await nc.close();
    return { out, theirList };
  }, { url, SIZES });
  for (const o of r.out) {
    assert.ok(o.same, `bytes of ${o.n}`);
    assert.equal(o.err, null);
    assert.deepEqual(o.theirs, o.ours, `info of ${o.n}`);
    assert.equal(o.hdr, "application/octet-stream");
  }
  assert.deepEqual(r.theirList, SIZES.map((n) => `us-${n}`).sort());
});
