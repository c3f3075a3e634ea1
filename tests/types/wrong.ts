// Deliberately wrong calls: `tsc --noEmit` must reject each of them.
import { connect } from "nats-kv-wasm";

export async function wrong(): Promise<void> {
  const nc = await connect({ server: "ws://x" });             // unknown option (servers)
  nc.publish("a", 42);                                       // payload is not string | Uint8Array
  nc.subscribe("a", { max: "3" });                           // max is a number
  await nc.request("a", "x", { timeout: "1s" });             // timeout is a number
  nc.onStatus((s) => s.type === "connected");                // not a status type
}
