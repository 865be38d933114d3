// RelayMessage (SPEC §4.1, §5.1.3, Q4): an EngineMessage sealed to the final node so intermediate
// nodes forward bytes they can neither read nor alter. Sealing: an ephemeral X25519 key agrees with
// the destination's X25519 key (derived from its Ed25519 identity), BLAKE3 derives the key, and
// XChaCha20-Poly1305 encrypts the padded inner message with (src, dst) as associated data. The
// origin node signs the whole RelayMessage, so a relay cannot re-address it either.
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { blake3 } from '@noble/hashes/blake3.js';
import { assert, type Result } from './assert.js';
import { concatBytes, fromHex, utf8 } from './bytes.js';
import type { Id } from './ids.js';
import { BODY_SIZE_BYTES_MAX, SIGNATURE_SIZE_BYTES } from './message.js';
import type { Crypto, KeyPair } from './ports.js';
import { decodeWith, Writer, type CodecError, type Reader } from './wire.js';

const RELAY_TAG = 0xd1;
const RELAY_DOMAIN = utf8('netmachine/RelayMessage/1\0');
// Version 2: the sealed plaintext carries the origin's (session, seq), so the final node can refuse
// a sealed message that a relay re-wraps in fresh envelopes (end-to-end replay protection).
const KDF_DOMAIN = utf8('netmachine/relay-key/2\0');
/** Sealed plaintext header: inner length, origin session, per-destination sequence (u32 each). */
const SEALED_HEADER_BYTES = 12;
/** Inner messages are padded to a multiple of this, hiding their exact size from relays. */
export const RELAY_PADDING_BYTES = 256;
const NONCE_SIZE_BYTES = 24;
const KEY_SIZE_BYTES = 32;

export interface RelayMessage {
  /** Originating node (signs). */
  readonly src: Id;
  /** Final node (the only one able to decrypt). */
  readonly dst: Id;
  readonly expiry?: number;
  readonly ephemeral: Uint8Array;
  readonly nonce: Uint8Array;
  readonly ciphertext: Uint8Array;
  readonly sig: Uint8Array;
}

function writeUnsigned(writer: Writer, message: Omit<RelayMessage, 'sig'>): void {
  writer.u8(RELAY_TAG).id(message.src).id(message.dst).u8(message.expiry === undefined ? 0 : 1);
  if (message.expiry !== undefined) writer.varint(message.expiry);
  writer.raw(message.ephemeral).raw(message.nonce).bytes(message.ciphertext);
}

function readRelay(reader: Reader): RelayMessage {
  const tag = reader.u8();
  if (tag !== RELAY_TAG) reader.fail('codec/bad-tag', `expected a RelayMessage (0xd1), got 0x${tag.toString(16)}`);
  const src = reader.id();
  const dst = reader.id();
  const expiry = reader.boolean() ? reader.varint() : undefined;
  const ephemeral = reader.raw(KEY_SIZE_BYTES);
  const nonce = reader.raw(NONCE_SIZE_BYTES);
  const ciphertext = reader.bytesField(BODY_SIZE_BYTES_MAX);
  return { src, dst, ...(expiry !== undefined && { expiry }), ephemeral, nonce, ciphertext, sig: reader.raw(SIGNATURE_SIZE_BYTES) };
}

export function decodeRelayMessage(bytes: Uint8Array): Result<RelayMessage, CodecError> {
  return decodeWith(bytes, readRelay);
}

export function verifyRelayMessage(crypto: Crypto, message: RelayMessage, encoded: Uint8Array): boolean {
  return crypto.verify(message.src, concatBytes(RELAY_DOMAIN, encoded.subarray(0, encoded.length - SIGNATURE_SIZE_BYTES)), message.sig);
}

/** True when relaying can work with this crypto scheme (identities must be Ed25519 points). */
export function canSeal(crypto: Crypto): boolean {
  return crypto.scheme === 'ed25519';
}

function deriveKey(shared: Uint8Array, ephemeral: Uint8Array, dst: Id): Uint8Array {
  return blake3(concatBytes(KDF_DOMAIN, shared, ephemeral, fromHex(dst)), { dkLen: KEY_SIZE_BYTES });
}

/** Where a sealed message sits in its origin's sequence to this destination (replay protection). */
export interface RelaySequence {
  /** The origin node's session (boot number); a higher one resets the destination's window. */
  readonly session: number;
  /** 1, 2, 3, … per (origin session, destination). */
  readonly seq: number;
}

function pad(inner: Uint8Array, sequence: RelaySequence): Uint8Array {
  const size = Math.ceil((inner.length + SEALED_HEADER_BYTES) / RELAY_PADDING_BYTES) * RELAY_PADDING_BYTES;
  const padded = new Uint8Array(size);
  const view = new DataView(padded.buffer);
  view.setUint32(0, inner.length);
  view.setUint32(4, sequence.session >>> 0);
  view.setUint32(8, sequence.seq >>> 0);
  padded.set(inner, SEALED_HEADER_BYTES);
  return padded;
}

/**
 * Seals `inner` (an encoded EngineMessage) from `nodeKey`'s node to `dst` at `sequence`;
 * `randomBytes` supplies the ephemeral secret and nonce (seeded in the simulator). Returns the
 * signed RelayMessage bytes.
 */
export function sealRelay(crypto: Crypto, nodeKey: KeyPair, dst: Id, inner: Uint8Array, sequence: RelaySequence, randomBytes: (sizeBytes: number) => Uint8Array, expiry?: number): Uint8Array {
  assert(Number.isInteger(sequence.seq) && sequence.seq > 0 && sequence.seq <= 0xffffffff, 'relay sequence out of range');
  assert(Number.isInteger(sequence.session) && sequence.session >= 0 && sequence.session <= 0xffffffff, 'relay session out of range');
  const ephemeralSecret = randomBytes(KEY_SIZE_BYTES);
  const ephemeral = x25519.getPublicKey(ephemeralSecret);
  const shared = x25519.getSharedSecret(ephemeralSecret, ed25519.utils.toMontgomery(fromHex(dst)));
  const nonce = randomBytes(NONCE_SIZE_BYTES);
  const associated = concatBytes(fromHex(nodeKey.id), fromHex(dst));
  const ciphertext = xchacha20poly1305(deriveKey(shared, ephemeral, dst), nonce, associated).encrypt(pad(inner, sequence));
  const writer = new Writer(128 + ciphertext.length);
  writeUnsigned(writer, { src: nodeKey.id, dst, ...(expiry !== undefined && { expiry }), ephemeral, nonce, ciphertext });
  const unsigned = writer.finish();
  return concatBytes(unsigned, crypto.sign(nodeKey, concatBytes(RELAY_DOMAIN, unsigned)));
}

/** A RelayMessage opened by its destination: the inner EngineMessage bytes and the origin's sequence. */
export interface OpenedRelay {
  readonly inner: Uint8Array;
  readonly sequence: RelaySequence;
}

/** Opens a RelayMessage addressed to `nodeKey`'s node; undefined when it does not decrypt. */
export function openRelay(nodeKey: KeyPair, message: RelayMessage): OpenedRelay | undefined {
  try {
    const shared = x25519.getSharedSecret(ed25519.utils.toMontgomerySecret(nodeKey.secret), message.ephemeral);
    const associated = concatBytes(fromHex(message.src), fromHex(message.dst));
    const padded = xchacha20poly1305(deriveKey(shared, message.ephemeral, message.dst), message.nonce, associated).decrypt(message.ciphertext);
    if (padded.length < SEALED_HEADER_BYTES) return undefined;
    const view = new DataView(padded.buffer, padded.byteOffset, padded.length);
    const size = view.getUint32(0);
    if (size + SEALED_HEADER_BYTES > padded.length) return undefined;
    return { inner: padded.slice(SEALED_HEADER_BYTES, SEALED_HEADER_BYTES + size), sequence: { session: view.getUint32(4), seq: view.getUint32(8) } };
  } catch {
    return undefined;
  }
}
