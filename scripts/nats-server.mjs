// `npm run nats-server`: starts a local nats-server (JetStream + WebSocket) on free loopback ports,
// prints its URLs, and stops it on Ctrl-C. Commands typed on stdin: `restart`, `stop`, `start`, `kill`.
import { createInterface } from "node:readline";
import { startNatsServer } from "./lib/nats-server.mjs";

const server = await startNatsServer();
console.log(JSON.stringify({ ws: server.wsUrl, nats: server.natsUrl, monitor: server.monitorUrl, pid: server.pid, store: server.dir }));
const rl = createInterface({ input: process.stdin });
rl.on("line", async (line) => {
  const cmd = line.trim();
  if (["restart", "stop", "start", "kill"].includes(cmd)) {
    await server[cmd]();
    console.log(`${cmd}: done (pid ${server.pid})`);
  }
});
rl.on("close", async () => { await server.dispose(); process.exit(0); });
