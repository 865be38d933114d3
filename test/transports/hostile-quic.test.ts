// Hostile QUIC peers against a real node, on the worker-thread and the main-thread driver: what a
// peer sends may get it refused or disconnected, never crash the node or stall its other peers.
import { afterEach, describe, expect, it } from 'vitest';
import { quicWorkerState } from '../../transports/index.js';
import { unusableStream } from '../../transports/quic/driver.js';
import { closeAll, sendFrom, startNodes, waitFor, type TestNode } from './helpers.js';
import { hostileQuicClient, portOf, randomCertificate, writeStream } from './hostile.js';

/** Collects what escapes as an uncaught exception or unhandled rejection while a test runs. */
function escapes(): { errors: unknown[]; stop(): void } {
  const errors: unknown[] = [];
  const record = (error: unknown): void => void errors.push(error);
  process.on('uncaughtException', record);
  process.on('unhandledRejection', record);
  return { errors, stop: () => (process.off('uncaughtException', record), process.off('unhandledRejection', record)) };
}

for (const worker of [true, false]) {
  describe(`hostile QUIC peers (${worker ? 'worker thread' : 'main thread'})`, () => {
    let nodes: TestNode[] = [];
    const cleanups: Array<() => Promise<unknown>> = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0)) await cleanup().catch(() => {});
      await closeAll(nodes);
      nodes = [];
    });

    it('a peer opening a unidirectional stream gets none (no credit) and the node and its QUIC worker live on', async () => {
      const escaped = escapes();
      cleanups.push(async () => escaped.stop());
      nodes = await startNodes(['a', 'b'], ['quic'], { quic: { worker }, isOpen: true });
      const [a, b] = nodes as [TestNode, TestNode];
      const workerBefore = quicWorkerState();
      const port = portOf(a.real.addresses[0]!);
      // First stream unidirectional; then one after a bidirectional stream; then a bidirectional
      // first stream reset both ways at once.
      const uniFirst = await hostileQuicClient(port, randomCertificate());
      const uniSecond = await hostileQuicClient(port, randomCertificate());
      const reset = await hostileQuicClient(port, randomCertificate());
      cleanups.push(() => uniFirst.destroy({ force: true }), () => uniSecond.destroy({ force: true }), () => reset.destroy({ force: true }));
      const refusedUni: string[] = [];
      const tryUni = async (client: typeof uniFirst): Promise<void> => {
        try {
          await writeStream(client.connection.newStream('uni'), new Uint8Array([0, 0, 0, 3, 1, 2, 3]));
        } catch (error) {
          refusedUni.push((error as Error).name);
        }
      };
      await tryUni(uniFirst);
      await writeStream(uniSecond.connection.newStream('bidi'), new Uint8Array(4));
      await tryUni(uniSecond);
      const stream = reset.connection.newStream('bidi');
      await writeStream(stream, new Uint8Array(4));
      stream.cancel(new Error('reset'));
      await new Promise((resolve) => setTimeout(resolve, 300));
      sendFrom(b, [a], 5);
      await waitFor(() => a.received.length === 5, 'b still served by a');
      expect(escaped.errors).toEqual([]);
      expect(refusedUni).toEqual(['ErrorQUICStreamLimit', 'ErrorQUICStreamLimit']); // the node grants no unidirectional stream
      if (worker) expect(quicWorkerState()?.threadId).toBe(workerBefore?.threadId);
    });
  });
}


it('a stream that cannot carry a channel is named: unidirectional, or closed either way', () => {
  expect(unusableStream({ type: 'bidi', readClosed: false, writeClosed: false })).toBeUndefined();
  expect(unusableStream({ type: 'uni', readClosed: false, writeClosed: true })).toBe('protocol/unidirectional-stream');
  expect(unusableStream({ type: 'bidi', readClosed: true, writeClosed: false })).toBe('protocol/closed-stream');
  expect(unusableStream({ type: 'bidi', readClosed: false, writeClosed: true })).toBe('protocol/closed-stream');
});
