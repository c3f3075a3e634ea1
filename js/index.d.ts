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
  constructor(nc: NatsConnection | JetStreamClient, opts?: JetStreamOptions);
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
// JetStream (API.md "JetStream"): configurations and infos are the server's snake_case JSON, durations
// in nanoseconds (`nanos(ms)`); client options are milliseconds.

export declare const AckPolicy: Readonly<{ None: "none"; All: "all"; Explicit: "explicit" }>;
export type AckPolicy = "none" | "all" | "explicit";
export declare const DeliverPolicy: Readonly<{ All: "all"; Last: "last"; New: "new"; StartSequence: "by_start_sequence"; StartTime: "by_start_time"; LastPerSubject: "last_per_subject" }>;
export type DeliverPolicy = "all" | "last" | "new" | "by_start_sequence" | "by_start_time" | "last_per_subject";
export declare const RetentionPolicy: Readonly<{ Limits: "limits"; Interest: "interest"; Workqueue: "workqueue" }>;
export type RetentionPolicy = "limits" | "interest" | "workqueue";
export declare const StorageType: Readonly<{ File: "file"; Memory: "memory" }>;
export type StorageType = "file" | "memory";
export declare const DiscardPolicy: Readonly<{ Old: "old"; New: "new" }>;
export type DiscardPolicy = "old" | "new";
export declare const ReplayPolicy: Readonly<{ Instant: "instant"; Original: "original" }>;
export type ReplayPolicy = "instant" | "original";
export declare const StoreCompression: Readonly<{ None: "none"; S2: "s2" }>;
export type StoreCompression = "none" | "s2";
/** Milliseconds → nanoseconds. */
export declare function nanos(millis: number): number;
/** Nanoseconds → whole milliseconds. */
export declare function millis(ns: number): number;

export interface SubjectTransformConfig { src: string; dest: string; }
/** A mirror or a source. `domain` is sent as `external.api` ("$JS.<domain>.API"). */
export interface StreamSource {
  name: string; opt_start_seq?: number; opt_start_time?: string; filter_subject?: string;
  subject_transforms?: SubjectTransformConfig[]; external?: { api: string; deliver?: string }; domain?: string;
}
export interface StreamConfig {
  name: string; subjects?: string[]; description?: string; metadata?: Record<string, string>;
  retention?: RetentionPolicy; storage?: StorageType; num_replicas?: number; max_consumers?: number;
  max_msgs?: number; max_bytes?: number; /** ns */ max_age?: number; max_msgs_per_subject?: number; max_msg_size?: number;
  discard?: DiscardPolicy; discard_new_per_subject?: boolean; /** ns */ duplicate_window?: number; no_ack?: boolean;
  compression?: StoreCompression; first_seq?: number; sealed?: boolean; allow_rollup_hdrs?: boolean;
  deny_delete?: boolean; deny_purge?: boolean; allow_direct?: boolean; mirror_direct?: boolean;
  allow_msg_ttl?: boolean; /** ns */ subject_delete_marker_ttl?: number;
  placement?: { cluster?: string; tags?: string[] }; mirror?: StreamSource; sources?: StreamSource[];
  subject_transform?: SubjectTransformConfig; republish?: { src?: string; dest: string; headers_only?: boolean };
  consumer_limits?: { /** ns */ inactive_threshold?: number; max_ack_pending?: number };
}
export interface StreamState {
  messages: number; bytes: number; first_seq: number; first_ts: string; last_seq: number; last_ts: string;
  consumer_count: number; num_subjects?: number; subjects?: Record<string, number>; num_deleted?: number; deleted?: number[];
  [k: string]: unknown;
}
export interface StreamInfo {
  config: StreamConfig & Record<string, unknown>; created: string; state: StreamState; ts?: string;
  cluster?: { name?: string; leader?: string; replicas?: unknown[] };
  mirror?: { name: string; lag: number; active: number; [k: string]: unknown };
  sources?: { name: string; lag: number; active: number; [k: string]: unknown }[];
  [k: string]: unknown;
}
export interface ConsumerConfig {
  name?: string; durable_name?: string; description?: string; metadata?: Record<string, string>;
  ack_policy?: AckPolicy; /** ns */ ack_wait?: number; max_deliver?: number; /** ns */ backoff?: number[];
  deliver_policy?: DeliverPolicy; opt_start_seq?: number; opt_start_time?: string; replay_policy?: ReplayPolicy;
  filter_subject?: string; filter_subjects?: string[]; headers_only?: boolean; rate_limit_bps?: number;
  sample_freq?: string; max_ack_pending?: number; max_waiting?: number; max_batch?: number;
  /** ns */ max_expires?: number; max_bytes?: number; /** ns */ inactive_threshold?: number; num_replicas?: number;
  mem_storage?: boolean; pause_until?: string;
  /** push */ deliver_subject?: string; /** push */ deliver_group?: string; /** push */ flow_control?: boolean;
  /** push, ns */ idle_heartbeat?: number;
}
export interface SequenceInfo { consumer_seq: number; stream_seq: number; last_active?: string; }
export interface ConsumerInfo {
  stream_name: string; name: string; created: string; config: ConsumerConfig & Record<string, unknown>;
  delivered: SequenceInfo; ack_floor: SequenceInfo; num_ack_pending: number; num_redelivered: number;
  num_waiting: number; num_pending: number; push_bound?: boolean; paused?: boolean; ts?: string;
  [k: string]: unknown;
}
/** Awaited: every page, in server order. `for await`: item by item. `next()`: the list, then []. */
export type Lister<T> = PromiseLike<T[]> & Pick<Promise<T[]>, "catch" | "finally"> & AsyncIterable<T> & { next(): Promise<T[]> };
/** A message read with `streams.getMessage()`. */
export interface StoredMsg {
  subject: string; seq: number; header: MsgHdrs; data: Uint8Array; time: Date; timestamp: string;
  string(): string; json<T = unknown>(): T;
}
export interface JetStreamPublishOptions {
  msgID?: string; headers?: MsgHdrs | Record<string, string | string[]>;
  expect?: { lastMsgID?: string; streamName?: string; lastSequence?: number; lastSubjectSequence?: number; lastSubjectSequenceSubject?: string };
  /** Nats-TTL: "10s", "1h", "never". */
  ttl?: string;
  /** Per attempt, ms (JetStreamOptions.timeout). */
  timeout?: number;
  /** Attempts in all (1), after TIMEOUT or NO_RESPONDERS, with nats.js's backoff. */
  retries?: number;
}
export interface PubAck { stream: string; seq: number; duplicate: boolean; domain?: string; }

export interface StreamAPI {
  add(cfg: StreamConfig): Promise<StreamInfo>;
  /** Reads the config, lays `cfg` over it, sends it whole. */
  update(name: string, cfg: Partial<StreamConfig>): Promise<StreamInfo>;
  info(name: string, opts?: { subjects_filter?: string; deleted_details?: boolean }): Promise<StreamInfo>;
  delete(name: string): Promise<boolean>;
  purge(name: string, opts?: { filter?: string; seq?: number; keep?: number }): Promise<{ success: boolean; purged: number }>;
  list(subject?: string): Lister<StreamInfo>;
  names(subject?: string): Lister<string>;
  /** The stream that stores `subject`; STREAM_NOT_FOUND if none. */
  find(subject: string): Promise<string>;
  getMessage(stream: string, query: { seq: number } | { last_by_subj: string }): Promise<StoredMsg | null>;
  /** erase: true (overwrite the stored bytes). */
  deleteMessage(stream: string, seq: number, erase?: boolean): Promise<boolean>;
}
export interface ConsumerAPI {
  /** Without `ack_policy`, sends "explicit". */
  add(stream: string, cfg: ConsumerConfig): Promise<ConsumerInfo>;
  addOrUpdate(stream: string, cfg: ConsumerConfig): Promise<ConsumerInfo>;
  update(stream: string, name: string, cfg: Partial<ConsumerConfig>): Promise<ConsumerInfo>;
  info(stream: string, name: string): Promise<ConsumerInfo>;
  delete(stream: string, name: string): Promise<boolean>;
  list(stream: string): Lister<ConsumerInfo>;
}
/** JetStream administration (API.md `JetStreamManager`). */
export interface JetStreamManager {
  streams: StreamAPI;
  consumers: ConsumerAPI;
  getAccountInfo(): Promise<JetStreamAccountStats>;
  jetstream(): JetStreamClient;
  getOptions(): JetStreamOptions;
}
/** Publishing and consuming (API.md `JetStreamClient`). */
export interface JetStreamClient {
  readonly apiPrefix: string;
  /** Rejects, never throws. */
  publish(subject: string, payload?: Uint8Array | string, opts?: JetStreamPublishOptions): Promise<PubAck>;
  consumers: {
    /** An existing pull consumer (`WRONG_CONSUMER_KIND` for a push one). */
    get(stream: string, name: string): Promise<Consumer>;
    /** A new ordered consumer (ADR-17): ephemeral, ack none, memory, R1; one fetch/next/consume at a
     * time (else `CONSUMER_BUSY`), each going on after the last message delivered. */
    get(stream: string, opts?: OrderedConsumerOptions): Promise<Consumer>;
    /** An existing push consumer (`WRONG_CONSUMER_KIND` for a pull one). */
    getPushConsumer(stream: string, name: string): Promise<PushConsumer>;
  };
  jetstreamManager(checkAPI?: boolean): Promise<JetStreamManager>;
  getOptions(): JetStreamOptions;
}
export interface OrderedConsumerOptions {
  /** Consumers are named `<name_prefix>_<serial>` (default: a fresh NUID). */
  name_prefix?: string;
  filter_subjects?: string | string[];
  /** From the first message unless told otherwise; `opt_start_seq`/`opt_start_time` alone imply theirs. */
  deliver_policy?: DeliverPolicy;
  opt_start_seq?: number;
  /** RFC 3339. */
  opt_start_time?: string;
  replay_policy?: ReplayPolicy;
  /** ms (300000). */
  inactive_threshold?: number;
  headers_only?: boolean;
}
/** A pull consumer (named or ordered). */
export interface Consumer {
  info(cached?: boolean): Promise<ConsumerInfo>;
  fetch(opts?: FetchOptions): Promise<ConsumerMessages>;
  consume(opts?: ConsumeOptions): Promise<ConsumerMessages>;
  /** A fetch of 1; `null`: nothing within `expires`. */
  next(opts?: { expires?: number }): Promise<JsMsg | null>;
  delete(): Promise<boolean>;
  isPullConsumer(): boolean;
  isPushConsumer(): boolean;
}
/** A push consumer: `consume()` subscribes to its `deliver_subject` in its `deliver_group` (pages share
 * the work); a second one on this object, or on a group-less consumer bound elsewhere: `CONSUMER_BUSY`. */
export interface PushConsumer {
  info(cached?: boolean): Promise<ConsumerInfo>;
  delete(): Promise<boolean>;
  consume(opts?: PushConsumeOptions): Promise<ConsumerMessages>;
  isPullConsumer(): boolean;
  isPushConsumer(): boolean;
}
export interface PushConsumeOptions {
  /** Synchronous, in order; without it: `for await`. */
  callback?: (m: JsMsg) => void;
  abort_on_missing_resource?: boolean;
}
export interface FetchOptions {
  /** 100 when neither limit is given. */
  max_messages?: number;
  /** Alone: no message cap; with `max_messages`: `INVALID_ARGUMENT`. */
  max_bytes?: number;
  /** ms, ≥ 1000 (30000). */
  expires?: number;
  /** ms, ≤ expires / 2 (default: expires / 2 within 500..30000). */
  idle_heartbeat?: number;
  /** fetch only: take what is pending now. */
  no_wait?: boolean;
}
export interface ConsumeOptions extends Omit<FetchOptions, "no_wait"> {
  /** Pull again when the window holds ≤ this (floor(max_messages / 2)). */
  threshold_messages?: number;
  /** floor(max_bytes / 2). */
  threshold_bytes?: number;
  /** Synchronous, in order; without it: `for await`. */
  callback?: (m: JsMsg) => void;
  abort_on_missing_resource?: boolean;
}
export interface ConsumerMessages extends AsyncIterable<JsMsg> {
  /** No more pulls; what is buffered is still handed out. */
  stop(err?: Error): void;
  close(): Promise<void | Error>;
  /** `undefined` after a normal end, else the NatsError that ended it. */
  closed(): Promise<void | Error>;
  /** Events from this call on. */
  status(): AsyncIterable<ConsumerNotification>;
  getPending(): number;
  getReceived(): number;
  getProcessed(): number;
}
/** heartbeats_missed {count}, heartbeat, next {options}, discard {messagesLeft, bytesLeft}, exceeded_limits |
 * consumer_deleted | debug {code, description}, no_responders {code}, consumer_not_found {name, stream, count},
 * stream_not_found {name}, flow_control, reset | ordered_consumer_recreated {name}. */
export type ConsumerNotification = { type: string; [data: string]: unknown };
export interface JsMsg {
  subject: string;
  data: Uint8Array;
  headers?: MsgHdrs;
  /** The stream sequence. */
  seq: number;
  redelivered: boolean;
  info: DeliveryInfo;
  /** When stored. */
  readonly time: Date;
  readonly timestamp: string;
  readonly timestampNanos: bigint;
  ack(): void;
  /** `-NAK {"delay": ns}` with a delay. */
  nak(millis?: number): void;
  working(): void;
  term(reason?: string): void;
  /** `true` once confirmed, `false` after a final ack, `TIMEOUT` if unconfirmed. */
  ackAck(opts?: { timeout?: number }): Promise<boolean>;
  string(): string;
  json<T = unknown>(): T;
}
export interface DeliveryInfo {
  domain: string;
  account_hash?: string;
  stream: string;
  consumer: string;
  deliveryCount: number;
  streamSequence: number;
  deliverySequence: number;
  timestampNanos: bigint;
  pending: number;
  redelivered: boolean;
}
/** The JetStream client of a connection. */
export declare function jetstream(nc: NatsConnection, opts?: JetStreamOptions): JetStreamClient;
/** The JetStream manager of a connection; unless `checkAPI: false` it checks the account first
 * (`JETSTREAM_NOT_ENABLED` when JetStream is off). */
export declare function jetstreamManager(nc: NatsConnection, opts?: JetStreamOptions & { checkAPI?: boolean }): Promise<JetStreamManager>;

// ---- Object Store (API.md "Object Store") ----

/** nats.js's names; `ttl` in ns (KvOptions.ttl is ms). */
export interface ObjectStoreOptions {
  description?: string; ttl?: number; max_bytes?: number; storage?: "file" | "memory"; replicas?: number;
  compression?: boolean; metadata?: Record<string, string>; placement?: { cluster?: string; tags?: string[] };
}
export interface ObjectStoreMeta {
  name: string; description?: string; headers?: HeadersInit; metadata?: Record<string, string>;
  options?: { max_chunk_size?: number };
}
export interface ObjectStorePutOpts {
  /** 0: the object must not exist. */
  previousRevision?: number; timeout?: number;
  /** After each acknowledged chunk; `total` for a Blob or Uint8Array. */
  onProgress?: (bytesDone: number, total?: number) => void;
}
export interface ObjectInfo {
  bucket: string; name: string; description: string; headers: MsgHdrs; metadata: Record<string, string>;
  options?: { link?: { bucket: string; name?: string }; max_chunk_size?: number };
  nuid: string; size: number; chunks: number; digest: string; deleted: boolean;
  /** The server's time of the meta message (`Date.toISOString()`). */
  mtime: string;
  /** The meta message's stream sequence. */
  revision: number;
}
export interface ObjectResult { info: ObjectInfo; data: ReadableStream<Uint8Array>; error: Promise<NatsError | null>; }
export type ObjectWatchInfo = ObjectInfo & { isUpdate: boolean };
export interface ObjectWatcher extends AsyncIterable<ObjectWatchInfo> { readonly initialized: Promise<void>; stop(): void; }
export interface ObjectWatchOptions {
  includeHistory?: boolean; updatesOnly?: boolean; ignoreDeletes?: boolean;
  callback?: (i: ObjectWatchInfo) => void; onInitialized?: () => void;
}
export interface ObjectStoreStatus {
  bucket: string; description: string; ttl: number; storage: "file" | "memory"; replicas: number; sealed: boolean;
  size: number; compression: boolean; metadata: Record<string, string>; backingStore: "JetStream"; streamInfo: StreamInfo;
}
export interface ObjectStore {
  readonly bucket: string;
  put(meta: ObjectStoreMeta, data: ReadableStream<Uint8Array> | Blob | null, opts?: ObjectStorePutOpts): Promise<ObjectInfo>;
  putBlob(meta: ObjectStoreMeta, data: Uint8Array | null, opts?: ObjectStorePutOpts): Promise<ObjectInfo>;
  /** null: missing or deleted. */
  get(name: string): Promise<ObjectResult | null>;
  getBlob(name: string): Promise<Uint8Array | null>;
  /** Deleted ones too. */
  info(name: string): Promise<ObjectInfo | null>;
  /** Live objects and links. */
  list(): Promise<ObjectInfo[]>;
  delete(name: string): Promise<{ success: boolean; purged: number }>;
  link(name: string, target: ObjectInfo): Promise<ObjectInfo>;
  linkStore(name: string, store: ObjectStore): Promise<ObjectInfo>;
  update(name: string, meta: Partial<ObjectStoreMeta>): Promise<PubAck>;
  watch(opts?: ObjectWatchOptions): Promise<ObjectWatcher>;
  status(): Promise<ObjectStoreStatus>;
  seal(): Promise<ObjectStoreStatus>;
  destroy(): Promise<boolean>;
}
export declare class Objm {
  constructor(nc: NatsConnection | JetStreamClient, opts?: JetStreamOptions);
  /** Create, or bind if it exists with the same configuration (else BUCKET_EXISTS). */
  create(bucket: string, opts?: ObjectStoreOptions): Promise<ObjectStore>;
  /** BUCKET_NOT_FOUND (check = false: no lookup). */
  open(bucket: string, check?: boolean): Promise<ObjectStore>;
  list(): Lister<ObjectStoreStatus>;
}
