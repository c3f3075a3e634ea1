// NATS auth material for tests, made at run time with node:crypto only (no nsc, no npm packages):
// nkeys (seeds and public keys), JWTs for operator / account / user, `.creds` text, and the matching
// nats-server config snippets for the auth modes: operator (JWT), nkey, user/password and token.
//
// Encodings follow nats-io/nkeys and nats-io/jwt v2:
// - an nkey is base32 (RFC 4648, no padding) of `prefix ‖ 32 bytes ‖ CRC16-XMODEM (little-endian)`;
//   a seed's two prefix bytes are `PREFIX_SEED | (type >> 5)` and `(type & 31) << 3`;
// - a JWT is `b64url(header).b64url(claims).b64url(ed25519(header.claims))` with header
//   `{"typ":"JWT","alg":"ed25519-nkey"}`; `jti` is base32 of SHA-512/256 over the JSON of the standard
//   claims (aud, exp, iat, iss, name, nbf, sub; empty ones omitted) as the Go library computes it.
//
// The config snippets are meant for `startNatsServer({ extraConfig })` (scripts/lib/nats-server.mjs):
// top-level `authorization` and operator settings apply to the client port and to the websocket
// listener alike (the websocket block has no auth of its own there).
import { createHash, createPrivateKey, createPublicKey, randomBytes, sign } from "node:crypto";

/** nkey type prefix bytes (nats-io/nkeys `PrefixByte*`). */
export const PREFIX_BYTES = Object.freeze({
  S: 18 << 3, // seed
  P: 15 << 3, // private key
  O: 14 << 3, // operator
  N: 13 << 3, // server
  C: 2 << 3, // cluster
  A: 0, // account
  U: 20 << 3, // user
  X: 23 << 3, // curve (xkey)
});

/** The PKCS#8 DER prefix of an Ed25519 private key; the raw 32-byte seed follows (RFC 8410). */
export const ED25519_PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

// ---------------------------------------------------------------------------------------------
// Encodings

/** CRC16-XMODEM (poly 0x1021, init 0), as nkeys uses. */
export function crc16(bytes) {
  let crc = 0;
  for (const b of bytes) {
    crc ^= b << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

const B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** Base32 (RFC 4648 alphabet), no padding. */
export function base32Encode(bytes) {
  let out = "";
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = ((acc << 8) | b) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += B32[(acc >> bits) & 31];
    }
  }
  if (bits > 0) out += B32[(acc << (5 - bits)) & 31];
  return out;
}

/** Decodes unpadded upper-case base32; throws on other characters. */
export function base32Decode(text) {
  const out = [];
  let acc = 0;
  let bits = 0;
  for (const c of text) {
    const v = B32.indexOf(c);
    if (v < 0) throw new Error("base32: invalid character");
    acc = ((acc << 5) | v) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 0xff);
    }
  }
  return Buffer.from(out);
}

/** Base64url without padding (JWT parts, CONNECT `sig`). */
export const base64url = (bytes) => Buffer.from(bytes).toString("base64url");

function prefixByte(prefix) {
  const p = PREFIX_BYTES[prefix];
  if (p === undefined || prefix === "S" || prefix === "P") throw new Error(`unknown nkey type ${prefix}`);
  return p;
}

function withCrc(body) {
  const crc = crc16(body);
  return Buffer.concat([body, Buffer.from([crc & 0xff, crc >> 8])]);
}

/** The public nkey string (`U…`, `A…`, `O…`) of a raw 32-byte Ed25519 public key. */
export function encodePublicKey(prefix, raw32) {
  return base32Encode(withCrc(Buffer.concat([Buffer.from([prefixByte(prefix)]), Buffer.from(raw32)])));
}

/** The seed string (`SU…`, `SA…`, `SO…`) of a raw 32-byte Ed25519 seed (nkeys `EncodeSeed`). */
export function encodeSeed(prefix, raw32) {
  const p = prefixByte(prefix);
  const head = Buffer.from([PREFIX_BYTES.S | (p >> 5), (p & 31) << 3]);
  return base32Encode(withCrc(Buffer.concat([head, Buffer.from(raw32)])));
}

function decodeChecked(text) {
  const raw = base32Decode(text);
  if (raw.length < 4) throw new Error("nkey: too short");
  const body = raw.subarray(0, raw.length - 2);
  if (crc16(body) !== raw.readUInt16LE(raw.length - 2)) throw new Error("nkey: bad checksum");
  return body;
}

/** Decodes a seed string: `{ prefix: 'U'|'A'|'O'|…, raw: Buffer(32) }`. */
export function decodeSeed(seed) {
  const body = decodeChecked(seed.trim());
  if (body.length !== 34 || (body[0] & 0xf8) !== PREFIX_BYTES.S) throw new Error("nkey: not a seed");
  const p = ((body[0] & 7) << 5) | ((body[1] & 0xf8) >> 3);
  const prefix = Object.keys(PREFIX_BYTES).find((k) => PREFIX_BYTES[k] === p && k !== "S" && k !== "P");
  if (!prefix) throw new Error("nkey: unknown seed type");
  return { prefix, raw: Buffer.from(body.subarray(2)) };
}

/** Decodes a public nkey string: `{ prefix, raw: Buffer(32) }`. */
export function decodePublicKey(key) {
  const body = decodeChecked(key);
  if (body.length !== 33) throw new Error("nkey: not a public key");
  const prefix = Object.keys(PREFIX_BYTES).find((k) => PREFIX_BYTES[k] === body[0] && k !== "S" && k !== "P");
  if (!prefix) throw new Error("nkey: unknown key type");
  return { prefix, raw: Buffer.from(body.subarray(1)) };
}

// ---------------------------------------------------------------------------------------------
// Keys

/** An Ed25519 private KeyObject from a raw 32-byte seed. */
export function privateKeyFromRaw(raw32) {
  if (raw32.length !== 32) throw new Error("ed25519 seed must be 32 bytes");
  return createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, Buffer.from(raw32)]), format: "der", type: "pkcs8" });
}

/** The raw 32-byte public key of an Ed25519 private (or public) KeyObject. */
export function rawPublicKey(keyObject) {
  const pub = keyObject.type === "public" ? keyObject : createPublicKey(keyObject);
  return Buffer.from(pub.export({ format: "jwk" }).x, "base64url");
}

/**
 * A new nkey of type `prefix` ('U' user, 'A' account, 'O' operator; also 'N', 'C').
 * `raw32` (optional) fixes the Ed25519 seed, for known-answer tests.
 * → `{ seed: "S…", publicKey: "U…", privateKey: KeyObject }`
 */
export function newNkey(prefix = "U", raw32 = randomBytes(32)) {
  const privateKey = privateKeyFromRaw(raw32);
  return {
    seed: encodeSeed(prefix, raw32),
    publicKey: encodePublicKey(prefix, rawPublicKey(privateKey)),
    privateKey,
  };
}

/** The nkey of a seed string (`{ seed, publicKey, privateKey }`). */
export function nkeyFromSeed(seed) {
  const { prefix, raw } = decodeSeed(seed);
  return newNkey(prefix, raw);
}

/** Signs bytes (or a string, as UTF-8) with an Ed25519 private KeyObject; base64url, no padding. */
export function signBase64url(privateKey, data) {
  return base64url(sign(null, typeof data === "string" ? Buffer.from(data, "utf8") : Buffer.from(data), privateKey));
}

/** The CONNECT `sig` for a server nonce, as nats clients compute it (over the nonce's UTF-8 bytes). */
export const signNonce = (privateKey, nonce) => signBase64url(privateKey, nonce);

// ---------------------------------------------------------------------------------------------
// JWTs

const JWT_HEADER = base64url(Buffer.from(JSON.stringify({ typ: "JWT", alg: "ed25519-nkey" })));

/** jwt v2 `jti`: base32(SHA-512/256(JSON of the standard claims, without jti)), no padding. */
export function claimsHash(claims) {
  const std = {};
  for (const k of ["aud", "exp", "iat", "iss", "name", "nbf", "sub"]) {
    const v = claims[k];
    if (v !== undefined && v !== null && v !== "" && v !== 0) std[k] = v;
  }
  return base32Encode(createHash("sha512-256").update(JSON.stringify(std)).digest());
}

/**
 * Encodes and signs `claims` as a NATS JWT (v2). `issuer` is an nkey from `newNkey` (then `iss` is
 * set from it) or a bare Ed25519 private KeyObject (then `claims.iss` must be set). `iat` defaults
 * to now; `jti` is computed. Returns the token string.
 */
export function encodeJwt(claims, issuer) {
  const privateKey = issuer?.privateKey ?? issuer;
  const c = { ...claims };
  if (issuer?.publicKey) c.iss = issuer.publicKey;
  if (!c.iss) throw new Error("encodeJwt: no issuer (claims.iss) for a bare KeyObject");
  if (!c.sub) throw new Error("encodeJwt: claims.sub is required");
  if (c.iat === undefined) c.iat = Math.floor(Date.now() / 1000);
  delete c.jti;
  const jti = claimsHash(c);
  const payload = base64url(Buffer.from(JSON.stringify({ jti, ...c })));
  const toSign = `${JWT_HEADER}.${payload}`;
  return `${toSign}.${signBase64url(privateKey, toSign)}`;
}

/** Decodes a JWT without verifying it: `{ header, claims, signature: Buffer }`. */
export function decodeJwt(token) {
  const [h, p, s] = token.split(".");
  return {
    header: JSON.parse(Buffer.from(h, "base64url").toString("utf8")),
    claims: JSON.parse(Buffer.from(p, "base64url").toString("utf8")),
    signature: Buffer.from(s, "base64url"),
  };
}

/** Unlimited core/account limits (jwt `NoLimit` = -1). */
export const UNLIMITED = Object.freeze({
  subs: -1, data: -1, payload: -1, imports: -1, exports: -1, wildcards: true, conn: -1, leaf: -1,
});
/** JetStream enabled without limits (jwt `JetStreamLimits`; note the Go tag is `consumer`). */
export const JETSTREAM_UNLIMITED = Object.freeze({ mem_storage: -1, disk_storage: -1, streams: -1, consumer: -1 });

/** Operator claims (self-signed: issue with the operator's own nkey). */
export function operatorClaims(operator, { name = "test-operator", systemAccount } = {}) {
  const nats = { type: "operator", version: 2 };
  if (systemAccount) nats.system_account = systemAccount;
  return { name, sub: operator.publicKey, nats };
}

/** Account claims (issue with the operator's nkey). JetStream is enabled unless `jetstream: false`. */
export function accountClaims(account, { name = "test-account", jetstream = true } = {}) {
  const limits = jetstream ? { ...UNLIMITED, ...JETSTREAM_UNLIMITED } : { ...UNLIMITED };
  return { name, sub: account.publicKey, nats: { limits, type: "account", version: 2 } };
}

/** User claims (issue with the account's nkey): no permission restrictions, no limits. */
export function userClaims(user, { name = "test-user" } = {}) {
  return {
    name,
    sub: user.publicKey,
    nats: { pub: {}, sub: {}, subs: -1, data: -1, payload: -1, type: "user", version: 2 },
  };
}

/** The text of a `.creds` file, in the format nsc writes. */
export function formatCreds(userJwt, userSeed) {
  return `-----BEGIN NATS USER JWT-----
${userJwt}
------END NATS USER JWT------

************************* IMPORTANT *************************
NKEY Seed printed below can be used to sign and prove identity.
NKEYs are sensitive and should be treated as secrets.

-----BEGIN USER NKEY SEED-----
${userSeed}
------END USER NKEY SEED------

*************************************************************
`;
}

// ---------------------------------------------------------------------------------------------
// Server set-ups

/**
 * Decentralized (operator/JWT) auth with a memory resolver: an operator, a system account, one
 * JetStream-enabled account and one user of it.
 * → `{ serverConfig, creds, userSeed, userJwt, userPublicKey, accountPublicKey, systemAccountPublicKey,
 *      operatorPublicKey, operator, account, user }` (the last three are nkeys with private keys, to
 *      issue more JWTs, e.g. a second user or an expired one).
 */
export function operatorSetup({ accountName = "test-account", userName = "test-user" } = {}) {
  const operator = newNkey("O");
  const system = newNkey("A");
  const account = newNkey("A");
  const user = newNkey("U");
  const operatorJwt = encodeJwt(operatorClaims(operator, { systemAccount: system.publicKey }), operator);
  const systemJwt = encodeJwt(accountClaims(system, { name: "SYS", jetstream: false }), operator);
  const accountJwt = encodeJwt(accountClaims(account, { name: accountName }), operator);
  const userJwt = encodeJwt(userClaims(user, { name: userName }), account);
  const serverConfig = [
    `operator: ${operatorJwt}`,
    `system_account: ${system.publicKey}`,
    `resolver: MEMORY`,
    `resolver_preload: {`,
    `  ${system.publicKey}: ${systemJwt}`,
    `  ${account.publicKey}: ${accountJwt}`,
    `}`,
  ].join("\n");
  return {
    serverConfig,
    creds: formatCreds(userJwt, user.seed),
    userSeed: user.seed,
    userJwt,
    userPublicKey: user.publicKey,
    accountPublicKey: account.publicKey,
    systemAccountPublicKey: system.publicKey,
    operatorPublicKey: operator.publicKey,
    operator,
    account,
    user,
  };
}

/** One nkey user (no JWT): → `{ serverConfig, seed, publicKey }`. */
export function nkeyUserSetup() {
  const user = newNkey("U");
  return {
    serverConfig: `authorization { users: [ { nkey: ${user.publicKey} } ] }`,
    seed: user.seed,
    publicKey: user.publicKey,
  };
}

// JSON strings are valid quoted strings in the nats-server config syntax.
const q = (s) => JSON.stringify(String(s));

/** A single user/password: the config text. */
export function userPassSetup(user, pass) {
  return `authorization { user: ${q(user)}, password: ${q(pass)} }`;
}

/** A single token: the config text. */
export function tokenSetup(token) {
  return `authorization { token: ${q(token)} }`;
}
