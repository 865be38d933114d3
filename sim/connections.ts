// The simulated Transport of every node: connections on demand over the underlay, as the real
// connection manager makes them (transports/peer-transport.ts). A node dials any node whose advert
// its identity store holds (`sim://<name>`); the handshake costs one round trip on the path; frames
// wait in a bounded per-peer queue until the connection is up or they expire (S18); a dial that
// cannot complete fails after the connect timeout (`dial/timeout`) and is retried with capped,
// jittered exponential back-off while the connection is permanent or frames wait. Both ends see
// the connection up at the same instant (the dialler one round trip after the dial) and the
// accepting end learns the dialler from it, so it can answer without an advert.
//
// No keep-alive events: a connection is checked only when the underlay changes (partition, heal,
// link change, crash, restart). One that lost its path or its other end is declared dead
// `idleTimeoutMs` later unless the path came back in time (a short cut survives, as with QUIC);
// permanent ends are then re-dialled. An ephemeral end with no frame either way for
// `ephemeralIdleMs` is closed (S21). Frames sent on a connection whose other end crashed, until
// that is detected, are dropped with reason `crashed`.
import { assert, type ConnectionSettings, type FrameMeta, type Id, type IdentityStore, type Rng, type TimerId, type TraceRecord } from '../core/index.js';
import type { Scheduler } from './scheduler.js';
import { queued, SimTransport, type Endpoint, type QueuedFrame } from './sim-transport.js';

/** What connections need from the underlay (sim/network.ts). */
export interface Underlay {
  /** Dense index of host `name`, or -1 when there is none. */
  indexOf(name: string): number;
  /** Carries `frame` along the path; `arrive` runs on arrival. Traces its own drops. */
  carry(from: number, to: number, frame: Uint8Array, meta: FrameMeta, arrive: (hops: number) => void): void;
  /** Both up, a path exists, no partition cuts `from` → `to`. */
  isReachable(from: number, to: number): boolean;
  /** What a handshake between the two costs now (ms); undefined when unreachable. */
  roundTripMs(from: number, to: number): number | undefined;
  /**
   * Called after partition, heal, link changes, crash and restart, with the index of the one host
   * whose reachability changed when nothing else's did (a crash or restart on a region underlay),
   * or undefined when any path may have changed.
   */
  onChange(listener: (host: number | undefined) => void): void;
}

/** The address a simulated node advertises. */
export function simAddress(name: string): string {
  return `sim://${name}`;
}
const SIM_SCHEME = 'sim://';

/** An open connection between two node incarnations. */
export interface Connection {
  readonly ends: readonly [Endpoint, Endpoint];
  /** Set while the connection looks dead; it is closed when this fires unless it recovered. */
  detection: TimerId | undefined;
}

/** Every simulated node's Transport, over one underlay. */
export class SimConnections {
  /** The running incarnation of each host index. */
  private readonly hosts: Array<SimTransport | undefined> = [];
  private readonly open = new Set<Connection>();
  private readonly dialling = new Set<Endpoint>();
  // The same, per host index at either end: a change to one host checks only these. Each set keeps
  // the insertion order of `open` / `dialling`, so a targeted check acts in the same order as a full one.
  private readonly openByHost: Array<Set<Connection> | undefined> = [];
  private readonly diallingByHost: Array<Set<Endpoint> | undefined> = [];
  // Timer handlers made once, scheduled with their endpoint or connection (no closure per timer).
  private readonly onDialDeadline = (endpoint: Endpoint): void => this.dialTimedOut(endpoint);
  private readonly onHandshake = (endpoint: Endpoint): void => this.handshakeDone(endpoint);
  private readonly onRetry = (endpoint: Endpoint): void => this.retry(endpoint);
  private readonly onIdle = (endpoint: Endpoint): void => this.idle(endpoint);
  private readonly onExpiry = (endpoint: Endpoint): void => this.expire(endpoint);
  private readonly onDetection = (connection: Connection): void => this.detect(connection);

  constructor(
    readonly scheduler: Scheduler,
    readonly underlay: Underlay,
    readonly settings: ConnectionSettings,
    /** Receives drop records (queue-full, expired, no-address, crashed). */
    readonly emit: (record: TraceRecord) => void,
    /** Display name of a node id in trace records. */
    readonly nameOf: (id: Id) => string,
  ) {
    underlay.onChange((host) => (host === undefined ? this.check(this.open, this.dialling) : this.check(this.openByHost[host], this.diallingByHost[host])));
  }

  /** The Transport of a booting node (a new incarnation: no connections, empty queues). */
  attach(name: string, id: Id, directory: IdentityStore, rng: Rng): SimTransport {
    const index = this.underlay.indexOf(name);
    assert(index >= 0, `no host "${name}" in the underlay`);
    assert(this.hosts[index]?.isUp !== true, `node "${name}" attached twice`);
    const transport = new SimTransport(this, index, name, id, directory, rng);
    this.hosts[index] = transport;
    return transport;
  }

  /** The node at `index` crashed: its side of everything is gone; its peers find out later. */
  crash(index: number): void {
    const host = this.hosts[index];
    if (host === undefined || !host.isUp) return;
    host.isUp = false;
    for (const endpoint of host.endpoints?.values() ?? []) {
      this.stopTimers(endpoint);
      this.endDial(endpoint);
      for (const entry of this.takeQueue(endpoint)) this.drop(endpoint, entry.frame, entry.meta, 'crashed');
    }
  }

  /** The running host at `index`, if up. */
  hostAt(index: number): SimTransport | undefined {
    const host = this.hosts[index];
    return host?.isUp === true ? host : undefined;
  }

  /** Open connections, for a node's view at the end of a run. */
  connectionsOf(index: number): Array<{ peer: Id; isPermanent: boolean; sinceActivityMs: number }> {
    const host = this.hostAt(index);
    const nowMs = this.scheduler.now();
    return [...(host?.endpoints?.values() ?? [])].filter((endpoint) => endpoint.connection !== undefined).map((endpoint) => ({ peer: endpoint.peer, isPermanent: endpoint.isPermanent, sinceActivityMs: nowMs - endpoint.lastActivityMs }));
  }

  // ——— dialling ———

  startDial(endpoint: Endpoint): void {
    const host = endpoint.host;
    assert(endpoint.connection === undefined && endpoint.dial === undefined, 'dial while connected or dialling');
    const address = host.directory.node(endpoint.peer)?.addresses.find((candidate) => candidate.startsWith(SIM_SCHEME));
    const peerIndex = address === undefined ? -1 : this.underlay.indexOf(address.slice(SIM_SCHEME.length));
    if (address === undefined || peerIndex < 0) {
      // S17: no address to dial; whatever waits for the peer is dropped.
      for (const entry of this.takeQueue(endpoint)) this.drop(endpoint, entry.frame, entry.meta, 'no-address');
      host.event({ kind: 'connect-failed', node: endpoint.peer, address: address ?? '', reason: address === undefined ? 'dial/no-address' : 'dial/bad-address' });
      return;
    }
    const nowMs = this.scheduler.now();
    endpoint.dial = { address, peerIndex, deadline: this.scheduler.scheduleCall(nowMs + this.settings.connectTimeoutMs, this.onDialDeadline, endpoint), completion: undefined };
    this.dialling.add(endpoint);
    (this.diallingByHost[host.index] ??= new Set()).add(endpoint);
    (this.diallingByHost[peerIndex] ??= new Set()).add(endpoint);
    this.tryHandshake(endpoint);
  }

  /** Schedules the handshake's completion when the peer is reachable both ways. */
  private tryHandshake(endpoint: Endpoint): void {
    const dial = endpoint.dial!;
    const from = endpoint.host.index;
    if (!this.underlay.isReachable(from, dial.peerIndex) || !this.underlay.isReachable(dial.peerIndex, from)) return;
    const roundTripMs = this.underlay.roundTripMs(from, dial.peerIndex) ?? 0;
    dial.completion = this.scheduler.scheduleCall(this.scheduler.now() + roundTripMs, this.onHandshake, endpoint);
  }

  private handshakeDone(endpoint: Endpoint): void {
    const dial = endpoint.dial!;
    dial.completion = undefined;
    const peer = this.hostAt(dial.peerIndex);
    assert(peer !== undefined, 'handshake completed with a host that is down');
    if (peer.id !== endpoint.peer) return this.dialFailed(endpoint, 'binding/wrong-key'); // the address is another node's
    if (peer.directory.trust(endpoint.host.id) === 0) return this.dialFailed(endpoint, 'dial/refused'); // banned
    this.establish(endpoint, peer);
  }

  private dialTimedOut(endpoint: Endpoint): void {
    this.dialFailed(endpoint, 'dial/timeout');
  }

  private dialFailed(endpoint: Endpoint, reason: string): void {
    const address = endpoint.dial!.address;
    this.endDial(endpoint);
    endpoint.host.event({ kind: 'connect-failed', node: endpoint.peer, address, reason });
    if (!endpoint.host.isUp) return;
    if (endpoint.isPermanent || queued(endpoint) > 0) this.scheduleRetry(endpoint);
  }

  /** Abandons a dial in progress, silently. */
  endDial(endpoint: Endpoint): void {
    const dial = endpoint.dial;
    if (dial === undefined) return;
    this.scheduler.cancel(dial.deadline);
    if (dial.completion !== undefined) this.scheduler.cancel(dial.completion);
    endpoint.dial = undefined;
    this.dialling.delete(endpoint);
    this.diallingByHost[endpoint.host.index]!.delete(endpoint);
    this.diallingByHost[dial.peerIndex]!.delete(endpoint);
  }

  cancelRetry(endpoint: Endpoint): void {
    if (endpoint.retryTimer !== undefined) this.scheduler.cancel(endpoint.retryTimer);
    endpoint.retryTimer = undefined;
  }

  private scheduleRetry(endpoint: Endpoint): void {
    if (endpoint.retryTimer !== undefined || endpoint.dial !== undefined || endpoint.connection !== undefined) return;
    const { backoffMsMin, backoffMsMax } = this.settings;
    endpoint.backoffMs = Math.min(backoffMsMax, endpoint.backoffMs === 0 ? backoffMsMin : endpoint.backoffMs * 2);
    const delayMs = endpoint.backoffMs * (0.75 + 0.5 * endpoint.host.rng().next()); // jitter, so peers do not redial in lockstep
    endpoint.retryTimer = this.scheduler.scheduleCall(this.scheduler.now() + delayMs, this.onRetry, endpoint);
  }

  private retry(endpoint: Endpoint): void {
    endpoint.retryTimer = undefined;
    if (endpoint.connection === undefined && endpoint.dial === undefined && (endpoint.isPermanent || queued(endpoint) > 0)) this.startDial(endpoint);
  }

  // ——— open connections ———

  /** Both ends are up at once; a dial of the peer towards us joins this connection. */
  private establish(endpoint: Endpoint, peer: SimTransport): void {
    const host = endpoint.host;
    const other = peer.endpoint(host.id);
    const address = endpoint.dial!.address;
    this.endDial(endpoint);
    this.endDial(other);
    // The peer still holds a connection to an earlier incarnation of this node (it crashed unseen).
    if (other.connection !== undefined) this.close(other.connection, 'replaced', 'replaced');
    const connection: Connection = { ends: [endpoint, other], detection: undefined };
    this.open.add(connection);
    for (const end of connection.ends) (this.openByHost[end.host.index] ??= new Set()).add(connection);
    for (const end of connection.ends) {
      end.connection = connection;
      end.backoffMs = 0;
      end.lastActivityMs = this.scheduler.now();
      this.cancelRetry(end);
    }
    host.event({ kind: 'connected', node: peer.id, address });
    peer.event({ kind: 'connected', node: host.id, address: simAddress(host.name) });
    for (const end of connection.ends) {
      this.flush(end);
      this.armIdle(end);
    }
  }

  /** Closes `connection`; each end still running hears `disconnected` with its reason. */
  close(connection: Connection, reasonFirst: string, reasonSecond: string): void {
    if (!this.open.delete(connection)) return;
    for (const end of connection.ends) this.openByHost[end.host.index]!.delete(connection);
    if (connection.detection !== undefined) this.scheduler.cancel(connection.detection);
    connection.ends.forEach((end, index) => {
      if (end.connection !== connection) return;
      end.connection = undefined;
      if (end.idleTimer !== undefined) this.scheduler.cancel(end.idleTimer);
      end.idleTimer = undefined;
      if (!end.host.isUp) return;
      end.host.event({ kind: 'disconnected', node: end.peer, reason: index === 0 ? reasonFirst : reasonSecond });
      if (end.isPermanent || queued(end) > 0) this.scheduleRetry(end);
    });
  }

  /** Closes this end's connection at its own request; the other end sees it closed. */
  closeFrom(endpoint: Endpoint, reason: string): void {
    const connection = endpoint.connection!;
    this.close(connection, connection.ends[0] === endpoint ? reason : 'closed', connection.ends[0] === endpoint ? 'closed' : reason);
  }

  private isAlive(connection: Connection): boolean {
    const [a, b] = connection.ends;
    return a.host.isUp && b.host.isUp && this.underlay.isReachable(a.host.index, b.host.index) && this.underlay.isReachable(b.host.index, a.host.index);
  }

  /**
   * After an underlay change: schedule the detection of dead connections, move dials on. Checks
   * `open` and `dialling`, which hold (at least) every connection and dial the change can affect.
   */
  private check(open: ReadonlySet<Connection> | undefined, dialling: ReadonlySet<Endpoint> | undefined): void {
    for (const connection of open ?? []) {
      const isAlive = this.isAlive(connection);
      if (!isAlive && connection.detection === undefined) {
        connection.detection = this.scheduler.scheduleCall(this.scheduler.now() + this.settings.idleTimeoutMs, this.onDetection, connection);
      } else if (isAlive && connection.detection !== undefined) {
        this.scheduler.cancel(connection.detection); // the path came back before the timeout
        connection.detection = undefined;
      }
    }
    for (const endpoint of dialling ?? []) {
      const dial = endpoint.dial!;
      const isReachable = this.underlay.isReachable(endpoint.host.index, dial.peerIndex) && this.underlay.isReachable(dial.peerIndex, endpoint.host.index);
      if (dial.completion === undefined && isReachable) this.tryHandshake(endpoint);
      else if (dial.completion !== undefined && !isReachable) {
        this.scheduler.cancel(dial.completion);
        dial.completion = undefined;
      }
    }
  }

  private detect(connection: Connection): void {
    connection.detection = undefined;
    if (!this.isAlive(connection)) this.close(connection, 'idle-timeout', 'idle-timeout');
  }

  /** S21: an ephemeral end closes after `ephemeralIdleMs` without a frame either way. */
  armIdle(endpoint: Endpoint): void {
    if (endpoint.idleTimer !== undefined) this.scheduler.cancel(endpoint.idleTimer);
    endpoint.idleTimer = undefined;
    if (endpoint.isPermanent || endpoint.connection === undefined) return;
    endpoint.idleTimer = this.scheduler.scheduleCall(endpoint.lastActivityMs + this.settings.ephemeralIdleMs, this.onIdle, endpoint);
  }

  private idle(endpoint: Endpoint): void {
    endpoint.idleTimer = undefined;
    if (endpoint.connection === undefined || endpoint.isPermanent) return;
    if (this.scheduler.now() - endpoint.lastActivityMs >= this.settings.ephemeralIdleMs && queued(endpoint) === 0) return this.closeFrom(endpoint, 'idle');
    this.armIdle(endpoint); // activity since: look again when the new idle period ends
  }

  // ——— frames ———

  send(endpoint: Endpoint, frame: Uint8Array, meta: FrameMeta): void {
    const nowMs = this.scheduler.now();
    if (endpoint.connection !== undefined) return this.transmit(endpoint, frame, meta);
    if (meta.expiryMs !== undefined && nowMs > meta.expiryMs) return this.drop(endpoint, frame, meta, 'expired');
    const queue = (endpoint.queue ??= []);
    if (queue.length >= this.settings.queueFramesMax || endpoint.queueBytes + frame.length > this.settings.queueBytesMax) {
      return this.drop(endpoint, frame, meta, 'queue-full', `${endpoint.queueBytes} bytes / ${queue.length} frames queued`);
    }
    queue.push({ frame, meta, queuedAtMs: nowMs, expiresAtMs: meta.expiryMs ?? nowMs + this.settings.queuedMsMax });
    endpoint.queueBytes += frame.length;
    if (endpoint.dial === undefined && endpoint.retryTimer === undefined) this.startDial(endpoint);
    if (endpoint.connection === undefined && queued(endpoint) > 0) this.armExpiry(endpoint);
  }

  private transmit(endpoint: Endpoint, frame: Uint8Array, meta: FrameMeta): void {
    const connection = endpoint.connection!;
    const other = connection.ends[0] === endpoint ? connection.ends[1] : connection.ends[0];
    endpoint.lastActivityMs = this.scheduler.now();
    // The other end crashed and this end has not noticed yet: the frame is lost.
    if (!other.host.isUp) return this.drop(endpoint, frame, meta, 'crashed');
    const sender = endpoint.host;
    const receiver = other.host;
    this.underlay.carry(sender.index, receiver.index, frame, meta, (hops) => receiver.receive(sender.id, frame, hops));
  }

  /** Sends what waited for the connection, in order; frames past their expiry are dropped (S18). */
  private flush(endpoint: Endpoint): void {
    if (endpoint.expiryTimer !== undefined) this.scheduler.cancel(endpoint.expiryTimer);
    endpoint.expiryTimer = undefined;
    const nowMs = this.scheduler.now();
    for (const entry of this.takeQueue(endpoint)) {
      if (nowMs > entry.expiresAtMs) this.drop(endpoint, entry.frame, entry.meta, 'expired');
      else if (endpoint.connection !== undefined) {
        // The frame's `transmit` was traced when the Router handed it over; this is when it leaves.
        this.emit({ t: nowMs, kind: 'log', node: endpoint.host.name, peer: endpoint.host.nameOf(endpoint.peer), msg: entry.meta.msg, reason: 'queued', text: `sent after waiting ${round(nowMs - entry.queuedAtMs)} ms for the connection` });
        this.transmit(endpoint, entry.frame, entry.meta);
      }
    }
  }

  /** Drops queued frames when they expire while the peer is unreachable. */
  private armExpiry(endpoint: Endpoint): void {
    if (endpoint.expiryTimer !== undefined) return;
    let earliestMs = Infinity;
    for (const entry of endpoint.queue!) earliestMs = Math.min(earliestMs, entry.expiresAtMs);
    endpoint.expiryTimer = this.scheduler.scheduleCall(Math.max(this.scheduler.now(), earliestMs), this.onExpiry, endpoint);
  }

  private expire(endpoint: Endpoint): void {
    endpoint.expiryTimer = undefined;
    const nowMs = this.scheduler.now();
    const kept: QueuedFrame[] = [];
    for (const entry of this.takeQueue(endpoint)) {
      if (nowMs >= entry.expiresAtMs) this.drop(endpoint, entry.frame, entry.meta, 'expired', 'unreachable until expiry');
      else kept.push(entry);
    }
    if (kept.length === 0) return;
    endpoint.queue = kept;
    for (const entry of kept) endpoint.queueBytes += entry.frame.length;
    this.armExpiry(endpoint);
  }

  private takeQueue(endpoint: Endpoint): QueuedFrame[] {
    const queue = endpoint.queue ?? [];
    endpoint.queue = undefined;
    endpoint.queueBytes = 0;
    return queue;
  }

  private stopTimers(endpoint: Endpoint): void {
    for (const timer of [endpoint.retryTimer, endpoint.expiryTimer, endpoint.idleTimer]) if (timer !== undefined) this.scheduler.cancel(timer);
    endpoint.retryTimer = endpoint.expiryTimer = endpoint.idleTimer = undefined;
  }

  private drop(endpoint: Endpoint, frame: Uint8Array, meta: FrameMeta, reason: string, text?: string): void {
    const peer = endpoint.host.nameOf(endpoint.peer);
    this.emit({ t: this.scheduler.now(), kind: 'drop', node: endpoint.host.name, peer, msg: meta.msg, bytes: frame.length, reason, ...(text !== undefined && { text }) });
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
