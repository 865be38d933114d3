// One simulated node incarnation's Transport port, and its side of its relation with each peer.
// The connection logic itself lives in sim/connections.ts, shared by every node.
import type { FrameMeta, Id, IdentityStore, ReceivingTransport, Rng, TimerId, TransportEvent, TransportReceiver } from '../core/index.js';
import type { Connection, SimConnections } from './connections.js';

/** A frame waiting for its connection. */
export interface QueuedFrame {
  readonly frame: Uint8Array;
  readonly meta: FrameMeta;
  readonly queuedAtMs: number;
  readonly expiresAtMs: number;
}

/** A dial in progress. */
export interface Dial {
  readonly address: string;
  readonly peerIndex: number;
  readonly deadline: TimerId;
  /** The handshake's completion, scheduled while the peer is reachable. */
  completion: TimerId | undefined;
}

/** One node's side of its relation with one peer. */
export interface Endpoint {
  readonly host: SimTransport;
  readonly peer: Id;
  connection: Connection | undefined;
  dial: Dial | undefined;
  isPermanent: boolean;
  queue: QueuedFrame[] | undefined;
  queueBytes: number;
  backoffMs: number;
  retryTimer: TimerId | undefined;
  expiryTimer: TimerId | undefined;
  idleTimer: TimerId | undefined;
  /** When a frame last went out or came in on the connection. */
  lastActivityMs: number;
}

/** Frames waiting for the endpoint's connection. */
export function queued(endpoint: Endpoint): number {
  return endpoint.queue?.length ?? 0;
}

/** One node incarnation's Transport port. */
export class SimTransport implements ReceivingTransport {
  isUp = true;
  /** Peers this node has dialled, accepted or queued for, created on first use. */
  endpoints: Map<Id, Endpoint> | undefined;
  /** The node's receiving methods, or handlers given with onFrame / onEvent. */
  private receiver: TransportReceiver | undefined;
  private retryRng: Rng | undefined;

  constructor(
    private readonly fabric: SimConnections,
    readonly index: number,
    readonly name: string,
    readonly id: Id,
    readonly directory: IdentityStore,
    private readonly nodeRng: Rng,
  ) {}

  /** This node's side of its relation with `peer`. */
  endpoint(peer: Id): Endpoint {
    const endpoints = (this.endpoints ??= new Map());
    let endpoint = endpoints.get(peer);
    if (endpoint === undefined) {
      endpoint = { host: this, peer, connection: undefined, dial: undefined, isPermanent: false, queue: undefined, queueBytes: 0, backoffMs: 0, retryTimer: undefined, expiryTimer: undefined, idleTimer: undefined, lastActivityMs: 0 };
      endpoints.set(peer, endpoint);
    }
    return endpoint;
  }

  /** The back-off jitter stream (forked on the first retry: most nodes never retry). */
  rng(): Rng {
    return (this.retryRng ??= this.nodeRng.fork('transport'));
  }

  nameOf(id: Id): string {
    return this.fabric.nameOf(id);
  }

  send(node: Id, frame: Uint8Array, meta: FrameMeta): void {
    if (this.isUp) this.fabric.send(this.endpoint(node), frame, meta);
  }

  connect(node: Id, options?: { readonly isPermanent?: boolean }): void {
    if (!this.isUp || node === this.id) return;
    const endpoint = this.endpoint(node);
    if (options?.isPermanent !== undefined) {
      endpoint.isPermanent = options.isPermanent;
      this.fabric.armIdle(endpoint);
    }
    if (endpoint.connection === undefined && endpoint.dial === undefined && endpoint.retryTimer === undefined) this.fabric.startDial(endpoint);
  }

  disconnect(node: Id): void {
    const endpoint = this.endpoints?.get(node);
    if (!this.isUp || endpoint === undefined) return;
    endpoint.isPermanent = false;
    this.fabric.cancelRetry(endpoint);
    this.fabric.endDial(endpoint);
    if (endpoint.connection !== undefined) this.fabric.closeFrom(endpoint, 'requested');
  }

  setReceiver(receiver: TransportReceiver): void {
    this.receiver = receiver;
  }

  onFrame(handler: (from: Id, frame: Uint8Array, hops?: number) => void): void {
    this.receiver = { transportFrame: handler, transportEvent: this.receiver?.transportEvent ?? ignoreEvent };
  }

  onEvent(handler: (event: TransportEvent) => void): void {
    this.receiver = { transportFrame: this.receiver?.transportFrame ?? ignoreFrame, transportEvent: handler };
  }

  /** A frame from `from` arrived (on a connection, or in flight when it closed). */
  receive(from: Id, frame: Uint8Array, hops: number): void {
    if (!this.isUp) return;
    const endpoint = this.endpoints?.get(from);
    if (endpoint?.connection !== undefined) endpoint.lastActivityMs = this.fabric.scheduler.now();
    this.receiver?.transportFrame(from, frame, hops);
  }

  event(event: TransportEvent): void {
    if (this.isUp) this.receiver?.transportEvent(event);
  }
}

function ignoreFrame(): void {}
function ignoreEvent(): void {}
