// Starts and stops nats-server (JetStream + WebSocket listener) for tests, `npm start` and benchmarks.
// Ports are free loopback ports; the store is a fresh temp folder. A server can be stopped, killed and
// restarted on the same ports and store. Every server started here is stopped by PID when this process
// exits, also on failure or Ctrl-C.
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname, resolve } from "node:path";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const NATS_BIN = process.env.NATS_SERVER_BIN || join(ROOT, ".tools/nats/bin/nats-server");

const live = new Set();
let hooked = false;
function hookExit() {
  if (hooked) return;
  hooked = true;
  const killAll = () => { for (const s of live) s.killNow(); };
  process.on("exit", killAll);
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    process.on(sig, () => { killAll(); process.exit(130); });
  }
}

/** A free TCP port on 127.0.0.1 (the OS picks it). */
export function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", rej);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts a nats-server. `opts.extraConfig` is appended to the generated config (auth blocks, TLS…);
 * `opts.websocketExtra` is inserted into the websocket block. `opts.cluster = { name, port, routes }`
 * (routes: the other nodes' cluster ports) adds a cluster block (see startNatsCluster). `opts.jetstream:
 * false` leaves JetStream off. Resolves when /healthz says the server (and JetStream, if on) is ready.
 */
export async function startNatsServer(opts = {}) {
  hookExit();
  if (!existsSync(NATS_BIN)) throw new Error(`nats-server not found at ${NATS_BIN}: run scripts/setup.sh`);
  const dir = opts.dir || mkdtempSync(join(tmpdir(), "nats-kv-wasm-"));
  const ports = opts.ports || {
    client: await freePort(),
    http: await freePort(),
    ws: await freePort(),
  };
  if (opts.cluster) ports.cluster = opts.cluster.port;
  const wsScheme = opts.websocketTls ? "wss" : "ws";
  const serverName = opts.name || "test-" + ports.client;
  const conf = [
    `listen: 127.0.0.1:${ports.client}`,
    `http: 127.0.0.1:${ports.http}`,
    `server_name: ${serverName}`,
    opts.jetstream === false ? "" : `jetstream { store_dir: "${join(dir, "js")}" }`,
    opts.cluster ? [
      `cluster {`,
      `  name: ${opts.cluster.name}`,
      `  listen: 127.0.0.1:${opts.cluster.port}`,
      `  routes: [${opts.cluster.routes.map((p) => `nats-route://127.0.0.1:${p}`).join(", ")}]`,
      `}`,
    ].join("\n") : "",
    `websocket {`,
    `  host: 127.0.0.1`,
    `  port: ${ports.ws}`,
    opts.websocketTls ? "" : `  no_tls: true`,
    opts.websocketExtra || "",
    `}`,
    opts.extraConfig || "",
  ].join("\n");
  const confPath = join(dir, "nats.conf");
  writeFileSync(confPath, conf);

  const server = {
    dir, ports, confPath, name: serverName,
    wsUrl: `${wsScheme}://127.0.0.1:${ports.ws}`,
    natsUrl: `nats://127.0.0.1:${ports.client}`,
    monitorUrl: `http://127.0.0.1:${ports.http}`,
    proc: null,
    get pid() { return this.proc?.pid; },
    log: "",
    /** Starts the process (again) on the same ports and store; resolves when healthy. */
    async start() {
      const proc = spawn(NATS_BIN, ["-c", confPath], { stdio: ["ignore", "pipe", "pipe"] });
      this.proc = proc;
      live.add(this);
      const keep = (d) => { this.log = (this.log + d.toString()).slice(-20000); };
      proc.stdout.on("data", keep);
      proc.stderr.on("data", keep);
      const exited = new Promise((r) => proc.once("exit", (code, sig) => r({ code, sig })));
      this.exited = exited;
      const deadline = Date.now() + 20000;
      while (Date.now() < deadline) {
        if (proc.exitCode !== null || proc.signalCode !== null) {
          throw new Error(`nats-server exited during start-up:\n${this.log}`);
        }
        try {
          const r = await fetch(`${this.monitorUrl}/healthz${opts.jetstream === false ? "" : "?js-enabled-only=true"}`);
          if (r.status === 200) return this;
        } catch { /* not listening yet */ }
        await sleep(50);
      }
      this.killNow();
      throw new Error(`nats-server did not become healthy in 20 s:\n${this.log}`);
    },
    /** Graceful stop (SIGTERM), waits for the process to exit. */
    async stop(signal = "SIGTERM") {
      const proc = this.proc;
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) { live.delete(this); return; }
      proc.kill(signal);
      const t = setTimeout(() => proc.kill("SIGKILL"), 10000);
      await this.exited;
      clearTimeout(t);
      live.delete(this);
    },
    /** SIGKILL: no clean shutdown (the store is reused by the next start). */
    kill() { return this.stop("SIGKILL"); },
    /** Stop, then start again on the same ports and store. */
    async restart() { await this.stop(); return this.start(); },
    /** Sends a signal to the server process by PID (e.g. SIGSTOP / SIGCONT). */
    signal(sig) { this.proc?.kill(sig); },
    /** Stops the process synchronously (exit handlers). */
    killNow() {
      try { if (this.proc && this.proc.exitCode === null) this.proc.kill("SIGKILL"); } catch { /* gone */ }
      live.delete(this);
    },
    /** Stops the server and deletes its store. */
    async dispose() {
      await this.stop();
      if (!opts.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
  return server.start();
}

/**
 * Starts an `n`-node JetStream cluster on loopback (each node with its own ports, store folder and
 * `server_name` `<name>-<i>`; `opts` as for startNatsServer, given to every node). Resolves when every
 * node's /healthz says JetStream is ready and every node knows the same meta leader. Returns
 * `{ nodes, wsUrls, waitReady(), dispose() }`.
 */
export async function startNatsCluster(n = 3, opts = {}) {
  const name = opts.clusterName || "c" + Date.now().toString(36);
  const clusterPorts = [];
  for (let i = 0; i < n; i++) clusterPorts.push(await freePort());
  const nodes = await Promise.all(clusterPorts.map((port, i) => startNatsServer({
    ...opts,
    name: `${name}-${i}`,
    cluster: { name, port, routes: clusterPorts.filter((p) => p !== port) },
  })));
  const cluster = {
    nodes,
    wsUrls: nodes.map((s) => s.wsUrl),
    /** Resolves when every running node is healthy (JetStream) and they agree on a meta leader. */
    async waitReady(timeout = 30000) {
      const deadline = Date.now() + timeout;
      let last = "";
      while (Date.now() < deadline) {
        try {
          const running = nodes.filter((s) => s.proc && s.proc.exitCode === null && s.proc.signalCode === null);
          const leaders = new Set();
          let healthy = true;
          for (const s of running) {
            const h = await fetch(`${s.monitorUrl}/healthz`);
            if (h.status !== 200) { healthy = false; last = `${s.ports.client}: healthz ${h.status} ${await h.text()}`; break; }
            const j = await (await fetch(`${s.monitorUrl}/jsz`)).json();
            leaders.add(j.meta_cluster?.leader || "");
          }
          if (healthy && leaders.size === 1 && !leaders.has("")) return cluster;
          if (healthy) last = `meta leaders: ${[...leaders]}`;
        } catch (e) { last = String(e); }
        await sleep(100);
      }
      throw new Error(`cluster not ready in ${timeout} ms: ${last}`);
    },
    async dispose() { await Promise.all(nodes.map((s) => s.dispose())); },
  };
  return cluster.waitReady();
}
