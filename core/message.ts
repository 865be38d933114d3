// EngineMessage and P2PMessage (SPEC §4.1, §9.1 Q1–Q6): types, canonical codec, signing.
// The signature covers a domain-separation tag and the canonical encoding of every other field;
// the encoding ends with the 64-byte signature, so signed bytes = tag ‖ encoding minus the last 64.
import { assertNever, type Result } from './assert.js';
import { pooledBytes, utf8 } from './bytes.js';
import type { Id } from './ids.js';
import type { Crypto, KeyPair, VerifyWithPrefix } from './ports.js';
import { decodeWith, Writer, type CodecError, type Reader } from './wire.js';

export const SIGNATURE_SIZE_BYTES = 64;
export const PROTOCOL_SIZE_BYTES_MAX = 256;
/** Largest body or nested message a decoder accepts. */
export const BODY_SIZE_BYTES_MAX = 16 * 1024 * 1024;

/** Where a message goes (SPEC §2.3, Q1): a local or remote engine, a node's Router, a topic, a domain. */
export type Destination =
  | { readonly kind: 'engine'; readonly engine: Id; readonly node?: Id }
  | { readonly kind: 'node'; readonly node: Id }
  | { readonly kind: 'topic'; readonly topic: Id }
  | { readonly kind: 'domain'; readonly domain: Id };

/** How far a message may travel (SPEC §3.1, Q11). */
export type RoutingScope = { readonly kind: 'local' } | { readonly kind: 'any' } | { readonly kind: 'domain'; readonly domain: Id };

/** Transport preferences (SPEC §3.1); `onionHopsMin` is set only for onion routing. */
export interface TransportPrefs {
  readonly isOrdered: boolean;
  readonly isReliable: boolean;
  readonly security: 'direct' | 'onion' | 'mixnet';
  readonly onionHopsMin?: number;
}

/** The unit of all engine communication, signed by its source engine. */
export interface EngineMessage {
  readonly src: Id;
  readonly dst: Destination;
  /** Unique per (src, dst); the source engine numbers its messages from 1. */
  readonly id: number;
  readonly replyTo?: number;
  /** Absolute deadline in ms (I10: never transmitted after it). */
  readonly expiry?: number;
  readonly scope?: RoutingScope;
  readonly tprefs?: TransportPrefs;
  /** `<name>/<major>.<minor>` of the body (Q23). */
  readonly protocol: string;
  readonly body: Uint8Array;
  readonly sig: Uint8Array;
}

export type UnsignedEngineMessage = Omit<EngineMessage, 'sig'>;

/** What a P2PMessage carries. */
export type InnerKind = 'engine' | 'relay';

/** The node-to-node envelope, signed by the sending node (SPEC §4.1, S3). */
export interface P2PMessage {
  readonly src: Id;
  readonly dst: Id;
  /** The sender's session (boot) number: a restart starts a new replay window. */
  readonly session: number;
  /** Per (src, dst, session) counter from 1, for replay and duplicate detection (Q19). */
  readonly seq: number;
  readonly inner: InnerKind;
  /** The encoded inner message, carried as bytes so the outer signature never re-encodes it (Q6). */
  readonly msg: Uint8Array;
  readonly sig: Uint8Array;
}

export type UnsignedP2PMessage = Omit<P2PMessage, 'sig'>;

const ENGINE_MESSAGE_TAG = 0xe1;
const P2P_MESSAGE_TAG = 0xf1;
const ENGINE_MESSAGE_DOMAIN = utf8('netmachine/EngineMessage/1\0');
const P2P_MESSAGE_DOMAIN = utf8('netmachine/P2PMessage/1\0');
const DESTINATION_CODES = { engine: 1, node: 2, topic: 3, domain: 4 } as const;
const FLAG_REPLY_TO = 1;
const FLAG_EXPIRY = 2;
const FLAG_SCOPE = 4;
const FLAG_TPREFS = 8;
const FLAGS_KNOWN = FLAG_REPLY_TO | FLAG_EXPIRY | FLAG_SCOPE | FLAG_TPREFS;

function writeDestination(writer: Writer, destination: Destination): void {
  writer.u8(DESTINATION_CODES[destination.kind]);
  switch (destination.kind) {
    case 'engine':
      writer.id(destination.engine);
      writer.u8(destination.node === undefined ? 0 : 1);
      if (destination.node !== undefined) writer.id(destination.node);
      return;
    case 'node':
      writer.id(destination.node);
      return;
    case 'topic':
      writer.id(destination.topic);
      return;
    case 'domain':
      writer.id(destination.domain);
      return;
    default:
      assertNever(destination, 'destination');
  }
}

function readDestination(reader: Reader): Destination {
  const code = reader.u8();
  switch (code) {
    case 1: {
      const engine = reader.id();
      return reader.boolean() ? { kind: 'engine', engine, node: reader.id() } : { kind: 'engine', engine };
    }
    case 2:
      return { kind: 'node', node: reader.id() };
    case 3:
      return { kind: 'topic', topic: reader.id() };
    case 4:
      return { kind: 'domain', domain: reader.id() };
    default:
      return reader.fail('codec/bad-tag', `unknown destination kind ${code}`);
  }
}

const SECURITY_CODES = { direct: 0, onion: 1, mixnet: 2 } as const;

function writeUnsignedEngineMessage(writer: Writer, message: UnsignedEngineMessage): void {
  writer.u8(ENGINE_MESSAGE_TAG).id(message.src);
  writeDestination(writer, message.dst);
  writer.varint(message.id);
  const flags =
    (message.replyTo !== undefined ? FLAG_REPLY_TO : 0) |
    (message.expiry !== undefined ? FLAG_EXPIRY : 0) |
    (message.scope !== undefined ? FLAG_SCOPE : 0) |
    (message.tprefs !== undefined ? FLAG_TPREFS : 0);
  writer.u8(flags);
  if (message.replyTo !== undefined) writer.varint(message.replyTo);
  if (message.expiry !== undefined) writer.varint(message.expiry);
  if (message.scope !== undefined) {
    const scope = message.scope;
    writer.u8(scope.kind === 'local' ? 0 : scope.kind === 'any' ? 1 : 2);
    if (scope.kind === 'domain') writer.id(scope.domain);
  }
  if (message.tprefs !== undefined) {
    const prefs = message.tprefs;
    writer.u8((prefs.isOrdered ? 1 : 0) | (prefs.isReliable ? 2 : 0)).u8(SECURITY_CODES[prefs.security]);
    if (prefs.security === 'onion') writer.varint(prefs.onionHopsMin ?? 1);
  }
  writer.string(message.protocol).bytes(message.body);
}

function readTransportPrefs(reader: Reader): TransportPrefs {
  const bits = reader.u8();
  if (bits > 3) reader.fail('codec/non-canonical', `transport prefs bits ${bits}`);
  const code = reader.u8();
  const base = { isOrdered: (bits & 1) === 1, isReliable: (bits & 2) === 2 };
  if (code === 0) return { ...base, security: 'direct' };
  if (code === 1) return { ...base, security: 'onion', onionHopsMin: reader.varint() };
  if (code === 2) return { ...base, security: 'mixnet' };
  return reader.fail('codec/bad-tag', `unknown security preference ${code}`);
}

function readScope(reader: Reader): RoutingScope {
  const code = reader.u8();
  if (code === 0) return { kind: 'local' };
  if (code === 1) return { kind: 'any' };
  if (code === 2) return { kind: 'domain', domain: reader.id() };
  return reader.fail('codec/bad-tag', `unknown routing scope ${code}`);
}

function readEngineMessage(reader: Reader): EngineMessage {
  const tag = reader.u8();
  if (tag !== ENGINE_MESSAGE_TAG) reader.fail('codec/bad-tag', `expected an EngineMessage (0xe1), got 0x${tag.toString(16)}`);
  const src = reader.id();
  const dst = readDestination(reader);
  const id = reader.varint();
  const flags = reader.u8();
  if ((flags & ~FLAGS_KNOWN) !== 0) reader.fail('codec/non-canonical', `unknown flag bits 0x${flags.toString(16)}`);
  const replyTo = flags & FLAG_REPLY_TO ? reader.varint() : undefined;
  const expiry = flags & FLAG_EXPIRY ? reader.varint() : undefined;
  const scope = flags & FLAG_SCOPE ? readScope(reader) : undefined;
  const tprefs = flags & FLAG_TPREFS ? readTransportPrefs(reader) : undefined;
  const protocol = reader.string(PROTOCOL_SIZE_BYTES_MAX);
  const [body, sig] = reader.bytesFieldAndRaw(BODY_SIZE_BYTES_MAX, SIGNATURE_SIZE_BYTES);
  // Optional fields are absent, not undefined (no temporary objects: this runs per received message).
  const message: { -readonly [K in keyof EngineMessage]: EngineMessage[K] } = { src, dst, id, protocol, body, sig };
  if (replyTo !== undefined) message.replyTo = replyTo;
  if (expiry !== undefined) message.expiry = expiry;
  if (scope !== undefined) message.scope = scope;
  if (tprefs !== undefined) message.tprefs = tprefs;
  return message;
}

/** Canonical bytes of a signed EngineMessage. */
export function encodeEngineMessage(message: EngineMessage): Uint8Array {
  const writer = new Writer(128 + message.body.length);
  writeUnsignedEngineMessage(writer, message);
  return writer.raw(message.sig).finish();
}

/** Decodes untrusted bytes into an EngineMessage (signature not yet checked). */
export function decodeEngineMessage(bytes: Uint8Array): Result<EngineMessage, CodecError> {
  return decodeWith(bytes, readEngineMessage);
}

/**
 * The bytes the source engine signs: domain tag ‖ encoding without the signature. Encoders and the
 * envelope decoder place the domain tag right before an engine message's bytes in their buffer;
 * when it is there (checked byte by byte), the signed bytes are a view instead of a copy.
 */
export function engineMessageSigningBytes(encoded: Uint8Array): Uint8Array {
  return signingBytes(ENGINE_MESSAGE_DOMAIN, encoded);
}

/**
 * `domain` ‖ `encoded` without its signature: a view when `domain` already precedes `encoded` in its
 * buffer (the signers put it there), else a copy. The same bytes either way; a view is only read
 * while verifying, synchronously, so it never outlives the buffer's current contents.
 */
function signingBytes(domain: Uint8Array, encoded: Uint8Array): Uint8Array {
  const tagBytes = domain.length;
  if (encoded.byteOffset >= tagBytes) {
    const signed = new Uint8Array(encoded.buffer, encoded.byteOffset - tagBytes, tagBytes + encoded.length - SIGNATURE_SIZE_BYTES);
    let i = 0;
    while (i < tagBytes && signed[i] === domain[i]) i++;
    if (i === tagBytes) return signed;
  }
  const signedBytes = encoded.length - SIGNATURE_SIZE_BYTES;
  const joined = pooledBytes(tagBytes + signedBytes);
  joined.set(domain, 0);
  joined.set(encoded.subarray(0, signedBytes), tagBytes);
  return joined;
}

/**
 * Whether `signature` is `id`'s over `domain` ‖ `encoded` without its signature: through the
 * crypto's `verify.withPrefix` when it has one (no concatenation; ports.ts `VerifyWithPrefix`),
 * else `verify` over `signingBytes`.
 */
function verifySigned(crypto: Crypto, id: Id, domain: Uint8Array, encoded: Uint8Array, signature: Uint8Array): boolean {
  const withPrefix = (crypto.verify as Partial<VerifyWithPrefix>).withPrefix;
  if (withPrefix !== undefined) return withPrefix(id, domain, encoded, encoded.length - SIGNATURE_SIZE_BYTES, signature);
  return crypto.verify(id, signingBytes(domain, encoded), signature);
}

/**
 * Signs `message` with the source engine's key; returns the message and its canonical bytes. The
 * bytes are a view of pooled storage (per message, on the hot path; bytes.ts `pooledBytes`): copy
 * them to keep them for long or to transfer them.
 */
export function signEngineMessage(crypto: Crypto, key: KeyPair, message: UnsignedEngineMessage): { message: EngineMessage; bytes: Uint8Array } {
  // The domain tag is written first so the signed bytes are a view, and the encoding one copy.
  const writer = new Writer(ENGINE_MESSAGE_DOMAIN.length + 192 + message.body.length);
  writer.raw(ENGINE_MESSAGE_DOMAIN);
  writeUnsignedEngineMessage(writer, message);
  const sig = crypto.sign(key, writer.view());
  writer.raw(sig);
  // The signed message in one literal, optional fields absent (a spread per message costs more).
  const signed: { -readonly [K in keyof EngineMessage]: EngineMessage[K] } = { src: message.src, dst: message.dst, id: message.id, protocol: message.protocol, body: message.body, sig };
  if (message.replyTo !== undefined) signed.replyTo = message.replyTo;
  if (message.expiry !== undefined) signed.expiry = message.expiry;
  if (message.scope !== undefined) signed.scope = message.scope;
  if (message.tprefs !== undefined) signed.tprefs = message.tprefs;
  return { message: signed, bytes: writer.take(ENGINE_MESSAGE_DOMAIN.length) };
}

/** True when `encoded` (the canonical bytes of `message`) carries a valid signature by `message.src`. */
export function verifyEngineMessage(crypto: Crypto, message: EngineMessage, encoded: Uint8Array): boolean {
  return verifySigned(crypto, message.src, ENGINE_MESSAGE_DOMAIN, encoded, message.sig);
}

function writeUnsignedP2PMessage(writer: Writer, message: UnsignedP2PMessage): void {
  writer.u8(P2P_MESSAGE_TAG).id(message.src).id(message.dst).varint(message.session).varint(message.seq);
  writer.u8(message.inner === 'engine' ? 1 : 2).bytes(message.msg);
}

function readP2PMessage(reader: Reader, isInPlace = false): P2PMessage {
  const tag = reader.u8();
  if (tag !== P2P_MESSAGE_TAG) reader.fail('codec/bad-tag', `expected a P2PMessage (0xf1), got 0x${tag.toString(16)}`);
  const src = reader.id();
  const dst = reader.id();
  const session = reader.varint();
  const seq = reader.varint();
  const innerCode = reader.u8();
  if (innerCode !== 1 && innerCode !== 2) reader.fail('codec/bad-tag', `unknown inner message kind ${innerCode}`);
  // An engine message is copied in after its signing domain tag (engineMessageSigningBytes), or,
  // in place, left where it is in the frame.
  const [msg, sig] =
    isInPlace && innerCode === 1 ? reader.bytesFieldAndRawInPlace(BODY_SIZE_BYTES_MAX, SIGNATURE_SIZE_BYTES) : reader.bytesFieldAndRaw(BODY_SIZE_BYTES_MAX, SIGNATURE_SIZE_BYTES, innerCode === 1 ? ENGINE_MESSAGE_DOMAIN : undefined);
  return { src, dst, session, seq, inner: innerCode === 1 ? 'engine' : 'relay', msg, sig };
}

/**
 * The first bytes of every envelope node `src` sends node `dst` (its tag and both ids): a transport
 * can tell from them, before reading the rest, that a large frame cannot be a message for it.
 */
export function p2pMessageHead(src: Id, dst: Id): Uint8Array {
  const writer = new Writer(80);
  writer.u8(P2P_MESSAGE_TAG).id(src).id(dst);
  return writer.finish();
}

/** Canonical bytes of a signed P2PMessage: the frame the Transport carries. */
export function encodeP2PMessage(message: P2PMessage): Uint8Array {
  const writer = new Writer(96 + message.msg.length);
  writeUnsignedP2PMessage(writer, message);
  return writer.raw(message.sig).finish();
}

/**
 * Decodes an untrusted frame. For an engine message, `msg` and `sig` are views of pooled storage
 * (bytes.ts `pooledBytes`: never rewritten, so reusing `bytes` cannot alter them): copy them to keep
 * them for long, since a view keeps its whole 64 KiB slab alive.
 */
export function decodeP2PMessage(bytes: Uint8Array): Result<P2PMessage, CodecError> {
  return decodeWith(bytes, readP2PMessage);
}

/**
 * `decodeP2PMessage` for a check that is done with the frame before it returns (the Router's inbound
 * checks): an engine message's `msg` and `sig` are views of `bytes` itself, not copies, so they are
 * valid only while `bytes` is unchanged; a relay message is copied as by `decodeP2PMessage`.
 */
export function decodeP2PMessageInPlace(bytes: Uint8Array): Result<P2PMessage, CodecError> {
  return decodeWith(bytes, readP2PMessageInPlace);
}

function readP2PMessageInPlace(reader: Reader): P2PMessage {
  return readP2PMessage(reader, true);
}

/** Signs an envelope with the sending node's key; returns the frame bytes (a view of pooled storage, as `signEngineMessage`). */
export function signP2PMessage(crypto: Crypto, nodeKey: KeyPair, message: UnsignedP2PMessage): Uint8Array {
  const writer = new Writer(P2P_MESSAGE_DOMAIN.length + 160 + message.msg.length);
  writer.raw(P2P_MESSAGE_DOMAIN);
  writeUnsignedP2PMessage(writer, message);
  writer.raw(crypto.sign(nodeKey, writer.view()));
  return writer.take(P2P_MESSAGE_DOMAIN.length);
}

/** True when the frame `encoded` of `message` carries a valid signature by `message.src`. */
export function verifyP2PMessage(crypto: Crypto, message: P2PMessage, encoded: Uint8Array): boolean {
  // In the simulator a frame is the sender's own pooled buffer, domain tag in front: no copy.
  return verifySigned(crypto, message.src, P2P_MESSAGE_DOMAIN, encoded, message.sig);
}
