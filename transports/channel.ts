// What a driver (QUIC, TLS) gives the peer manager: authenticated, framed, bidirectional channels.
// Protocol on every channel: length-prefixed frames (framing.ts). The acceptor verifies the
// dialler's certificate, then sends a zero-length "welcome" frame; the dialler trusts the channel
// only once the welcome arrives (a refused QUIC client still sees its connect resolve, and a
// refused TLS client sees secureConnect then close: FACTS.md). Later zero-length frames are ignored.
import { p2pMessageHead, type Id } from '../core/index.js';
import { FrameReader } from './framing.js';

/** A transport address scheme this project speaks. */
export type Scheme = 'quic' | 'tls';

/** A parsed `scheme://host:port` address. */
export interface Address {
  readonly scheme: Scheme;
  readonly host: string;
  readonly port: number;
  readonly text: string;
}

/** Parses `quic://127.0.0.1:7001` / `tls://[::1]:7002`; undefined when not one of ours. */
export function parseAddress(text: string): Address | undefined {
  const match = /^(quic|tls):\/\/(\[[0-9a-fA-F:.]+\]|[^:/\s]+):(\d{1,5})$/.exec(text);
  if (match === null) return undefined;
  const port = Number(match[3]);
  if (port < 1 || port > 65535) return undefined;
  return { scheme: match[1] as Scheme, host: match[2]!.replace(/^\[|\]$/g, ''), port, text };
}

/** Formats an address (IPv6 hosts in brackets). */
export function formatAddress(scheme: Scheme, host: string, port: number): string {
  return `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** What the manager does with a channel's events. */
export interface ChannelHandlers {
  frame(frame: Uint8Array): void;
  /** The peer announced a frame above the maximum: the channel is closed after this. */
  oversize(sizeBytes: number): void;
  /** A large frame whose first bytes were not an envelope from the peer to us was skipped unread. */
  garbage?(sizeBytes: number): void;
  /** Writes may continue: buffered bytes fell below the budget. */
  drain(): void;
  close(reason: string): void;
}

/** An established, mutually authenticated channel to `peer`. */
export interface Channel {
  readonly peer: Id;
  readonly scheme: Scheme;
  /** The remote address (dialler: the address dialled; acceptor: the peer's source address). */
  readonly address: string;
  readonly isDialer: boolean;
  /**
   * Writes already-framed bytes. The caller must not reuse `bytes` afterwards: the QUIC worker
   * driver moves (detaches) a buffer of ≥ 64 KiB that the bytes span whole instead of copying it.
   */
  write(bytes: Uint8Array): void;
  /** Bytes accepted by `write` and not yet taken by the network (the backpressure signal). */
  bufferedBytes(): number;
  /** Flushes what was written, then closes. */
  end(): void;
  /** Closes at once. */
  destroy(): void;
  /**
   * Stops reading from the peer (its frames wait in the network: TCP's window, QUIC's stream
   * credit), until `resume`. Frames of a chunk already read may still arrive. Optional: a channel
   * without it is always read.
   */
  pause?(): void;
  resume?(): void;
}

/** What drivers ask of the manager. */
export interface DriverHost {
  readonly self: Id;
  readonly frameSizeMaxBytes: number;
  /**
   * Every frame is an envelope from the channel's peer to `self` (the peer manager's frames): a large
   * frame whose first bytes say otherwise is skipped unread (ChannelHandlers.garbage). Absent, frames
   * are opaque bytes.
   */
  readonly isEnvelopes?: boolean;
  /**
   * Acceptor side: may `peer` connect? (a known node, or any when the node is open). The QUIC
   * drivers await the answer (the worker driver asks across threads); the TLS driver answers a
   * boolean at once and only waits for a promise.
   */
  isAllowed(peer: Id): boolean | Promise<boolean>;
  /** A channel is up in both directions; returns the handlers for its events. */
  established(channel: Channel): ChannelHandlers;
  /** An inbound handshake was refused (impostor, unknown node, no certificate). */
  refused(peer: Id | undefined, address: string, reason: string): void;
}

/** A failed dial, with a stable reason code (`binding/wrong-key`, `dial/timeout`, …). */
export class DialError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'DialError';
  }
}

/** A protocol driver: listens, dials, and hands established channels to its host. */
export interface Driver {
  readonly scheme: Scheme;
  /** Starts listening; resolves to the advertised address. */
  listen(host: string, port: number): Promise<string>;
  /** Dials `address` expecting the certificate key `expected`; resolves once the welcome arrived. */
  dial(address: Address, expected: Id, timeoutMs: number): Promise<Channel>;
  /** Stops listening and closes every channel. */
  close(): Promise<void>;
}

/**
 * Parses a channel's inbound byte stream: waits for the welcome (dialler) and then passes frames
 * on. `handlers()` is read lazily, since frames may follow the welcome in the same chunk.
 */
export class ChannelReader {
  private readonly reader: FrameReader;
  private handlers: ChannelHandlers | undefined;
  private isFailed = false;

  /** `envelopes`: the host's frames are envelopes from `peer` to `host.self` (DriverHost.isEnvelopes): large frames are checked for it. */
  constructor(
    frameSizeMaxBytes: number,
    private readonly onWelcome: () => ChannelHandlers | undefined,
    private readonly onFatal: (reason: string) => void,
    envelopes?: { readonly host: DriverHost; readonly peer: Id },
  ) {
    this.reader = new FrameReader(frameSizeMaxBytes, envelopes?.host.isEnvelopes === true ? p2pMessageHead(envelopes.peer, envelopes.host.self) : undefined);
  }

  /** Starts passing frames to `handlers` without waiting for a welcome (acceptor side). */
  attach(handlers: ChannelHandlers): void {
    this.handlers = handlers;
  }

  push(chunk: Uint8Array): void {
    if (this.isFailed) return;
    const result = this.reader.push(chunk);
    for (const frame of result.frames) {
      if (this.isFailed) return;
      if (this.handlers === undefined) {
        if (frame.length !== 0) return this.fail('protocol/no-welcome');
        this.handlers = this.onWelcome();
        if (this.handlers === undefined) return this.fail('protocol/refused');
        continue;
      }
      if (frame.length !== 0) this.handlers.frame(frame);
    }
    if (result.discarded !== undefined && this.handlers !== undefined) for (const sizeBytes of result.discarded) this.handlers.garbage?.(sizeBytes);
    if (!result.ok) {
      this.isFailed = true;
      if (this.handlers !== undefined) this.handlers.oversize(result.sizeBytes);
      this.onFatal('frame/too-large');
    }
  }

  private fail(reason: string): void {
    this.isFailed = true;
    this.onFatal(reason);
  }
}

/** The welcome / keep-alive control frame: a zero length prefix. */
export const WELCOME_FRAME = new Uint8Array(4);
