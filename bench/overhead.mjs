// Client-side time of one sequential request (PERF.md P4), without the network: in the bench page, the
// requester's WebSocket is wrapped to timestamp its `send()` and the arrival of each frame, so each
// request splits into "request() → send()" (before the wire), "reply frame → promise settled" (after
// it) and the wire time between. The responder is a second connection of the same client. Prints medians
// per client: `node bench/overhead.mjs [n]` (ours, nats.js, and the BENCH_BASELINE build as "before").
import { openBenchPage } from "./lib.mjs";

const n = Number(process.argv[2] || 400);
const { page, close } = await openBenchPage({ baseline: process.env.BENCH_BASELINE });
const whos = ["ours", "theirs", ...(process.env.BENCH_BASELINE ? ["before"] : [])];
const rows = [];
for (let round = 0; round < 3; round++) {
  for (const who of whos) {
    const r = await page.evaluate(async ({ who, n }) => window.bench.requestOverhead(who, n), { who, n });
    rows.push({ who, round, ...r });
    console.log(`${who} round ${round}: request→send ${r.toSend.toFixed(1)} µs, wire ${r.wire.toFixed(1)} µs, reply→settled ${r.toSettle.toFixed(1)} µs, total ${r.total.toFixed(1)} µs (medians of ${n}; clock step ${r.step.toFixed(1)} µs)`);
  }
}
const med = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
console.log("| client | request() → send() µs | wire µs | reply frame → settled µs | total µs |\n|---|---:|---:|---:|---:|");
for (const who of whos) {
  const mine = rows.filter((x) => x.who === who);
  console.log(`| ${who} | ${med(mine.map((x) => x.toSend)).toFixed(1)} | ${med(mine.map((x) => x.wire)).toFixed(1)} | ${med(mine.map((x) => x.toSettle)).toFixed(1)} | ${med(mine.map((x) => x.total)).toFixed(1)} |`);
}
await close();
process.exit(0);
