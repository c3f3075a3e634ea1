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
