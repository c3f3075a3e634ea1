// The TypeScript declarations: an example calling every API type-checks; deliberately wrong calls do not.
// engines: node — type-checks the declarations with tsc; no browser
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { writeFileSync, rmSync } from "node:fs";
import { ROOT } from "./helpers.mjs";

const tsc = join(ROOT, "node_modules/.bin/tsc");
const dir = join(ROOT, "tests/types");

test("tsc --noEmit accepts the example that calls every API", () => {
  const r = spawnSync(tsc, ["-p", join(dir, "tsconfig.json")], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

test("tsc --noEmit rejects every deliberately wrong call", () => {
  const cfg = join(dir, "tsconfig.wrong.json");
  writeFileSync(cfg, JSON.stringify({ extends: "./tsconfig.json", files: ["wrong.ts"] }));
  try {
    const r = spawnSync(tsc, ["-p", cfg], { encoding: "utf8" });
    assert.notEqual(r.status, 0);
    const lines = (r.stdout + r.stderr).split("\n").filter((l) => /wrong\.ts\(\d+,\d+\): error/.test(l));
    const rows = new Set(lines.map((l) => Number(l.match(/wrong\.ts\((\d+),/)[1])));
    assert.deepEqual([...rows].sort((a, b) => a - b), [5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23], r.stdout);
  } finally { rmSync(cfg, { force: true }); }
});

test("tsc: the KV entry (nats-kv-wasm/kv) does not export JetStream, consumers or the Object Store", () => {
  const file = join(dir, "kv-wrong.ts");
  const cfg = join(dir, "tsconfig.kv-wrong.json");
  const names = ["jetstream", "jetstreamManager", "Objm", "AckPolicy", "DeliverPolicy", "StorageType", "nanos"];
  writeFileSync(file, names.map((n) => `export { ${n} } from "nats-kv-wasm/kv";\n`).join("")
    + `import { Kvm, connect } from "nats-kv-wasm/kv";\nexport const k = async () => new Kvm({} as unknown as import("nats-kv-wasm").JetStreamClient);\nexport { connect };\n`);
  writeFileSync(cfg, JSON.stringify({ extends: "./tsconfig.json", files: ["kv-wrong.ts"] }));
  try {
    const r = spawnSync(tsc, ["-p", cfg], { encoding: "utf8" });
    assert.notEqual(r.status, 0);
    const rows = new Set((r.stdout + r.stderr).split("\n").filter((l) => /kv-wrong\.ts\(\d+,\d+\): error/.test(l))
      .map((l) => Number(l.match(/kv-wrong\.ts\((\d+),/)[1])));
    // one error per name, and `new Kvm(js)` (the KV entry's Kvm takes the connection)
    assert.deepEqual([...rows].sort((a, b) => a - b), [...names.map((_, i) => i + 1), names.length + 2], r.stdout);
  } finally { rmSync(file, { force: true }); rmSync(cfg, { force: true }); }
});
