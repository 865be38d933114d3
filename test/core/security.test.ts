import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createNobleCrypto,
  createNodeCrypto,
  decodeP2PMessage,
  deriveSecret,
  signAdvert,
  signEngineMessage,
  signP2PMessage,
  utf8,
} from '../../core/index.js';
import { createHarness, type Harness } from '../support/harness.js';

/** Mallory signs an engine message claiming A's engine; A's node key wraps it in a valid envelope. */
function injectForgedEngineMessage(harness: Harness, seq: number): void {
  const { bytes } = signEngineMessage(harness.crypto, harness.keys.mallory, {
    src: harness.keys.aEngine.id, // claims A's engine
    dst: { kind: 'engine', engine: harness.keys.bEngine.id, node: harness.keys.b.id },
    id: seq,
    protocol: 'p',
    body: utf8('forged'),
  });
  harness.inject(signP2PMessage(harness.crypto, harness.keys.a, { src: harness.keys.a.id, dst: harness.keys.b.id, session: 1, seq, inner: 'engine', msg: bytes }));
}

describe('the Router verifies every received message', () => {
  it('delivers a genuine message once; the same frame again is a replay', () => {
    const harness = createHarness();
    harness.sendAtoB(utf8('hello'));
    expect(harness.framesAtoB).toHaveLength(1);
    harness.inject(harness.framesAtoB[0]!);
    harness.inject(harness.framesAtoB[0]!);
    expect(harness.received).toHaveLength(1);
    expect(harness.events.filter((event) => event.kind === 'drop' && event.reason === 'replay')).toHaveLength(1);
  });

  it('I9/S4: a frame with any byte changed is never delivered', () => {
    const harness = createHarness();
    harness.sendAtoB(utf8('payload that matters'));
    const frame = harness.framesAtoB[0]!;
    fc.assert(
      fc.property(fc.nat(frame.length - 1), fc.integer({ min: 1, max: 255 }), (index, delta) => {
        const tampered = frame.slice();
        tampered[index] = (tampered[index]! + delta) & 0xff;
        const before = harness.received.length;
        const eventsBefore = harness.events.length;
        harness.inject(tampered);
        harness.run();
        expect(harness.received.length).toBe(before);
        const outcome = harness.events.slice(eventsBefore).find((event) => event.kind === 'verify-fail' || event.kind === 'drop');
        expect(outcome).toBeDefined();
      }),
      { numRuns: 300 },
    );
  });

  it('a message re-signed by a node key that is not the sender is refused (forged envelope)', () => {
    const harness = createHarness();
    harness.sendAtoB(utf8('x'));
    const decoded = decodeP2PMessage(harness.framesAtoB[0]!);
    if (!decoded.ok) throw new Error('fixture');
    // Mallory wraps A's genuine engine message in an envelope claiming to come from A.
    const forged = signP2PMessage(harness.crypto, harness.keys.mallory, { ...decoded.value, seq: 99 });
    harness.inject(forged);
    harness.run();
    expect(harness.received).toHaveLength(0);
    expect(harness.events.some((event) => event.kind === 'verify-fail' && event.reason === 'node-signature')).toBe(true);
  });

  it('S4: a frame with a bad node signature makes the Router disconnect that peer; other failures do not', () => {
    const harness = createHarness();
    harness.sendAtoB(utf8('x'));
    const decoded = decodeP2PMessage(harness.framesAtoB[0]!);
    if (!decoded.ok) throw new Error('fixture');
    // A replayed frame and a forged engine signature are dropped without cutting the peer off ...
    harness.inject(harness.framesAtoB[0]!);
    harness.inject(harness.framesAtoB[0]!);
    injectForgedEngineMessage(harness, 7);
    harness.run();
    expect(harness.disconnectsAtB).toEqual([]);
    // ... a bad envelope signature from A's channel cuts A off, and nothing reaches an engine.
    const badSignature = signP2PMessage(harness.crypto, harness.keys.mallory, { ...decoded.value, seq: 50 });
    harness.inject(badSignature);
    harness.run();
    expect(harness.disconnectsAtB).toEqual([harness.keys.a.id]);
    expect(harness.received).toHaveLength(1);
  });

  it('an engine message signed by the wrong engine key is refused even in a valid envelope', () => {
    const harness = createHarness();
    injectForgedEngineMessage(harness, 1);
    harness.run();
    expect(harness.received).toHaveLength(0);
    expect(harness.events.some((event) => event.kind === 'verify-fail' && event.reason === 'engine-signature')).toBe(true);
  });

  it('a frame whose envelope source differs from the authenticated channel peer is refused', () => {
    const harness = createHarness();
    harness.sendAtoB(utf8('x'));
    harness.inject(harness.framesAtoB[0]!, harness.keys.mallory.id);
    harness.run();
    expect(harness.received).toHaveLength(0);
    expect(harness.events.some((event) => event.kind === 'verify-fail' && event.reason === 'channel-mismatch')).toBe(true);
  });

  it('an engine advertised on one node cannot speak through another node', () => {
    const harness = createHarness();
    // Mallory's node relays A's genuinely signed engine message as its own.
    harness.sendAtoB(utf8('x'));
    const inner = decodeP2PMessage(harness.framesAtoB[0]!);
    if (!inner.ok) throw new Error('fixture');
    harness.inject(signP2PMessage(harness.crypto, harness.keys.mallory, { ...inner.value, src: harness.keys.mallory.id }), harness.keys.mallory.id);
    harness.run();
    expect(harness.received).toHaveLength(0);
    expect(harness.events.some((event) => event.kind === 'verify-fail' && event.reason === 'engine-node-mismatch')).toBe(true);
  });

  it('garbage frames become typed codec drops and the node keeps working', () => {
    const harness = createHarness();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (garbage) => {
        harness.inject(garbage);
      }),
      { numRuns: 300 },
    );
    harness.sendAtoB(utf8('still alive'));
    harness.inject(harness.framesAtoB[0]!);
    harness.run();
    expect(harness.received).toHaveLength(1);
  });
});

describe('I4/Q7: topic messages from the network', () => {
  /** A's node wraps a message from `source` addressed to topic `topic` (the Router itself never sends one). */
  function injectTopicMessage(harness: Harness, source: ReturnType<Harness['crypto']['keyPair']>, topic: string, seq: number): void {
    const { bytes } = signEngineMessage(harness.crypto, source, { src: source.id, dst: { kind: 'topic', topic }, id: seq, protocol: 'p', body: utf8('takeover') });
    harness.inject(signP2PMessage(harness.crypto, harness.keys.a, { src: harness.keys.a.id, dst: harness.keys.b.id, session: 1, seq, inner: 'engine', msg: bytes }));
  }

  it('a plain remote message to a topic is refused unless the topic\'s advert authorises its source', () => {
    const harness = createHarness();
    const topicKey = harness.crypto.keyPair(deriveSecret('harness', 'topic', 't'));
    harness.b.perform('app', (ctx) => ctx.subscribe(topicKey.id));
    injectTopicMessage(harness, harness.keys.aEngine, topicKey.id, 1);
    harness.run();
    expect(harness.received).toHaveLength(0);
    expect(harness.events.some((event) => event.kind === 'verify-fail' && event.reason === 'topic-unauthorised')).toBe(true);
    // Once B holds the topic's advert naming A's engine as the publisher, the same path is open.
    const advert = signAdvert(harness.crypto, topicKey, { kind: 'topic', id: topicKey.id, version: 1, created: 0, publishers: [harness.keys.aEngine.id], relays: [harness.keys.a.id], tags: [] });
    harness.b.perform('app', (ctx) => ctx.offerAdvert(advert));
    injectTopicMessage(harness, harness.keys.aEngine, topicKey.id, 2);
    harness.run();
    expect(harness.received).toHaveLength(1);
    // Another engine of the same node is still not a publisher of it.
    injectTopicMessage(harness, harness.keys.mallory, topicKey.id, 3);
    harness.run();
    expect(harness.received).toHaveLength(1);
  });
});

describe('on a channel-authenticated transport (TLS/QUIC bound to node keys)', () => {
  it('the envelope carries no node signature, yet a wrong channel peer and a forged engine signature are still refused', () => {
    const harness = createHarness({ isChannelAuthenticated: true });
    harness.sendAtoB(utf8('hello'));
    const decoded = decodeP2PMessage(harness.framesAtoB[0]!);
    expect(decoded.ok && Array.from(decoded.value.sig).every((byte) => byte === 0)).toBe(true);
    harness.inject(harness.framesAtoB[0]!);
    harness.run();
    expect(harness.received).toHaveLength(1);
    // Another peer's channel cannot carry A's envelope.
    harness.inject(harness.framesAtoB[0]!, harness.keys.mallory.id);
    harness.run();
    expect(harness.events.some((event) => event.kind === 'verify-fail' && event.reason === 'channel-mismatch')).toBe(true);
    // Engine signatures stay end to end.
    injectForgedEngineMessage(harness, 9);
    harness.run();
    expect(harness.received).toHaveLength(1);
    expect(harness.events.some((event) => event.kind === 'verify-fail' && event.reason === 'engine-signature')).toBe(true);
  });
});

describe('Ed25519 implementations agree', () => {
  it('node:crypto and @noble/ed25519 produce the same keys and accept each other\'s signatures', () => {
    const fast = createNodeCrypto();
    const noble = createNobleCrypto();
    fc.assert(
      fc.property(fc.string(), fc.uint8Array({ maxLength: 100 }), (name, bytes) => {
        const secret = deriveSecret(7, 'eng', name);
        const a = fast.keyPair(secret);
        const b = noble.keyPair(secret);
        expect(a.id).toBe(b.id);
        const signature = fast.sign(a, bytes);
        expect(Buffer.from(noble.sign(b, bytes))).toEqual(Buffer.from(signature)); // Ed25519 is deterministic
        expect(noble.verify(a.id, bytes, signature)).toBe(true);
        expect(fast.verify(a.id, bytes, signature)).toBe(true);
        const flipped = signature.slice();
        flipped[0] = flipped[0]! ^ 1;
        expect(fast.verify(a.id, bytes, flipped)).toBe(false);
        expect(noble.verify(a.id, bytes, flipped)).toBe(false);
      }),
      { numRuns: 30 },
    );
  });
});
