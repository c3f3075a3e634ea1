// Calls every public API with its declared types; `tsc --noEmit` must accept it.
import { connect, headers, init, KvWatchInclude, NatsError, type Msg, type NatsConnection, type Status } from "nats-kv-wasm";

export async function example(): Promise<void> {
  await init();
  const nc: NatsConnection = await connect({
    servers: ["ws://127.0.0.1:8080"], name: "types", user: "u", pass: "p", timeout: 5000, reconnect: true,
    maxReconnectAttempts: -1, reconnectTimeWait: 100, reconnectJitter: 10, pingInterval: 1000, maxPingOut: 2,
    noEcho: false, noRandomize: true, ignoreClusterUpdates: false, waitOnFirstConnect: false, inboxPrefix: "_I",
  });
  const version: string | undefined = nc.info?.version;
  const stop: () => void = nc.onStatus((s: Status) => console.log(s.type, s.data, version));
  const h = headers();
  h.set("X-A", "1");
  h.append("X-A", "2");
  nc.publish("a.b", "text", { headers: h, reply: "r" });
  nc.publish("a.b", new Uint8Array([1]), { headers: { K: ["v1", "v2"] } });
  const sub = nc.subscribe("a.*", { queue: "q", max: 10, callback: (err: NatsError | null, m: Msg) => console.log(err?.code, m.subject) });
  sub.unsubscribe(5);
  const iter = nc.subscribe("b.>");
  for await (const m of iter) {
    const s: string = m.string();
    const j = m.json<{ a: number }>();
    m.respond(`${s}${j.a}`);
    break;
  }
  await iter.drain();
  const reply: Msg = await nc.request("svc", "x", { timeout: 100 });
  console.log(reply.headers?.get("X"), reply.headers?.code, reply.data.length);
  const rtt: number = await nc.rtt();
  await nc.flush();
  console.log(rtt, sub.getReceived(), sub.getSubject(), sub.isClosed(), KvWatchInclude.AllHistory);
  stop();
  try { await nc.drain(); } catch (e) { if (e instanceof NatsError) console.log(e.code, e.apiCode, e.errCode); }
  await nc.close();
  const closed: void | Error = await nc.closed();
  console.log(closed, nc.isClosed());
}
