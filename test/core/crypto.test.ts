// The keyed simulation scheme (`sim-keyed`): only the holder of a key's secret produces tags that
// verify, and any change to the bytes, the tag, its zero filler or the id is rejected.
import { describe, expect, it } from 'vitest';
import { createKeyedSimCrypto, deriveSecret, withVerifyCache, type Crypto } from '../../core/index.js';

const message = new Uint8Array(150).map((_, i) => i * 7);

function setUp(): { crypto: Crypto; alice: ReturnType<Crypto['keyPair']>; bob: ReturnType<Crypto['keyPair']> } {
  const crypto = createKeyedSimCrypto();
  return { crypto, alice: crypto.keyPair(deriveSecret(1, 'eng', 'alice')), bob: crypto.keyPair(deriveSecret(1, 'eng', 'bob')) };
}

describe('createKeyedSimCrypto', () => {
  it('verifies a tag by the key holder, on exactly the signed bytes', () => {
    const { crypto, alice } = setUp();
    const signature = crypto.sign(alice, message);
    expect(signature.length).toBe(64);
    expect(crypto.verify(alice.id, message, signature)).toBe(true);
    expect(crypto.verify(alice.id, message.subarray(1), signature)).toBe(false);
    const altered = message.slice();
    altered[149]! ^= 1;
    expect(crypto.verify(alice.id, altered, signature)).toBe(false);
  });

  it('rejects another key\'s tag, a flipped tag bit, a non-zero filler and a wrong length', () => {
    const { crypto, alice, bob } = setUp();
    const signature = crypto.sign(alice, message);
    expect(crypto.verify(bob.id, message, signature)).toBe(false);
    expect(crypto.verify(bob.id, message, crypto.sign(bob, message))).toBe(true);
    for (const index of [0, 15, 16, 63]) {
      const forged = signature.slice();
      forged[index]! ^= 0x80;
      expect(crypto.verify(alice.id, message, forged)).toBe(false);
    }
    expect(crypto.verify(alice.id, message, signature.subarray(0, 63))).toBe(false);
    expect(crypto.verify(alice.id, message, new Uint8Array(64))).toBe(false);
  });

  it('a caller with the id but not the secret cannot produce a valid tag', () => {
    const { crypto, alice } = setUp();
    const impostor = { id: alice.id, secret: deriveSecret(1, 'eng', 'mallory') };
    expect(crypto.verify(alice.id, message, crypto.sign(impostor, message))).toBe(false);
    expect(() => crypto.sign({ id: 'ab'.repeat(32), secret: alice.secret }, message)).toThrow(/did not create/);
  });

  it('an id this simulation never created verifies nothing', () => {
    const { crypto, alice } = setUp();
    const other = createKeyedSimCrypto();
    const stranger = other.keyPair(deriveSecret(2, 'eng', 'stranger'));
    expect(crypto.verify(stranger.id, message, other.sign(stranger, message))).toBe(false);
    // The same secret in another simulation gives the same id and the same tags.
    expect(other.verify(alice.id, message, crypto.sign(alice, message))).toBe(false);
    other.keyPair(alice.secret);
    expect(other.verify(alice.id, message, crypto.sign(alice, message))).toBe(true);
  });

  it('keeps its verdicts behind the verify cache', () => {
    const { crypto, alice } = setUp();
    const cached = withVerifyCache(crypto);
    const signature = crypto.sign(alice, message);
    expect(cached.verify(alice.id, message, signature)).toBe(true);
    expect(cached.verify(alice.id, message, signature)).toBe(true);
    expect(cached.hits()).toBe(1);
    const altered = message.slice();
    altered[0]! ^= 1;
    expect(cached.verify(alice.id, altered, signature)).toBe(false);
  });
});
