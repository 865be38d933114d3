// A client that presents no certificate is refused and traced alike on every backend: QUIC (its
// handshake fails natively, before the node's own check) on the worker-thread and main-thread
// drivers, and TLS — `verify-fail` with reason binding/no-certificate and the client's address.
import { connect as tlsConnect } from 'node:tls';
import { errors as quicErrors } from '@matrixai/quic';
import { afterEach, describe, expect, it } from 'vitest';
import { nativeTlsRefusal } from '../../transports/quic/driver.js';
import { closeAll, sendFrom, startNodes, waitFor, type TestNode } from './helpers.js';
import { hostileQuicClient, portOf } from './hostile.js';

const refusals = (node: TestNode): Array<{ reason?: string; peer?: string }> => node.trace.filter((record) => record.kind === 'verify-fail').map((record) => ({ reason: record.reason, peer: record.peer }));

describe('a client without a certificate', () => {
  let nodes: TestNode[] = [];
  afterEach(async () => {
    await closeAll(nodes);
    nodes = [];
  });

  for (const worker of [true, false]) {
    it(`QUIC (${worker ? 'worker thread' : 'main thread'}): refused, traced with its address, and the node serves its peers`, async () => {
      nodes = await startNodes(['a', 'b'], ['quic'], { quic: { worker }, isOpen: true });
      const [a, b] = nodes as [TestNode, TestNode];
      const client = await hostileQuicClient(portOf(a.real.addresses[0]!), undefined);
      try {
        await waitFor(() => refusals(a).length > 0, 'the refusal is traced');
        expect(refusals(a)).toEqual([{ reason: 'binding/no-certificate', peer: `quic://127.0.0.1:${client.localPort}` }]);
      } finally {
        await client.destroy({ force: true }).catch(() => {});
      }
      sendFrom(b, [a], 3);
      await waitFor(() => a.received.length === 3, 'b still served by a');
    });
  }

  it('TLS: refused and traced the same way', async () => {
    nodes = await startNodes(['a'], ['tls'], { isOpen: true });
    const [a] = nodes as [TestNode];
    const socket = tlsConnect({ host: '127.0.0.1', port: portOf(a.real.addresses[0]!), rejectUnauthorized: false, minVersion: 'TLSv1.3' });
    socket.on('error', () => {});
    await new Promise<void>((resolve) => socket.once('secureConnect', () => resolve()));
    const localPort = socket.localPort;
    await waitFor(() => refusals(a).length > 0, 'the refusal is traced');
    socket.destroy();
    expect(refusals(a)).toEqual([{ reason: 'binding/no-certificate', peer: `tls://127.0.0.1:${localPort}` }]);
  });
});

it('a native TLS failure of a QUIC connection is named by its alert; other errors are not refusals', () => {
  const tlsFail = (errorCode: number): Error => new quicErrors.ErrorQUICConnectionLocalTLS('Failed connection due to native TLS verification', { cause: new Error('TlsFail'), data: { isApp: false, errorCode, reason: new Uint8Array(0) } });
  expect(nativeTlsRefusal(tlsFail(0x100 + 116))).toBe('binding/no-certificate');
  expect(nativeTlsRefusal(tlsFail(0x100 + 40))).toBe('binding/tls-failed');
  // Refused by our verifyCallback (traced there): no cause.
  expect(nativeTlsRefusal(new quicErrors.ErrorQUICConnectionLocalTLS('Failed connection due to custom TLS verification', { data: { isApp: false, errorCode: 0x12a, reason: new Uint8Array(0) } }))).toBeUndefined();
  expect(nativeTlsRefusal(new Error('TlsFail'))).toBeUndefined();
});
