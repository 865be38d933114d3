// The ports: the only ways the core reaches time, randomness, the network, tracing and crypto.
// Each backend (sim/, transports/) supplies them (DESIGN.md "The ports").
import type { Id } from './ids.js';
import type { TransportPrefs } from './message.js';
import type { TraceKind, TraceRecord } from './trace.js';

/** A handle for a scheduled callback. */
export type TimerId = number;

/** Time in milliseconds; virtual in the simulator, wall-based on real networks. */
export interface Clock {
  /** Current time in ms. */
  now(): number;
  /** Runs `callback` at `atMs` (not before); same-time callbacks run in scheduling order. */
  schedule(atMs: number, callback: () => void): TimerId;
  /** Cancels a scheduled callback; cancelling a fired or unknown id does nothing. */
  cancel(id: TimerId): void;
  /**
   * Optional: runs `handler(argument)` at `atMs`, as `schedule` does, without a closure per call
   * when `handler` is long-lived (the simulator's scheduler and a node's own clock have it).
   */
  scheduleCall?<T>(atMs: number, handler: (argument: T) => void, argument: T): TimerId;
}

/** A seeded random stream; `fork(label)` gives an independent stream named by `label`. */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** An independent stream derived from this one's seed and `label` (draws here do not affect it). */
  fork(label: string): Rng;
}

/** What the Router tells the Transport about a frame, for tracing and expiry. */
export interface FrameMeta {
  /** Trace id of the engine message inside (for drop/transmit events). */
  readonly msg: string;
  /** Absolute deadline in ms after which the frame must not be transmitted (SPEC I10). */
  readonly expiryMs?: number;
  /**
   * Effective transport preferences (S22: message > peer record > node defaults); absent when none
   * was given anywhere, and the backend then uses its own behaviour.
   */
  readonly tprefs?: TransportPrefs;
}

/** A connection notice from the Transport (SPEC §4.2: NodeConnected / NodeDisconnected / NodeConnectFailed). */
export type TransportEvent =
  | { readonly kind: 'connected'; readonly node: Id; readonly address: string }
  | { readonly kind: 'disconnected'; readonly node: Id; readonly reason: string }
  /** `text`: what the dial's failure said (a real transport's error message), when there is more to say than the reason. */
  | { readonly kind: 'connect-failed'; readonly node: Id; readonly address: string; readonly reason: string; readonly text?: string };

/** Moves opaque frames (encoded P2PMessages) between authenticated nodes. */
export interface Transport {
  /**
   * True when every frame handed to `onFrame` came over a channel mutually authenticated with the
   * `from` node's key (TLS/QUIC certificates bound to the node keys). The Router then neither signs
   * nor verifies the per-frame node signature (a 64-byte zero field): the channel carries it, and the
   * envelope's `src` must still equal the channel's peer. Engine signatures stay end-to-end. The
   * simulator's links are not channels, so it keeps full verification.
   */
  readonly isChannelAuthenticated?: boolean;
  /** Sends `frame` to `node`; the transport connects on demand, queues, or drops (and traces why). */
  send(node: Id, frame: Uint8Array, meta: FrameMeta): void;
  /**
   * Opens (or keeps) a connection to `node`, dialling the addresses of its advert. `isPermanent`
   * given sets the connection's permanence (permanent ones are re-dialled after any loss and never
   * closed for idleness, S21); absent, a new connection is ephemeral and an open one keeps its own.
   */
  connect(node: Id, options?: { readonly isPermanent?: boolean }): void;
  /** Closes the connection to `node`, if any, and stops re-dialling it. */
  disconnect(node: Id): void;
  /**
   * Registers the receiver of inbound frames; `from` is the channel-authenticated peer. The
   * simulator also says how many underlay hops the frame crossed (real transports cannot know).
   */
  onFrame(handler: (from: Id, frame: Uint8Array, hops?: number) => void): void;
  /** Registers the receiver of connection notices. */
  onEvent(handler: (event: TransportEvent) => void): void;
  /**
   * The Router refused a frame that `node` sent because a check failed (traced as verify-fail
   * `reason`: a bad signature, a forged source, …). A real transport counts these per peer and
   * slows, then disconnects a peer that keeps sending them; the simulator does not implement it.
   */
  refusedFrom?(node: Id, reason: string): void;
}

/**
 * Receives trace records; the sink assigns the global `seq`. The sink owns each record it is given
 * (it may number it in place and keep it): pass a fresh object and do not touch it afterwards.
 */
export interface TraceSink {
  emit(record: TraceRecord): void;
  /**
   * Present on a sink that only counts (a simulation that keeps no trace and has no listener, so only
   * its summary reads the events): the hot events (send, transmit, receive, deliver, timer, a log)
   * are then reported as the few fields the summary reads instead of a record each. For a send and a
   * deliver, `source` and `id` are the message's source engine and id (its trace id is
   * `messageTraceId(source, id)`, which need not be built); `dst` is the destination kind of a send;
   * `rttMs` a log's `data.rttMs`.
   */
  readonly tally?: (kind: TraceKind, t: number, source: Id | undefined, id: number, dst: string | undefined, rttMs: number | undefined) => void;
}

/** A signing key: its public identity and its 32-byte secret seed. */
export interface KeyPair {
  readonly id: Id;
  readonly secret: Uint8Array;
}

/**
 * What a Crypto's `verify` function may carry as its own property `withPrefix` (on the function,
 * not on the Crypto): the verdict of `verify(id, prefix ‖ bytes[0, end), signature)` without the
 * caller concatenating the signing domain tag and the encoding. It lives on the function so that
 * a wrapper that replaces `verify` (a cache, a counter, a test's fault injector) drops it, and
 * callers then fall back to `verify` itself: nothing bypasses a wrapped `verify`.
 */
export interface VerifyWithPrefix {
  readonly withPrefix: (id: Id, prefix: Uint8Array, bytes: Uint8Array, end: number, signature: Uint8Array) => boolean;
}

/** Signatures and hashes (synchronous, so handlers stay synchronous). */
export interface Crypto {
  /** Scheme name written in the trace header (`ed25519`, or `sim-keyed` for very large simulations). */
  readonly scheme: string;
  /** The key pair whose secret seed is `secret`. */
  keyPair(secret: Uint8Array): KeyPair;
  /** 64-byte signature of `bytes` by `key`. */
  sign(key: KeyPair, bytes: Uint8Array): Uint8Array;
  /** True when `signature` is `id`'s signature of `bytes`. */
  verify(id: Id, bytes: Uint8Array, signature: Uint8Array): boolean;
  /** 32-byte digest (BLAKE3) of `bytes`. */
  hash(bytes: Uint8Array): Uint8Array;
}
