// The PubSub peer protocol (SPEC §4.4, Q13): the signed Event and the messages PubSub engines
// exchange as unicast EngineMessages. Canonical codec in the style of core/message.ts.
import { assertNever, type Result } from './assert.js';
import { concatBytes, toHex, utf8 } from './bytes.js';
import type { Id } from './ids.js';
import { BODY_SIZE_BYTES_MAX, SIGNATURE_SIZE_BYTES } from './message.js';
import type { Crypto } from './ports.js';
import { decodeWith, Writer, type CodecError, type Reader } from './wire.js';

export const PUBSUB_PROTOCOL = 'netmachine.pubsub/1.0';
/** Local engines ask the PubSub engine for a topic's parent (JSON `{topic}` → `{topic, parent}`). */
export const PUBSUB_QUERY_PROTOCOL = 'netmachine.pubsub-query/1.0';
const EVENT_TAG = 0xe7;
const EVENT_DOMAIN = utf8('netmachine/Event/1\0');
const DEPS_MAX = 16;
/** Longest tree path a heartbeat or ack carries: a node deeper than this counts as detached (a loop). */
export const TREE_PATH_MAX = 32;

/** One publication (EventV1): `body` is the encapsulated, app-signed EngineMessage; signed by `publisher`. */
export interface PubSubEvent {
  readonly topic: Id;
  readonly publisher: Id;
  /** Per publisher, from 1, strictly increasing (I3). */
  readonly seq: number;
  /** Event ids that must be delivered first (v1: the previous event, Q13). */
  readonly deps: ReadonlyArray<Id>;
  readonly body: Uint8Array;
  readonly sig: Uint8Array;
}

function writeUnsignedEvent(writer: Writer, event: Omit<PubSubEvent, 'sig'>): void {
  writer.u8(EVENT_TAG).id(event.topic).id(event.publisher).varint(event.seq).varint(event.deps.length);
  for (const dep of event.deps) writer.id(dep);
  writer.bytes(event.body);
}

function readEvent(reader: Reader): PubSubEvent {
  const tag = reader.u8();
  if (tag !== EVENT_TAG) reader.fail('codec/bad-tag', `expected an Event (0xe7), got 0x${tag.toString(16)}`);
  const topic = reader.id();
  const publisher = reader.id();
  const seq = reader.varint();
  const count = reader.varint();
  if (count > DEPS_MAX) reader.fail('codec/too-large', `${count} deps exceed ${DEPS_MAX}`);
  const deps: Id[] = [];
  for (let i = 0; i < count; i++) deps.push(reader.id());
  const body = reader.bytesField(BODY_SIZE_BYTES_MAX);
  return { topic, publisher, seq, deps, body, sig: reader.raw(SIGNATURE_SIZE_BYTES) };
}

/** Signs an event with `sign` (the publisher engine's key); returns its canonical bytes. */
export function signEvent(sign: (bytes: Uint8Array) => Uint8Array, event: Omit<PubSubEvent, 'sig'>): Uint8Array {
  const writer = new Writer(128 + event.body.length);
  writeUnsignedEvent(writer, event);
  const unsigned = writer.finish();
  return concatBytes(unsigned, sign(concatBytes(EVENT_DOMAIN, unsigned)));
}

/** True when `encoded` carries a valid signature by `event.publisher` (S15). */
export function verifyEvent(verify: Crypto['verify'], event: PubSubEvent, encoded: Uint8Array): boolean {
  return verify(event.publisher, concatBytes(EVENT_DOMAIN, encoded.subarray(0, encoded.length - SIGNATURE_SIZE_BYTES)), event.sig);
}

export function decodeEvent(bytes: Uint8Array): Result<PubSubEvent, CodecError> {
  return decodeWith(bytes, readEvent);
}

/** EventId = hash of the canonical signed event (Q13). */
export function eventId(hash: (bytes: Uint8Array) => Uint8Array, encoded: Uint8Array): Id {
  return toHex(hash(encoded));
}

/** Messages between PubSub engines. */
export type PubSubMessage =
  /** Asks for adverts: of `topic` (forwarded by nodes that lack it too), or of every known topic. */
  | { readonly kind: 'hello'; readonly topic?: Id }
  /** A TopicAdvert (encoded) and the sender's hop distance to the publisher's node. */
  | { readonly kind: 'advert'; readonly hops: number; readonly advert: Uint8Array }
  /**
   * Join the topic tree through the receiver; replay from `fromSeq` (0 = no replay: start from the
   * parent's next event); `isForced` overrides the fan-out limit.
   */
  | { readonly kind: 'subscribe'; readonly topic: Id; readonly fromSeq: number; readonly isForced: boolean }
  /**
   * `firstSeq`: the oldest event the sender can replay (its log start); `path`: the sender's
   * ancestors from the publisher's node down (over a view; empty on static neighbours).
   */
  | { readonly kind: 'subscribe-ack'; readonly topic: Id; readonly firstSeq: number; readonly path: ReadonlyArray<Id> }
  /** `loop`: the joiner is one of the sender's ancestors (joining would close a cycle). */
  | { readonly kind: 'subscribe-nack'; readonly topic: Id; readonly reason: 'unknown' | 'full' | 'loop' }
  | { readonly kind: 'unsubscribe' | 'unsubscribe-ack'; readonly topic: Id }
  | { readonly kind: 'event'; readonly event: Uint8Array }
  /** Q13 recovery: resend events `fromSeq..toSeq` from the bounded log. */
  | { readonly kind: 'event-request'; readonly topic: Id; readonly fromSeq: number; readonly toSeq: number }
  /**
   * Parent liveness and the highest seq it has (gap detection). Over a view, `path` is the sender's
   * ancestors from the publisher's node down when it is connected to it, undefined while detached.
   */
  | { readonly kind: 'heartbeat'; readonly topic: Id; readonly lastSeq: number; readonly path?: ReadonlyArray<Id> }
  /** Over a view, to view peers: the sender's depth in the tree (0: the publisher's node), undefined: not connected to it. */
  | { readonly kind: 'position'; readonly topic: Id; readonly depth?: number };

const CODES = { hello: 1, advert: 2, subscribe: 3, 'subscribe-ack': 4, 'subscribe-nack': 5, unsubscribe: 6, 'unsubscribe-ack': 7, event: 8, 'event-request': 9, heartbeat: 10, position: 11 } as const;

const NACK_CODES = { unknown: 1, full: 2, loop: 3 } as const;
const NACK_REASONS = ['unknown', 'full', 'loop'] as const;

export function encodePubSubMessage(message: PubSubMessage): Uint8Array {
  const writer = new Writer(64);
  writer.u8(CODES[message.kind]);
  switch (message.kind) {
    case 'hello':
      writer.u8(message.topic === undefined ? 0 : 1);
      if (message.topic !== undefined) writer.id(message.topic);
      break;
    case 'advert':
      writer.varint(message.hops).bytes(message.advert);
      break;
    case 'subscribe':
      writer.id(message.topic).varint(message.fromSeq).u8(message.isForced ? 1 : 0);
      break;
    case 'subscribe-ack':
      writer.id(message.topic).varint(message.firstSeq);
      writePath(writer, message.path);
      break;
    case 'subscribe-nack':
      writer.id(message.topic).u8(NACK_CODES[message.reason]);
      break;
    case 'unsubscribe':
    case 'unsubscribe-ack':
      writer.id(message.topic);
      break;
    case 'event':
      writer.bytes(message.event);
      break;
    case 'event-request':
      writer.id(message.topic).varint(message.fromSeq).varint(message.toSeq);
      break;
    case 'heartbeat':
      writer.id(message.topic).varint(message.lastSeq).u8(message.path === undefined ? 0 : 1);
      if (message.path !== undefined) writePath(writer, message.path);
      break;
    case 'position':
      writer.id(message.topic).u8(message.depth === undefined ? 0 : 1);
      if (message.depth !== undefined) writer.varint(message.depth);
      break;
    default:
      assertNever(message, 'pubsub message');
  }
  return writer.finish();
}

function writePath(writer: Writer, path: ReadonlyArray<Id>): void {
  writer.varint(path.length);
  for (const id of path) writer.id(id);
}

function readPath(reader: Reader): Id[] {
  const count = reader.varint();
  if (count > TREE_PATH_MAX) reader.fail('codec/too-large', `a tree path of ${count} exceeds ${TREE_PATH_MAX}`);
  const path: Id[] = [];
  for (let i = 0; i < count; i++) path.push(reader.id());
  return path;
}

function readPubSubMessage(reader: Reader): PubSubMessage {
  const code = reader.u8();
  switch (code) {
    case 1:
      return reader.boolean() ? { kind: 'hello', topic: reader.id() } : { kind: 'hello' };
    case 2:
      return { kind: 'advert', hops: reader.varint(), advert: reader.bytesField(4096) };
    case 3:
      return { kind: 'subscribe', topic: reader.id(), fromSeq: reader.varint(), isForced: reader.boolean() };
    case 4:
      return { kind: 'subscribe-ack', topic: reader.id(), firstSeq: reader.varint(), path: readPath(reader) };
    case 5: {
      const topic = reader.id();
      const reason = reader.u8();
      const name = NACK_REASONS[reason - 1];
      if (name === undefined) return reader.fail('codec/bad-tag', `unknown nack reason ${reason}`);
      return { kind: 'subscribe-nack', topic, reason: name };
    }
    case 6:
      return { kind: 'unsubscribe', topic: reader.id() };
    case 7:
      return { kind: 'unsubscribe-ack', topic: reader.id() };
    case 8:
      return { kind: 'event', event: reader.bytesField(BODY_SIZE_BYTES_MAX) };
    case 9:
      return { kind: 'event-request', topic: reader.id(), fromSeq: reader.varint(), toSeq: reader.varint() };
    case 10:
    {
      const topic = reader.id();
      const lastSeq = reader.varint();
      return reader.boolean() ? { kind: 'heartbeat', topic, lastSeq, path: readPath(reader) } : { kind: 'heartbeat', topic, lastSeq };
    }
    case 11: {
      const topic = reader.id();
      return reader.boolean() ? { kind: 'position', topic, depth: reader.varint() } : { kind: 'position', topic };
    }
    default:
      return reader.fail('codec/bad-tag', `unknown pubsub message ${code}`);
  }
}

export function decodePubSubMessage(bytes: Uint8Array): Result<PubSubMessage, CodecError> {
  return decodeWith(bytes, readPubSubMessage);
}
