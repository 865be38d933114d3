// TLS 1.3 over TCP (node:tls) with certificates bound to node keys. Both sides present their
// self-signed Ed25519 certificate; node:tls does no chain check (rejectUnauthorized: false) and we
// check the key ourselves: the dialler wants exactly the node id it dialled, the acceptor a node it
// knows (or any, when open). `getPeerCertificate().pubkey` is empty for Ed25519, so the key comes
// from `getPeerX509Certificate()` (FACTS.md).
import { createServer, connect, type Server, type TLSSocket } from 'node:tls';
import type { Id } from '../../core/index.js';
import { certificateNodeId, type NodeCertificate } from '../certs.js';
import { ChannelReader, DialError, formatAddress, WELCOME_FRAME, type Address, type Channel, type ChannelHandlers, type Driver, type DriverHost } from '../channel.js';

/** How long a retired channel stays open for frames still in flight (ms). */
const RETIRE_GRACE_MS = 3000;

function channelOf(socket: TLSSocket, peer: Id, address: string, isDialer: boolean): Channel {
  return {
    peer,
    scheme: 'tls',
    address,
    isDialer,
    write: (bytes) => void socket.write(bytes),
    bufferedBytes: () => socket.writableLength,
    // Not socket.end(): a TLS socket that ended its side stops delivering what the peer still
    // sends. The channel stops being written to, and goes after a grace period instead.
    end: () => void setTimeout(() => socket.destroy(), RETIRE_GRACE_MS).unref(),
    destroy: () => void socket.destroy(),
    pause: () => void socket.pause(),
    resume: () => void socket.resume(),
  };
}

function wire(socket: TLSSocket, reader: ChannelReader, handlers: () => ChannelHandlers | undefined): void {
  socket.on('data', (chunk: Buffer) => reader.push(chunk));
  socket.on('drain', () => handlers()?.drain());
  socket.once('close', (hadError) => handlers()?.close(hadError ? 'error' : 'closed'));
}

/** The TLS-over-TCP driver for a node with `certificate`. */
export function createTlsDriver(host: DriverHost, certificate: NodeCertificate): Driver {
  const sockets = new Set<TLSSocket>();
  let server: Server | undefined;
  const secure = { key: certificate.keyPem, cert: certificate.certPem, minVersion: 'TLSv1.3' as const, rejectUnauthorized: false };

  function track(socket: TLSSocket): void {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => {}); // reported through 'close'; an unhandled 'error' would crash the process
  }

  function accept(socket: TLSSocket): void {
    track(socket);
    const address = formatAddress('tls', socket.remoteAddress ?? '?', socket.remotePort ?? 0);
    const peer = certificateNodeId(socket.getPeerX509Certificate() ?? new Uint8Array(0));
    const verdict = peer === undefined ? false : host.isAllowed(peer);
    // A boolean is acted on at once; a promise is awaited (the socket is not read meanwhile).
    if (typeof verdict === 'boolean') return welcome(socket, peer, address, verdict);
    verdict.then(
      (isAllowed) => welcome(socket, peer, address, isAllowed),
      () => welcome(socket, peer, address, false),
    );
  }

  function welcome(socket: TLSSocket, peer: Id | undefined, address: string, isAllowed: boolean): void {
    if (socket.destroyed) return;
    if (peer === undefined || !isAllowed) {
      host.refused(peer, address, peer === undefined ? 'binding/no-certificate' : 'binding/unknown-node');
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    socket.write(WELCOME_FRAME);
    let handlers: ChannelHandlers | undefined;
    const reader = new ChannelReader(host.frameSizeMaxBytes, () => undefined, () => socket.destroy(), { host, peer });
    wire(socket, reader, () => handlers);
    handlers = host.established(channelOf(socket, peer, address, false));
    reader.attach(handlers);
  }

  return {
    scheme: 'tls',
    listen(listenHost, port) {
      return new Promise((resolve, reject) => {
        const created = createServer({ ...secure, requestCert: true }, accept);
        created.on('tlsClientError', () => {}); // a failed handshake concerns only that socket
        created.once('error', reject);
        created.listen(port, listenHost, () => {
          server = created;
          const bound = created.address();
          resolve(formatAddress('tls', listenHost, typeof bound === 'object' && bound !== null ? bound.port : port));
        });
      });
    },
    dial(address: Address, expected: Id, timeoutMs: number) {
      return new Promise<Channel>((resolve, reject) => {
        const socket = connect({ ...secure, host: address.host, port: address.port });
        track(socket);
        let isSettled = false;
        let handlers: ChannelHandlers | undefined;
        const fail = (code: string, message: string): void => {
          if (isSettled) return;
          isSettled = true;
          clearTimeout(timer);
          socket.destroy();
          reject(new DialError(code, message));
        };
        const timer = setTimeout(() => fail('dial/timeout', `no welcome from ${address.text} within ${timeoutMs} ms`), timeoutMs);
        const reader = new ChannelReader(
          host.frameSizeMaxBytes,
          () => {
            if (isSettled) return undefined;
            isSettled = true;
            clearTimeout(timer);
            const channel = channelOf(socket, expected, address.text, true);
            handlers = host.established(channel);
            resolve(channel);
            return handlers;
          },
          (reason) => {
            fail(reason, `${address.text}: ${reason}`);
            socket.destroy();
          },
          { host, peer: expected },
        );
        socket.once('secureConnect', () => {
          const peer = certificateNodeId(socket.getPeerX509Certificate() ?? new Uint8Array(0));
          if (peer !== expected) return fail('binding/wrong-key', `${address.text} presented ${peer === undefined ? 'no Ed25519 certificate' : `key ${peer.slice(0, 12)}`}, expected ${expected.slice(0, 12)}`);
          socket.setNoDelay(true);
        });
        socket.once('error', (error: NodeJS.ErrnoException) => fail(`dial/${(error.code ?? 'error').toLowerCase()}`, `${address.text}: ${error.message}`));
        wire(socket, reader, () => handlers);
        socket.once('close', () => fail('dial/refused', `${address.text} closed the connection before its welcome (refused us?)`));
      });
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      sockets.clear();
      const current = server;
      server = undefined;
      if (current !== undefined) await new Promise<void>((resolve) => current.close(() => resolve()));
    },
  };
}
