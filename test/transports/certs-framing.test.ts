import { X509Certificate } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { certificateNodeId, createNodeCertificate, encodeFrames, FrameReader, parseAddress } from '../../transports/index.js';
import { keyOf } from './helpers.js';

describe('certificates bound to node keys', () => {
  it('binds the node id, is self-signed, and is byte-identical for the same secret', () => {
    const key = keyOf('a');
    const one = createNodeCertificate(key.secret);
    const two = createNodeCertificate(key.secret);
    expect(one.id).toBe(key.id);
    expect(Buffer.from(one.certDer).equals(Buffer.from(two.certDer))).toBe(true);
    expect(certificateNodeId(one.certDer)).toBe(key.id);
    expect(certificateNodeId(new X509Certificate(one.certPem))).toBe(key.id);
  });

  it('encodes the serial as a minimal DER integer for keys starting 0x00 or 0x80 (BoringSSL, i.e. QUIC, rejects others)', () => {
    for (const name of ['k184', 'k236']) {
      const key = keyOf(name); // keys 802288… and 007165…: a masked serial would start 00 22 / 00 71
      expect(parseInt(key.id.slice(0, 2), 16) & 0x7f).toBe(0);
      const der = Buffer.from(createNodeCertificate(key.secret).certDer);
      const at = der.indexOf(Buffer.from('a00302010202', 'hex')) + 6; // after the v3 version field: INTEGER tag
      const length = der[at]!;
      expect(length).toBe(16);
      expect(der[at + 1] === 0 && der[at + 2]! < 0x80).toBe(false); // no redundant leading zero
      expect(der[at + 1]! & 0x80).toBe(0); // still positive
      expect(certificateNodeId(der)).toBe(key.id);
    }
  });

  it('rejects garbage and tampered certificates without throwing', () => {
    const der = Buffer.from(createNodeCertificate(keyOf('a').secret).certDer);
    expect(certificateNodeId(new Uint8Array([1, 2, 3]))).toBeUndefined();
    const tampered = Buffer.from(der);
    tampered[tampered.length - 10]! ^= 1; // breaks the self-signature
    expect(certificateNodeId(tampered)).toBeUndefined();
  });
});

describe('framing', () => {
  it('carries partial frames across chunks, byte by byte', () => {
    const payloads = [new Uint8Array([1, 2, 3]), new Uint8Array(0), Buffer.from('hello')];
    const bytes = encodeFrames(payloads);
    const reader = new FrameReader(1024);
    const frames: Uint8Array[] = [];
    for (const byte of bytes) {
      const result = reader.push(new Uint8Array([byte]));
      expect(result.ok).toBe(true);
      frames.push(...result.frames);
    }
    expect(frames.map((frame) => Buffer.from(frame).toString('hex'))).toEqual(payloads.map((p) => Buffer.from(p).toString('hex')));
    expect(reader.bufferedBytes).toBe(0);
  });

  it('reports an announced frame above the maximum', () => {
    const reader = new FrameReader(10);
    const result = reader.push(encodeFrames([new Uint8Array(4), new Uint8Array(11)]));
    expect(result.ok).toBe(false);
    expect(result.frames.length).toBe(1);
  });

  it('reassembles any chunking of any frames exactly (the frames, in order, and nothing held after)', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 20 }), fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 30 }), (payloads, cuts) => {
        const bytes = encodeFrames(payloads);
        const reader = new FrameReader(1024);
        const frames: string[] = [];
        for (let offset = 0, index = 0; offset < bytes.length; index++) {
          const size = cuts[index % cuts.length]!;
          const result = reader.push(bytes.subarray(offset, offset + size));
          expect(result.ok).toBe(true);
          frames.push(...result.frames.map((frame) => Buffer.from(frame).toString('hex')));
          offset += size;
        }
        expect(frames).toEqual(payloads.map((payload) => Buffer.from(payload).toString('hex')));
        expect(reader.bufferedBytes).toBe(0);
      }),
    );
  });

  it('a length prefix alone holds only its bytes; the payload is held as it arrives', () => {
    const reader = new FrameReader(1 << 24);
    expect(reader.push(Buffer.from([1, 0, 0, 0])).frames).toEqual([]); // announces 16 MiB
    expect(reader.bufferedBytes).toBe(4);
    reader.push(new Uint8Array(1000));
    expect(reader.bufferedBytes).toBe(1004);
  });

  it('reassembles a 16 MiB frame from 4 KiB chunks in linear work (bytes copied ≤ 2× the frame)', () => {
    // Counted, not timed: every way the reader could copy bytes (set, slice, Buffer.concat) is
    // metered. Quadratic reassembly (every buffered byte copied per chunk) copies ≈ 2,000× the frame.
    const frameBytes = 16 * 1024 * 1024;
    const stream = encodeFrames([new Uint8Array(frameBytes).fill(7)]);
    const chunks = Array.from({ length: Math.ceil(stream.length / 4096) }, (_, i) => stream.subarray(i * 4096, (i + 1) * 4096));
    let copiedBytes = 0;
    const set = Uint8Array.prototype.set;
    const slice = Uint8Array.prototype.slice;
    const concat = Buffer.concat;
    const spies = [
      vi.spyOn(Uint8Array.prototype, 'set').mockImplementation(function (this: Uint8Array, source: ArrayLike<number>, offset?: number) {
        copiedBytes += source.length;
        set.call(this, source, offset);
      }),
      vi.spyOn(Uint8Array.prototype, 'slice').mockImplementation(function (this: Uint8Array, begin?: number, end?: number) {
        const result = slice.call(this, begin, end);
        copiedBytes += result.length;
        return result;
      }),
      vi.spyOn(Buffer, 'concat').mockImplementation((list: ReadonlyArray<Uint8Array>, totalLength?: number) => {
        const result = concat(list, totalLength);
        copiedBytes += result.length;
        return result;
      }),
    ];
    let frames: Uint8Array[] = [];
    try {
      const reader = new FrameReader(frameBytes);
      frames = chunks.flatMap((chunk) => reader.push(chunk).frames);
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    expect(frames.length).toBe(1);
    expect(frames[0]!.length).toBe(frameBytes);
    expect(frames[0]![frameBytes - 1]).toBe(7);
    expect(copiedBytes).toBeGreaterThanOrEqual(frameBytes); // the meter sees the one copy the frame needs
    expect(copiedBytes).toBeLessThanOrEqual(2 * frameBytes);
  });

  it('parses addresses', () => {
    expect(parseAddress('quic://127.0.0.1:7001')).toMatchObject({ scheme: 'quic', host: '127.0.0.1', port: 7001 });
    expect(parseAddress('tls://[::1]:7002')).toMatchObject({ scheme: 'tls', host: '::1', port: 7002 });
    expect(parseAddress('udp://1.2.3.4:5')).toBeUndefined();
    expect(parseAddress('tls://1.2.3.4:70000')).toBeUndefined();
  });
});
