// A peer flooding a node with badly signed frames as fast as the node lets it: its inbound queue
// stays within its budget (plus what the channel had already read: one read chunk, and on the QUIC
// worker the frames it may have in flight to the main thread), every one of its frames is still
// handled (traced or counted), and a legitimate peer is served while the flood goes on.
import { connect as tlsConnect } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAll, crypto, engineKeyOf, sendFrom, startNodes, waitFor, type TestNode } from './helpers.js';
import { forgedFrames, hostileQuicChannel, hostileQuicClient, portOf, randomCertificate } from './hostile.js';

const BUDGET_FRAMES = 256;
const WRITES = 40;
const PER_WRITE = 500;
/** The QUIC worker's frames in flight per channel (worker-main.ts IN_FLIGHT_FRAMES_MAX). */
const WORKER_IN_FLIGHT_MAX = 1024;
/** QUIC reads at most this per chunk (QUIC_DRIVER_DEFAULTS.readChunkBytes); TLS records are smaller. */
const READ_CHUNK_BYTES = 64 * 1024;

describe('a flood of badly signed frames', () => {
  let nodes: TestNode[] = [];
  afterEach(async () => {
    await closeAll(nodes);
    nodes = [];
  });

  for (const variant of [
    { scheme: 'tls', worker: false },
    { scheme: 'quic', worker: true },
    { scheme: 'quic', worker: false },
  ] as const) {
    it(`${variant.scheme}${variant.scheme === 'quic' ? (variant.worker ? ' (worker thread)' : ' (main thread)') : ''}: the attacker's queue stays bounded, all its frames are handled, a legitimate peer is served`, async () => {
      nodes = await startNodes(['a', 'b'], [variant.scheme], {
        isOpen: true,
        quic: { worker: variant.worker },
        // The misbehaving-peer penalty is lifted: this test is about the queue budget, and counts every frame.
        transport: { backoffMsMin: 50, backoffMsMax: 500, dialTimeoutMs: 3000, inboundFramesMax: BUDGET_FRAMES, inboundBytesMax: 1 << 20, refusalBurst: Number.MAX_SAFE_INTEGER },
      });
      const [a, b] = nodes as [TestNode, TestNode];
      const certificate = randomCertificate();
      const port = portOf(a.real.addresses[0]!);
      const sink = engineKeyOf('a/sink').id;
      const batch = (index: number, isLast: boolean): Uint8Array =>
        forgedFrames(crypto, certificate.id, a.real.id, sink, PER_WRITE, { firstSeq: 1 + index * PER_WRITE, ...(isLast && { last: crypto.keyPair(new Uint8Array(32).fill(5)) }) });
      const frameBytes = batch(0, false).length / PER_WRITE;
      let write: (bytes: Uint8Array) => Promise<void>;
      let end: () => void;
      if (variant.scheme === 'quic') {
        const client = await hostileQuicClient(port, certificate);
        const writer = (await hostileQuicChannel(client)).writable.getWriter();
        write = (bytes) => writer.write(bytes);
        end = () => void client.destroy({ force: true }).catch(() => {});
      } else {
        const socket = tlsConnect({ host: '127.0.0.1', port, key: certificate.keyPem, cert: certificate.certPem, rejectUnauthorized: false, minVersion: 'TLSv1.3' });
        socket.on('error', () => {});
        await new Promise<void>((resolve) => socket.once('secureConnect', () => resolve()));
        socket.write(new Uint8Array(4)); // the dialler's welcome
        write = (bytes) => new Promise<void>((resolve) => (socket.write(bytes) ? resolve() : socket.once('drain', () => resolve())));
        end = () => socket.destroy();
      }
      try {
        let written = 0;
        const flood = (async () => {
          for (let index = 0; index < WRITES; index++) {
            await write(batch(index, index === WRITES - 1));
            written++;
          }
        })();
        await waitFor(() => a.real.transport.inbound(certificate.id).framesMax >= BUDGET_FRAMES, 'the flood fills its budget', 30_000);
        sendFrom(b, [a], 20, 'legit');
        await waitFor(() => a.received.filter((entry) => entry.body.startsWith('legit')).length === 20, 'the legitimate peer served during the flood', 60_000);
        const writtenWhenServed = written;
        // The flood's last frame (validly signed) not yet handled: served while the node still worked through the flood.
        const floodHandledWhenServed = a.received.some((entry) => entry.body === 'last');
        await flood;
        await waitFor(() => a.received.some((entry) => entry.body === 'last'), 'the whole flood handled', 120_000);
        const inbound = a.real.transport.inbound(certificate.id);
        const chunkFrames = Math.ceil(READ_CHUNK_BYTES / frameBytes);
        const bound = BUDGET_FRAMES + chunkFrames + (variant.scheme === 'quic' && variant.worker ? WORKER_IN_FLIGHT_MAX : 0);
        expect(inbound.framesMax).toBeGreaterThanOrEqual(BUDGET_FRAMES); // the budget was reached: the attacker was throttled
        expect(inbound.framesMax).toBeLessThanOrEqual(bound);
        expect(inbound.frames).toBe(0);
        // Served while the flood was still being handled. (The attacker's writes may all have been taken
        // by then: over QUIC the stream's flow-control window lets megabytes wait unread in the
        // library's buffers, so how much was written says little about how much the node has handled.)
        expect(floodHandledWhenServed).toBe(false);
        expect(writtenWhenServed).toBeGreaterThan(0);
        await a.real.close(); // writes the refusal summaries
        const refusals = a.trace.filter((record) => record.kind === 'verify-fail' && record.reason === 'engine-signature' && record.peer === certificate.id.slice(0, 12));
        const handled = refusals.reduce((sum, record) => sum + (typeof record.data?.['suppressed'] === 'number' ? record.data['suppressed'] : 1), 0);
        expect(handled).toBe(WRITES * PER_WRITE); // every forged frame refused and counted, none lost
      } finally {
        end();
      }
    }, 180_000);
  }
});
