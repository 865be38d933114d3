import { createSocket } from 'node:dgram';
import { errors as quicErrors } from '@matrixai/quic';
import { afterEach, expect, it } from 'vitest';
import { guardDatagrams, isStoppedConnectionRace } from '../../transports/quic/driver.js';
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
  expect(a.trace.some((event) => event.kind === 'connect-failed' && event.text?.startsWith('quic://127.0.0.1:9: ') === true)).toBe(true); // the address, then why the dial failed
  expect(a.trace.find((event) => event.kind === 'connect')?.text).toBe(b.real.addresses[1]);
});

it('quic: a reader that stops reading causes queue-full drops, not unbounded memory', async () => {
  await stalledPeerCheck('quic', await startStalledQuicPeer('stalled'), 'stalled', { worker: false });
});

it('a datagram handled after its connection stopped (the QUIC library\'s race) is dropped; any other failure of the datagram handler stays an unhandled rejection', async () => {
  // A real UDP socket under a handler that fails as @matrixai/quic 2.0.9's does when a connection
  // finishes stopping while one of its datagrams waits for the connection's lock.
  const udp = createSocket('udp4');
  await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
  let failure: Error = new quicErrors.ErrorQUICConnectionNotRunning();
  const handled: number[] = [];
  const original = async (data: Buffer, _remote?: unknown): Promise<void> => {
    handled.push(data.length);
    throw failure;
  };
  const socket = { socket: udp, handleSocketMessage: original };
  udp.on('message', original);
  guardDatagrams({ socket });
  guardDatagrams({ socket }); // idempotent
  try {
    expect(udp.listeners('message')).toEqual([socket.handleSocketMessage]);
    expect(socket.handleSocketMessage).not.toBe(original);
    // A datagram through the socket: handled, and no unhandled rejection (vitest would fail the file).
    const sender = createSocket('udp4');
    await new Promise<void>((resolve) => sender.send(Buffer.alloc(7), udp.address().port, '127.0.0.1', () => resolve()));
    sender.close();
    await waitFor(() => handled.length === 1, 'the datagram handled');
    expect(isStoppedConnectionRace(failure)).toBe(true);
    expect(isStoppedConnectionRace(new quicErrors.ErrorQUICSocketNotRunning())).toBe(true); // recv reading a stopped client socket's address
    // Another error is not swallowed: the handler's promise still rejects with it.
    failure = new Error('a real bug');
    expect(isStoppedConnectionRace(failure)).toBe(false);
    await expect(socket.handleSocketMessage(Buffer.alloc(1), {})).rejects.toThrow('a real bug');
  } finally {
    udp.close();
  }
});
