// The README's JetStream example is runnable: its code block is taken from README.md as it stands, its
// import line turned into the page's module and its server URL into the test server's, and run in the page;
// then the server's state is checked (the ORDERS workflow: 10 created, 10 approved, all acknowledged).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { openModuleStack, closeModuleStack, readmeBlock } from "./helpers.mjs";

let ctx, page, stack;
before(async () => { ctx = await openModuleStack(); ({ page, stack } = ctx); });
after(() => closeModuleStack(ctx));

test("README JetStream: the ORDERS example runs as written (order-review acknowledges all 10)", async () => {
  const body = readmeBlock("## JetStream", stack.server.wsUrl);
  const r = await page.evaluate(async ([body, url]) => {
    const logs = [];
    const log = console.log;
    console.log = (...a) => { logs.push(a); log(...a); };
    try {
      await new Function(`return (async () => {\n${body}\n})();`)();
    } finally {
      console.log = log;
    }
    const nc = await nats.connect({ servers: url });
    const jsm = await nats.jetstreamManager(nc);
    const ci = await jsm.consumers.info("ORDERS", "order-review");
    const approved = (await jsm.streams.info("ORDERS", { subjects_filter: "ORDERS.approved" })).state.subjects;
    const names = (await jsm.streams.names()).sort();
    await nc.close();
    return { firstLog: logs[0], ackPending: ci.num_ack_pending, delivered: ci.delivered.stream_seq, approved, names };
  }, [body, stack.server.wsUrl]);
  assert.deepEqual(r.firstLog, ["ORDERS", 1, false]);
  assert.equal(r.ackPending, 0);
  assert.deepEqual(r.approved, { "ORDERS.approved": 10 });
  assert.deepEqual(r.names, ["ARCHIVE", "ORDERS", "ORDERS_MIRROR", "TASKS"]);
});
