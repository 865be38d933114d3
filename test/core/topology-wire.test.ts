// Topology wire format (HyParView's messages): every message survives a round trip; bounds are
// enforced with typed errors; untrusted bytes never throw past the decoder.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ANNOUNCED_ENGINES_MAX,
  createNodeCrypto,
  decodeTopologyMessage,
  deriveSecret,
  encodeAdvert,
  encodeTopologyMessage,
  SHUFFLE_ENTRIES_MAX,
  signAdvert,
  type KeyPair,
  type NodeAdvert,
  type PeerDescriptor,
  type TopologyMessage,
} from '../../core/index.js';

const crypto = createNodeCrypto();
const key = (name: string): KeyPair => crypto.keyPair(deriveSecret('topology-wire-test', 'node', name));
const advertOf = (name: string): NodeAdvert => signAdvert(crypto, key(name), { kind: 'node', id: key(name).id, version: 1, created: 0, addresses: [{ address: `sim://${name}`, weight: 1 }] });
const peer = (name: string): PeerDescriptor => ({ advert: advertOf(name), topology: key(`${name}/topology`).id, engines: [['topology', key(`${name}/topology`).id], ['pubsub', key(`${name}/pubsub`).id]] });
const domain = key('domain').id;

const MESSAGES: TopologyMessage[] = [
  { kind: 'join', domain, peer: peer('a') },
  { kind: 'forward-join', domain, joiner: peer('b'), ttl: 6 },
  { kind: 'neighbor', domain, peer: peer('c'), isHighPriority: true },
  { kind: 'neighbor', domain, peer: peer('c'), isHighPriority: false },
  { kind: 'neighbor-reply', domain, isAccepted: true, peer: peer('d') },
  { kind: 'neighbor-reply', domain, isAccepted: false },
  { kind: 'disconnect', domain },
  { kind: 'shuffle', domain, origin: peer('e'), ttl: 3, entries: [peer('f'), peer('g')] },
  { kind: 'shuffle-reply', domain, entries: [] },
  { kind: 'shuffle-reply', domain, entries: [peer('h')] },
];

describe('topology messages', () => {
  it('every kind survives a round trip, byte for byte', () => {
    for (const message of MESSAGES) {
      const bytes = encodeTopologyMessage(message);
      const decoded = decodeTopologyMessage(bytes);
      expect(decoded.ok, message.kind).toBe(true);
      if (!decoded.ok) continue;
      expect(decoded.value).toEqual(message);
      expect(encodeTopologyMessage(decoded.value)).toEqual(bytes);
    }
  });

  it('a truncated message, an unknown kind, a wrong tag and trailing bytes are typed errors', () => {
    const bytes = encodeTopologyMessage(MESSAGES[7]!);
    for (let length = 0; length < bytes.length; length++) {
      const decoded = decodeTopologyMessage(bytes.slice(0, length));
      expect(decoded.ok).toBe(false);
    }
    const unknownKind = bytes.slice();
    unknownKind[1] = 99;
    expect(decodeTopologyMessage(unknownKind)).toMatchObject({ ok: false, error: { code: 'codec/bad-tag' } });
    const wrongTag = bytes.slice();
    wrongTag[0] = 0x71;
    expect(decodeTopologyMessage(wrongTag)).toMatchObject({ ok: false, error: { code: 'codec/bad-tag' } });
    expect(decodeTopologyMessage(new Uint8Array([...bytes, 0]))).toMatchObject({ ok: false, error: { code: 'codec/trailing-bytes' } });
  });

  it('a descriptor must carry a node advert, and lists are bounded', () => {
    // A topic advert where a node advert belongs.
    const topicKey = key('topic');
    const topicAdvert = signAdvert(crypto, topicKey, { kind: 'topic', id: topicKey.id, version: 1, created: 0, publishers: [], relays: [], tags: [] });
    const good = encodeTopologyMessage({ kind: 'join', domain, peer: peer('a') });
    const advertBytes = encodeAdvert(peer('a').advert);
    const start = 2 + 32 + 1; // tag, kind, domain, the advert's one-byte length
    expect(good.slice(start, start + advertBytes.length)).toEqual(advertBytes);
    const topicBytes = encodeAdvert(topicAdvert);
    const forged = new Uint8Array([...good.slice(0, start - 1), topicBytes.length, ...topicBytes, ...good.slice(start + advertBytes.length)]);
    expect(decodeTopologyMessage(forged)).toMatchObject({ ok: false, error: { code: 'codec/bad-tag' } });
    // Too many shuffle entries: the encoder refuses, and so does the decoder.
    const many = Array.from({ length: SHUFFLE_ENTRIES_MAX + 1 }, () => peer('x'));
    expect(() => encodeTopologyMessage({ kind: 'shuffle-reply', domain, entries: many })).toThrow(RangeError);
    const oversized = new Uint8Array([0x70, 6, ...encodeTopologyMessage({ kind: 'disconnect', domain }).slice(2), SHUFFLE_ENTRIES_MAX + 1]);
    expect(decodeTopologyMessage(oversized)).toMatchObject({ ok: false, error: { code: 'codec/too-large' } });
    const engines = Array.from({ length: ANNOUNCED_ENGINES_MAX + 1 }, (_, i) => [`e${i}`, key('e').id] as const);
    const crowded = encodeTopologyMessage({ kind: 'join', domain, peer: { ...peer('a'), engines } });
    expect(decodeTopologyMessage(crowded)).toMatchObject({ ok: false, error: { code: 'codec/too-large' } });
  });

  it('random bytes never throw', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => void decodeTopologyMessage(bytes)));
    const bytes = encodeTopologyMessage(MESSAGES[7]!);
    fc.assert(fc.property(fc.integer({ min: 0, max: bytes.length - 1 }), fc.integer({ min: 0, max: 255 }), (index, value) => {
      const copy = bytes.slice();
      copy[index] = value;
      void decodeTopologyMessage(copy);
    }));
  });
});
