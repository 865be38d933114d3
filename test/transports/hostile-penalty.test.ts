// A peer whose frames keep failing the Router's checks is penalised: slowed (not read) once it has
// overdrawn its allowance of refused frames, disconnected and refused for a while the third time;
// a peer that sends an occasional bad frame stays within its allowance and is served as before.
import { afterEach, describe, expect, it } from 'vitest';
import { events as quicEvents } from '@matrixai/quic';
import type { TraceRecord } from '../../core/index.js';
import { closeAll, crypto, engineKeyOf, startNodes, waitFor, type TestNode } from './helpers.js';
import { forgedFrames, hostileQuicChannel, hostileQuicClient, hostileTlsClient, portOf, randomCertificate, writeStream } from './hostile.js';
import type { NodeCertificate } from '../../transports/index.js';

const penalty = { backoffMsMin: 50, backoffMsMax: 500, dialTimeoutMs: 3000, refusalBurst: 20, refusalsPerSecond: 10, slowMs: 300, banMsMin: 5000 };

/** Connects as `certificate`, writes `frames`; resolves to a function that closes the connection and a promise of its closing by the node. */
async function attack(scheme: 'quic' | 'tls', port: number, certificate: NodeCertificate, frames: Uint8Array): Promise<{ end: () => Promise<unknown>; closed: Promise<void> }> {
  if (scheme === 'quic') {
    const client = await hostileQuicClient(port, certificate);
    const closed = new Promise<void>((resolve) => client.connection.addEventListener(quicEvents.EventQUICConnectionStopped.name, () => resolve(), { once: true }));
    await writeStream(await hostileQuicChannel(client), frames);
    return { end: () => client.destroy({ force: true }).catch(() => {}), closed };
  }
  const socket = await hostileTlsClient(port, certificate);
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.resume(); // read, so that the node's closing is seen even when every write was taken
  socket.write(new Uint8Array(4)); // the dialler's welcome
  socket.write(frames);
  return { end: async () => socket.destroy(), closed };
}

const fromPeer = (trace: TraceRecord[], certificate: NodeCertificate, kind: string, reason: string): TraceRecord[] =>
  trace.filter((record) => record.kind === kind && record.reason === reason && record.peer === certificate.id.slice(0, 12));

describe('a peer whose frames keep failing checks', () => {
  let nodes: TestNode[] = [];
  afterEach(async () => {
    await closeAll(nodes);
    nodes = [];
  });

  for (const scheme of ['tls', 'quic'] as const) {
    it(`${scheme}: is slowed, then disconnected and refused; its reconnection is refused and traced`, async () => {
      nodes = await startNodes(['a'], [scheme], { isOpen: true, transport: penalty, dropRecordLimit: { perWindow: 0, windowMs: 1000 } });
      const [a] = nodes as [TestNode];
      const certificate = randomCertificate();
      const port = portOf(a.real.addresses[0]!);
      const { end, closed } = await attack(scheme, port, certificate, forgedFrames(crypto, certificate.id, a.real.id, engineKeyOf('a/sink').id, 2000));
      try {
        await waitFor(() => a.trace.some((record) => record.kind === 'disconnect' && record.reason === 'misbehaving'), 'the attacker disconnected for misbehaving', 20_000);
        await closed;
        const penalties = fromPeer(a.trace, certificate, 'drop', 'misbehaving');
        expect(penalties.map((record) => /not read for|disconnected and refused/.exec(record.text ?? '')?.[0])).toEqual(['not read for', 'not read for', 'disconnected and refused']);
        const refused = fromPeer(a.trace, certificate, 'verify-fail', 'engine-signature').length;
        // 20 allowed, then the allowance it earns while slowed twice (300 ms at 10/s), and frames of chunks already read.
        expect(refused).toBeGreaterThan(20);
        expect(refused).toBeLessThan(400);
        expect(a.real.transport.inbound(certificate.id).frames).toBe(0); // its queued frames are gone with it
      } finally {
        await end();
      }
      // The same identity is refused while its penalty lasts.
      const again = await attack(scheme, port, certificate, new Uint8Array(0)).catch(() => undefined);
      await waitFor(() => fromPeer(a.trace, certificate, 'verify-fail', 'penalised').length > 0, 'the reconnection refused', 10_000);
      await again?.end();
    }, 60_000);
  }

  it('tls: a peer with an occasional bad frame is never slowed, and its good messages are delivered', async () => {
    nodes = await startNodes(['a'], ['tls'], { isOpen: true, transport: penalty });
    const [a] = nodes as [TestNode];
    const certificate = randomCertificate();
    const port = portOf(a.real.addresses[0]!);
    const sender = crypto.keyPair(new Uint8Array(32).fill(3));
    const sink = engineKeyOf('a/sink').id;
    const socket = await hostileTlsClient(port, certificate);
    try {
      socket.write(new Uint8Array(4));
      // 15 rounds of one forged frame followed by a good one: 15 refusals, within the allowance of 20.
      for (let round = 0; round < 15; round++) socket.write(forgedFrames(crypto, certificate.id, a.real.id, sink, 1, { firstSeq: 1 + round * 2, last: sender }));
      await waitFor(() => a.received.filter((entry) => entry.body === 'last').length === 15, 'the 15 good messages');
      expect(fromPeer(a.trace, certificate, 'verify-fail', 'engine-signature')).toHaveLength(15);
      expect(fromPeer(a.trace, certificate, 'drop', 'misbehaving')).toEqual([]);
      expect(a.real.transport.connectedPeers()).toContain(certificate.id);
    } finally {
      socket.destroy();
    }
  });
});
