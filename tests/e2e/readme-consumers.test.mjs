// The README's ordered-consumer and work-queue examples are runnable: each ```js block is taken from
// README.md (or README-consumers.md while that text is separate), its import line turned into the page's
// module and its server URL into the test server's, and run in the page; what it logs is checked.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { openModuleStack, closeModuleStack, readmeBlock as block } from "./helpers.mjs";

let ctx, page, stack;
before(async () => { ctx = await openModuleStack(); ({ page, stack } = ctx); });
after(() => closeModuleStack(ctx));

/** Runs `body` in the page; returns what it logged. */
const run = (body) => page.evaluate(async (body) => {
  const logs = [];
  const log = console.log;
  console.log = (...a) => { logs.push(a); log(...a); };
  try {
    await new Function(`return (async () => {\n${body}\n})();`)();
  } finally {
    console.log = log;
  }
  return logs;
}, body);

test("README ordered consumers: the replay example runs as written", async () => {
  const logs = await run(block("### Ordered consumers", stack.server.wsUrl));
  assert.deepEqual(logs.slice(0, 2).map((l) => [l[0], l[1], l[2].i]), [[1, "EVENTS.eu", 1], [3, "EVENTS.eu", 3]]);
  assert.deepEqual(logs[2], [5, false]);
  assert.deepEqual(logs[3], [[4, 5, 6, 7]]);
});

test("README work queue: 300 tasks shared by 3 workers, each once; a dead worker's task redelivered", async () => {
  const logs = await run(block("### Push consumers and work queues", stack.server.wsUrl));
  const [n, perWorker] = logs[0];
  assert.equal(n, 300);
  assert.deepEqual(Object.keys(perWorker).sort(), ["w1", "w2", "w3"]);
  assert.equal(Object.values(perWorker).reduce((a, b) => a + b), 300);
  assert.deepEqual(logs[1], [0]);
  assert.deepEqual(logs[2], [["task-301", true, 2]]);
});
