import * as ed from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';
import { hash } from 'node:crypto';
import { toHex } from './bytes.js';
import { assert } from './assert.js';
import type { IdKind } from './ids.js';
import type { KeyPair } from './ports.js';

// @noble/ed25519's synchronous API needs a sha512.
ed.hashes.sha512 = sha512;

export const SECRET_SIZE_BYTES = 32;

/**
 * A secret seed derived from (seed, kind, name): simulated identities are reproducible, and adding
 * an entity never changes another's key.
 */
export function deriveSecret(seed: number | string, kind: IdKind, name: string): Uint8Array {
  // SHA-256 of the UTF-8 label: Node's one-shot hash (a simulation derives 10⁵–10⁶ of these; the
  // pure-JavaScript hash with three encoded parts cost ≈ 6× as much per key).
  const digest = hash('sha256', `netmachine/key/1\0${String(seed)}\0${kind}\0${name}`, 'buffer');
  return new Uint8Array(digest.buffer, digest.byteOffset, digest.length);
}

/** The Ed25519 key pair of a 32-byte secret seed (@noble/ed25519, synchronous, portable). */
export function ed25519KeyPair(secret: Uint8Array): KeyPair {
  assert(secret.length === SECRET_SIZE_BYTES, 'an Ed25519 secret seed is 32 bytes');
  return { id: toHex(ed.getPublicKey(secret)), secret: secret.slice() };
}

/** Signs with @noble/ed25519 (portable reference; the hot path uses core/crypto-node.ts). */
export function nobleSign(secret: Uint8Array, bytes: Uint8Array): Uint8Array {
  return ed.sign(bytes, secret);
}

/** Verifies with @noble/ed25519; never throws on malformed input. */
export function nobleVerify(publicKey: Uint8Array, bytes: Uint8Array, signature: Uint8Array): boolean {
  try {
    return ed.verify(signature, bytes, publicKey);
  } catch {
    return false;
  }
}
