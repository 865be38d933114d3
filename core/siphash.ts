// SipHash-2-4 with 128-bit output (Aumasson and Bernstein, "SipHash: a fast short-input PRF", 2012),
// on 32-bit halves because JavaScript has no fast 64-bit integers. Tested against the reference
// implementation's published vectors (test/core/crypto.test.ts).
import { assert } from './assert.js';

/** A SipHash key: the 16 key bytes as four little-endian 32-bit words (k0 low, k0 high, k1 low, k1 high). */
export type SipKey = Uint32Array;

export const SIP_KEY_SIZE_BYTES = 16;
export const SIP_TAG_SIZE_BYTES = 16;

/** The key of 16 bytes `key`. */
export function sipKey(key: Uint8Array): SipKey {
  const words = new Uint32Array(4);
  writeSipKey(key, words, 0);
  return words;
}

/** Writes the key of 16 bytes `key` as four words into `words` at `offset`. */
export function writeSipKey(key: Uint8Array, words: Uint32Array, offset: number): void {
  assert(key.length === SIP_KEY_SIZE_BYTES, 'a SipHash key is 16 bytes');
  // Read through a DataView, not `word`: a Buffer here would make the hot loop's loads polymorphic.
  const view = new DataView(key.buffer, key.byteOffset, SIP_KEY_SIZE_BYTES);
  for (let i = 0; i < 4; i++) words[offset + i] = view.getUint32(4 * i, true);
}

function word(bytes: Uint8Array, offset: number): number {
  return bytes[offset]! | (bytes[offset + 1]! << 8) | (bytes[offset + 2]! << 16) | (bytes[offset + 3]! << 24);
}

function writeWord(out: Uint8Array, offset: number, value: number): void {
  out[offset] = value;
  out[offset + 1] = value >>> 8;
  out[offset + 2] = value >>> 16;
  out[offset + 3] = value >>> 24;
}

/**
 * SipHash-2-4-128 of `bytes` under the key at words `keyOffset`..`keyOffset + 3` of `key` (many keys
 * can share one array), written as 16 bytes into `out` at `outOffset` (the byte order of the
 * reference implementation).
 */
export function sipHash128(key: SipKey, bytes: Uint8Array, out: Uint8Array, outOffset = 0, keyOffset = 0): void {
  // The state v0..v3 as (high, low) int32 halves in locals, so that the whole hash runs in registers
  // and allocates nothing; carries are computed without branches (a mispredicted branch per add
  // costs more than the add on random data). One loop does every step, so the round is written once: steps
  // 0..blocks-1 compress a message block, step `blocks` the last (partial) block with the length,
  // and the two steps after it are the finalization, each producing 8 bytes of the tag.
  const k0l = key[keyOffset]! | 0, k0h = key[keyOffset + 1]! | 0, k1l = key[keyOffset + 2]! | 0, k1h = key[keyOffset + 3]! | 0;
  let v0h = k0h ^ 0x736f6d65, v0l = k0l ^ 0x70736575;
  let v1h = k1h ^ 0x646f7261, v1l = k1l ^ 0x6e646f6d ^ 0xee; // 0xee: the 128-bit output variant
  let v2h = k0h ^ 0x6c796765, v2l = k0l ^ 0x6e657261;
  let v3h = k1h ^ 0x74656462, v3l = k1l ^ 0x79746573;
  const length = bytes.length;
  const blocks = length >>> 3;
  let h = 0, l = 0;
  for (let step = 0; step < blocks + 3; step++) {
    let mh = 0, ml = 0, rounds = 2;
    if (step < blocks) {
      ml = word(bytes, 8 * step);
      mh = word(bytes, 8 * step + 4);
    } else if (step === blocks) {
      // The remaining bytes, then the length's low byte in the top byte.
      mh = (length & 0xff) << 24;
      for (let j = 0, offset = 8 * blocks; offset + j < length; j++) {
        if (j < 4) ml |= bytes[offset + j]! << (8 * j);
        else mh |= bytes[offset + j]! << (8 * (j - 4));
      }
    } else {
      rounds = 4;
      if (step === blocks + 1) v2l ^= 0xee;
      else {
        writeWord(out, outOffset, v0l ^ v1l ^ v2l ^ v3l);
        writeWord(out, outOffset + 4, v0h ^ v1h ^ v2h ^ v3h);
        v1l ^= 0xdd;
      }
    }
    v3h ^= mh;
    v3l ^= ml;
    for (let round = 0; round < rounds; round++) {
      // v0 += v1; v1 = rotl(v1, 13) ^ v0; v0 = rotl(v0, 32)
      l = (v0l + v1l) | 0;
      v0h = (v0h + v1h + (((v0l & v1l) | ((v0l | v1l) & ~l)) >>> 31)) | 0;
      v0l = l;
      h = (v1h << 13) | (v1l >>> 19);
      l = (v1l << 13) | (v1h >>> 19);
      v1h = h ^ v0h;
      v1l = l ^ v0l;
      h = v0h;
      v0h = v0l;
      v0l = h;
      // v2 += v3; v3 = rotl(v3, 16) ^ v2
      l = (v2l + v3l) | 0;
      v2h = (v2h + v3h + (((v2l & v3l) | ((v2l | v3l) & ~l)) >>> 31)) | 0;
      v2l = l;
      h = (v3h << 16) | (v3l >>> 16);
      l = (v3l << 16) | (v3h >>> 16);
      v3h = h ^ v2h;
      v3l = l ^ v2l;
      // v0 += v3; v3 = rotl(v3, 21) ^ v0
      l = (v0l + v3l) | 0;
      v0h = (v0h + v3h + (((v0l & v3l) | ((v0l | v3l) & ~l)) >>> 31)) | 0;
      v0l = l;
      h = (v3h << 21) | (v3l >>> 11);
      l = (v3l << 21) | (v3h >>> 11);
      v3h = h ^ v0h;
      v3l = l ^ v0l;
      // v2 += v1; v1 = rotl(v1, 17) ^ v2; v2 = rotl(v2, 32)
      l = (v2l + v1l) | 0;
      v2h = (v2h + v1h + (((v2l & v1l) | ((v2l | v1l) & ~l)) >>> 31)) | 0;
      v2l = l;
      h = (v1h << 17) | (v1l >>> 15);
      l = (v1l << 17) | (v1h >>> 15);
      v1h = h ^ v2h;
      v1l = l ^ v2l;
      h = v2h;
      v2h = v2l;
      v2l = h;
    }
    v0h ^= mh;
    v0l ^= ml;
  }
  writeWord(out, outOffset + 8, v0l ^ v1l ^ v2l ^ v3l);
  writeWord(out, outOffset + 12, v0h ^ v1h ^ v2h ^ v3h);
}
