// The behaviour every real transport must show, run once per scheme (tls.test.ts, quic.test.ts).
import { randomBytes, webcrypto } from 'node:crypto';
import Logger, { LogLevel } from '@matrixai/logger';
import { QUICServer, events as quicEvents } from '@matrixai/quic';
import { afterEach, describe, expect, it } from 'vitest';
import { IdentityStore, createRng, type Engine, type TraceRecord } from '../../core/index.js';
import { createNodeCertificate, createPeerTransport, createQuicDriverOf, createTlsDriver, createWallClock, encodeFrames, WELCOME_FRAME, type Channel, type Driver, type DriverHost, type NodeCertificate, type PeerTransport, type QuicDriverOptions, type RealNodeOptions, type Scheme } from '../../transports/index.js';
import { closeAll, engineKeyOf, keyOf, sendFrom, startNodes as startNodesWith, waitFor, type TestNode } from './helpers.js';

/** The driver of `scheme`; QUIC with `quic` options (`worker: true` = the worker-thread driver). */
export function driverOf(scheme: Scheme, host: DriverHost, certificate: NodeCertificate, quic: QuicDriverOptions = {}): Driver {
  return scheme === 'tls' ? createTlsDriver(host, certificate) : createQuicDriverOf(host, certificate, quic);
}

/** A bare driver (no node behind it) for a raw client: it speaks the channel protocol, nothing else. */
function rawDriver(scheme: Scheme, name: string, quic: QuicDriverOptions): { driver: Driver; frames: Uint8Array[] } {
  const frames: Uint8Array[] = [];
  const key = keyOf(name);
  const host: DriverHost = {
    self: key.id,
    frameSizeMaxBytes: 1 << 20,
    isAllowed: () => true,
    established: () => ({ frame: (frame) => void frames.push(frame), oversize: () => {}, drain: () => {}, close: () => {} }),
    refused: () => {},
  };
  const certificate = createNodeCertificate(key.secret);
  return { driver: driverOf(scheme, host, certificate, quic), frames };
}

const count = (trace: ReadonlyArray<TraceRecord>, kind: string, reason?: string): number => trace.filter((event) => event.kind === kind && (reason === undefined || event.reason === reason)).length;

/** The suite for `scheme`; QUIC runs with `quic` options (e.g. `{ worker: true }`). */
export function transportSuite(scheme: Scheme, quic: QuicDriverOptions = {}): void {
  const label = scheme === 'quic' && quic.worker !== undefined ? `quic (${quic.worker ? 'worker thread' : 'main thread'})` : scheme;
  const startNodes = (names: ReadonlyArray<string>, schemes: ReadonlyArray<Scheme>, extra: Partial<RealNodeOptions> = {}): Promise<TestNode[]> => startNodesWith(names, schemes, { quic, ...extra });
  describe(`${label} transport`, () => {
    let nodes: TestNode[] = [];
    const cleanups: Array<() => Promise<void>> = [];
    afterEach(async () => {
      await closeAll(nodes);
      nodes = [];
      for (const cleanup of cleanups.splice(0)) await cleanup();
    });

    it('two nodes exchange signed messages both ways, over one canonical channel', async () => {
      nodes = await startNodes(['a', 'b'], [scheme]);
      const [a, b] = nodes as [TestNode, TestNode];
      sendFrom(a, [b], 50);
      sendFrom(b, [a], 50);
      await waitFor(() => a.received.length === 50 && b.received.length === 50, '50 messages each way');
      expect(b.received.map((r) => r.body)).toEqual(Array.from({ length: 50 }, (_, i) => `m:a:${i}`));
      expect(b.received.every((r) => r.from === a.real.id)).toBe(true);
      expect(count(a.trace, 'connect')).toBe(1);
      expect(count(a.trace, 'verify-fail') + count(b.trace, 'verify-fail')).toBe(0);
    });

    it('five nodes, all to all', async () => {
      nodes = await startNodes(['n1', 'n2', 'n3', 'n4', 'n5'], [scheme]);
      for (const node of nodes) sendFrom(node, nodes.filter((other) => other !== node), 10);
      await waitFor(() => nodes.every((node) => node.received.length === 40), 'every node receives 4 × 10 messages');
      for (const node of nodes) expect(new Set(node.received.map((r) => r.body)).size).toBe(40);
    });

    it('an impostor is refused on both sides and the refusal is traced', async () => {
      nodes = await startNodes(['a', 'b', 'mallory'], [scheme]);
      const [a, b, mallory] = nodes as [TestNode, TestNode, TestNode];
      // a believes b lives at mallory's address: the dialler sees the wrong key.
      a.directory.setNode({ id: b.real.id, addresses: mallory.real.addresses, trust: 128 });
      // b does not know mallory: the acceptor refuses it.
      b.directory.setNode({ id: a.real.id, addresses: a.real.addresses, trust: 128 });
      const bKnows = new IdentityStore();
      bKnows.setNode({ id: a.real.id, addresses: a.real.addresses, trust: 128 });
      (b.directory as unknown as { nodes: Map<string, unknown> }).nodes.delete(mallory.real.id);
      sendFrom(a, [b], 3);
      sendFrom(mallory, [b], 3);
      await waitFor(() => count(a.trace, 'verify-fail', 'binding/wrong-key') >= 1, 'dialler a traces binding/wrong-key');
      await waitFor(() => count(b.trace, 'verify-fail', 'binding/unknown-node') >= 1, 'acceptor b traces binding/unknown-node');
      expect(a.trace.some((event) => event.kind === 'connect-failed' && event.reason === 'binding/wrong-key')).toBe(true);
      expect(b.received.length).toBe(0);
      expect(mallory.received.length).toBe(0);
    });

    it('garbage, truncated and oversize frames do not crash the node; other peers keep being served', async () => {
      nodes = await startNodes(['a', 'b', 'raw'], [scheme]);
      const [a, b, raw] = nodes as [TestNode, TestNode, TestNode];
      await raw.real.close(); // keep its identity (a knows it), speak raw bytes with it instead
      const client = rawDriver(scheme, 'raw', quic);
      cleanups.push(() => client.driver.close());
      const target = { scheme, host: '127.0.0.1', port: Number(a.real.addresses[0]!.split(':').pop()), text: a.real.addresses[0]! };
      const channel: Channel = await client.driver.dial(target, a.real.id, 5000);
      channel.write(encodeFrames([new Uint8Array([1, 2, 3]), Buffer.from('not a P2P message at all')]));
      sendFrom(b, [a], 5);
      await waitFor(() => count(a.trace, 'drop') >= 2 && a.received.length === 5, 'garbage dropped and b served');
      expect(a.trace.filter((event) => event.kind === 'drop').every((event) => event.reason?.startsWith('codec/'))).toBe(true);
      // Truncated: a length prefix promising more than ever comes, then the oversize announcement.
      channel.write(Buffer.from([0, 0, 0, 200, 1, 2, 3]));
      const oversize = await client.driver.dial(target, a.real.id, 5000);
      oversize.write(Buffer.from([0xff, 0xff, 0xff, 0xf0, 1, 2, 3, 4]));
      await waitFor(() => count(a.trace, 'drop', 'frame/too-large') === 1, 'oversize frame traced');
      const extra: Engine = { handle: (input, ctx) => { if (input.kind === 'start') ctx.setTimer(0); if (input.kind === 'timer') ctx.send({ kind: 'engine', engine: engineKeyOf('a/sink').id, node: a.real.id }, Buffer.from('after')); } };
      b.real.node.addEngine('late', engineKeyOf('b/late'), extra);
      b.real.node.start();
      await waitFor(() => a.received.some((r) => r.body === 'after'), 'b still served after the bad frames');
    });

    it('messages to an unreachable node wait until their expiry, then are dropped and traced (S18)', async () => {
      nodes = await startNodes(['a', 'gone'], [scheme]);
      const [a, gone] = nodes as [TestNode, TestNode];
      await gone.real.close();
      const engine: Engine = { handle: (input, ctx) => { if (input.kind === 'start') for (let i = 0; i < 3; i++) ctx.send({ kind: 'engine', engine: engineKeyOf('gone/sink').id, node: gone.real.id }, Buffer.from('x'), { expiryMs: 400 }); } };
      a.real.node.addEngine('s', engineKeyOf('a/s'), engine);
      a.real.node.start();
      await waitFor(() => count(a.trace, 'drop', 'expired') === 3, '3 expired drops');
      await waitFor(() => count(a.trace, 'connect-failed') >= 1, 'the failed dial is traced'); // QUIC: after the dial timeout
    });

    it('a restarted peer gets the frames queued while it was down (permanent connection)', async () => {
      nodes = await startNodes(['a', 'b'], [scheme]);
      const [a, b] = nodes as [TestNode, TestNode];
      sendFrom(a, [b], 1, 'first');
      await waitFor(() => b.received.length === 1, 'first message');
      a.real.transport.connect(b.real.id, { isPermanent: true });
      const port = Number(b.real.addresses[0]!.split(':').pop());
      await b.real.close();
      await waitFor(() => count(a.trace, 'disconnect') >= 1, 'a traces the disconnect', 20_000);
      let sends = 0;
      const later: Engine = { handle: (input, ctx) => { if (input.kind === 'start') ctx.setTimer(0); if (input.kind === 'timer' && sends++ < 1) for (let i = 0; i < 5; i++) ctx.send({ kind: 'engine', engine: engineKeyOf('b/sink').id, node: b.real.id }, Buffer.from(`q${i}`), { expiryMs: 20_000 }); } };
      a.real.node.addEngine('later', engineKeyOf('a/later'), later);
      a.real.node.start();
      await new Promise((resolve) => setTimeout(resolve, 100));
      const [b2] = await startNodes(['b'], [scheme], { ports: { [scheme]: port }, session: 2 });
      nodes.push(b2!);
      b2!.directory.setNode({ id: a.real.id, addresses: a.real.addresses, trust: 128 });
      b2!.real.node.start();
      await waitFor(() => b2!.received.filter((r) => r.body.startsWith('q')).length === 5, 'the 5 queued messages after the restart', 20_000);
    });
  });
}

/** Backpressure: a peer whose reader stopped reading makes `queue-full` drops, not memory growth. */
export async function stalledPeerCheck(scheme: Scheme, stalledPeer: { address: string; close(): Promise<void> }, stalledName: string, quic: QuicDriverOptions = {}): Promise<void> {
  const directory = new IdentityStore();
  const stalled = keyOf(stalledName);
  directory.setNode({ id: stalled.id, addresses: [stalledPeer.address], trust: 128 });
  const trace: TraceRecord[] = [];
  const queueBytesMax = 1 << 20;
  const key = keyOf('sender');
  const certificate = createNodeCertificate(key.secret);
  const transport: PeerTransport = createPeerTransport(
    { clock: createWallClock(), rng: createRng(1), trace: { emit: (record) => trace.push(record) }, drivers: [(host) => driverOf(scheme, host, certificate, quic)] },
    { nodeName: 'sender', self: key.id, directory, queueBytesMax, channelBufferBytesMax: 256 * 1024 },
  );
  try {
    const frame = new Uint8Array(64 * 1024);
    let maxQueued = 0;
    // 64 MiB offered in 64 KiB frames, a few per turn, far beyond every buffer on the way.
    for (let round = 0; round < 256 && trace.filter((event) => event.reason === 'queue-full').length < 20; round++) {
      for (let i = 0; i < 4; i++) transport.send(stalled.id, frame, { msg: `m${round}.${i}` });
      maxQueued = Math.max(maxQueued, transport.queuedBytes(stalled.id));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(trace.filter((event) => event.reason === 'queue-full').length).toBeGreaterThanOrEqual(20);
    expect(maxQueued).toBeLessThanOrEqual(queueBytesMax);
  } finally {
    await transport.close();
    await stalledPeer.close();
  }
}

/** A bare QUIC server with `name`'s certificate that welcomes each stream and never reads it. */
export async function startStalledQuicPeer(name: string): Promise<{ address: string; close(): Promise<void> }> {
  const certificate = createNodeCertificate(keyOf(name).secret);
  const key = await webcrypto.subtle.importKey('raw', randomBytes(32), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
  const server = new QUICServer({
    crypto: { key: new ArrayBuffer(32), ops: { sign: async (_k, data) => webcrypto.subtle.sign('HMAC', key, data), verify: async (_k, data, sig) => webcrypto.subtle.verify('HMAC', key, sig, data) } },
    config: { key: certificate.keyPem, cert: certificate.certPem, verifyPeer: true, verifyCallback: async () => undefined, maxIdleTimeout: 5000, keepAliveIntervalTime: 1000, initialMaxStreamsBidi: 1000 },
    logger: new Logger(name, LogLevel.WARN),
  });
  server.addEventListener(quicEvents.EventQUICServerConnection.name, (event) => {
    const connection = (event as quicEvents.EventQUICServerConnection).detail;
    connection.addEventListener(quicEvents.EventQUICConnectionStream.name, (streamEvent) => {
      const stream = (streamEvent as quicEvents.EventQUICConnectionStream).detail;
      void stream.writable.getWriter().write(WELCOME_FRAME); // and never reads the readable
    });
  });
  await server.start({ host: '127.0.0.1', port: 0 });
  return { address: `quic://127.0.0.1:${server.port}`, close: () => server.stop({ force: true }) };
}
