// The virtual network: hosts with a dense index, directed link halves with latency, jitter,
// bandwidth (FIFO serialization), loss, duplication and a frame size limit; partitions, link cuts
// and crashes. `carry` moves one frame between two hosts; the connection layer builds on it.
// Rules for frames already on the wire: a partition or link cut affects frames transmitted after
// it (in-flight frames arrive); a crash drops every in-flight frame to or from the crashed node.
import {
  assert,
  type FrameMeta,
  type Id,
  type LinkSpec,
  type PlanLink,
  type Rng,
  type TraceRecord,
  type Transport,
  type TransportEvent,
} from '../core/index.js';
import { sampleJitter } from './distributions.js';
import type { Scheduler } from './scheduler.js';

/** Why `carry` dropped a frame (the trace `drop` reason). */
export type CarryDropReason = 'loss' | 'partition' | 'link-down' | 'unreachable' | 'too-large' | 'queue-full' | 'expired' | 'crashed';

interface SimNode {
  readonly index: number;
  readonly name: string;
  readonly id: Id;
  isUp: boolean;
  /** Bumped on crash and restart: frames sent in an older epoch are dropped on arrival. */
  epoch: number;
  /** Index of the partition group, or -1 when not in any group. */
  group: number;
  onFrame: (from: Id, frame: Uint8Array) => void;
  onEvent: (event: TransportEvent) => void;
}

interface Direction {
  readonly from: SimNode;
  readonly to: SimNode;
  spec: LinkSpec;
  readonly rng: Rng;
  isUp: boolean;
  /** When the wire is free again (bandwidth queueing). */
  busyUntilMs: number;
  /** Arrival time of the last frame sent with ordered preferences (they never overtake each other). */
  orderedUntilMs: number;
}

/** Retransmissions a `reliable` frame gets before it is dropped as lost. */
const RETRANSMITS_MAX = 8;
/** Host indexes stay below this, so a (from, to) pair packs into one safe integer key. */
const HOSTS_MAX = 1 << 26;

const ignoreFrame = (): void => {};

export class VirtualNetwork {
  private readonly nodes: SimNode[] = [];
  private readonly indexByName = new Map<string, number>();
  private readonly indexById = new Map<Id, number>();
  /** Directions by packed (from, to) host pair. */
  private readonly directions = new Map<number, Direction>();
  private readonly neighborNames: string[][] = [];
  private readonly listeners: Array<() => void> = [];
  private partitionOneWay = false;
  private isPartitioned = false;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly rng: Rng,
    private readonly emit: (record: TraceRecord) => void,
  ) {}

  addNode(name: string, id: Id): void {
    assert(!this.indexByName.has(name), `node "${name}" added twice`);
    assert(this.nodes.length < HOSTS_MAX, 'too many hosts');
    const index = this.nodes.length;
    this.nodes.push({ index, name, id, isUp: true, epoch: 0, group: -1, onFrame: ignoreFrame, onEvent: ignoreFrame });
    this.indexByName.set(name, index);
    this.indexById.set(id, index);
    this.neighborNames.push([]);
  }

  addLink(link: PlanLink): void {
    const a = this.requireNode(link.a);
    const b = this.requireNode(link.b);
    assert(a !== b, `link from "${a.name}" to itself`);
    assert(!this.directions.has(pairKey(a.index, b.index)), `link ${a.name}–${b.name} declared twice`);
    this.directions.set(pairKey(a.index, b.index), this.direction(a, b, link.ab));
    this.directions.set(pairKey(b.index, a.index), this.direction(b, a, link.ba));
    this.neighborNames[a.index]!.push(b.name);
    this.neighborNames[b.index]!.push(a.name);
  }

  private direction(from: SimNode, to: SimNode, spec: LinkSpec): Direction {
    // Named by its endpoints, so adding other links never changes this link's draws.
    return { from, to, spec, rng: this.rng.fork(`link/${from.name}>${to.name}`), isUp: true, busyUntilMs: 0, orderedUntilMs: 0 };
  }

  private requireNode(name: string): SimNode {
    const index = this.indexByName.get(name);
    assert(index !== undefined, `unknown node "${name}"`);
    return this.nodes[index]!;
  }

  private host(index: number): SimNode {
    const node = this.nodes[index];
    assert(node !== undefined, `no host with index ${index}`);
    return node;
  }

  /** Dense host index of `name` (0, 1, … in the order hosts were added), stable for the run. */
  indexOf(name: string): number {
    return this.requireNode(name).index;
  }

  /** Names of the nodes linked to `name`, in link declaration order. */
  neighbors(name: string): ReadonlyArray<string> {
    const index = this.indexByName.get(name);
    return index === undefined ? [] : this.neighborNames[index]!;
  }

  /** Registers `listener`, called after each change that can change reachability. */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }

  /** True when both hosts are up, a path exists now and no partition cuts from → to. */
  isReachable(from: number, to: number): boolean {
    const source = this.host(from);
    const target = this.host(to);
    if (!source.isUp || !target.isUp || this.isCut(source, target)) return false;
    return this.directions.get(pairKey(from, to))?.isUp === true;
  }

  /** Propagation round trip (ms) of the current path, both ways, without jitter or serialization; undefined when unreachable. */
  roundTripMs(from: number, to: number): number | undefined {
    if (!this.isReachable(from, to)) return undefined;
    return this.directions.get(pairKey(from, to))!.spec.latencyMs + this.directions.get(pairKey(to, from))!.spec.latencyMs;
  }

  /** The Transport port of node `name`: frames go only to direct link neighbours (`no-route` otherwise). */
  transportFor(name: string): Transport {
    const node = this.requireNode(name);
    return {
      send: (toId, frame, meta) => {
        if (!node.isUp) return; // a crashed node sends nothing (its runtime is stopped too)
        const to = this.indexById.get(toId);
        if (to === undefined || !this.directions.has(pairKey(node.index, to))) return this.drop(node, to === undefined ? toId.slice(0, 12) : this.nodes[to]!.name, meta, frame.length, 'no-route');
        const target = this.nodes[to]!;
        this.carry(node.index, to, frame, meta, () => target.onFrame(node.id, frame));
      },
      connect: () => {},
      disconnect: (peer) => {
        // Links are physical here: a disconnect is noted, and the next frame simply flows again.
        if (this.indexById.has(peer)) node.onEvent({ kind: 'disconnected', node: peer, reason: 'requested' });
      },
      onFrame: (handler) => {
        node.onFrame = handler;
      },
      onEvent: (handler) => {
        node.onEvent = handler;
      },
    };
  }

  private drop(from: SimNode, to: string, meta: FrameMeta, sizeBytes: number, reason: CarryDropReason | 'no-route'): void {
    this.emit({ t: this.scheduler.now(), kind: 'drop', node: from.name, peer: to, msg: meta.msg, bytes: sizeBytes, reason });
  }

  /**
   * Carries `frame` from host `from` to host `to` now along the current path. Drops are traced here
   * with their reason; `arrive(hops)` runs at arrival time (twice for a duplicate). A crashed sender
   * sends nothing and traces nothing (its runtime is stopped too).
   */
  carry(from: number, to: number, frame: Uint8Array, meta: FrameMeta, arrive: (hops: number) => void): void {
    const source = this.host(from);
    const target = this.host(to);
    if (!source.isUp) return;
    const direction = this.directions.get(pairKey(from, to));
    if (direction === undefined) return this.drop(source, target.name, meta, frame.length, 'unreachable');
    const spec = direction.spec;
    const nowMs = this.scheduler.now();
    if (!direction.isUp) return this.drop(source, target.name, meta, frame.length, 'link-down');
    if (this.isCut(source, target)) return this.drop(source, target.name, meta, frame.length, 'partition');
    if (frame.length > spec.frameSizeMaxBytes) return this.drop(source, target.name, meta, frame.length, 'too-large');
    if (meta.expiryMs !== undefined && nowMs > meta.expiryMs) return this.drop(source, target.name, meta, frame.length, 'expired');
    let wireFreeMs = nowMs;
    if (spec.bandwidthBytesPerSecond > 0) {
      const start = Math.max(nowMs, direction.busyUntilMs);
      const queuedBytes = ((start - nowMs) * spec.bandwidthBytesPerSecond) / 1000;
      if (queuedBytes + frame.length > spec.queueBytesMax) return this.drop(source, target.name, meta, frame.length, 'queue-full');
      wireFreeMs = start + (frame.length * 1000) / spec.bandwidthBytesPerSecond;
      direction.busyUntilMs = wireFreeMs;
    }
    // Draws in a fixed order (loss, duplicate, jitter) so every frame consumes the same draws.
    const isLost = direction.rng.next() < spec.lossProbability;
    const isDuplicated = direction.rng.next() < spec.duplicateProbability;
    const jitterMs = sampleJitter(spec.jitter, direction.rng);
    let arrivalMs = wireFreeMs + spec.latencyMs + jitterMs;
    if (isLost) {
      // Transport preferences (S22): a reliable frame is retransmitted after a timeout of one round
      // trip, with a fresh loss draw each time; without preferences the link's loss is final.
      if (meta.tprefs?.isReliable !== true) return this.drop(source, target.name, meta, frame.length, 'loss');
      let attempts = 0;
      for (let isStillLost = true; isStillLost; isStillLost = direction.rng.next() < spec.lossProbability) {
        if (++attempts > RETRANSMITS_MAX) return this.drop(source, target.name, meta, frame.length, 'loss');
        arrivalMs += 2 * spec.latencyMs + sampleJitter(spec.jitter, direction.rng);
      }
      this.emit({ t: nowMs, kind: 'log', node: source.name, peer: target.name, msg: meta.msg, reason: 'retransmit', text: `retransmitted ${attempts}×` });
    }
    if (meta.tprefs?.isOrdered === true) {
      arrivalMs = Math.max(arrivalMs, direction.orderedUntilMs);
      direction.orderedUntilMs = arrivalMs;
    }
    this.scheduleArrival(source, target, frame.length, meta, arrivalMs, 1, arrive);
    if (isDuplicated) this.scheduleArrival(source, target, frame.length, meta, wireFreeMs + spec.latencyMs + sampleJitter(spec.jitter, direction.rng), 1, arrive);
  }

  private scheduleArrival(from: SimNode, to: SimNode, sizeBytes: number, meta: FrameMeta, atMs: number, hops: number, arrive: (hops: number) => void): void {
    const fromEpoch = from.epoch;
    const toEpoch = to.epoch;
    this.scheduler.schedule(atMs, () => {
      if (from.epoch !== fromEpoch || to.epoch !== toEpoch || !to.isUp) {
        this.emit({ t: this.scheduler.now(), kind: 'drop', node: to.name, peer: from.name, msg: meta.msg, bytes: sizeBytes, reason: 'crashed' });
        return;
      }
      arrive(hops);
    });
  }

  private isCut(from: SimNode, to: SimNode): boolean {
    if (!this.isPartitioned || from.group === to.group) return false;
    if (!this.partitionOneWay) return true;
    // One-way: frames from an earlier-listed group to a later one are cut; the reverse flows.
    return from.group !== -1 && (to.group === -1 || from.group < to.group);
  }

  /** Splits the network into `groups`; nodes in no group form their own implicit group. */
  partition(groups: ReadonlyArray<ReadonlyArray<string>>, isOneWay: boolean): void {
    for (const node of this.nodes) node.group = -1;
    groups.forEach((group, index) => {
      for (const name of group) this.requireNode(name).group = index;
    });
    this.isPartitioned = true;
    this.partitionOneWay = isOneWay;
    this.changed();
  }

  heal(): void {
    this.isPartitioned = false;
    for (const node of this.nodes) node.group = -1;
    this.changed();
  }

  setLinkUp(a: string, b: string, isUp: boolean): void {
    this.requireDirection(a, b).isUp = isUp;
    this.requireDirection(b, a).isUp = isUp;
    this.changed();
  }

  /** Changes both directions of a link from now on. */
  setLink(a: string, b: string, change: Partial<LinkSpec>): void {
    for (const direction of [this.requireDirection(a, b), this.requireDirection(b, a)]) direction.spec = { ...direction.spec, ...change };
    this.changed();
  }

  linkSpec(a: string, b: string): LinkSpec {
    return this.requireDirection(a, b).spec;
  }

  private requireDirection(a: string, b: string): Direction {
    const direction = this.directions.get(pairKey(this.requireNode(a).index, this.requireNode(b).index));
    assert(direction !== undefined, `no link ${a}–${b}`);
    return direction;
  }

  crash(name: string): void {
    const node = this.requireNode(name);
    node.isUp = false;
    node.epoch++;
    node.onFrame = ignoreFrame;
    node.onEvent = ignoreFrame;
    this.changed();
  }

  restart(name: string): void {
    const node = this.requireNode(name);
    node.isUp = true;
    node.epoch++;
    this.changed();
  }

  isUp(name: string): boolean {
    return this.requireNode(name).isUp;
  }
}

function pairKey(from: number, to: number): number {
  return from * HOSTS_MAX + to;
}
