// Hostile peers for the attack tests: real @matrixai/quic and node:tls clients that speak raw bytes
// (or none) to a node, with any identity, and a legitimate peer's round trip measured against its
// own baseline in the same run.
import { webcrypto } from 'node:crypto';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import Logger, { LogLevel } from '@matrixai/logger';
import { QUICClient, type QUICStream } from '@matrixai/quic';
import { encodeEngineMessage, encodeP2PMessage, signEngineMessage, type Crypto, type Id, type KeyPair } from '../../core/index.js';
import { createNodeCertificate, encodeFrames, WELCOME_FRAME, type NodeCertificate } from '../../transports/index.js';

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
        // Loopback datagrams as big as the node's (the library's cost is per datagram).
        maxSendUdpPayloadSize: 9000,
        maxRecvUdpPayloadSize: 9000,
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

const ZERO_SIGNATURE = new Uint8Array(64);

/**
 * `count` framed P2P envelopes from node `from` to node `to`, each carrying an engine message to
 * `engine` with a forged (zero) engine signature — refused with verify-fail engine-signature —
 * numbered from `firstSeq` (so none is a replay). On a channel-authenticated transport the node
 * signature is not checked, so a zero one will do. `last`: one validly signed message by this
 * engine key at the end (its delivery shows every frame before it was handled).
 */
export function forgedFrames(crypto: Crypto, from: Id, to: Id, engine: Id, count: number, options: { firstSeq?: number; bodyBytes?: number; last?: KeyPair } = {}): Uint8Array {
  const firstSeq = options.firstSeq ?? 1;
  const body = new Uint8Array(options.bodyBytes ?? 16);
  const src = crypto.keyPair(webcrypto.getRandomValues(new Uint8Array(32))).id;
  const envelope = (seq: number, msg: Uint8Array): Uint8Array => encodeP2PMessage({ src: from, dst: to, session: 1, seq, inner: 'engine', msg, sig: ZERO_SIGNATURE });
  const frames: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    frames.push(envelope(firstSeq + i, encodeEngineMessage({ src, dst: { kind: 'engine', engine }, id: firstSeq + i, protocol: 'attack/1.0', body, sig: ZERO_SIGNATURE })));
  }
  if (options.last !== undefined) {
    const signed = signEngineMessage(crypto, options.last, { src: options.last.id, dst: { kind: 'engine', engine }, id: firstSeq + count, protocol: 'attack/1.0', body: new TextEncoder().encode('last') });
    frames.push(envelope(firstSeq + count, new Uint8Array(signed.bytes)));
  }
  return encodeFrames(frames);
}

/** Opens the channel stream of a hostile QUIC client (its first bytes are the dialler's welcome). */
export async function hostileQuicChannel(client: QUICClient): Promise<QUICStream> {
  const stream = client.connection.newStream('bidi');
  await writeStream(stream, WELCOME_FRAME);
  return stream;
}
