import { createHash, createHmac, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { blake3 } from '@noble/hashes/blake3.js';
import { assert } from './assert.js';
import { fromHex, bytesEqual, toHex } from './bytes.js';
import { ed25519KeyPair, nobleSign, nobleVerify } from './keys.js';
import type { Id } from './ids.js';
import type { Crypto, KeyPair } from './ports.js';

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const keyObjectsMax = 1 << 20;

/**
 * Ed25519 on node:crypto with cached KeyObjects: ≈ 11× faster verify than @noble/ed25519 here
 * (FACTS.md), so it is the hot path of both backends.
 */
export function createNodeCrypto(): Crypto {
  const privateKeys = new Map<Id, KeyObject>();
  const publicKeys = new Map<Id, KeyObject | null>();
  function privateKey(key: KeyPair): KeyObject {
    let object = privateKeys.get(key.id);
    if (object === undefined) {
      if (privateKeys.size >= keyObjectsMax) privateKeys.clear();
      object = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, key.secret]), format: 'der', type: 'pkcs8' });
      privateKeys.set(key.id, object);
    }
    return object;
  }
  function publicKey(id: Id): KeyObject | null {
    let object = publicKeys.get(id);
    if (object === undefined) {
      if (publicKeys.size >= keyObjectsMax) publicKeys.clear();
      try {
        object = createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, fromHex(id)]), format: 'der', type: 'spki' });
      } catch {
        object = null; // not a valid curve point: every signature by it fails
      }
      publicKeys.set(id, object);
    }
    return object;
  }
  return {
    scheme: 'ed25519',
    keyPair(secret) {
      const object = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, secret]), format: 'der', type: 'pkcs8' });
      const spki = createPublicKey(object).export({ format: 'der', type: 'spki' });
      const id = toHex(spki.subarray(SPKI_ED25519_PREFIX.length));
      privateKeys.set(id, object);
      return { id, secret: secret.slice() };
    },
    sign(key, bytes) {
      return new Uint8Array(sign(null, bytes, privateKey(key)));
    },
    verify(id, bytes, signature) {
      if (signature.length !== 64) return false;
      const object = publicKey(id);
      if (object === null) return false;
      try {
        return verify(null, bytes, object, signature);
      } catch {
        return false;
      }
    },
    hash: blake3Hash,
  };
}

/** Ed25519 on @noble/ed25519: portable (browser) and the differential reference in tests. */
export function createNobleCrypto(): Crypto {
  return {
    scheme: 'ed25519',
    keyPair: ed25519KeyPair,
    sign: (key, bytes) => nobleSign(key.secret, bytes),
    verify: (id, bytes, signature) => signature.length === 64 && nobleVerify(fromHex(id), bytes, signature),
    hash: blake3Hash,
  };
}

/**
 * A cheap scheme for very large simulations (DESIGN.md): a tag is HMAC-SHA-512(secret, bytes) and
 * the verifier looks the secret up in a registry only this simulation holds. Only a key holder can
 * produce a valid tag, so accept/reject semantics match Ed25519; it is not a public-key scheme and
 * is never used on real networks. Traces record it as `sim-keyed`.
 */
export function createKeyedSimCrypto(): Crypto {
  const secrets = new Map<Id, Uint8Array>();
  return {
    scheme: 'sim-keyed',
    keyPair(secret) {
      const id = createHash('sha256').update('netmachine/sim-keyed/1').update(secret).digest('hex');
      secrets.set(id, secret.slice());
      return { id, secret: secret.slice() };
    },
    sign(key, bytes) {
      assert(secrets.has(key.id), 'sim-keyed: signing with a key this simulation did not create');
      return new Uint8Array(createHmac('sha512', key.secret).update(bytes).digest());
    },
    verify(id, bytes, signature) {
      const secret = secrets.get(id);
      if (secret === undefined || signature.length !== 64) return false;
      return bytesEqual(new Uint8Array(createHmac('sha512', secret).update(bytes).digest()), signature);
    },
    hash: blake3Hash,
  };
}

function blake3Hash(bytes: Uint8Array): Uint8Array {
  return blake3(bytes);
}

/**
 * Wraps `crypto` with a bounded cache of successful verifications keyed by the exact signed bytes,
 * so a message fanned out to many engines of one node is verified once (DESIGN.md "Scale").
 * The lookup is keyed by the signature's first 48 bits (a number: no string is built per call);
 * a hit still compares the id, the whole signature and the bytes.
 */
export function withVerifyCache(crypto: Crypto, entriesMax = 4096): Crypto & { readonly hits: () => number } {
  interface Entry {
    readonly id: Id;
    readonly signature: Uint8Array;
    readonly bytes: Uint8Array;
  }
  const cache = new Map<number, Entry>();
  let hits = 0;
  return {
    ...crypto,
    hits: () => hits,
    verify(id, bytes, signature) {
      if (signature.length !== 64) return false;
      const key = signature[0]! + signature[1]! * 0x100 + signature[2]! * 0x10000 + signature[3]! * 0x1000000 + signature[4]! * 0x100000000 + signature[5]! * 0x10000000000;
      const cached = cache.get(key);
      if (cached !== undefined && cached.id === id && bytesEqual(cached.signature, signature) && bytesEqual(cached.bytes, bytes)) {
        hits++;
        return true;
      }
      const isValid = crypto.verify(id, bytes, signature);
      if (isValid) {
        if (cache.size >= entriesMax && !cache.has(key)) cache.delete(cache.keys().next().value as number);
        cache.set(key, { id, signature: signature.slice(), bytes: bytes.slice() });
      }
      return isValid;
    },
  };
}
