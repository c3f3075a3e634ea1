// TypeScript declarations for nats-kv-wasm/kv: core + Key/Value (the same types as the full entry,
// js/index.d.ts; no JetStream manager, consumers or Object Store — use "nats-kv-wasm" for those).
export {
  connect, headers, init, NatsError, KvWatchInclude,
  type ErrorCode, type ConnectionOptions, type ServerInfo, type Status, type StatusType, type MsgHdrs,
  type HeadersInit, type Msg, type SubscriptionOptions, type Subscription, type NatsConnection,
  type JetStreamOptions, type KvOptions, type KvOperation, type KvEntry, type KvStatus, type KvWatchOptions,
  type KvWatcher, type KvView, type KV,
} from "./index.js";
import type { NatsConnection, JetStreamOptions, KV, KvOptions, KvStatus } from "./index.js";

/** The Key/Value manager of a connection (`new Kvm(nc)`). */
export declare class Kvm {
  constructor(nc: NatsConnection, opts?: JetStreamOptions);
  /** Create, or bind if it exists with the same configuration (else BUCKET_EXISTS). */
  create(bucket: string, opts?: KvOptions): Promise<KV>;
  /** Bind to an existing bucket; BUCKET_NOT_FOUND if none. */
  open(bucket: string, opts?: KvOptions): Promise<KV>;
  list(): Promise<KvStatus[]>;
}
