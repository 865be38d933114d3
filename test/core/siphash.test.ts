// SipHash-2-4-128 against the reference implementation's published vectors (vectors_sip128 of
// the SipHash authors' repository: key 00 01 … 0f, message 00 01 … of each length), at every
// tail length around the 8-byte block boundary.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sipHash128, sipKey, toHex } from '../../core/index.js';
import { sipHash128Js, sipHash128Prefixed } from '../../core/siphash.js';

const VECTORS: ReadonlyArray<readonly [number, string]> = [
  [0, 'a3817f04ba25a8e66df67214c7550293'],
  [1, 'da87c1d86b99af44347659119b22fc45'],
  [7, 'a1f1ebbed8dbc153c0b84aa61ff08239'],
  [8, '3b62a9ba6258f5610f83e264f31497b4'],
  [9, '264499060ad9baabc47f8b02bb6d71ed'],
  [15, '5493e99933b0a8117e08ec0f97cfc3d9'],
  [16, '6ee2a4ca67b054bbfd3315bf85230577'],
  [17, '473d06e8738db89854c066c47ae47740'],
  [31, '2939b0183223fafc1723de4f52c43d35'],
  [32, '7c3956ca5eeafc3e363e9d556546eb68'],
  [63, '5150d1772f50834a503e069a973fbd7c'],
];

const referenceKey = sipKey(Uint8Array.from({ length: 16 }, (_, i) => i));
const referenceMessage = Uint8Array.from({ length: 64 }, (_, i) => i);

function tagOf(key: Uint32Array, bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(16);
  sipHash128(key, bytes, out);
  return out;
}

describe('sipHash128', () => {
  it.each(VECTORS)('matches the reference vector for a %i-byte message', (length, expected) => {
    expect(toHex(tagOf(referenceKey, referenceMessage.subarray(0, length)))).toBe(expected);
  });

  it('writes at an offset and reads a view at any byte offset', () => {
    const out = new Uint8Array(20).fill(0xaa);
    const shifted = new Uint8Array(70);
    shifted.set(referenceMessage.subarray(0, 17), 3);
    sipHash128(referenceKey, shifted.subarray(3, 20), out, 4);
    expect(toHex(out.subarray(4))).toBe('473d06e8738db89854c066c47ae47740');
    expect([...out.subarray(0, 4)]).toEqual([0xaa, 0xaa, 0xaa, 0xaa]);
  });

  it('changes with every bit of the key and of the message', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.uint8Array({ minLength: 1, maxLength: 80 }), fc.nat(), (keyBytes, message, bit) => {
        const tag = toHex(tagOf(sipKey(keyBytes), message));
        const flippedMessage = message.slice();
        flippedMessage[(bit >> 3) % message.length]! ^= 1 << (bit & 7);
        const flippedKey = keyBytes.slice();
        flippedKey[(bit >> 3) % 16]! ^= 1 << (bit & 7);
        expect(toHex(tagOf(sipKey(keyBytes), flippedMessage))).not.toBe(tag);
        expect(toHex(tagOf(sipKey(flippedKey), message))).not.toBe(tag);
      }),
    );
  });

  it('gives the same tags as the JavaScript implementation, for any key, length and offset', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.uint8Array({ maxLength: 600 }), fc.nat(7), (keyBytes, message, offset) => {
        const placed = new Uint8Array(message.length + offset);
        placed.set(message, offset);
        const wasm = new Uint8Array(16);
        const js = new Uint8Array(16);
        sipHash128(sipKey(keyBytes), placed.subarray(offset), wasm);
        sipHash128Js(sipKey(keyBytes), placed.subarray(offset), js);
        expect(toHex(wasm)).toBe(toHex(js));
      }),
    );
  });

  it('hashes a prefix and the start of a buffer as it hashes their concatenation', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ maxLength: 600 }), fc.nat(), (keyBytes, prefix, message, cut) => {
        const end = message.length === 0 ? 0 : cut % (message.length + 1);
        const joined = new Uint8Array(prefix.length + end);
        joined.set(prefix, 0);
        joined.set(message.subarray(0, end), prefix.length);
        const prefixed = new Uint8Array(16);
        const whole = new Uint8Array(16);
        sipHash128Prefixed(sipKey(keyBytes), prefix, message, end, prefixed);
        sipHash128Js(sipKey(keyBytes), joined, whole);
        expect(toHex(prefixed)).toBe(toHex(whole));
      }),
    );
  });

  it('hashes messages longer than its first memory page, and shorter ones after them', () => {
    const long = Uint8Array.from({ length: 200_003 }, (_, i) => (i * 31) & 0xff);
    const wasm = new Uint8Array(16);
    const js = new Uint8Array(16);
    sipHash128(referenceKey, long, wasm);
    sipHash128Js(referenceKey, long, js);
    expect(toHex(wasm)).toBe(toHex(js));
    expect(toHex(tagOf(referenceKey, referenceMessage.subarray(0, 17)))).toBe('473d06e8738db89854c066c47ae47740');
  });
});
