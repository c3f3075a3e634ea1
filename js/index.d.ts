// TypeScript declarations for nats-kv-wasm (the contract is API.md).

/** Error codes of `NatsError.code`. */
export type ErrorCode =
  | "INVALID_KEY" | "INVALID_BUCKET_NAME" | "INVALID_SUBJECT" | "INVALID_ARGUMENT"
  | "MAX_PAYLOAD_EXCEEDED" | "KEY_EXISTS" | "WRONG_LAST_REVISION"
  | "BUCKET_NOT_FOUND" | "BUCKET_EXISTS" | "TIMEOUT" | "NO_RESPONDERS"
  | "JETSTREAM_NOT_ENABLED" | "JETSTREAM_API"
  | "AUTHORIZATION_VIOLATION" | "AUTHENTICATION_EXPIRED" | "PERMISSIONS_VIOLATION"
  | "CONNECTION_CLOSED" | "CONNECTION_REFUSED" | "DRAINING" | "PROTOCOL_ERROR" | "STALE_CONNECTION"
  | "STREAM_NOT_FOUND" | "CONSUMER_NOT_FOUND" | "STREAM_EXISTS" | "CONSUMER_EXISTS" | "STREAM_SEALED" | "BUCKET_SEALED"
  | "WRONG_LAST_SEQUENCE" | "WRONG_LAST_MSG_ID" | "WRONG_STREAM" | "MESSAGE_NOT_FOUND" | "LIMIT_EXCEEDED"
  | "CONSUMER_DELETED" | "HEARTBEATS_MISSED" | "WRONG_CONSUMER_KIND" | "CONSUMER_BUSY"
  | "OBJECT_NOT_FOUND" | "OBJECT_EXISTS" | "OBJECT_DIGEST_MISMATCH"
  /** The module panicked (a bug): it is stopped for good; reload the page. */
  | "INTERNAL";

/** Every rejected promise and callback error is a NatsError. */
export declare class NatsError extends Error {
  constructor(code: ErrorCode, message: string, extra?: { apiCode?: number; errCode?: number });
  readonly code: ErrorCode;
  /** HTTP-like status of a JetStream API error. */
  readonly apiCode?: number;
  /** JetStream `err_code` (e.g. 10071). */
  readonly errCode?: number;
}

export interface ConnectionOptions {
  /** "ws://host:port" or "wss://host:port", one or several. */
  servers: string | string[];
  name?: string;
  user?: string;
  pass?: string;
  token?: string;
  /** "SU…" user seed: signs the server nonce (Ed25519, with WebCrypto). */
  nkeySeed?: string;
  /** Text of a .creds file: user JWT + seed. */
  creds?: string;
  /** Connect timeout in ms (20000). */
  timeout?: number;
  reconnect?: boolean;
  /** Per server; -1 = forever (10). */
  maxReconnectAttempts?: number;
  reconnectTimeWait?: number;
  reconnectJitter?: number;
  pingInterval?: number;
  maxPingOut?: number;
  noEcho?: boolean;
  noRandomize?: boolean;
  ignoreClusterUpdates?: boolean;
  waitOnFirstConnect?: boolean;
  inboxPrefix?: string;
}

/** The server's INFO. */
export interface ServerInfo {
  server_id: string;
  server_name: string;
  version: string;
  proto: number;
  go?: string;
  host: string;
  port: number;
  headers: boolean;
  max_payload: number;
  jetstream?: boolean;
  auth_required?: boolean;
  tls_required?: boolean;
  client_id?: number;
  client_ip?: string;
  nonce?: string;
  cluster?: string;
  domain?: string;
  connect_urls?: string[];
  ldm?: boolean;
  api_lvl?: number;
  [key: string]: unknown;
}

/** A connection status change, as `onStatus` reports it: `type` says which, and what `data` holds. */
export type Status =
  /** The connection to `data` (the server URL) was lost. */
  | { type: "disconnect"; data: string }
  /** A reconnect attempt to `data` (the server URL) starts; one per attempt. */
  | { type: "reconnecting"; data: string }
  /** Connected again, to `data` (the server URL). */
  | { type: "reconnect"; data: string }
  /** The server `data` (its URL) announced lame-duck mode: it will shut down. */
  | { type: "ldm"; data: string }
  /** The server pool changed after the cluster's gossip. */
  | { type: "update"; data: { added: string[]; deleted: string[] } }
  /** A non-fatal or asynchronous error (a server `-ERR`, an auth error, `INTERNAL` after a panic). */
  | { type: "error"; data: NatsError }
  /** A `for await` subscription dropped messages; `data` is its sid (`Subscription.getID()`). */
  | { type: "slowConsumer"; data: number }
  /** Keep-alive PINGs went unanswered (the connection is re-dialled), or it closed for good. */
  | { type: "staleConnection" | "close"; data?: undefined };
export type StatusType = Status["type"];

export interface MsgHdrs extends Iterable<[string, string]> {
  get(k: string): string;
  values(k: string): string[];
  has(k: string): boolean;
  set(k: string, v: string): void;
  append(k: string, v: string): void;
  delete(k: string): void;
  keys(): string[];
  readonly code: number;
  readonly description: string;
  readonly hasError: boolean;
}

export type HeadersInit = MsgHdrs | Record<string, string | string[]>;

export interface Msg {
  subject: string;
  reply?: string;
  sid: number;
  data: Uint8Array;
  headers?: MsgHdrs;
  string(): string;
  json<T = unknown>(): T;
  respond(payload?: Uint8Array | string, opts?: { headers?: HeadersInit }): boolean;
}

export interface SubscriptionOptions {
  queue?: string;
  max?: number;
  callback?: (err: NatsError | null, msg: Msg) => void;
  /** `for await` only: messages that may wait un-iterated (65536); beyond, they are dropped and a
   *  `slowConsumer` status (data: the sid) is raised. An extension of nats.js's options. */
  maxPending?: number;
}

export interface Subscription extends AsyncIterable<Msg> {
  unsubscribe(max?: number): void;
  drain(): Promise<void>;
  getSubject(): string;
  getReceived(): number;
  getID(): number;
  /** Messages waiting to be iterated. */
  getPending(): number;
  /** Messages dropped because the iterator fell `maxPending` behind. */
  getDropped(): number;
  isClosed(): boolean;
  /** Settles when the subscription ends: undefined, or the error that ended it. */
  readonly closed: Promise<NatsError | undefined>;
}

export interface NatsConnection {
  readonly info?: ServerInfo;
  publish(subject: string, payload?: Uint8Array | string, opts?: { reply?: string; headers?: HeadersInit }): void;
  subscribe(subject: string, opts?: SubscriptionOptions): Subscription;
  request(subject: string, payload?: Uint8Array | string, opts?: { timeout?: number; headers?: HeadersInit }): Promise<Msg>;
  flush(): Promise<void>;
  /** Round trip to the server in ms. */
  rtt(): Promise<number>;
  drain(): Promise<void>;
  close(): Promise<void>;
  /** Settles when the connection is closed: undefined, or the error that closed it. */
  closed(): Promise<NatsError | undefined>;
  isClosed(): boolean;
  /** Returns a function that removes the listener. */
  onStatus(cb: (s: Status) => void): () => void;
}

export declare function connect(opts: ConnectionOptions): Promise<NatsConnection>;
export declare function headers(code?: number, description?: string): MsgHdrs;
export declare const KvWatchInclude: { readonly LastValue: ""; readonly AllHistory: "history"; readonly UpdatesOnly: "updates" };
/** Loads the wasm module; `connect()` calls it itself. */
export declare function init(moduleOrPath?: string | URL | Request | Response | BufferSource | WebAssembly.Module): Promise<void>;

// ---------------------------------------------------------------------------------------------
// Key/Value (JetStream)

export interface JetStreamOptions {
  /** JetStream API prefix ("$JS.API"). */
  apiPrefix?: string;
  /** JetStream domain: the API prefix becomes "$JS.<domain>.API". */
  domain?: string;
  /** Per-call timeout in ms (5000). */
  timeout?: number;
  /** Prefix of the watchers' deliver subjects (the connection's `inboxPrefix`). */
  watcherPrefix?: string;
}

export interface KvOptions {
  /** 1..64 (1). */
  history?: number;
  /** ms; 0 = keep forever. */
  ttl?: number;
  maxBytes?: number;
  maxValueSize?: number;
  storage?: "file" | "memory";
  replicas?: number;
  compression?: boolean;
  description?: string;
  metadata?: Record<string, string>;
  /** ms; enables per-key TTL and delete markers (server ≥ 2.11). */
  markerTTL?: number;
  /** true by default. */
  allowDirect?: boolean;
  mirror?: { name: string; domain?: string };
  sources?: { name: string; domain?: string }[];
  republish?: { src: string; dest: string; headers_only?: boolean };
  placement?: { cluster?: string; tags?: string[] };
  /** Per-call JetStream timeout in ms (5000). */
  timeout?: number;
}

export type KvOperation = "PUT" | "DEL" | "PURGE";

export interface KvEntry {
  bucket: string;
  key: string;
  value: Uint8Array;
  revision: number;
  created: Date;
  delta: number;
  operation: KvOperation;
  length: number;
  isUpdate: boolean;
  string(): string;
  /** The value parsed as JSON; `reviver` as in `JSON.parse` (as nats.js `KvEntry.json(reviver)`). */
  json<T = unknown>(reviver?: (key: string, value: unknown) => unknown): T;
}

export interface KvStatus {
  bucket: string;
  values: number;
  history: number;
  ttl: number;
  markerTTL: number;
  storage: "file" | "memory";
  replicas: number;
  size: number;
  compression: boolean;
  description: string;
  metadata: Record<string, string>;
  maxBytes: number;
  maxValueSize: number;
}

export interface KvWatchOptions {
  /** Default ">" (the whole bucket); wildcards * and > allowed. */
  key?: string | string[];
  include?: "" | "history" | "updates";
  resumeFromRevision?: number;
  /** Drops DEL and PURGE. */
  ignoreDeletes?: boolean;
  /** Values are empty; `length` carries the size. */
  headers_only?: boolean;
  callback?: (entry: KvEntry) => void;
  /** Called exactly once when the initial values are delivered (also for an empty bucket). */
  onInitialized?: () => void;
}

export interface KvWatcher extends AsyncIterable<KvEntry> {
  readonly initialized: Promise<void>;
  stop(): void;
  /**
   * Entries waiting to be iterated. A `for await` watcher that falls 4096 entries behind stops
   * answering the server's flow control until it is back under 1024: nothing is dropped.
   */
  getPending(): number;
}

/**
 * A live, read-only map of a bucket (or of the keys matching `key`), fed by a watcher. Empty until the
 * initial values are in; then every change (a PUT, or a DEL/PURGE of a present key) publishes a new snapshot.
 */
export interface KvView {
  /** Resolves once the initial values are in; rejects (CONNECTION_CLOSED) if `close()` comes first. */
  readonly ready: Promise<void>;
  get(key: string): KvEntry | undefined;
  keys(): string[];
  readonly size: number;
  /** The highest revision seen. */
  readonly revision: number;
  /** The same object until the next change (React `useSyncExternalStore`); snapshots never change. */
  getSnapshot(): ReadonlyMap<string, KvEntry>;
  /** Calls `fn` at once (before returning), then on every change (Svelte store contract); returns "unsubscribe". */
  subscribe(fn: (snapshot: ReadonlyMap<string, KvEntry>) => void): () => void;
  /** Stops the watcher; no more calls. */
  close(): void;
}

export interface KV {
  readonly bucket: string;
  get(key: string, opts?: { revision?: number }): Promise<KvEntry | null>;
  put(key: string, value: Uint8Array | string, opts?: { previousSeq?: number; timeout?: number }): Promise<number>;
  create(key: string, value: Uint8Array | string, markerTTL?: string | number): Promise<number>;
  update(key: string, value: Uint8Array | string, revision: number, timeout?: number): Promise<number>;
  modify(key: string, fn: (current: KvEntry | null) => Uint8Array | string | undefined, opts?: { maxRetries?: number }): Promise<number>;
  delete(key: string, opts?: { previousSeq?: number }): Promise<void>;
  purge(key: string, opts?: { previousSeq?: number; ttl?: string | number }): Promise<void>;
  keys(filter?: string | string[]): Promise<string[]>;
  history(opts?: { key?: string | string[]; headers_only?: boolean }): Promise<KvEntry[]>;
  watch(opts?: KvWatchOptions): Promise<KvWatcher>;
  view(opts?: { key?: string | string[] }): Promise<KvView>;
  status(): Promise<KvStatus>;
  purgeDeletes(olderMillis?: number): Promise<{ purged: number }>;
  destroy(): Promise<boolean>;
}

export declare class Kvm {
  constructor(nc: NatsConnection, opts?: JetStreamOptions);
  /** Create, or bind if it exists with the same configuration (else BUCKET_EXISTS). */
  create(bucket: string, opts?: KvOptions): Promise<KV>;
  /** Bind to an existing bucket; BUCKET_NOT_FOUND if none. */
  open(bucket: string, opts?: KvOptions): Promise<KV>;
  list(): Promise<KvStatus[]>;
}

/** The account's JetStream usage and limits, as the server sends them (`$JS.API.INFO`). */
export interface JetStreamAccountStats {
  memory: number; storage: number; reserved_memory?: number; reserved_storage?: number;
  streams: number; consumers: number;
  limits: { max_memory: number; max_storage: number; max_streams: number; max_consumers: number; [k: string]: unknown };
  api: { level?: number; total: number; errors: number };
  domain?: string;
  [k: string]: unknown;
}
/** JetStream administration (API.md `JetStreamManager`; today: `getAccountInfo`). */
export interface JetStreamManager {
  getAccountInfo(): Promise<JetStreamAccountStats>;
}
/** The JetStream manager of a connection; unless `checkAPI: false` it checks the account first
 * (`JETSTREAM_NOT_ENABLED` when JetStream is off). */
export declare function jetstreamManager(nc: NatsConnection, opts?: JetStreamOptions & { checkAPI?: boolean }): Promise<JetStreamManager>;
