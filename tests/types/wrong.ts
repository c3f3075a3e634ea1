// Deliberately wrong calls: `tsc --noEmit` must reject each of them.
import { connect, Kvm, jetstream } from "nats-kv-wasm";

export async function wrong(): Promise<void> {
  const nc = await connect({ server: "ws://x" });             // unknown option (servers)
  nc.publish("a", 42);                                       // payload is not string | Uint8Array
  nc.subscribe("a", { max: "3" });                           // max is a number
  await nc.request("a", "x", { timeout: "1s" });             // timeout is a number
  nc.onStatus((s) => s.type === "connected");                // not a status type
  const kv = await new Kvm(nc).create("b", { storage: "disk" }); // storage is "file" | "memory"
  await kv.put("k", 1);                                      // value is string | Uint8Array
  await kv.update("k", "v", "3");                            // revision is a number
  await kv.watch({ include: "all" });                        // not a KvWatchInclude value
  await kv.modify("k", (e) => e?.value.length);              // fn returns bytes, a string or undefined
  (await kv.view()).getSnapshot().set("k", null!);           // snapshots are read-only
  nc.onStatus((s) => s.data.length);                         // data must be narrowed by type first
  nc.onStatus((s) => s.type === "update" && s.data.at(0));   // update's data is { added, deleted }
  nc.onStatus((s) => s.type === "slowConsumer" && s.data.code); // slowConsumer's data is a sid
  nc.onStatus((s) => s.type === "close" && s.data.code);     // close has no data
  const code: string = (await nc.closed()).code;             // closed() may settle with undefined
  new Kvm(nc, { watcherPrefix: 1 });                         // watcherPrefix is a string
  await jetstream(nc).consumers.get("S", { filter_subjects: 1 }); // filter_subjects: string | string[]
  await jetstream(nc).consumers.get("S", { deliver_policy: "first" }); // not a DeliverPolicy
}
