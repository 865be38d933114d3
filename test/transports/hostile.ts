// Hostile peers for the attack tests: real @matrixai/quic and node:tls clients that speak raw bytes
// (or none) to a node, with any identity, and a legitimate peer's round trip measured against its
// own baseline in the same run.
import { webcrypto } from 'node:crypto';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import Logger, { LogLevel } from '@matrixai/logger';
import { QUICClient, type QUICStream } from '@matrixai/quic';
import { createNodeCertificate, type NodeCertificate } from '../../transports/index.js';

/** A QUIC connection to `port` on loopback, presenting `certificate` (or none). */
export async function hostileQuicClient(port: number, certificate: NodeCertificate | undefined, timeoutMs = 5000): Promise<QUICClient> {
  return QUICClient.createQUICClient(
    {
      host: '127.0.0.1',
      port,
      localHost: '127.0.0.1',
      crypto: { ops: { randomBytes: async (data: ArrayBuffer) => void webcrypto.getRandomValues(new Uint8Array(data)) } },
      config: {
        ...(certificate !== undefined && { key: certificate.keyPem, cert: certificate.certPem }),
        verifyPeer: false,
        maxIdleTimeout: 5000,
        keepAliveIntervalTime: 1000,
        initialMaxStreamsBidi: 1000,
        initialMaxStreamsUni: 1000,
      },
      logger: new Logger('hostile', LogLevel.ERROR),
    },
    { timer: timeoutMs },
  );
}

/** Writes `bytes` to `stream`, resolving once taken (errors are the attacker's problem: swallowed). */
export async function writeStream(stream: QUICStream, bytes: Uint8Array): Promise<void> {
  const writer = stream.writable.getWriter();
  try {
    await writer.write(bytes);
  } catch {
    // the node closed it: what an attack test checks elsewhere
  } finally {
    writer.releaseLock();
  }
}

/** A TLS connection to `port` on loopback presenting `certificate`; resolves once secure. */
export function hostileTlsClient(port: number, certificate: NodeCertificate): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, key: certificate.keyPem, cert: certificate.certPem, rejectUnauthorized: false, minVersion: 'TLSv1.3' });
    socket.once('secureConnect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** A certificate for a fresh random identity (an `open: true` node accepts any). */
export function randomCertificate(): NodeCertificate {
  return createNodeCertificate(webcrypto.getRandomValues(new Uint8Array(32)));
}

/** The port of a `scheme://host:port` address. */
export function portOf(address: string): number {
  return Number(address.split(':').pop());
}
