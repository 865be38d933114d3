import { afterEach, expect, it } from 'vitest';
import { closeAll, sendFrom, startNodes, waitFor, type TestNode } from './helpers.js';
import { stalledPeerCheck, startStalledQuicPeer, transportSuite } from './suite.js';

transportSuite('quic', { worker: false }); // the worker-thread driver: quic-worker.test.ts

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
  await stalledPeerCheck('quic', await startStalledQuicPeer('stalled'), 'stalled', { worker: false });
});
