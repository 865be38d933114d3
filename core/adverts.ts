// Self-signed, versioned adverts (SPEC §4.8, §4.4, §4.6, Q8, Q15): NodeAdvert, EngineAdvert,
// TopicAdvert, DomainAdvert. Canonical codec in the style of core/message.ts: the signature covers a
// domain tag ‖ the encoding of every other field and is the last 64 bytes of the encoding.
import { assertNever, type Result } from './assert.js';
import { concatBytes, utf8 } from './bytes.js';
import type { Id } from './ids.js';
import { SIGNATURE_SIZE_BYTES } from './message.js';
import type { Crypto, KeyPair } from './ports.js';
import { decodeWith, Writer, type CodecError, type Reader } from './wire.js';

/** Bounds on list fields a decoder accepts (STYLE rule 13). */
export const ADVERT_LIST_MAX = 64;
const ADDRESS_SIZE_BYTES_MAX = 512;
const TAG_SIZE_BYTES_MAX = 128;

/** A node's addresses with its own preference weight (Q16: higher = preferred, 0 = last resort). */
export interface WeightedAddress {
  readonly address: string;
  readonly weight: number;
}

interface AdvertCommon {
  readonly version: number;
  /** Creation time, ms (Q5). */
  readonly created: number;
  readonly sig: Uint8Array;
}

export interface NodeAdvert extends AdvertCommon {
  readonly kind: 'node';
  readonly id: Id;
  readonly addresses: ReadonlyArray<WeightedAddress>;
}
export interface EngineAdvert extends AdvertCommon {
  readonly kind: 'engine';
  readonly id: Id;
  /** Where the engine runs. */
  readonly node: Id;
}
/** Q8: signed by the topic key; lists the authorised publishers (v1: one) and relay nodes. */
export interface TopicAdvert extends AdvertCommon {
  readonly kind: 'topic';
  readonly id: Id;
  readonly publishers: ReadonlyArray<Id>;
  readonly relays: ReadonlyArray<Id>;
  readonly tags: ReadonlyArray<string>;
}
export interface DomainAdvert extends AdvertCommon {
  readonly kind: 'domain';
  readonly id: Id;
  /** Members serving external requests. */
  readonly nodes: ReadonlyArray<Id>;
}

export type Advert = NodeAdvert | EngineAdvert | TopicAdvert | DomainAdvert;
export type UnsignedAdvert = Advert extends infer A ? (A extends Advert ? Omit<A, 'sig'> : never) : never;

const ADVERT_TAG = 0xa1;
const KIND_CODES = { node: 1, engine: 2, topic: 3, domain: 4 } as const;
const ADVERT_DOMAIN = utf8('netmachine/Advert/1\0');

function writeIds(writer: Writer, ids: ReadonlyArray<Id>): void {
  writer.varint(ids.length);
  for (const id of ids) writer.id(id);
}
function readList<T>(reader: Reader, read: () => T): T[] {
  const count = reader.varint();
  if (count > ADVERT_LIST_MAX) reader.fail('codec/too-large', `advert list of ${count} entries exceeds ${ADVERT_LIST_MAX}`);
  const list: T[] = [];
  for (let i = 0; i < count; i++) list.push(read());
  return list;
}

function writeUnsigned(writer: Writer, advert: UnsignedAdvert): void {
  writer.u8(ADVERT_TAG).u8(KIND_CODES[advert.kind]).id(advert.id).varint(advert.version).varint(advert.created);
  switch (advert.kind) {
    case 'node':
      writer.varint(advert.addresses.length);
      for (const entry of advert.addresses) writer.string(entry.address).u8(entry.weight);
      return;
    case 'engine':
      writer.id(advert.node);
      return;
    case 'topic':
      writeIds(writer, advert.publishers);
      writeIds(writer, advert.relays);
      writer.varint(advert.tags.length);
      for (const tag of advert.tags) writer.string(tag);
      return;
    case 'domain':
      writeIds(writer, advert.nodes);
      return;
    default:
      assertNever(advert, 'advert');
  }
}

function readAdvert(reader: Reader): Advert {
  const tag = reader.u8();
  if (tag !== ADVERT_TAG) reader.fail('codec/bad-tag', `expected an advert (0xa1), got 0x${tag.toString(16)}`);
  const code = reader.u8();
  const id = reader.id();
  const version = reader.varint();
  const created = reader.varint();
  const sigOf = (): Uint8Array => reader.raw(SIGNATURE_SIZE_BYTES);
  switch (code) {
    case 1: {
      const addresses = readList(reader, () => ({ address: reader.string(ADDRESS_SIZE_BYTES_MAX), weight: reader.u8() }));
      return { kind: 'node', id, version, created, addresses, sig: sigOf() };
    }
    case 2:
      return { kind: 'engine', id, version, created, node: reader.id(), sig: sigOf() };
    case 3: {
      const publishers = readList(reader, () => reader.id());
      const relays = readList(reader, () => reader.id());
      const tags = readList(reader, () => reader.string(TAG_SIZE_BYTES_MAX));
      return { kind: 'topic', id, version, created, publishers, relays, tags, sig: sigOf() };
    }
    case 4:
      return { kind: 'domain', id, version, created, nodes: readList(reader, () => reader.id()), sig: sigOf() };
    default:
      return reader.fail('codec/bad-tag', `unknown advert kind ${code}`);
  }
}

/** Canonical bytes of a signed advert. */
export function encodeAdvert(advert: Advert): Uint8Array {
  const writer = new Writer(256);
  writeUnsigned(writer, advert);
  return writer.raw(advert.sig).finish();
}

/** Decodes untrusted bytes (signature not yet checked). */
export function decodeAdvert(bytes: Uint8Array): Result<Advert, CodecError> {
  return decodeWith(bytes, readAdvert);
}

/** Signs with `key`, which must be the advert's own identity (self-signed, S15). */
export function signAdvert<A extends UnsignedAdvert>(crypto: Crypto, key: KeyPair, advert: A): A & { sig: Uint8Array } {
  if (key.id !== advert.id) throw new RangeError('an advert is signed by its own identity');
  const writer = new Writer(256);
  writeUnsigned(writer, advert);
  const sig = crypto.sign(key, concatBytes(ADVERT_DOMAIN, writer.finish()));
  return { ...advert, sig };
}

/** True when `advert` is validly self-signed by `advert.id`. */
export function verifyAdvert(verify: Crypto['verify'], advert: Advert): boolean {
  const writer = new Writer(256);
  writeUnsigned(writer, advert);
  return verify(advert.id, concatBytes(ADVERT_DOMAIN, writer.finish()), advert.sig);
}
