// Bounds across peers: the node's queues together (nodeBufferedBytesMax — many identities, each
// within its own queue bound, holding slow readers) and the KeyObject cache (least recently used
// out, so random source ids cannot grow it).
import { randomBytes } from 'node:crypto';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import { expect, it } from 'vitest';
import { createNodeCrypto, createRng, IdentityStore, type TraceRecord, type TransportEvent } from '../../core/index.js';
import { createNodeCertificate, createPeerTransport, createRealNodeCrypto, createTlsDriver, REAL_NODE_KEY_OBJECTS_MAX, WELCOME_FRAME } from '../../transports/index.js';
import { createWallClock } from '../../transports/wall-clock.js';
import { keyOf } from './helpers.js';

/** A TLS endpoint with `name`'s certificate that welcomes each dialler and never reads. */
async function stalledTlsPeer(name: string): Promise<{ address: string; server: Server; sockets: TLSSocket[] }> {
  const certificate = createNodeCertificate(keyOf(name).secret);
  const sockets: TLSSocket[] = [];
  const server = createServer({ key: certificate.keyPem, cert: certificate.certPem, requestCert: true, rejectUnauthorized: false, minVersion: 'TLSv1.3' }, (socket) => {
    sockets.push(socket);
    socket.on('error', () => {});
    socket.write(WELCOME_FRAME);
    socket.pause();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { address: `tls://127.0.0.1:${(server.address() as { port: number }).port}`, server, sockets };
}

it('the queues of all peers together stay within nodeBufferedBytesMax: the peer holding the most is disconnected, traced', async () => {
  const names = ['slow1', 'slow2', 'slow3', 'slow4'];
  const peers = await Promise.all(names.map(stalledTlsPeer));
  const directory = new IdentityStore();
  names.forEach((name, index) => directory.setNode({ id: keyOf(name).id, addresses: [peers[index]!.address], trust: 128 }));
  const trace: TraceRecord[] = [];
  const events: TransportEvent[] = [];
  const key = keyOf('capped');
  const certificate = createNodeCertificate(key.secret);
  const capBytes = 3 << 20;
  const transport = createPeerTransport(
    { clock: createWallClock(0, 1), rng: createRng(1, 'capped'), trace: { emit: (record) => void trace.push(record) }, drivers: [(host) => createTlsDriver(host, certificate)] },
    { nodeName: 'capped', self: key.id, directory, queueBytesMax: 1 << 20, channelBufferBytesMax: 64 * 1024, nodeBufferedBytesMax: capBytes },
  );
  transport.onEvent((event) => void events.push(event));
  try {
    const frame = new Uint8Array(64 * 1024);
    let peak = 0;
    // Each peer alone stays within its 1 MiB queue; four of them would hold 4 MiB.
    for (let round = 0; round < 200 && !trace.some((record) => record.reason === 'node-buffer-full'); round++) {
      for (const name of names) {
        transport.send(keyOf(name).id, frame, { msg: `${name}.${round}` });
        peak = Math.max(peak, transport.bufferedBytes());
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(peak).toBeLessThanOrEqual(capBytes);
    const shed = trace.filter((record) => record.reason === 'node-buffer-full');
    expect(shed.length).toBeGreaterThanOrEqual(1);
    expect(names.map((name) => keyOf(name).id.slice(0, 12))).toContain(shed[0]!.peer);
    expect(events.some((event) => event.kind === 'disconnected' && event.reason === 'node-buffer-full')).toBe(true);
    expect(transport.bufferedBytes()).toBeLessThanOrEqual(capBytes);
  } finally {
    await transport.close();
    for (const peer of peers) {
      for (const socket of peer.sockets) socket.destroy();
      await new Promise((resolve) => peer.server.close(resolve));
    }
  }
}, 60_000);

it("the KeyObject cache keeps the keys in use: random source ids evict only each other, never grow it past its bound", () => {
  const crypto = createNodeCrypto({ keyObjectsMax: 64 });
  const own = crypto.keyPair(new Uint8Array(32).fill(1));
  const peer = crypto.keyPair(new Uint8Array(32).fill(2));
  const message = new Uint8Array([1, 2, 3]);
  const signature = crypto.sign(peer, message);
  for (let i = 0; i < 5000; i++) {
    expect(crypto.verify(randomBytes(32).toString('hex'), message, signature)).toBe(false); // a made-up source id
    if (i % 16 === 0) expect(crypto.verify(peer.id, message, signature)).toBe(true); // the live peer stays in use
  }
  expect(crypto.keyObjectsCached().public).toBeLessThanOrEqual(64);
  expect(crypto.verify(own.id, message, crypto.sign(own, message))).toBe(true);
  expect(crypto.keyObjectsCached().private).toBeLessThanOrEqual(64);
  // A real node's crypto is bounded the same way.
  const real = createRealNodeCrypto() as ReturnType<typeof createNodeCrypto>;
  for (let i = 0; i < REAL_NODE_KEY_OBJECTS_MAX + 500; i++) real.verify(randomBytes(32).toString('hex'), message, signature);
  expect(real.keyObjectsCached().public).toBe(REAL_NODE_KEY_OBJECTS_MAX);
});
