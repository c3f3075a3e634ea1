// Runs a command, streaming its output, and counts the tests it reports.
import { spawn } from "node:child_process";

/**
 * Runs `cmd args` with `env` added, prints its output as it comes, resolves to
 * { code, passed, failed, output }. Counts `test result: … N passed; M failed` lines (cargo test,
 * wasm-bindgen-test-runner) and `# pass N` / `# fail M` lines (node --test).
 */
export function runCounted(label, cmd, args, opts = {}) {
  return new Promise((resolve) => {
    console.log(`\n=== ${label}: ${cmd} ${args.join(" ")}`);
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: { ...process.env, ...(opts.env || {}) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const take = (stream, sink) => stream.on("data", (d) => { output += d; sink.write(d); });
    take(child.stdout, process.stdout);
    take(child.stderr, process.stderr);
    child.on("close", (code, signal) => {
      let passed = 0, failed = 0;
      for (const m of output.matchAll(/test result: \w+\. (\d+) passed; (\d+) failed/g)) {
        passed += Number(m[1]); failed += Number(m[2]);
      }
      for (const m of output.matchAll(/^# pass (\d+)$/gm)) passed += Number(m[1]);
      for (const m of output.matchAll(/^# fail (\d+)$/gm)) failed += Number(m[1]);
      // A suite that died without reporting a failure still counts as one.
      if ((code !== 0 || signal) && failed === 0) failed = 1;
      resolve({ label, code: code ?? 1, passed, failed, output });
    });
  });
}

/** Runs a command that is one check (a linter, a formatter): one pass if it exits 0, else one failure. */
export async function runCheck(label, cmd, args, opts = {}) {
  const r = await runCounted(label, cmd, args, opts);
  return { ...r, passed: r.code === 0 ? 1 : 0, failed: r.code === 0 ? 0 : 1 };
}
