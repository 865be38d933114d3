// A large frame that does not start as an envelope from the channel's peer to this node is skipped
// as it arrives, never assembled or held: 16 MiB of garbage costs the node its reading, not a 16 MiB
// copy; the peer is penalised for it, and a large real message is assembled as before.
import { afterEach, describe, expect, it } from 'vitest';
import { encodeP2PMessage, p2pMessageHead, signEngineMessage } from '../../core/index.js';
import { encodeFrames, FrameReader } from '../../transports/index.js';
import { closeAll, crypto, engineKeyOf, keyOf, startNodes, waitFor, type TestNode } from './helpers.js';
import { hostileQuicChannel, hostileQuicClient, hostileTlsClient, portOf, randomCertificate, writeStream } from './hostile.js';

const MiB = 2 ** 20;

function chunked(bytes: Uint8Array, size: number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let offset = 0; offset < bytes.length; offset += size) chunks.push(bytes.subarray(offset, offset + size));
  return chunks;
}

describe('FrameReader with an expected head', () => {
  const head = p2pMessageHead(keyOf('x').id, keyOf('y').id);

  it('skips a large frame that does not start with the head without holding it, then reads on', () => {
    const garbage = new Uint8Array(4 * MiB).fill(0xa5);
    const small = Uint8Array.of(1, 2, 3);
    const reader = new FrameReader(16 * MiB, head);
    const frames: Uint8Array[] = [];
    const discarded: number[] = [];
    let heldMax = 0;
    for (const chunk of chunked(encodeFrames([garbage, small]), 64 * 1024)) {
      const result = reader.push(chunk);
      frames.push(...result.frames);
      discarded.push(...(result.discarded ?? []));
      heldMax = Math.max(heldMax, reader.bufferedBytes);
    }
    expect(discarded).toEqual([4 * MiB]);
    expect(frames.map((frame) => [...frame])).toEqual([[1, 2, 3]]);
    expect(heldMax).toBeLessThanOrEqual(64 * 1024 + 4); // never more than a chunk, not the 4 MiB
  });

  it('assembles a large frame that starts with the head, and small frames unchecked', () => {
    const large = new Uint8Array(MiB);
    large.set(head);
    const reader = new FrameReader(16 * MiB, head);
    const frames: Uint8Array[] = [];
    for (const chunk of chunked(encodeFrames([Uint8Array.of(9), large]), 1000)) {
      const result = reader.push(chunk);
      expect(result.discarded).toBeUndefined();
      frames.push(...result.frames);
    }
    expect(frames.map((frame) => frame.length)).toEqual([1, MiB]);
    expect([...frames[1]!.subarray(0, head.length)]).toEqual([...head]);
  });
});

describe('a peer sending 16 MiB of garbage', () => {
  let nodes: TestNode[] = [];
  afterEach(async () => {
    await closeAll(nodes);
    nodes = [];
  });

  it('tls: the frame is skipped unread (drop frame/garbage), the peer is slowed, its next real message is delivered', async () => {
    nodes = await startNodes(['a'], ['tls'], { isOpen: true, transport: { slowMs: 300 } });
    const [a] = nodes as [TestNode];
    const certificate = randomCertificate();
    const socket = await hostileTlsClient(portOf(a.real.addresses[0]!), certificate);
    socket.on('error', () => {});
    try {
      socket.write(new Uint8Array(4)); // the dialler's welcome
      const sender = crypto.keyPair(new Uint8Array(32).fill(4));
      const signed = signEngineMessage(crypto, sender, { src: sender.id, dst: { kind: 'engine', engine: engineKeyOf('a/sink').id }, id: 1, protocol: 'test/1.0', body: new TextEncoder().encode('after') });
      const real = encodeP2PMessage({ src: certificate.id, dst: a.real.id, session: 1, seq: 1, inner: 'engine', msg: new Uint8Array(signed.bytes), sig: new Uint8Array(64) });
      socket.write(encodeFrames([new Uint8Array(16 * MiB).fill(0x5a), real]));
      await waitFor(() => a.received.some((entry) => entry.body === 'after'), 'the real message after the garbage', 30_000);
      const fromPeer = a.trace.filter((record) => record.peer === certificate.id.slice(0, 12));
      expect(fromPeer.filter((record) => record.reason === 'frame/garbage').map((record) => record.bytes)).toEqual([16 * MiB]);
      expect(fromPeer.filter((record) => record.reason === 'misbehaving')).toHaveLength(1); // 256 refusals' worth: slowed at once
      expect(fromPeer.some((record) => record.reason?.startsWith('codec/'))).toBe(false); // never assembled and decoded
    } finally {
      socket.destroy();
    }
  }, 60_000);
});

describe('a QUIC peer sending garbage', () => {
  let nodes: TestNode[] = [];
  afterEach(async () => {
    await closeAll(nodes);
    nodes = [];
  });

  for (const worker of [true, false]) {
    it(`quic${worker ? ' (worker thread)' : ' (main thread)'}: a 2 MiB garbage frame is skipped unread and traced, the next real message delivered`, async () => {
      nodes = await startNodes(['a'], ['quic'], { isOpen: true, quic: { worker } });
      const [a] = nodes as [TestNode];
      const certificate = randomCertificate();
      const client = await hostileQuicClient(portOf(a.real.addresses[0]!), certificate);
      try {
        const sender = crypto.keyPair(new Uint8Array(32).fill(4));
        const signed = signEngineMessage(crypto, sender, { src: sender.id, dst: { kind: 'engine', engine: engineKeyOf('a/sink').id }, id: 1, protocol: 'test/1.0', body: new TextEncoder().encode('after') });
        const real = encodeP2PMessage({ src: certificate.id, dst: a.real.id, session: 1, seq: 1, inner: 'engine', msg: new Uint8Array(signed.bytes), sig: new Uint8Array(64) });
        await writeStream(await hostileQuicChannel(client), encodeFrames([new Uint8Array(2 * MiB).fill(0x5a), real]));
        await waitFor(() => a.received.some((entry) => entry.body === 'after'), 'the real message after the garbage', 30_000);
        const fromPeer = a.trace.filter((record) => record.peer === certificate.id.slice(0, 12));
        expect(fromPeer.filter((record) => record.reason === 'frame/garbage').map((record) => record.bytes)).toEqual([2 * MiB]);
        expect(fromPeer.some((record) => record.reason?.startsWith('codec/'))).toBe(false);
      } finally {
        await client.destroy({ force: true }).catch(() => {});
      }
    }, 60_000);
  }
});
