// Signing schemes: only the holder of a key's secret produces signatures that verify (the keyed
// simulation scheme `sim-keyed`, and node:crypto Ed25519 with its cached key objects).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createKeyedSimCrypto, createNobleCrypto, createNodeCrypto, deriveSecret, withVerifyCache, type Crypto, type VerifyWithPrefix } from '../../core/index.js';

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

  it('keeps every key apart across its storage chunks (10,000 keys), and a handed-out secret is a copy', () => {
    const crypto = createKeyedSimCrypto();
    const keys = Array.from({ length: 10_000 }, (_, i) => crypto.keyPair(deriveSecret(1, 'eng', `k${i}`)));
    for (const i of [0, 4095, 4096, 4097, 8191, 8192, 9999]) {
      const signature = crypto.sign(keys[i]!, message);
      expect(crypto.verify(keys[i]!.id, message, signature)).toBe(true);
      expect(crypto.verify(keys[(i + 1) % keys.length]!.id, message, signature)).toBe(false);
      expect(crypto.verify(keys[(i + 4096) % keys.length]!.id, message, signature)).toBe(false);
    }
    // A pair's secret is handed out as a copy: changing the copy changes nothing, while another
    // object claiming the id with other bytes is an impostor (never a new registration).
    const [first, second] = [keys[0]!, keys[1]!];
    const signatureBefore = crypto.sign(first, message);
    const copy = first.secret;
    expect(copy).toEqual(deriveSecret(1, 'eng', 'k0'));
    copy.fill(0);
    expect(first.secret).toEqual(deriveSecret(1, 'eng', 'k0'));
    expect(crypto.verify(first.id, message, crypto.sign(first, message))).toBe(true);
    expect(crypto.verify(first.id, message, crypto.sign({ id: first.id, secret: copy }, message))).toBe(false);
    expect(crypto.verify(first.id, message, crypto.sign({ id: first.id, secret: deriveSecret(1, 'eng', 'k0') }, message))).toBe(true);
    expect(crypto.verify(second.id, message, crypto.sign(second, message))).toBe(true);
    expect(crypto.verify(first.id, message, signatureBefore)).toBe(true);
    // A pair made by another simulation's crypto signs here by its secret, not by its index there.
    const elsewhere = createKeyedSimCrypto();
    const foreign = elsewhere.keyPair(deriveSecret(1, 'eng', 'k1'));
    expect(crypto.verify(second.id, message, crypto.sign(foreign, message))).toBe(true);
    expect(crypto.sign(elsewhere.keyPair(deriveSecret(1, 'eng', 'k0')), message)).toEqual(signatureBefore);
  });

  it('verifies a prefix and the start of a buffer with the verdict of verify over their concatenation', () => {
    const { crypto, alice, bob } = setUp();
    const { withPrefix } = crypto.verify as unknown as VerifyWithPrefix;
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 30 }), fc.uint8Array({ maxLength: 300 }), fc.nat(), fc.boolean(), fc.nat(64 * 8 - 1), (prefix, bytes, cut, isAlice, flip) => {
        const end = cut % (bytes.length + 1);
        const joined = new Uint8Array(prefix.length + end);
        joined.set(prefix, 0);
        joined.set(bytes.subarray(0, end), prefix.length);
        const signature = crypto.sign(alice, joined);
        const id = isAlice ? alice.id : bob.id;
        expect(withPrefix(id, prefix, bytes, end, signature)).toBe(isAlice);
        const flipped = signature.slice();
        flipped[flip >>> 3]! ^= 1 << (flip & 7);
        expect(withPrefix(alice.id, prefix, bytes, end, flipped)).toBe(false);
        expect(withPrefix(id, prefix, bytes, end, signature)).toBe(crypto.verify(id, joined, signature));
      }),
    );
    const signature = crypto.sign(alice, message);
    expect(withPrefix(alice.id, new Uint8Array(0), message, message.length, signature)).toBe(true);
    expect(withPrefix(alice.id, new Uint8Array(0), message, message.length + 1, signature)).toBe(false);
    expect(withPrefix(alice.id, new Uint8Array(0), message, -1, signature)).toBe(false);
    expect(withPrefix('00'.repeat(32), new Uint8Array(0), message, message.length, signature)).toBe(false);
    // A wrapper that replaces verify drops it: nothing bypasses the wrapper.
    expect((withVerifyCache(crypto).verify as Partial<VerifyWithPrefix>).withPrefix).toBeUndefined();
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

describe('createNodeCrypto', () => {
  it('agrees with @noble/ed25519 on ids and signatures, both ways', () => {
    const node = createNodeCrypto();
    const noble = createNobleCrypto();
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ maxLength: 200 }), (secret, bytes) => {
        const key = node.keyPair(secret);
        expect(key.id).toBe(noble.keyPair(secret).id);
        expect(noble.verify(key.id, bytes, node.sign(key, bytes))).toBe(true);
        expect(createNodeCrypto().verify(key.id, bytes, noble.sign(key, bytes))).toBe(true); // a fresh instance imports the public key
      }),
      { numRuns: 30 },
    );
  });

  it('an id that is not a 32-byte key verifies nothing, and never throws', () => {
    const node = createNodeCrypto();
    const key = node.keyPair(deriveSecret(1, 'eng', 'alice'));
    const signature = node.sign(key, message);
    for (const id of [key.id.slice(0, 62), key.id + '00', key.id.toUpperCase(), 'zz' + key.id.slice(2), '']) expect(node.verify(id, message, signature)).toBe(false);
  });

  it('a caller with the id but not the secret cannot produce a valid signature, before or after the holder signs', () => {
    for (const isHolderFirst of [false, true]) {
      const crypto = createNodeCrypto();
      const alice = crypto.keyPair(deriveSecret(1, 'eng', 'alice'));
      const fresh = createNodeCrypto(); // has never seen alice's key
      const impostor = { id: alice.id, secret: deriveSecret(1, 'eng', 'mallory') };
      for (const signer of [crypto, fresh]) {
        if (isHolderFirst) expect(signer.verify(alice.id, message, signer.sign(alice, message))).toBe(true);
        expect(signer.verify(alice.id, message, signer.sign(impostor, message))).toBe(false);
        expect(signer.verify(alice.id, message, signer.sign(alice, message))).toBe(true);
      }
    }
  });
});
