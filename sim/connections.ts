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
import { queued, SimTransport, type Dial, type Endpoint, type QueuedFrame } from './sim-transport.js';

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

/**
 * An item on the lists kept by `HostLists`: every item in the order it was added, and the items
 * at each of its two hosts, in the same order. The links live in the item (no Set entry, and no
 * Set per host: a host's list costs one slot in an array).
 */
abstract class Listed<T extends Listed<T>> {
  /** Neighbours in the list of all items. */
  prev: T | undefined = undefined;
  next: T | undefined = undefined;
  /** Neighbours in the circular lists at `hostA` and at `hostB` (unused when both are the same host). */
  prevA: T | undefined = undefined;
  nextA: T | undefined = undefined;
  prevB: T | undefined = undefined;
  nextB: T | undefined = undefined;
  isListed = false;
  abstract readonly hostA: number;
  abstract readonly hostB: number;
}

/** An open connection between two node incarnations. */
export class Connection extends Listed<Connection> {
  /** Set while the connection looks dead; it is closed when this fires unless it recovered. */
  detection: TimerId | undefined = undefined;

  constructor(
    readonly first: Endpoint,
    readonly second: Endpoint,
  ) {
    super();
  }

  get hostA(): number {
    return this.first.host.index;
  }

  get hostB(): number {
    return this.second.host.index;
  }

  /** The end that is not `end`. */
  other(end: Endpoint): Endpoint {
    return this.first === end ? this.second : this.first;
  }
}

/** A dial in progress, listed at the dialling host and at the host it dials. */
class DialInProgress extends Listed<DialInProgress> implements Dial {
  deadline: TimerId = 0;
  completion: TimerId | undefined = undefined;

  constructor(
    readonly endpoint: Endpoint,
    readonly address: string,
    readonly peerIndex: number,
  ) {
    super();
  }

  get hostA(): number {
    return this.endpoint.host.index;
  }

  get hostB(): number {
    return this.peerIndex;
  }
}

/** Items in insertion order, overall and per host index at either end (see `Listed`). */
class HostLists<T extends Listed<T>> {
  private head: T | undefined;
  private tail: T | undefined;
  private readonly headAt: Array<T | undefined> = [];

  add(item: T): void {
    item.isListed = true;
    item.prev = this.tail;
    if (this.tail === undefined) this.head = item;
    else this.tail.next = item;
    this.tail = item;
    this.addAt(item, item.hostA, true);
    if (item.hostB !== item.hostA) this.addAt(item, item.hostB, false);
  }

  /** Removes `item`; false when it was not listed. */
  remove(item: T): boolean {
    if (!item.isListed) return false;
    item.isListed = false;
    if (item.prev === undefined) this.head = item.next;
    else item.prev.next = item.next;
    if (item.next === undefined) this.tail = item.prev;
    else item.next.prev = item.prev;
    item.prev = item.next = undefined;
    this.removeAt(item, item.hostA, true);
    if (item.hostB !== item.hostA) this.removeAt(item, item.hostB, false);
    return true;
  }

  /** Every item, in insertion order (a copy: the caller may change the lists meanwhile). */
  all(): T[] {
    const items: T[] = [];
    for (let item = this.head; item !== undefined; item = item.next) items.push(item);
    return items;
  }

  /** The items at `host`, in insertion order (a copy). */
  at(host: number): T[] {
    const items: T[] = [];
    const head = this.headAt[host];
    if (head === undefined) return items;
    let item = head;
    do {
      items.push(item);
      item = (item.hostA === host ? item.nextA : item.nextB)!;
    } while (item !== head);
    return items;
  }

  private addAt(item: T, host: number, isA: boolean): void {
    const head = this.headAt[host];
    if (head === undefined) {
      this.headAt[host] = item;
      setLinks(item, isA, item, item);
      return;
    }
    const isHeadA = head.hostA === host;
    const tail = (isHeadA ? head.prevA : head.prevB)!;
    const isTailA = tail.hostA === host;
    setLinks(item, isA, tail, head);
    if (isTailA) tail.nextA = item;
    else tail.nextB = item;
    if (isHeadA) head.prevA = item;
    else head.prevB = item;
  }

  private removeAt(item: T, host: number, isA: boolean): void {
    const prev = (isA ? item.prevA : item.prevB)!;
    const next = (isA ? item.nextA : item.nextB)!;
    setLinks(item, isA, undefined, undefined);
    if (next === item) {
      this.headAt[host] = undefined;
      return;
    }
    if (prev.hostA === host) prev.nextA = next;
    else prev.nextB = next;
    if (next.hostA === host) next.prevA = prev;
    else next.prevB = prev;
    if (this.headAt[host] === item) this.headAt[host] = next;
  }
}

function setLinks<T extends Listed<T>>(item: T, isA: boolean, prev: T | undefined, next: T | undefined): void {
  if (isA) {
    item.prevA = prev;
    item.nextA = next;
  } else {
    item.prevB = prev;
    item.nextB = next;
  }
}

/** Every simulated node's Transport, over one underlay. */
export class SimConnections {
  /** The running incarnation of each host index. */
  private readonly hosts: Array<SimTransport | undefined> = [];
  // Open connections and dials in progress, overall and per host index at either end: a change to
  // one host checks only that host's, in the overall order, so a targeted check acts in the same
  // order as a full one.
  private readonly open = new HostLists<Connection>();
  private readonly dialling = new HostLists<DialInProgress>();
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
    underlay.onChange((host) => (host === undefined ? this.check(this.open.all(), this.dialling.all()) : this.check(this.open.at(host), this.dialling.at(host))));
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
    const dial = new DialInProgress(endpoint, address, peerIndex);
    dial.deadline = this.scheduler.scheduleCall(this.scheduler.now() + this.settings.connectTimeoutMs, this.onDialDeadline, endpoint);
    endpoint.dial = dial;
    this.dialling.add(dial);
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
    const dial = endpoint.dial as DialInProgress | undefined;
    if (dial === undefined) return;
    this.scheduler.cancel(dial.deadline);
    if (dial.completion !== undefined) this.scheduler.cancel(dial.completion);
    endpoint.dial = undefined;
    this.dialling.remove(dial);
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
    const connection = new Connection(endpoint, other);
    this.open.add(connection);
    this.openEnd(endpoint, connection);
    this.openEnd(other, connection);
    host.event({ kind: 'connected', node: peer.id, address });
    peer.event({ kind: 'connected', node: host.id, address: simAddress(host.name) });
    this.flush(endpoint);
    this.armIdle(endpoint);
    this.flush(other);
    this.armIdle(other);
  }

  private openEnd(end: Endpoint, connection: Connection): void {
    end.connection = connection;
    end.backoffMs = 0;
    end.lastActivityMs = this.scheduler.now();
    this.cancelRetry(end);
  }

  /** Closes `connection`; each end still running hears `disconnected` with its reason. */
  close(connection: Connection, reasonFirst: string, reasonSecond: string): void {
    if (!this.open.remove(connection)) return;
    if (connection.detection !== undefined) this.scheduler.cancel(connection.detection);
    this.closeEnd(connection, connection.first, reasonFirst);
    this.closeEnd(connection, connection.second, reasonSecond);
  }

  private closeEnd(connection: Connection, end: Endpoint, reason: string): void {
    if (end.connection !== connection) return;
    end.connection = undefined;
    if (end.idleTimer !== undefined) this.scheduler.cancel(end.idleTimer);
    end.idleTimer = undefined;
    if (!end.host.isUp) return;
    end.host.event({ kind: 'disconnected', node: end.peer, reason });
    if (end.isPermanent || queued(end) > 0) this.scheduleRetry(end);
  }

  /** Closes this end's connection at its own request; the other end sees it closed. */
  closeFrom(endpoint: Endpoint, reason: string): void {
    const connection = endpoint.connection!;
    const isFirst = connection.first === endpoint;
    this.close(connection, isFirst ? reason : 'closed', isFirst ? 'closed' : reason);
  }

  private isAlive(connection: Connection): boolean {
    const a = connection.first;
    const b = connection.second;
    return a.host.isUp && b.host.isUp && this.underlay.isReachable(a.host.index, b.host.index) && this.underlay.isReachable(b.host.index, a.host.index);
  }

  /**
   * After an underlay change: schedule the detection of dead connections, move dials on. Checks
   * `open` and `dialling`, which hold (at least) every connection and dial the change can affect.
   */
  private check(open: ReadonlyArray<Connection>, dialling: ReadonlyArray<DialInProgress>): void {
    for (const connection of open) {
      const isAlive = this.isAlive(connection);
      if (!isAlive && connection.detection === undefined) {
        connection.detection = this.scheduler.scheduleCall(this.scheduler.now() + this.settings.idleTimeoutMs, this.onDetection, connection);
      } else if (isAlive && connection.detection !== undefined) {
        this.scheduler.cancel(connection.detection); // the path came back before the timeout
        connection.detection = undefined;
      }
    }
    for (const dial of dialling) {
      const endpoint = dial.endpoint;
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
    const other = endpoint.connection!.other(endpoint);
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
