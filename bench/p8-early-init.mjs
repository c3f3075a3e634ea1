// P8 companion (README "Start-up"): the app calls `init()` at import ("early") or leaves it to `connect()`
// ("late"), with WORK ms of its own main-thread work between. `node bench/p8-early-init.mjs [rounds] [WORK]`.
import { openBenchPage } from "./lib.mjs";
const ROUNDS = Number(process.argv[2] || 10), WORK = Number(process.argv[3] || 30);
const VARIANTS = ["late", "early"];
const { server, web, browser, close } = await openBenchPage();
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const out = {};
for (let r = 0; r < ROUNDS; r++) {
  for (const v of r % 2 ? [...VARIANTS].reverse() : VARIANTS) {
    const p = await browser.newPage();
    await p.goto(web.url + "blank");
    const res = await p.evaluate(async ({ v, u, WORK }) => {
      const t0 = performance.now(); const m = {}; const mark = (k) => { m[k] = performance.now() - t0; };
      const lib = await import("/js/index.js");
      mark("import");
      if (v === "early") lib.init();
      const until = performance.now() + WORK; while (performance.now() < until);  // the app's own start-up
      mark("work");
      const nc = await lib.connect({ servers: u });
      mark("connected");
      await nc.close();
      return m;
    }, { v, u: server.wsUrl, WORK });
    (out[v] ||= []).push(res);
    await p.close();
  }
}
for (const v of VARIANTS) console.log(v, Object.keys(out[v][0]).map((k) => `${k} ${median(out[v].map((x) => x[k] - x.import)).toFixed(1)}`).join(" | "));
await close(); process.exit(0);
