// Profiles one case of bench/page.js for our client with the Chrome DevTools CPU profiler and prints
// the functions with the most self time: `node bench/profile.mjs "P3 receive 16B" [ours|theirs|before]`
// ("before": the build at BENCH_BASELINE, see run.mjs).
// Needs a built pkg/ (`node scripts/build.mjs`); the wasm names come from the name section if present.
import { join } from "node:path";
import { ROOT, esbuild, openBenchPage } from "./lib.mjs";

process.chdir(ROOT);
const id = process.argv[2] || "P3 receive 16B";
const who = process.argv[3] || "ours";
esbuild("bench/natsjs-entry.mjs", join(ROOT, "bench/.build/natsjs.js"));
const { page, close } = await openBenchPage({ baseline: process.env.BENCH_BASELINE });
await page.evaluate(({ id, who }) => window.bench.run(id, who), { id, who }); // warm-up
const cdp = await page.context().newCDPSession(page);
await cdp.send("Profiler.enable");
await cdp.send("Profiler.setSamplingInterval", { interval: 100 });
await cdp.send("Profiler.start");
const res = await page.evaluate(({ id, who }) => window.bench.run(id, who), { id, who });
const { profile } = await cdp.send("Profiler.stop");
console.log(id, who, JSON.stringify(res));
const self = new Map();
const dt = profile.timeDeltas; let total = 0;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const counts = new Map();
for (let i = 0; i < profile.samples.length; i++) { counts.set(profile.samples[i], (counts.get(profile.samples[i]) || 0) + (dt[i] || 0)); total += dt[i] || 0; }
for (const [nid, t] of counts) {
  const n = byId.get(nid); const f = n.callFrame;
  const key = `${f.functionName || "(anon)"} ${f.url.split("/").pop()}:${f.lineNumber}`;
  self.set(key, (self.get(key) || 0) + t);
}
for (const [k, t] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`${(t / 1000).toFixed(1).padStart(8)} ms ${(100 * t / total).toFixed(1).padStart(5)} %  ${k}`);
await close();
process.exit(0);
