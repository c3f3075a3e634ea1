// `npm start`: build the package, start a local nats-server, serve www/ on 127.0.0.1 and print the URL.
// Ctrl-C stops everything.
import { execFileSync } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { startNatsServer } from "./lib/nats-server.mjs";
import { serveStatic } from "./lib/static-server.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
process.chdir(ROOT);
if (!process.argv.includes("--no-build")) {
  execFileSync("node", ["scripts/build.mjs"], { stdio: "inherit" });
}
const server = await startNatsServer();
const web = await serveStatic(ROOT, {
  port: Number(process.env.PORT || 0),
  extra: { "/config.json": { servers: [server.wsUrl] } },
});
console.log(`nats-server: ${server.wsUrl} (pid ${server.pid})`);
console.log(`dashboard:   ${web.url}`);
console.log("Ctrl-C stops everything.");
const stop = async () => { await web.close(); await server.dispose(); process.exit(0); };
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
