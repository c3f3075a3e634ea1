// The Key/Value entry ("nats-kv-wasm/kv"): core + Key/Value with the same types as the full entry.
import {
  connect, headers, init, Kvm, KvWatchInclude, NatsError,
  type KV, type KvEntry, type KvStatus, type KvWatcher, type KvView, type NatsConnection, type Msg,
} from "nats-kv-wasm/kv";

export async function kvEntry(): Promise<void> {
  await init();
  const nc: NatsConnection = await connect({ servers: "ws://127.0.0.1:8080" });
  const kv: KV = await new Kvm(nc, { timeout: 2000 }).create("b", { history: 5 });
  const rev: number = await kv.put("k", "v", { previousSeq: 0 });
  const e: KvEntry | null = await kv.get("k");
  const w: KvWatcher = await kv.watch({ key: "k", include: KvWatchInclude.UpdatesOnly });
  for await (const x of w) { console.log(x.key, x.operation, x.string()); break; }
  const view: KvView = await kv.view();
  await kv.delete("k");
  const s: KvStatus = await kv.status();
  const m: Msg = await nc.request("svc", "x", { headers: headers(), timeout: 500 });
  const err = new NatsError("TIMEOUT", "x");
  console.log(rev, e?.revision, view.getSnapshot().size, s.bucket, m.subject, err.code, await new Kvm(nc).list());
  await nc.close();
}
