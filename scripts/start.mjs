// `npm start`: build the package, start a local nats-server with the demo running on it (scripts/demo.mjs:
// a `config` bucket being edited, the ORDERS stream with orders flowing and `order-review` acknowledging
// them), serve www/ on 127.0.0.1 and print the URL. The page connects by itself and opens on ORDERS.
// `--no-build` skips the build, `--no-demo` the demo. Ctrl-C stops everything.
import { execFileSync } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { startNatsServer } from "./lib/nats-server.mjs";
import { serveStatic } from "./lib/static-server.mjs";
import { startDemo, DEMO_OPEN } from "./demo.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
process.chdir(ROOT);
if (!process.argv.includes("--no-build")) {
  execFileSync("node", ["scripts/build.mjs"], { stdio: "inherit" });
}
const server = await startNatsServer();
const withDemo = !process.argv.includes("--no-demo");
const demo = withDemo ? await startDemo(server.natsUrl, { log: (l) => console.log(l) }) : null;
const web = await serveStatic(ROOT, {
  port: Number(process.env.PORT || 0),
  // `open`: what the page shows when nothing is remembered or asked for in its address.
  extra: { "/config.json": { servers: [server.wsUrl], ...(withDemo ? { open: DEMO_OPEN } : {}) } },
});
console.log(`nats-server: ${server.wsUrl} (pid ${server.pid})`);
console.log(`dashboard:   ${web.url}`);
console.log("Ctrl-C stops everything.");
const stop = async () => { await demo?.stop(); await web.close(); await server.dispose(); process.exit(0); };
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
