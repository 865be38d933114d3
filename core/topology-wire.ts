// The Topology peer protocol (SPEC §4.6): HyParView's messages (Leitão, Pereira, Rodrigues, DSN 2007)
// as unicast EngineMessages between the Topology engines of one domain. A peer travels as a
// descriptor: its signed NodeAdvert (so that a node that never heard of it can dial it), the id of
// its Topology engine, and the engines it announces to the view. Canonical codec in the style of
// core/message.ts; every list is bounded, and untrusted bytes never throw past the decoder.
import { assertNever, type Result } from './assert.js';
import { decodeAdvert, encodeAdvert, type NodeAdvert } from './adverts.js';
import type { Id } from './ids.js';
import { decodeWith, Writer, type CodecError, type Reader } from './wire.js';

export const TOPOLOGY_PROTOCOL = 'netmachine.topology/1.0';
/** Descriptors one shuffle (or its reply) may carry. */
export const SHUFFLE_ENTRIES_MAX = 64;
/** Engines one descriptor may announce. */
export const ANNOUNCED_ENGINES_MAX = 16;
const ENGINE_NAME_SIZE_BYTES_MAX = 64;
const ADVERT_SIZE_BYTES_MAX = 4096;
const MESSAGE_TAG = 0x70;

/** A peer as the Topology passes it around. Its node is `advert.id`. */
export interface PeerDescriptor {
  /** The peer's self-signed node advert (verified by whoever dials it). */
  readonly advert: NodeAdvert;
  /** The peer's Topology engine for this domain. */
  readonly topology: Id;
  /** Engine name → engine id, as the peer announces them (its Topology engine among them). */
  readonly engines: ReadonlyArray<readonly [string, Id]>;
}

/** HyParView's messages; each names the domain, so that engines of two domains never mix. */
export type TopologyMessage =
  /** JOIN: the sender (a new member) asks the contact to take it into its active view. */
  | { readonly kind: 'join'; readonly domain: Id; readonly peer: PeerDescriptor }
  /** FORWARD_JOIN: the random walk that spreads a new member into active and passive views. */
  | { readonly kind: 'forward-join'; readonly domain: Id; readonly joiner: PeerDescriptor; readonly ttl: number }
  /** NEIGHBOR: the sender asks to enter the receiver's active view; high priority when its own active view is empty. */
  | { readonly kind: 'neighbor'; readonly domain: Id; readonly peer: PeerDescriptor; readonly isHighPriority: boolean }
  /** The answer to NEIGHBOR or JOIN; an accepting peer describes itself. */
  | { readonly kind: 'neighbor-reply'; readonly domain: Id; readonly isAccepted: boolean; readonly peer?: PeerDescriptor }
  /** DISCONNECT: the sender moved the receiver from its active to its passive view. */
  | { readonly kind: 'disconnect'; readonly domain: Id }
  /** SHUFFLE: a random walk of `ttl` steps carrying a sample of the origin's views. */
  | { readonly kind: 'shuffle'; readonly domain: Id; readonly origin: PeerDescriptor; readonly ttl: number; readonly entries: ReadonlyArray<PeerDescriptor> }
  /** SHUFFLEREPLY: the walk's last node answers the origin with a sample of its passive view. */
  | { readonly kind: 'shuffle-reply'; readonly domain: Id; readonly entries: ReadonlyArray<PeerDescriptor> };

const KINDS: ReadonlyArray<TopologyMessage['kind']> = ['join', 'forward-join', 'neighbor', 'neighbor-reply', 'disconnect', 'shuffle', 'shuffle-reply'];

function writePeer(writer: Writer, peer: PeerDescriptor): void {
  writer.bytes(encodeAdvert(peer.advert)).id(peer.topology).varint(peer.engines.length);
  for (const [name, engine] of peer.engines) writer.string(name).id(engine);
}

function readPeer(reader: Reader): PeerDescriptor {
  const decoded = decodeAdvert(reader.bytesField(ADVERT_SIZE_BYTES_MAX));
  if (!decoded.ok) return reader.fail(decoded.error.code, `peer advert: ${decoded.error.message}`);
  if (decoded.value.kind !== 'node') return reader.fail('codec/bad-tag', `peer advert: expected a node advert, got a ${decoded.value.kind} advert`);
  const topology = reader.id();
  const count = reader.varint();
  if (count > ANNOUNCED_ENGINES_MAX) reader.fail('codec/too-large', `${count} announced engines exceed ${ANNOUNCED_ENGINES_MAX}`);
  const engines: Array<readonly [string, Id]> = [];
  for (let i = 0; i < count; i++) engines.push([reader.string(ENGINE_NAME_SIZE_BYTES_MAX), reader.id()]);
  return { advert: decoded.value, topology, engines };
}

function writePeers(writer: Writer, peers: ReadonlyArray<PeerDescriptor>): void {
  if (peers.length > SHUFFLE_ENTRIES_MAX) throw new RangeError(`${peers.length} shuffle entries exceed ${SHUFFLE_ENTRIES_MAX}`);
  writer.varint(peers.length);
  for (const peer of peers) writePeer(writer, peer);
}

function readPeers(reader: Reader): PeerDescriptor[] {
  const count = reader.varint();
  if (count > SHUFFLE_ENTRIES_MAX) reader.fail('codec/too-large', `${count} shuffle entries exceed ${SHUFFLE_ENTRIES_MAX}`);
  const peers: PeerDescriptor[] = [];
  for (let i = 0; i < count; i++) peers.push(readPeer(reader));
  return peers;
}

export function encodeTopologyMessage(message: TopologyMessage): Uint8Array {
  const writer = new Writer(256);
  writer.u8(MESSAGE_TAG).u8(KINDS.indexOf(message.kind)).id(message.domain);
  switch (message.kind) {
    case 'join':
      writePeer(writer, message.peer);
      break;
    case 'forward-join':
      writePeer(writer, message.joiner);
      writer.varint(message.ttl);
      break;
    case 'neighbor':
      writePeer(writer, message.peer);
      writer.u8(message.isHighPriority ? 1 : 0);
      break;
    case 'neighbor-reply':
      writer.u8(message.isAccepted ? 1 : 0).u8(message.peer === undefined ? 0 : 1);
      if (message.peer !== undefined) writePeer(writer, message.peer);
      break;
    case 'disconnect':
      break;
    case 'shuffle':
      writePeer(writer, message.origin);
      writer.varint(message.ttl);
      writePeers(writer, message.entries);
      break;
    case 'shuffle-reply':
      writePeers(writer, message.entries);
      break;
    default:
      assertNever(message, 'topology message');
  }
  return writer.finish();
}

function readTopologyMessage(reader: Reader): TopologyMessage {
  const tag = reader.u8();
  if (tag !== MESSAGE_TAG) reader.fail('codec/bad-tag', `expected a topology message (0x${MESSAGE_TAG.toString(16)}), got 0x${tag.toString(16)}`);
  const code = reader.u8();
  const kind = KINDS[code];
  if (kind === undefined) return reader.fail('codec/bad-tag', `unknown topology message ${code}`);
  const domain = reader.id();
  switch (kind) {
    case 'join':
      return { kind, domain, peer: readPeer(reader) };
    case 'forward-join':
      return { kind, domain, joiner: readPeer(reader), ttl: reader.varint() };
    case 'neighbor':
      return { kind, domain, peer: readPeer(reader), isHighPriority: reader.boolean() };
    case 'neighbor-reply': {
      const isAccepted = reader.boolean();
      return reader.boolean() ? { kind, domain, isAccepted, peer: readPeer(reader) } : { kind, domain, isAccepted };
    }
    case 'disconnect':
      return { kind, domain };
    case 'shuffle':
      return { kind, domain, origin: readPeer(reader), ttl: reader.varint(), entries: readPeers(reader) };
    case 'shuffle-reply':
      return { kind, domain, entries: readPeers(reader) };
  }
}

/** Decodes untrusted bytes; the adverts inside are decoded, not yet verified. */
export function decodeTopologyMessage(bytes: Uint8Array): Result<TopologyMessage, CodecError> {
  return decodeWith(bytes, readTopologyMessage);
}
