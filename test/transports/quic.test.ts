import { randomBytes, webcrypto } from 'node:crypto';
import Logger, { LogLevel } from '@matrixai/logger';
import { QUICServer, events as quicEvents } from '@matrixai/quic';
import { afterEach, expect, it } from 'vitest';
import { createNodeCertificate, WELCOME_FRAME } from '../../transports/index.js';
import { closeAll, keyOf, sendFrom, startNodes, waitFor, type TestNode } from './helpers.js';
import { stalledPeerCheck, transportSuite } from './suite.js';

transportSuite('quic');

let nodes: TestNode[] = [];
afterEach(async () => {
  await closeAll(nodes);
  nodes = [];
});

it('falls back from a dead QUIC address to a live TLS address, in advert order', async () => {
  nodes = await startNodes(['a', 'b'], ['quic', 'tls']);
  const [a, b] = nodes as [TestNode, TestNode];
  // b's advert lists a QUIC address nobody listens on first, then its live TLS address.
  a.directory.setNode({ id: b.real.id, addresses: ['quic://127.0.0.1:9', b.real.addresses[1]!], trust: 128 });
  sendFrom(a, [b], 5);
  await waitFor(() => b.received.length === 5, '5 messages over the TLS fallback', 20_000);
  expect(a.trace.some((event) => event.kind === 'connect-failed' && event.text === 'quic://127.0.0.1:9')).toBe(true);
  expect(a.trace.find((event) => event.kind === 'connect')?.text).toBe(b.real.addresses[1]);
});

it('quic: a reader that stops reading causes queue-full drops, not unbounded memory', async () => {
  const certificate = createNodeCertificate(keyOf('stalled').secret);
  const key = await webcrypto.subtle.importKey('raw', randomBytes(32), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
  const server = new QUICServer({
    crypto: { key: new ArrayBuffer(32), ops: { sign: async (_k, data) => webcrypto.subtle.sign('HMAC', key, data), verify: async (_k, data, sig) => webcrypto.subtle.verify('HMAC', key, sig, data) } },
    config: { key: certificate.keyPem, cert: certificate.certPem, verifyPeer: true, verifyCallback: async () => undefined, maxIdleTimeout: 5000, keepAliveIntervalTime: 1000, initialMaxStreamsBidi: 1000 },
    logger: new Logger('stalled', LogLevel.WARN),
  });
  server.addEventListener(quicEvents.EventQUICServerConnection.name, (event) => {
    const connection = (event as quicEvents.EventQUICServerConnection).detail;
    connection.addEventListener(quicEvents.EventQUICConnectionStream.name, (streamEvent) => {
      const stream = (streamEvent as quicEvents.EventQUICConnectionStream).detail;
      void stream.writable.getWriter().write(WELCOME_FRAME); // and never reads the readable
    });
  });
  await server.start({ host: '127.0.0.1', port: 0 });
  await stalledPeerCheck('quic', { address: `quic://127.0.0.1:${server.port}`, close: () => server.stop({ force: true }) }, 'stalled');
});
