import { createPrivateKey, createPublicKey, hash as oneShotHash, sign, verify, type KeyObject } from 'node:crypto';
import { blake3 } from '@noble/hashes/blake3.js';
import { assert } from './assert.js';
import { fromHex, bytesEqual, isHex } from './bytes.js';
import { ed25519KeyPair, nobleSign, nobleVerify } from './keys.js';
import type { Id } from './ids.js';
import { SIGNATURE_SIZE_BYTES } from './message.js';
import type { Crypto, KeyPair, VerifyWithPrefix } from './ports.js';
import { sipHash128, sipHash128Prefixed, sipKey, writeSipKey, SIP_KEY_SIZE_BYTES, SIP_TAG_SIZE_BYTES, type SipKey } from './siphash.js';

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
/** Default bound of each KeyObject cache (the simulator shares one crypto among all its nodes). */
const KEY_OBJECTS_MAX = 1 << 20;

// Key import through JWK: OpenSSL 3's DER decoders cost ≈ 1 ms per private key and ≈ 0.2 ms per
// public key here, JWK ≈ 50 µs and ≈ 10 µs (a 1,000-node Ed25519 simulation boots its 3,000 keys
// in a fraction of the time). A private JWK needs an `x`; Node derives the public key from `d` and
// ignores it, which is checked once against RFC 8032's first test vector; if a Node version ever
// behaves otherwise, keys are imported from DER as before.
const RFC8032_SECRET = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
const RFC8032_PUBLIC = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';
const PLACEHOLDER_X = Buffer.alloc(32).toString('base64url');
let isJwkImportSound: boolean | undefined;

function jwkPrivateKey(secret: Uint8Array): KeyObject {
  return createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d: Buffer.from(secret.buffer, secret.byteOffset, secret.length).toString('base64url'), x: PLACEHOLDER_X }, format: 'jwk' });
}

function publicKeyHex(object: KeyObject): string {
  return Buffer.from((object.export({ format: 'jwk' }) as { x: string }).x, 'base64url').toString('hex');
}

/** The private KeyObject of a 32-byte Ed25519 secret seed. */
function importPrivateKey(secret: Uint8Array): KeyObject {
  if (isJwkImportSound === undefined) {
    try {
      isJwkImportSound = publicKeyHex(jwkPrivateKey(fromHex(RFC8032_SECRET))) === RFC8032_PUBLIC;
    } catch {
      isJwkImportSound = false;
    }
  }
  return isJwkImportSound ? jwkPrivateKey(secret) : createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, secret]), format: 'der', type: 'pkcs8' });
}

/** The public KeyObject of an id; throws when it is not a 32-byte key. */
function importPublicKey(id: Id): KeyObject {
  if (!isHex(id, 32)) throw new RangeError('an Ed25519 public key is 32 bytes of lowercase hex');
  if (isJwkImportSound !== true) return createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, fromHex(id)]), format: 'der', type: 'spki' });
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(id, 'hex').toString('base64url') }, format: 'jwk' });
}

/**
 * Ed25519 on node:crypto with cached KeyObjects: ≈ 11× faster verify than @noble/ed25519 here
 * (FACTS.md), so it is the hot path of both backends.
 */
export function createNodeCrypto(options: { readonly keyObjectsMax?: number } = {}): Crypto & { keyObjectsCached(): { readonly private: number; readonly public: number } } {
  const keyObjectsMax = Math.max(1, options.keyObjectsMax ?? KEY_OBJECTS_MAX);
  const privateKeys = new Map<Id, { readonly secret: Uint8Array; readonly object: KeyObject }>();
  const publicKeys = new Map<Id, KeyObject | null>();
  /**
   * Least recently used out: at the bound the oldest entry goes; once a cache is half full a hit
   * moves its entry to the end (below that nothing is evicted, so the order need not be kept).
   */
  function remember<V>(cache: Map<Id, V>, id: Id, value: V): void {
    if (cache.size >= keyObjectsMax) cache.delete(cache.keys().next().value!);
    cache.set(id, value);
  }
  function touch<V>(cache: Map<Id, V>, id: Id, value: V): void {
    if (cache.size * 2 < keyObjectsMax) return;
    cache.delete(id);
    cache.set(id, value);
  }
  function privateKey(key: KeyPair): KeyObject {
    const cached = privateKeys.get(key.id);
    if (cached !== undefined) {
      // Cached by id, so the secret must match: another secret under this id signs as itself (and never verifies).
      if (!bytesEqual(cached.secret, key.secret)) return importPrivateKey(key.secret);
      touch(privateKeys, key.id, cached);
      return cached.object;
    }
    const object = importPrivateKey(key.secret);
    // Only a secret whose public key is this id is cached under it.
    if (publicKeyHex(object) === key.id) remember(privateKeys, key.id, { secret: key.secret.slice(), object });
    return object;
  }
  function publicKey(id: Id): KeyObject | null {
    let object = publicKeys.get(id);
    if (object === undefined) {
      try {
        object = importPublicKey(id);
      } catch {
        object = null; // not a valid curve point: every signature by it fails
      }
      remember(publicKeys, id, object);
    } else touch(publicKeys, id, object);
    return object;
  }
  return {
    scheme: 'ed25519',
    keyPair(secret) {
      const object = importPrivateKey(secret);
      const id = publicKeyHex(object);
      const publicObject = createPublicKey(object);
      remember(privateKeys, id, { secret: secret.slice(), object });
      remember(publicKeys, id, publicObject); // verifying this key's signatures needs no second import
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
    keyObjectsCached: () => ({ private: privateKeys.size, public: publicKeys.size }),
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

const KEYED_ID_DOMAIN = 'netmachine/sim-keyed/1';
const KEYED_TAG_KEY_DOMAIN = 'netmachine/sim-keyed/tag-key/1';

/**
 * SHA-256(label ‖ bytes) in one call: the label is written once into a scratch buffer and `bytes`
 * after it, then hashed with Node's one-shot `hash` (a `createHash` chain costs ≈ 3× as much on
 * these ≈ 60-byte inputs, and a simulation derives two of these per key for 10⁵–10⁶ keys).
 */
function labelledSha256(label: string): { (bytes: Uint8Array): Buffer; hex(bytes: Uint8Array): string } {
  const prefix = Buffer.from(label, 'utf8');
  let scratch = Buffer.alloc(prefix.length + 32);
  prefix.copy(scratch);
  const input = (bytes: Uint8Array): Buffer => {
    if (scratch.length !== prefix.length + bytes.length) {
      scratch = Buffer.alloc(prefix.length + bytes.length);
      prefix.copy(scratch);
    }
    scratch.set(bytes, prefix.length);
    return scratch;
  };
  return Object.assign((bytes: Uint8Array) => oneShotHash('sha256', input(bytes), 'buffer'), { hex: (bytes: Uint8Array) => oneShotHash('sha256', input(bytes), 'hex') });
}

/**
 * A cheap scheme for very large simulations (DESIGN.md), traced as `sim-keyed`. A key's id is
 * SHA-256(label ‖ secret); its tag key k is the first 16 bytes of SHA-256(another label ‖ secret),
 * so k does not follow from the id. A "signature" is the 16-byte SipHash-2-4-128 tag of the signed
 * bytes under k, then 48 zero bytes (the field keeps Ed25519's 64 bytes, so frame sizes match).
 *
 * What it guarantees: the verifier recomputes the tag with k from a registry that only this
 * simulation's Crypto holds, and accepts only the exact tag followed by zeros. Producing a valid tag
 * for bytes that were never signed needs k, that is the secret (the KeyPair): without it, a forger
 * must break SipHash-2-4 as a pseudo-random function, and a blind guess succeeds with probability
 * 2^-128. So accept/reject semantics match Ed25519 for everything the simulation can do (a copied
 * tag on the same bytes is a replay, which the replay window stops as it does for Ed25519). It is
 * not a public-key scheme (verifying needs the registry) and is never used on real networks.
 */
/**
 * What `createKeyedSimCrypto` adds to the Crypto port: the dense index under which it registered a
 * key (0, 1, 2, … in order of creation), so a caller that makes 10⁶ keys can keep its own table by
 * that index instead of a second map by id.
 */
export interface KeyRegistry {
  registryIndex(id: Id): number | undefined;
}

export function createKeyedSimCrypto(): Crypto & KeyRegistry {
  // A simulation registers 10⁵–10⁶ keys: each is an index into chunks of the secrets (a private
  // copy) and of the tag keys, instead of an object and three buffers per key. A tag key is derived
  // on the key's first signature or verification (many keys, a sink's say, never sign anything).
  const registered = new Map<Id, number>();
  const secretChunks: Uint8Array[] = [];
  const tagKeyChunks: Uint32Array[] = [];
  /** 1 where the slot's tag key has been derived. */
  const tagKeyReady: Uint8Array[] = [];
  /** Keys whose secret is not 32 bytes (never derived here, but allowed by the port). */
  const others = new Map<Id, { readonly secret: Uint8Array; readonly tagKey: SipKey }>();
  const tag = new Uint8Array(SIP_TAG_SIZE_BYTES);
  const idHash = labelledSha256(KEYED_ID_DOMAIN);
  const tagKeyHash = labelledSha256(KEYED_TAG_KEY_DOMAIN);
  function tagKeyOf(secret: Uint8Array): SipKey {
    return sipKey(tagKeyHash(secret).subarray(0, SIP_KEY_SIZE_BYTES));
  }
  /** Whether `secret` is the one registered at `index` (compared in place, without a view). */
  function isRegisteredSecret(index: number, secret: Uint8Array): boolean {
    if (secret.length !== KEYED_SECRET_SIZE_BYTES) return false;
    const chunk = secretChunks[index >>> KEYED_CHUNK_BITS]!;
    const offset = (index & KEYED_CHUNK_MASK) * KEYED_SECRET_SIZE_BYTES;
    let difference = 0;
    for (let i = 0; i < KEYED_SECRET_SIZE_BYTES; i++) difference |= chunk[offset + i]! ^ secret[i]!;
    return difference === 0;
  }
  /** A copy of the secret registered at `index`. */
  function secretAt(index: number): Uint8Array {
    const offset = (index & KEYED_CHUNK_MASK) * KEYED_SECRET_SIZE_BYTES;
    return secretChunks[index >>> KEYED_CHUNK_BITS]!.slice(offset, offset + KEYED_SECRET_SIZE_BYTES);
  }
  /** The chunk holding the tag key of `index`, its tag key derived first if need be. */
  function tagKeyChunk(index: number): Uint32Array {
    const chunkIndex = index >>> KEYED_CHUNK_BITS;
    const slot = index & KEYED_CHUNK_MASK;
    const chunk = tagKeyChunks[chunkIndex]!;
    if (tagKeyReady[chunkIndex]![slot] === 0) {
      const offset = slot * KEYED_SECRET_SIZE_BYTES;
      writeSipKey(tagKeyHash(secretChunks[chunkIndex]!.subarray(offset, offset + KEYED_SECRET_SIZE_BYTES)).subarray(0, SIP_KEY_SIZE_BYTES), chunk, slot * 4);
      tagKeyReady[chunkIndex]![slot] = 1;
    }
    return chunk;
  }
  function register(id: Id, secret: Uint8Array): number {
    const known = registered.get(id);
    if (known !== undefined) return known;
    const index = registered.size;
    const chunkIndex = index >>> KEYED_CHUNK_BITS;
    if (chunkIndex === secretChunks.length) {
      secretChunks.push(new Uint8Array(KEYED_CHUNK_KEYS * KEYED_SECRET_SIZE_BYTES));
      tagKeyChunks.push(new Uint32Array(KEYED_CHUNK_KEYS * 4));
      tagKeyReady.push(new Uint8Array(KEYED_CHUNK_KEYS));
    }
    secretChunks[chunkIndex]!.set(secret, (index & KEYED_CHUNK_MASK) * KEYED_SECRET_SIZE_BYTES);
    registered.set(id, index);
    return index;
  }
  /**
   * The key pairs this crypto hands out: the id and the registry index, the secret read from the
   * registry when asked for (a copy each time: a pair of 10⁶ would otherwise hold 10⁶ buffers). The
   * index is a private field, so only pairs made here sign by index: any other object is checked
   * against the registered secret.
   */
  class RegisteredKeyPair implements KeyPair {
    readonly #index: number;
    constructor(
      readonly id: Id,
      index: number,
    ) {
      this.#index = index;
    }
    get secret(): Uint8Array {
      return secretAt(this.#index);
    }
    static indexOf(key: KeyPair): number | undefined {
      return #index in key ? (key as RegisteredKeyPair).#index : undefined;
    }
  }
  /** Whether `signature` is the tag just computed into `tag`, followed by zeros. */
  function isTag(signature: Uint8Array): boolean {
    let difference = 0;
    for (let i = 0; i < SIP_TAG_SIZE_BYTES; i++) difference |= tag[i]! ^ signature[i]!;
    for (let i = SIP_TAG_SIZE_BYTES; i < SIGNATURE_SIZE_BYTES; i++) difference |= signature[i]!;
    return difference === 0;
  }
  const verify: Crypto['verify'] & VerifyWithPrefix = Object.assign(
    (id: Id, bytes: Uint8Array, signature: Uint8Array): boolean => {
      if (signature.length !== SIGNATURE_SIZE_BYTES) return false;
      const index = registered.get(id);
      if (index !== undefined) sipHash128(tagKeyChunk(index), bytes, tag, 0, (index & KEYED_CHUNK_MASK) * 4);
      else {
        const other = others.get(id);
        if (other === undefined) return false;
        sipHash128(other.tagKey, bytes, tag, 0);
      }
      return isTag(signature);
    },
    {
      // The tag is computed over the prefix and the bytes copied one after the other into the
      // WebAssembly memory, where `verify` copies its contiguous input anyway.
      withPrefix(id: Id, prefix: Uint8Array, bytes: Uint8Array, end: number, signature: Uint8Array): boolean {
        if (signature.length !== SIGNATURE_SIZE_BYTES || end < 0 || end > bytes.length) return false;
        const index = registered.get(id);
        if (index !== undefined) sipHash128Prefixed(tagKeyChunk(index), prefix, bytes, end, tag, 0, (index & KEYED_CHUNK_MASK) * 4);
        else {
          const other = others.get(id);
          if (other === undefined) return false;
          sipHash128Prefixed(other.tagKey, prefix, bytes, end, tag, 0);
        }
        return isTag(signature);
      },
    },
  );
  return {
    scheme: 'sim-keyed',
    keyPair(secret) {
      const id = idHash.hex(secret);
      if (secret.length !== KEYED_SECRET_SIZE_BYTES) {
        if (!registered.has(id) && !others.has(id)) others.set(id, { secret: secret.slice(), tagKey: tagKeyOf(secret) });
        return { id, secret: secret.slice() };
      }
      if (others.has(id)) return { id, secret: secret.slice() };
      return new RegisteredKeyPair(id, register(id, secret));
    },
    sign(key, bytes) {
      const signature = new Uint8Array(SIGNATURE_SIZE_BYTES);
      // A pair made by this crypto is signed by its index (each crypto has a class of its own, so
      // another simulation's pairs are not taken for ours); any other object by its secret.
      const own = RegisteredKeyPair.indexOf(key);
      const index = own ?? registered.get(key.id);
      if (index !== undefined && (own !== undefined || isRegisteredSecret(index, key.secret))) {
        sipHash128(tagKeyChunk(index), bytes, signature, 0, (index & KEYED_CHUNK_MASK) * 4);
        return signature;
      }
      const other = others.get(key.id);
      assert(index !== undefined || other !== undefined, 'sim-keyed: signing with a key this simulation did not create');
      // A caller holding another secret under this id gets the tag of its own secret: it never verifies.
      sipHash128(other !== undefined && bytesEqual(other.secret, key.secret) ? other.tagKey : tagKeyOf(key.secret), bytes, signature, 0);
      return signature;
    },
    verify,
    hash: blake3Hash,
    registryIndex: (id) => registered.get(id),
  };
}

const KEYED_SECRET_SIZE_BYTES = 32;
const KEYED_CHUNK_BITS = 12;
const KEYED_CHUNK_KEYS = 1 << KEYED_CHUNK_BITS;
const KEYED_CHUNK_MASK = KEYED_CHUNK_KEYS - 1;

function blake3Hash(bytes: Uint8Array): Uint8Array {
  return blake3(bytes);
}

/**
 * Wraps `crypto` with a bounded cache of successful verifications keyed by the exact signed bytes,
 * so a message fanned out to many engines of one node is verified once (DESIGN.md "Scale").
 * The lookup is keyed by the signature's first 30 bits (a small integer: no string or heap number
 * is built per call); a hit still compares the id, the whole signature and the bytes. Entries are
 * slots of a ring, oldest out, whose signature and bytes are copied into storage the slot keeps
 * and reuses: a verification allocates nothing (a copy per entry, kept until 4,096 later ones,
 * survived young-generation collections and cost the simulator's collector).
 */
export function withVerifyCache(crypto: Crypto, entriesMax = 4096): Crypto & { readonly hits: () => number } {
  const slots = Math.max(1, entriesMax);
  /** The slot of each key; a key whose slot was reused or taken by another entry is simply missed. */
  const slotOf = new Map<number, number>();
  const keys = new Int32Array(slots);
  const ids: (Id | undefined)[] = new Array<Id | undefined>(slots).fill(undefined);
  const signatures = new Uint8Array(slots * SIGNATURE_SIZE_BYTES);
  /** Each slot's copy of the signed bytes (reused while long enough) and their length. */
  const storage: Uint8Array[] = new Array<Uint8Array>(slots).fill(EMPTY_BYTES);
  const lengths = new Int32Array(slots);
  let next = 0;
  let hits = 0;
  function isCached(slot: number, id: Id, bytes: Uint8Array, signature: Uint8Array): boolean {
    if (ids[slot] !== id || lengths[slot] !== bytes.length) return false;
    const base = slot * SIGNATURE_SIZE_BYTES;
    for (let i = 0; i < SIGNATURE_SIZE_BYTES; i++) if (signatures[base + i] !== signature[i]) return false;
    const kept = storage[slot]!;
    for (let i = 0; i < bytes.length; i++) if (kept[i] !== bytes[i]) return false;
    return true;
  }
  return {
    ...crypto,
    hits: () => hits,
    verify(id, bytes, signature) {
      if (signature.length !== SIGNATURE_SIZE_BYTES) return false;
      const key = (signature[0]! | (signature[1]! << 8) | (signature[2]! << 16) | ((signature[3]! & 0x3f) << 24)) | 0;
      const cached = slotOf.get(key);
      if (cached !== undefined && isCached(cached, id, bytes, signature)) {
        hits++;
        return true;
      }
      const isValid = crypto.verify(id, bytes, signature);
      if (isValid) {
        const slot = next;
        next = next + 1 === slots ? 0 : next + 1;
        if (ids[slot] !== undefined && slotOf.get(keys[slot]!) === slot) slotOf.delete(keys[slot]!);
        keys[slot] = key;
        ids[slot] = id;
        signatures.set(signature, slot * SIGNATURE_SIZE_BYTES);
        const kept = storage[slot]!;
        // Short bytes go into the slot's own storage (grown by powers of two); long ones get a copy
        // of their own, dropped when the slot is reused, so the ring never keeps large buffers.
        if (bytes.length > KEPT_BYTES_MAX) storage[slot] = bytes.slice();
        else {
          if (kept.length < bytes.length || kept.length > KEPT_BYTES_MAX) storage[slot] = new Uint8Array(Math.max(KEPT_BYTES_MIN, 2 ** Math.ceil(Math.log2(bytes.length))));
          storage[slot]!.set(bytes);
        }
        lengths[slot] = bytes.length;
        slotOf.set(key, slot);
      }
      return isValid;
    },
  };
}

const EMPTY_BYTES = new Uint8Array(0);
/** Signed bytes up to this long are copied into a cache slot's reused storage, of at least the minimum. */
const KEPT_BYTES_MAX = 4096;
const KEPT_BYTES_MIN = 256;
