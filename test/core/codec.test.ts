import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bytesEqual,
  concatBytes,
  createNodeCrypto,
  engineMessageSigningBytes,
  utf8,
  fromUtf8,
  withVerifyCache,
  decodeEngineMessage,
  decodeP2PMessage,
  deriveSecret,
  encodeEngineMessage,
  encodeP2PMessage,
  signEngineMessage,
  signP2PMessage,
  verifyEngineMessage,
  verifyP2PMessage,
  type Destination,
  type UnsignedEngineMessage,
} from '../../core/index.js';

const crypto = createNodeCrypto();
const engineKey = crypto.keyPair(deriveSecret(1, 'eng', 'codec/a'));
const nodeKey = crypto.keyPair(deriveSecret(1, 'node', 'codec'));
const hexId = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((bytes) => Buffer.from(bytes).toString('hex'));
const destination: fc.Arbitrary<Destination> = fc.oneof(
  fc.record({ kind: fc.constant('engine' as const), engine: hexId }),
  fc.record({ kind: fc.constant('engine' as const), engine: hexId, node: hexId }),
  fc.record({ kind: fc.constant('node' as const), node: hexId }),
  fc.record({ kind: fc.constant('topic' as const), topic: hexId }),
  fc.record({ kind: fc.constant('domain' as const), domain: hexId }),
);
const safeNat = fc.maxSafeNat();
export const unsignedMessage: fc.Arbitrary<UnsignedEngineMessage> = fc.record(
  {
    src: fc.constant(engineKey.id),
    dst: destination,
    id: safeNat,
    replyTo: safeNat,
    expiry: safeNat,
    scope: fc.oneof(fc.constant({ kind: 'local' as const }), fc.constant({ kind: 'any' as const }), hexId.map((domain) => ({ kind: 'domain' as const, domain }))),
    tprefs: fc.oneof(
      fc.record({ isOrdered: fc.boolean(), isReliable: fc.boolean(), security: fc.constantFrom('direct' as const, 'mixnet' as const) }),
      fc.record({ isOrdered: fc.boolean(), isReliable: fc.boolean(), security: fc.constant('onion' as const), onionHopsMin: fc.nat(10) }),
    ),
    protocol: fc.string({ maxLength: 40 }),
    body: fc.uint8Array({ maxLength: 300 }),
  },
  { requiredKeys: ['src', 'dst', 'id', 'protocol', 'body'] },
);

describe('EngineMessage codec', () => {
  it('I9: encode → decode → encode is byte-identical, and the decoded message equals the original', () => {
    fc.assert(
      fc.property(unsignedMessage, (unsigned) => {
        const { message, bytes } = signEngineMessage(crypto, engineKey, unsigned);
        const decoded = decodeEngineMessage(bytes);
        expect(decoded.ok).toBe(true);
        if (!decoded.ok) return;
        expect(decoded.value).toEqual(message);
        expect(bytesEqual(encodeEngineMessage(decoded.value), bytes)).toBe(true);
        expect(verifyEngineMessage(crypto, decoded.value, bytes)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('decoding random bytes never throws and anything accepted re-encodes to the same bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        const decoded = decodeEngineMessage(bytes);
        if (decoded.ok) expect(bytesEqual(encodeEngineMessage(decoded.value), bytes)).toBe(true);
        else expect(decoded.error.code).toMatch(/^codec\//);
      }),
      { numRuns: 2000 },
    );
  });

  it('mutating a valid encoding either fails to decode or decodes canonically (no second encoding of one message)', () => {
    fc.assert(
      fc.property(unsignedMessage, fc.nat(), fc.integer({ min: 1, max: 255 }), (unsigned, position, delta) => {
        const { bytes } = signEngineMessage(crypto, engineKey, unsigned);
        const mutated = bytes.slice();
        const index = position % mutated.length;
        mutated[index] = (mutated[index]! + delta) & 0xff;
        const decoded = decodeEngineMessage(mutated);
        if (decoded.ok) {
          expect(bytesEqual(encodeEngineMessage(decoded.value), mutated)).toBe(true);
          expect(verifyEngineMessage(crypto, decoded.value, mutated)).toBe(false);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('truncations and extensions are typed errors', () => {
    const { bytes } = signEngineMessage(crypto, engineKey, { src: engineKey.id, dst: { kind: 'node', node: nodeKey.id }, id: 1, protocol: 'p', body: new Uint8Array(10) });
    for (let length = 0; length < bytes.length; length++) {
      const decoded = decodeEngineMessage(bytes.subarray(0, length));
      expect(decoded.ok).toBe(false);
    }
    const extended = new Uint8Array(bytes.length + 1);
    extended.set(bytes);
    const decoded = decodeEngineMessage(extended);
    expect(!decoded.ok && decoded.error.code).toBe('codec/trailing-bytes');
  });

  it('rejects a non-minimal varint as non-canonical', () => {
    const { bytes } = signEngineMessage(crypto, engineKey, { src: engineKey.id, dst: { kind: 'node', node: nodeKey.id }, id: 5, protocol: '', body: new Uint8Array() });
    // Layout: tag(1) src(32) dstKind(1) node(32) id varint at offset 66.
    expect(bytes[66]).toBe(5);
    const padded = new Uint8Array([...bytes.subarray(0, 66), 0x85, 0x00, ...bytes.subarray(67)]);
    const decoded = decodeEngineMessage(padded);
    expect(!decoded.ok && decoded.error.code).toBe('codec/non-canonical');
  });

  it('the decoder copies: reusing the input buffer cannot alter a decoded message', () => {
    const { message, bytes } = signEngineMessage(crypto, engineKey, { src: engineKey.id, dst: { kind: 'node', node: nodeKey.id }, id: 1, protocol: 'p', body: new Uint8Array([1, 2, 3]) });
    const buffer = bytes.slice();
    const decoded = decodeEngineMessage(buffer);
    buffer.fill(0);
    expect(decoded.ok && Array.from(decoded.value.body)).toEqual([1, 2, 3]);
    expect(decoded.ok && bytesEqual(decoded.value.sig, message.sig)).toBe(true);
  });
});

describe('P2PMessage codec', () => {
  it('round-trips canonically and random bytes never throw', () => {
    fc.assert(
      fc.property(safeNat, safeNat, fc.uint8Array({ maxLength: 200 }), fc.boolean(), (session, seq, msg, isRelay) => {
        const frame = signP2PMessage(crypto, nodeKey, { src: nodeKey.id, dst: engineKey.id, session, seq, inner: isRelay ? 'relay' : 'engine', msg });
        const decoded = decodeP2PMessage(frame);
        expect(decoded.ok).toBe(true);
        if (decoded.ok) expect(bytesEqual(encodeP2PMessage(decoded.value), frame)).toBe(true);
      }),
      { numRuns: 200 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const decoded = decodeP2PMessage(bytes);
        if (decoded.ok) expect(bytesEqual(encodeP2PMessage(decoded.value), bytes)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('reusing the frame buffer cannot alter a decoded envelope, whatever it carries', () => {
    for (const inner of ['engine', 'relay'] as const) {
      const frame = signP2PMessage(crypto, nodeKey, { src: nodeKey.id, dst: engineKey.id, session: 1, seq: 2, inner, msg: new Uint8Array([9, 8, 7]) }).slice();
      const decoded = decodeP2PMessage(frame);
      if (!decoded.ok) throw new Error(decoded.error.message);
      const sig = decoded.value.sig.slice();
      frame.fill(0);
      expect(Array.from(decoded.value.msg)).toEqual([9, 8, 7]);
      expect(bytesEqual(decoded.value.sig, sig)).toBe(true);
    }
  });

  it('the node signature verifies with or without the domain tag before the frame, and a flipped bit does not', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), fc.uint8Array({ minLength: 24, maxLength: 24 }), fc.nat(), (msg, before, flip) => {
        const frame = signP2PMessage(crypto, nodeKey, { src: nodeKey.id, dst: engineKey.id, session: 1, seq: 1, inner: 'relay', msg });
        for (const candidate of [frame, frame.slice(), concatBytes(before, frame).subarray(before.length)]) {
          const decoded = decodeP2PMessage(candidate);
          expect(decoded.ok && verifyP2PMessage(crypto, decoded.value, candidate)).toBe(true);
        }
        const flipped = frame.slice();
        flipped[flip % (frame.length - 64)]! ^= 1;
        const decoded = decodeP2PMessage(flipped);
        if (decoded.ok) expect(verifyP2PMessage(crypto, decoded.value, flipped)).toBe(false);
      }),
      { numRuns: 50 },
    );
  });
});

describe('codec fast paths', () => {
  const tag = utf8('netmachine/EngineMessage/1\0');

  it('protocol strings of any Unicode round-trip, and invalid UTF-8 is refused', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (protocol) => {
        const { message, bytes } = signEngineMessage(crypto, engineKey, { src: engineKey.id, dst: { kind: 'node', node: nodeKey.id }, id: 1, protocol, body: new Uint8Array(3) });
        const decoded = decodeEngineMessage(bytes);
        expect(decoded.ok && decoded.value.protocol).toBe(protocol);
        expect(decoded.ok && bytesEqual(encodeEngineMessage(decoded.value), bytes)).toBe(true);
        expect(message.protocol).toBe(protocol);
      }),
      { numRuns: 300 },
    );
    const { bytes } = signEngineMessage(crypto, engineKey, { src: engineKey.id, dst: { kind: 'node', node: nodeKey.id }, id: 1, protocol: 'abc', body: new Uint8Array(0) });
    const broken = bytes.slice();
    broken[broken.indexOf(0x61)] = 0xff; // 'a' → a byte that never occurs in UTF-8
    const decoded = decodeEngineMessage(broken);
    expect(decoded.ok ? 'ok' : decoded.error.code).toBe('codec/bad-utf8');
  });

  it('signing bytes are the domain tag ‖ the encoding without its signature, as a view only when the tag really precedes them', () => {
    fc.assert(
      fc.property(unsignedMessage, fc.uint8Array({ minLength: 27, maxLength: 27 }), (unsigned, before) => {
        const { bytes } = signEngineMessage(crypto, engineKey, unsigned);
        const expected = concatBytes(tag, bytes.subarray(0, bytes.length - 64));
        expect(bytesEqual(engineMessageSigningBytes(bytes), expected)).toBe(true); // the signer's own buffer
        const elsewhere = concatBytes(before, bytes).subarray(before.length); // arbitrary bytes before it
        expect(bytesEqual(engineMessageSigningBytes(elsewhere), expected)).toBe(true);
        expect(bytesEqual(engineMessageSigningBytes(bytes.slice()), expected)).toBe(true); // nothing before it
      }),
      { numRuns: 100 },
    );
  });

  it('an engine message carried in an envelope verifies after decoding, and a flipped bit does not', () => {
    const { bytes } = signEngineMessage(crypto, engineKey, { src: engineKey.id, dst: { kind: 'node', node: nodeKey.id }, id: 7, protocol: 'p/1.0', body: utf8('hello') });
    const frame = signP2PMessage(crypto, nodeKey, { src: nodeKey.id, dst: engineKey.id, session: 1, seq: 1, inner: 'engine', msg: bytes });
    for (const flip of [-1, 40, bytes.length - 70]) {
      const carried = bytes.slice();
      if (flip >= 0) carried[flip]! ^= 1;
      const envelope = decodeP2PMessage(flip < 0 ? frame : signP2PMessage(crypto, nodeKey, { src: nodeKey.id, dst: engineKey.id, session: 1, seq: 1, inner: 'engine', msg: carried }));
      if (!envelope.ok) throw new Error(envelope.error.message);
      const inner = decodeEngineMessage(envelope.value.msg);
      if (!inner.ok) continue; // a flip may break the encoding itself
      expect(verifyEngineMessage(crypto, inner.value, envelope.value.msg)).toBe(flip < 0);
    }
  });

  it('the verify cache answers only for the same key, signature and bytes', () => {
    const cached = withVerifyCache(createNodeCrypto(), 4);
    const message = utf8('signed bytes');
    const signature = crypto.sign(engineKey, message);
    expect(cached.verify(engineKey.id, message, signature)).toBe(true);
    expect(cached.verify(engineKey.id, message, signature)).toBe(true);
    expect(cached.hits()).toBe(1);
    expect(cached.verify(engineKey.id, utf8('other bytes!'), signature)).toBe(false);
    expect(cached.verify(nodeKey.id, message, signature)).toBe(false);
    const tampered = signature.slice();
    tampered[63]! ^= 1;
    expect(cached.verify(engineKey.id, message, tampered)).toBe(false);
    expect(cached.hits()).toBe(1);
    for (let i = 0; i < 8; i++) cached.verify(engineKey.id, utf8(`m${i}`), crypto.sign(engineKey, utf8(`m${i}`))); // evicts
    expect(cached.verify(engineKey.id, message, signature)).toBe(true);
    expect(cached.hits()).toBe(1);
  });
});

describe('utf8', () => {
  it('gives the bytes TextEncoder gives, for ASCII (encoded in place) and everything else', () => {
    const encoder = new TextEncoder();
    const ascii = fc.string({ unit: fc.integer({ min: 0, max: 0x7f }).map((code) => String.fromCharCode(code)), maxLength: 300 });
    const any = fc.string({ unit: 'binary', maxLength: 300 }); // includes lone surrogates
    fc.assert(
      fc.property(fc.oneof(ascii, any, fc.tuple(ascii, any).map(([a, b]) => a + b)), (text) => {
        expect(Array.from(utf8(text))).toEqual(Array.from(encoder.encode(text)));
      }),
    );
    expect(Array.from(utf8('é'))).toEqual([0xc3, 0xa9]);
    expect(Array.from(utf8('x'.repeat(256) + '\u0000'))).toHaveLength(257);
  });
});

describe('fromUtf8', () => {
  it('gives the text TextDecoder gives, for ASCII (read in place), any bytes, a BOM and long inputs', () => {
    const decoder = new TextDecoder();
    const ascii = fc.uint8Array({ max: 0x7f, maxLength: 300 });
    const any = fc.uint8Array({ maxLength: 300 });
    fc.assert(
      fc.property(fc.oneof(ascii, any, fc.tuple(ascii, any).map(([a, b]) => Uint8Array.from([...a, ...b]))), (bytes) => {
        expect(fromUtf8(bytes)).toBe(decoder.decode(bytes));
        const placed = new Uint8Array(bytes.length + 3);
        placed.set(bytes, 3);
        expect(fromUtf8(placed.subarray(3))).toBe(decoder.decode(bytes));
      }),
    );
    expect(fromUtf8(Uint8Array.from([0xef, 0xbb, 0xbf, 0x61]))).toBe('a');
    expect(fromUtf8(utf8('{"n":1}'))).toBe('{"n":1}');
  });
});
