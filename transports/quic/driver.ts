// QUIC (@matrixai/quic 2.0.9) with certificates bound to node keys. Per channel: one QUIC
// connection and ONE long-lived bidirectional stream carrying length-prefixed frames in both
// directions (30–100× faster than a stream per message, and immune to the lost-FIN hang:
// FACTS.md, README.md "Real networks"). Both sides run `verifyPeer: true` with a verifyCallback
// that returns undefined or CryptoError.BadCertificate and never throws; the dialler trusts the
// channel only after the acceptor's welcome frame arrives on the stream.
// Hostile peers: a peer gets no credit for unidirectional streams (`initialMaxStreamsUni: 0`), a
// stream that cannot carry a channel (unidirectional, already closed) is cancelled and its
// connection refused, streams after the first are cancelled, and every path a peer's packets can
// reach ends in a closed channel, never in an exception (a writer that throws synchronously, a
// handler that throws, a host that rejects).
import { webcrypto, randomBytes } from 'node:crypto';
import type { Socket as UdpSocket } from 'node:dgram';
import Logger, { LogLevel } from '@matrixai/logger';
import { QUICClient, QUICServer, QUICSocket, errors as quicErrors, events as quicEvents, native, type QUICConnection, type QUICStream } from '@matrixai/quic';
import type { Id } from '../../core/index.js';
import { certificateNodeId, type NodeCertificate } from '../certs.js';
import { ChannelReader, DialError, formatAddress, WELCOME_FRAME, type Address, type Channel, type ChannelHandlers, type Driver, type DriverHost } from '../channel.js';
import { QUIC_DRIVER_DEFAULTS, type QuicDriverOptions } from './options.js';

export { QUIC_DRIVER_DEFAULTS, type QuicDriverOptions } from './options.js';

interface QuicChannel extends Channel {
  bind(handlers: ChannelHandlers): void;
  gone(reason: string): void;
  /** Resolves when reading may go on (at once unless paused). */
  readable(): Promise<void> | undefined;
  /** A chunk was read. */
  read(): void;
  /** The peer ended its writing half (it retired the channel, or answers our retirement). */
  peerEnded(): void;
}

const logger = new Logger('quic', LogLevel.WARN);

async function hmacKey(): Promise<webcrypto.CryptoKey> {
  return webcrypto.subtle.importKey('raw', randomBytes(32), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
}

/** True for 127.0.0.0/8 and ::1 (also written as an IPv4-mapped address). */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare) || bare === '::1' || bare === 'localhost';
}

/** The library's socket of a started server/client and its UDP socket (the fields are not public API). */
interface OwnedSocket {
  readonly socket?: { readonly socket?: UdpSocket; stop(options: { force: boolean }): Promise<void> };
}

function udpSocketOf(owner: unknown): UdpSocket | undefined {
  return (owner as OwnedSocket).socket?.socket;
}

/** Raises the UDP receive buffer of a started server/client. */
function raiseRecvBuffer(owner: unknown, bytes: number): void {
  const udp = udpSocketOf(owner);
  try {
    udp?.setRecvBufferSize(bytes);
  } catch {
    // The kernel may cap it (net.core.rmem_max); the default still works, only with more loss.
  }
}

/**
 * How long close() lets connections end gracefully (CONNECTION_CLOSE sent, draining) before it
 * closes the UDP sockets under them (ms): a loaded machine took 2–4 s for five peers.
 */
const CLOSE_GRACE_MS = 2000;

/** Why a peer's first stream cannot carry a channel (a trace reason), or undefined when it can. */
export function unusableStream(stream: Pick<QUICStream, 'type' | 'readClosed' | 'writeClosed'>): string | undefined {
  if (stream.type !== 'bidi') return 'protocol/unidirectional-stream';
  if (stream.readClosed || stream.writeClosed) return 'protocol/closed-stream';
  return undefined;
}

/** The TLS alert a QUIC connection closes with is this plus the alert number (RFC 9001 §4.8). */
const QUIC_CRYPTO_ERROR_BASE = 0x100;
/** TLS alert certificate_required (RFC 8446 §6.2): the peer sent no certificate. */
const TLS_ALERT_CERTIFICATE_REQUIRED = 116;

/**
 * Why an accepted connection failed its TLS handshake before our verifyCallback could see a
 * certificate (the library checks "no certificate" natively, and reports it only as a connection
 * error), or undefined when the error is another one (a refusal by verifyCallback is traced there).
 */
export function nativeTlsRefusal(error: unknown): string | undefined {
  if (!(error instanceof quicErrors.ErrorQUICConnectionLocalTLS) || (error.cause as Error | undefined)?.message !== 'TlsFail') return undefined;
  const code = (error.data as { errorCode?: number } | undefined)?.errorCode;
  return code === QUIC_CRYPTO_ERROR_BASE + TLS_ALERT_CERTIFICATE_REQUIRED ? 'binding/no-certificate' : 'binding/tls-failed';
}

/**
 * A datagram handled for a connection that stopped meanwhile: @matrixai/quic 2.0.9's socket hands
 * each datagram to its connection's recv(), which waits for the connection's lock; when the
 * connection (or a client's own socket) finished stopping during that wait (we stop connections
 * while their peers still send: a retired channel, a view change, a dial given up), recv throws
 * ErrorQUICConnectionNotRunning (its closing send()) or ErrorQUICSocketNotRunning (reading the
 * connection's local address from the stopped socket), and the socket's async 'message' handler
 * rejects with nobody to catch it: an unhandled rejection that ended the whole thread (the QUIC
 * worker, and with it every QUIC peer of the process). Dropping such a datagram is what QUIC does
 * with one for a closed connection.
 */
export function isStoppedConnectionRace(error: unknown): boolean {
  return error instanceof quicErrors.ErrorQUICConnectionNotRunning || error instanceof quicErrors.ErrorQUICSocketNotRunning;
}

/** The library's socket of a server/client, with its datagram handler (an instance field in 2.0.9, not public API). */
export interface DatagramSocket {
  readonly socket?: UdpSocket;
  handleSocketMessage?: (data: Buffer, remote: unknown) => Promise<void>;
}

const GUARDED = Symbol('netmachine.quic-guarded');

/**
 * Puts the datagram handler of a started server's or client's socket behind a catch of
 * isStoppedConnectionRace; any other rejection is left unhandled, as before. The handler is
 * swapped on the UDP socket and in the field the library removes it by when the socket stops.
 */
export function guardDatagrams(owner: unknown): void {
  const socket = (owner as { socket?: DatagramSocket }).socket;
  if (socket?.socket !== undefined) guardSocket(socket);
}

/**
 * guardDatagrams for one library socket, started or not: a socket guarded before it starts (a
 * dial's own socket) registers the guarded handler when it starts, so no datagram reaches the
 * unguarded one while createQUICClient runs.
 */
export function guardSocket(socket: DatagramSocket): void {
  const udp = socket.socket;
  const original = socket.handleSocketMessage;
  if (typeof original !== 'function' || GUARDED in original) return;
  const guarded = Object.assign((data: Buffer, remote: unknown): Promise<void> =>
    original(data, remote).catch((error: unknown) => {
      if (!isStoppedConnectionRace(error)) throw error;
    }), { [GUARDED]: true });
  udp?.off('message', original);
  socket.handleSocketMessage = guarded;
  udp?.on('message', guarded);
}

/** Stops a peer's stream both ways (STOP_SENDING, RESET_STREAM); its data is discarded. */
function cancelStream(stream: QUICStream): void {
  try {
    stream.cancel(new Error('refused'));
  } catch {
    // already closed or reset: nothing left to stop
  }
}

/** The QUIC driver for a node with `certificate`. */
export function createQuicDriver(host: DriverHost, certificate: NodeCertificate, options: QuicDriverOptions): Driver {
  const settings = { ...QUIC_DRIVER_DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) };
  // An explicit udpPayloadBytes without a loopback value applies on loopback too.
  if (options.udpPayloadBytes !== undefined && options.loopbackUdpPayloadBytes === undefined) settings.loopbackUdpPayloadBytes = options.udpPayloadBytes;
  const clients = new Set<QUICClient>();
  const connections = new Set<QUICConnection>();
  const stops = new WeakMap<QUICConnection, () => void>();
  const streamed = new WeakSet<QUICConnection>();
  /** Connections and clients being stopped, and dials in flight: close() waits for all of them, so that no UDP socket outlives it. */
  const stopping = new Set<Promise<unknown>>();
  const dialling = new Set<AbortController>();
  /** The sockets this driver opened (server and clients) while their UDP socket is open: close() closes them at the latest. */
  const udpSockets = new Map<UdpSocket, OwnedSocket>();
  const ownSocket = (owner: unknown): void => {
    const udp = udpSocketOf(owner);
    if (udp === undefined) return;
    udpSockets.set(udp, owner as OwnedSocket);
    udp.once('close', () => udpSockets.delete(udp));
  };
  const settle = (closing: Promise<unknown>): void => {
    const tracked = closing.catch(() => {}).finally(() => stopping.delete(tracked));
    stopping.add(tracked);
  };
  let server: QUICServer | undefined;
  let isClosed = false;
  const config = (verifyCallback: (certs: Array<Uint8Array>) => Promise<native.CryptoError | undefined>, endpointHost: string) => ({
    key: certificate.keyPem,
    cert: certificate.certPem,
    verifyPeer: true,
    verifyCallback,
    maxIdleTimeout: settings.maxIdleTimeoutMs,
    keepAliveIntervalTime: settings.keepAliveIntervalMs,
    maxSendUdpPayloadSize: isLoopback(endpointHost) ? settings.loopbackUdpPayloadBytes : settings.udpPayloadBytes,
    maxRecvUdpPayloadSize: isLoopback(endpointHost) ? settings.loopbackUdpPayloadBytes : settings.udpPayloadBytes,
    readableChunkSize: settings.readChunkBytes,
    initialMaxStreamsBidi: settings.streamsBidiMax,
    initialMaxStreamsUni: 0, // our protocol uses one bidirectional stream; a peer may open no other kind
    initialMaxData: settings.connectionDataBytes,
    initialMaxStreamDataBidiLocal: settings.streamDataBytes,
    initialMaxStreamDataBidiRemote: settings.streamDataBytes,
  });

  /**
   * Wraps a stream as a Channel; `stop` runs once when the stream or its connection ends.
   * Retiring (end): the side that retires a channel ends its writing half (FIN, after what it
   * wrote) and keeps reading; the peer reads every frame before that end of stream, tells its host
   * (close 'retired'), whose end() ends its own half the same way, and the retiring side stops the connection once it has read the peer's
   * end too. So no frame written on either side is lost to the retirement. A FIN can be lost for
   * good under load (FACTS.md): the retiring side, waiting for the peer's end, destroys the
   * channel once it has read nothing for retireGraceMs (not counting time paused).
   */
  function streamChannel(connection: QUICConnection, stream: QUICStream, peer: Id, address: string, isDialer: boolean, stop: () => void): QuicChannel {
    const writer = stream.writable.getWriter();
    let pendingBytes = 0;
    let handlers: ChannelHandlers | undefined;
    let isGone = false;
    /** Our writing half is ended (FIN queued after our writes). */
    let isEnding = false;
    /** The host heard close() (at the peer's end of stream, or when gone). */
    let isClosedToHost = false;
    /** The peer ended its half first (it retired the channel). */
    let isPeerEnded = false;
    let graceTimer: NodeJS.Timeout | undefined;
    /** While paused: resolves when resumed (or gone). */
    let paused: { promise: Promise<void>; resolve: () => void } | undefined;
    const unpause = (): void => {
      const current = paused;
      paused = undefined;
      current?.resolve();
    };
    const closeToHost = (reason: string): void => {
      if (isClosedToHost) return;
      isClosedToHost = true;
      handlers?.close(reason);
    };
    /** (Re)arms the lost-FIN fallback: destroyed after retireGraceMs without a read while not paused. */
    const armGrace = (): void => {
      if (graceTimer !== undefined) clearTimeout(graceTimer);
      graceTimer = setTimeout(() => {
        graceTimer = undefined;
        if (paused !== undefined) return armGrace();
        channel.gone('retired');
      }, settings.retireGraceMs);
      graceTimer.unref();
    };
    const endWriting = (): void => {
      if (isEnding || isGone) return;
      isEnding = true;
      writer.close().catch(() => {}); // after the writes already queued on the stream
      if (!isPeerEnded) armGrace(); // we retire it: we wait for the peer's end of stream
    };
    const channel: QuicChannel = {
      peer,
      scheme: 'quic',
      address,
      isDialer,
      write(bytes) {
        if (isGone || isEnding) return;
        pendingBytes += bytes.length;
        let written: Promise<void>;
        try {
          written = writer.write(bytes); // throws at once on a stream the peer made unwritable
        } catch {
          return channel.gone('write-error');
        }
        written
          .then(() => {
            pendingBytes -= bytes.length;
            handlers?.drain(); // the manager coalesces these into one flush per turn
          })
          .catch(() => channel.gone('write-error'));
      },
      bufferedBytes: () => pendingBytes,
      end: endWriting,
      destroy() {
        channel.gone('closed');
      },
      bind(bound) {
        handlers = bound;
      },
      // Not reading the stream: the library stops taking its data from quiche, which stops
      // granting the peer credit once the stream window is used up.
      pause() {
        if (paused !== undefined || isGone) return;
        let resolve: () => void = () => {};
        const promise = new Promise<void>((done) => (resolve = done));
        paused = { promise, resolve };
      },
      resume: unpause,
      readable: () => paused?.promise,
      read() {
        if (graceTimer !== undefined) armGrace();
      },
      peerEnded() {
        if (isGone) return;
        if (isEnding) return channel.gone('closed'); // both halves ended: every frame was read both ways
        // The peer retired this channel: no more frames come. The host is told (close 'retired') and
        // ends our half with end(), after what it wrote (the worker driver's writes may still be in
        // flight between threads). The peer stops the connection once it has read our end (or on its
        // fallback); if it is gone, QUIC's idle timeout stops it.
        isPeerEnded = true;
        closeToHost('retired');
      },
      gone(reason) {
        if (isGone) return;
        isGone = true;
        if (graceTimer !== undefined) clearTimeout(graceTimer);
        unpause();
        stop();
        closeToHost(reason);
      },
    };
    connection.addEventListener(quicEvents.EventQUICConnectionStopped.name, () => channel.gone('closed'), { once: true });
    return channel;
  }

  /** Reads `stream` into `reader` until it ends, waiting while `channel` is paused; never rejects (a throwing handler ends the stream too). `onEnd(true)`: the peer ended the stream. */
  async function pump(stream: QUICStream, reader: ChannelReader, channel: QuicChannel, onEnd: (isPeerEnd: boolean) => void): Promise<void> {
    const chunks = stream.readable.getReader();
    let isPeerEnd = false;
    try {
      for (;;) {
        const wait = channel.readable();
        if (wait !== undefined) await wait;
        const { value, done } = await chunks.read();
        if (done) {
          isPeerEnd = true;
          break;
        }
        channel.read();
        reader.push(value);
      }
    } catch {
      // stream reset, connection lost or a handler threw: the channel ends below
    }
    try {
      onEnd(isPeerEnd);
    } catch {
      // the channel is gone either way
    }
  }

  /** Tracks an accepted connection (idempotent); returns its `stop`. */
  function accepted(connection: QUICConnection): () => void {
    let stop = stops.get(connection);
    if (stop !== undefined) return stop;
    stop = (): void => {
      connections.delete(connection);
      settle(connection.stop({ isApp: true, errorCode: 0, force: true }));
    };
    stops.set(connection, stop);
    connections.add(connection);
    connection.addEventListener(quicEvents.EventQUICConnectionStopped.name, () => connections.delete(connection), { once: true });
    return stop;
  }

  /**
   * A peer's stream, as the server re-dispatches it. Taken there, not on the connection: a stream
   * whose data arrived while our verifyCallback was pending is dispatched as soon as verification
   * succeeds, before the server's EventQUICServerConnection (with an asynchronous host, e.g. the
   * worker driver, it was lost and the dialler never got its welcome).
   */
  function acceptedStream(stream: QUICStream): void {
    const connection = (stream as unknown as { connection: QUICConnection }).connection; // protected in 2.0.9
    try {
      const stop = accepted(connection);
      if (streamed.has(connection)) return cancelStream(stream); // one stream per connection
      streamed.add(connection);
      const unusable = unusableStream(stream);
      if (unusable !== undefined) {
        cancelStream(stream);
        host.refused(certificateNodeId(connection.getRemoteCertsChain()[0] ?? new Uint8Array(0)), formatAddress('quic', connection.remoteHost, connection.remotePort), unusable);
        return stop();
      }
      acceptStream(connection, stream, stop).catch(() => stop());
    } catch {
      cancelStream(stream);
      stops.get(connection)?.();
    }
  }

  /** The acceptor's side of a connection's first stream: check the peer, welcome it, pump frames. */
  async function acceptStream(connection: QUICConnection, stream: QUICStream, stop: () => void): Promise<void> {
    const address = formatAddress('quic', connection.remoteHost, connection.remotePort);
    const peer = certificateNodeId(connection.getRemoteCertsChain()[0] ?? new Uint8Array(0));
    let isAllowed = false;
    try {
      isAllowed = peer !== undefined && (await host.isAllowed(peer)); // the worker driver's host answers across threads
    } catch {
      // refused below
    }
    if (!connections.has(connection)) return; // stopped while the host was asked
    if (peer === undefined || !isAllowed) {
      host.refused(peer, address, peer === undefined ? 'binding/no-certificate' : 'binding/unknown-node');
      return stop();
    }
    const channel = streamChannel(connection, stream, peer, address, false, stop);
    const reader = new ChannelReader(host.frameSizeMaxBytes, () => undefined, () => channel.gone('protocol-error'), { host, peer });
    channel.write(WELCOME_FRAME);
    const handlers = host.established(channel);
    channel.bind(handlers);
    reader.attach(handlers);
    void pump(stream, reader, channel, (isPeerEnd) => (isPeerEnd ? channel.peerEnded() : channel.gone('stream-ended')));
  }

  return {
    scheme: 'quic',
    async listen(listenHost, port) {
      const key = await hmacKey();
      const created = new QUICServer({
        crypto: {
          key: new ArrayBuffer(32), // unused: sign/verify below hold the real key
          ops: {
            sign: async (_key, data) => webcrypto.subtle.sign('HMAC', key, data),
            verify: async (_key, data, signature) => webcrypto.subtle.verify('HMAC', key, signature, data),
          },
        },
        config: config(async (certs) => {
          try {
            const peer = certificateNodeId(certs[0] ?? new Uint8Array(0));
            if (peer !== undefined && (await host.isAllowed(peer))) return undefined;
            host.refused(peer, `quic://${listenHost}`, peer === undefined ? 'binding/no-certificate' : 'binding/unknown-node');
            return native.CryptoError.BadCertificate;
          } catch {
            return native.CryptoError.BadCertificate;
          }
        }, listenHost),
        logger,
      });
      // A handshake refused natively (a client with no certificate) never reaches verifyCallback
      // nor EventQUICServerConnection: it is seen only as an error event of the connection, which
      // the server forwards through this per-instance handler (the clone it re-dispatches has lost
      // the connection, so its address). Read when each connection is created, so wrapped here.
      const internal = created as unknown as { handleEventQUICConnection: (event: Event) => void };
      const forward = internal.handleEventQUICConnection;
      internal.handleEventQUICConnection = (event: Event) => {
        try {
          const inner = (event as Event & { detail?: unknown }).detail; // the connection's event, wrapped in an EventAll
          const refusal = inner instanceof quicEvents.EventQUICConnectionError ? nativeTlsRefusal(inner.detail) : undefined;
          if (refusal !== undefined) {
            const connection = event.target as QUICConnection | null;
            const address = connection === null ? `quic://${listenHost}` : formatAddress('quic', connection.remoteHost, connection.remotePort);
            host.refused(undefined, address, refusal);
          }
        } catch {
          // tracing a refusal never breaks the server
        }
        forward(event);
      };
      created.addEventListener(quicEvents.EventQUICServerConnection.name, (event) => void accepted((event as quicEvents.EventQUICServerConnection).detail));
      created.addEventListener(quicEvents.EventQUICConnectionStream.name, (event) => acceptedStream((event as quicEvents.EventQUICConnectionStream).detail));
      created.addEventListener(quicEvents.EventQUICServerError.name, () => {});
      await created.start({ host: listenHost, port });
      guardDatagrams(created);
      raiseRecvBuffer(created, settings.udpRecvBufferBytes);
      ownSocket(created);
      server = created;
      return formatAddress('quic', listenHost, created.port);
    },
    async dial(address: Address, expected: Id, timeoutMs: number) {
      let bindingFailure: string | undefined;
      const verify = async (certs: Array<Uint8Array>): Promise<native.CryptoError | undefined> => {
        try {
          const peer = certificateNodeId(certs[0] ?? new Uint8Array(0));
          if (peer === expected) return undefined;
          bindingFailure = `${address.text} presented ${peer === undefined ? 'no Ed25519 certificate' : `key ${peer.slice(0, 12)}`}, expected ${expected.slice(0, 12)}`;
          return native.CryptoError.BadCertificate;
        } catch {
          return native.CryptoError.BadCertificate;
        }
      };
      let client: QUICClient;
      if (isClosed) throw new DialError('dial/closed', 'transport closed');
      const abort = new AbortController();
      dialling.add(abort);
      // The dial's own socket, guarded before it starts (guardSocket): the library's would take
      // datagrams unguarded until createQUICClient resolved. Shared with the client, so stopped here.
      const socket = new QUICSocket({ logger: logger.getChild('QUICSocket') });
      guardSocket(socket as unknown as DatagramSocket);
      const stopSocket = (): Promise<void> => socket.stop({ force: true }).catch(() => {});
      try {
        const started = socket.start({ host: address.host.includes(':') ? '::' : '0.0.0.0', port: 0 });
        settle(started);
        await started;
      } catch (error) {
        dialling.delete(abort);
        throw new DialError('dial/unreachable', `${address.text}: no local UDP socket: ${(error as Error).message}`);
      }
      ownSocket({ socket });
      try {
        const created = QUICClient.createQUICClient(
          {
            host: address.host,
            port: address.port,
            socket,
            crypto: { ops: { randomBytes: async (data: ArrayBuffer) => void webcrypto.getRandomValues(new Uint8Array(data)) } },
            config: config(verify, address.host),
            logger,
          },
          { timer: timeoutMs, signal: abort.signal },
        );
        settle(created); // close() waits for a dial in flight
        client = await created;
      } catch (error) {
        settle(stopSocket());
        if (isClosed) throw new DialError('dial/closed', 'transport closed');
        if (bindingFailure !== undefined) throw new DialError('binding/wrong-key', bindingFailure);
        throw new DialError('dial/unreachable', `${address.text}: ${(error as Error).message || (error as Error).name}`);
      } finally {
        dialling.delete(abort);
      }
      if (isClosed) {
        const destroyed = client.destroy({ force: true }).finally(stopSocket);
        settle(destroyed);
        await destroyed.catch(() => {});
        throw new DialError('dial/closed', 'transport closed');
      }
      clients.add(client);
      raiseRecvBuffer(client, settings.udpRecvBufferBytes);
      const stop = (): void => {
        clients.delete(client);
        settle(client.destroy({ isApp: true, errorCode: 0, force: true }).finally(stopSocket));
      };
      return new Promise<Channel>((resolve, reject) => {
        let isSettled = false;
        const fail = (code: string, message: string): void => {
          if (isSettled) return;
          isSettled = true;
          clearTimeout(timer);
          stop();
          reject(new DialError(code, message));
        };
        const timer = setTimeout(() => fail('dial/timeout', `no welcome from ${address.text} within ${timeoutMs} ms (refused us?)`), timeoutMs);
        let stream: QUICStream;
        try {
          stream = client.connection.newStream('bidi');
        } catch (error) {
          return fail('dial/stream', `${address.text}: ${(error as Error).message}`);
        }
        const channel = streamChannel(client.connection, stream, expected, address.text, true, stop);
        const reader = new ChannelReader(
          host.frameSizeMaxBytes,
          () => {
            if (isSettled) return undefined;
            isSettled = true;
            clearTimeout(timer);
            const handlers = host.established(channel);
            channel.bind(handlers);
            resolve(channel);
            return handlers;
          },
          (reason) => {
            fail(reason, `${address.text}: ${reason}`);
            channel.gone(reason);
          },
          { host, peer: expected },
        );
        channel.write(WELCOME_FRAME); // a stream is visible to the peer only once it carries data
        void pump(stream, reader, channel, (isPeerEnd) => {
          if (isSettled && isPeerEnd) return channel.peerEnded();
          fail('dial/refused', `${address.text} ended the stream before its welcome (refused us?)`);
          channel.gone('stream-ended');
        });
      });
    },
    async close() {
      // Every UDP socket is closed when this resolves (a process may exit right after: a datagram
      // arriving at a socket of a thread that is being torn down aborts the process).
      isClosed = true;
      for (const abort of dialling) abort.abort(new Error('transport closed'));
      const closing: Array<Promise<unknown>> = [];
      // A client's socket is its dial's own (shared with it): stopped once the client is, or below with the others.
      for (const client of clients) closing.push(client.destroy({ isApp: true, errorCode: 0, force: true }).catch(() => {}).finally(() => (client as unknown as OwnedSocket).socket?.stop({ force: true }).catch(() => {})));
      clients.clear();
      for (const connection of connections) closing.push(connection.stop({ isApp: true, errorCode: 0, force: true }).catch(() => {}));
      connections.clear();
      if (server !== undefined) closing.push(server.stop({ isApp: true, errorCode: 0, force: true }).catch(() => {}));
      server = undefined;
      const graceful = (async () => {
        await Promise.all(closing);
        while (stopping.size > 0) await Promise.all([...stopping]);
      })();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([graceful, new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_GRACE_MS)))]);
      clearTimeout(timer);
      // Connections still draining: their sockets are stopped under them, through the library so that
      // it knows (its late sends then fail into its own error events).
      const forced = [...udpSockets].map(([udp, owner]) =>
        Promise.race([owner.socket?.stop({ force: true }).catch(() => {}), new Promise((resolve) => udp.once('close', resolve))]),
      );
      await Promise.all(forced);
    },
  };
}
