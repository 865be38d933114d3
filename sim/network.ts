// The virtual network: nodes, directed link halves with latency, jitter, bandwidth (FIFO
// serialization), loss, duplication and a frame size limit; partitions, link cuts and crashes.
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

interface SimNode {
  readonly name: string;
  readonly id: Id;
  isUp: boolean;
  /** Bumped on crash: frames sent in an older epoch are dropped on arrival. */
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

const ignoreFrame = (): void => {};

export class VirtualNetwork {
  private readonly nodesByName = new Map<string, SimNode>();
  private readonly nodesById = new Map<Id, SimNode>();
  private readonly directions = new Map<string, Direction>();
  private readonly neighborNames = new Map<string, string[]>();
  private partitionOneWay = false;
  private isPartitioned = false;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly rng: Rng,
    private readonly emit: (record: TraceRecord) => void,
  ) {}

  addNode(name: string, id: Id): void {
    assert(!this.nodesByName.has(name), `node "${name}" added twice`);
    const node: SimNode = { name, id, isUp: true, epoch: 0, group: -1, onFrame: ignoreFrame, onEvent: ignoreFrame };
    this.nodesByName.set(name, node);
    this.nodesById.set(id, node);
    this.neighborNames.set(name, []);
  }

  addLink(link: PlanLink): void {
    const a = this.requireNode(link.a);
    const b = this.requireNode(link.b);
    assert(a !== b, `link from "${a.name}" to itself`);
    assert(!this.directions.has(key(a.name, b.name)), `link ${a.name}–${b.name} declared twice`);
    this.directions.set(key(a.name, b.name), this.direction(a, b, link.ab));
    this.directions.set(key(b.name, a.name), this.direction(b, a, link.ba));
    this.neighborNames.get(a.name)!.push(b.name);
    this.neighborNames.get(b.name)!.push(a.name);
  }

  private direction(from: SimNode, to: SimNode, spec: LinkSpec): Direction {
    // Named by its endpoints, so adding other links never changes this link's draws.
    return { from, to, spec, rng: this.rng.fork(`link/${from.name}>${to.name}`), isUp: true, busyUntilMs: 0, orderedUntilMs: 0 };
  }

  private requireNode(name: string): SimNode {
    const node = this.nodesByName.get(name);
    assert(node !== undefined, `unknown node "${name}"`);
    return node;
  }

  /** Names of the nodes linked to `name`, in link declaration order. */
  neighbors(name: string): ReadonlyArray<string> {
    return this.neighborNames.get(name) ?? [];
  }

  /** The Transport port of node `name`. */
  transportFor(name: string): Transport {
    const node = this.requireNode(name);
    return {
      send: (to, frame, meta) => this.send(node, to, frame, meta),
      connect: () => {},
      disconnect: (peer) => {
        const other = this.nodesById.get(peer);
        // Links are physical here: a disconnect is noted, and the next frame simply flows again.
        if (other !== undefined) node.onEvent({ kind: 'disconnected', node: peer, reason: 'requested' });
      },
      onFrame: (handler) => {
        node.onFrame = handler;
      },
      onEvent: (handler) => {
        node.onEvent = handler;
      },
    };
  }

  private drop(from: SimNode, to: string, meta: FrameMeta, sizeBytes: number, reason: string): void {
    this.emit({ t: this.scheduler.now(), kind: 'drop', node: from.name, peer: to, msg: meta.msg, bytes: sizeBytes, reason });
  }

  private send(from: SimNode, toId: Id, frame: Uint8Array, meta: FrameMeta): void {
    const to = this.nodesById.get(toId);
    const direction = to === undefined ? undefined : this.directions.get(key(from.name, to.name));
    const toName = to?.name ?? toId.slice(0, 12);
    if (!from.isUp) return; // a crashed node sends nothing (its runtime is stopped too)
    if (to === undefined || direction === undefined) return this.drop(from, toName, meta, frame.length, 'no-route');
    const spec = direction.spec;
    const nowMs = this.scheduler.now();
    if (!direction.isUp) return this.drop(from, toName, meta, frame.length, 'link-down');
    if (this.isCut(from, to)) return this.drop(from, toName, meta, frame.length, 'partition');
    if (frame.length > spec.frameSizeMaxBytes) return this.drop(from, toName, meta, frame.length, 'too-large');
    if (meta.expiryMs !== undefined && nowMs > meta.expiryMs) return this.drop(from, toName, meta, frame.length, 'expired');
    let wireFreeMs = nowMs;
    if (spec.bandwidthBytesPerSecond > 0) {
      const start = Math.max(nowMs, direction.busyUntilMs);
      const queuedBytes = ((start - nowMs) * spec.bandwidthBytesPerSecond) / 1000;
      if (queuedBytes + frame.length > spec.queueBytesMax) return this.drop(from, toName, meta, frame.length, 'queue-full');
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
      if (meta.tprefs?.isReliable !== true) return this.drop(from, toName, meta, frame.length, 'loss');
      let attempts = 0;
      for (let isStillLost = true; isStillLost; isStillLost = direction.rng.next() < spec.lossProbability) {
        if (++attempts > RETRANSMITS_MAX) return this.drop(from, toName, meta, frame.length, 'loss');
        arrivalMs += 2 * spec.latencyMs + sampleJitter(spec.jitter, direction.rng);
      }
      this.emit({ t: nowMs, kind: 'log', node: from.name, peer: toName, msg: meta.msg, reason: 'retransmit', text: `retransmitted ${attempts}×` });
    }
    if (meta.tprefs?.isOrdered === true) {
      arrivalMs = Math.max(arrivalMs, direction.orderedUntilMs);
      direction.orderedUntilMs = arrivalMs;
    }
    this.scheduleArrival(from, to, frame, meta, arrivalMs);
    if (isDuplicated) this.scheduleArrival(from, to, frame, meta, wireFreeMs + spec.latencyMs + sampleJitter(spec.jitter, direction.rng));
  }

  private scheduleArrival(from: SimNode, to: SimNode, frame: Uint8Array, meta: FrameMeta, atMs: number): void {
    const fromEpoch = from.epoch;
    const toEpoch = to.epoch;
    this.scheduler.schedule(atMs, () => {
      if (from.epoch !== fromEpoch || to.epoch !== toEpoch || !to.isUp) {
        this.emit({ t: this.scheduler.now(), kind: 'drop', node: to.name, peer: from.name, msg: meta.msg, bytes: frame.length, reason: 'crashed' });
        return;
      }
      to.onFrame(from.id, frame);
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
    for (const node of this.nodesByName.values()) node.group = -1;
    groups.forEach((group, index) => {
      for (const name of group) this.requireNode(name).group = index;
    });
    this.isPartitioned = true;
    this.partitionOneWay = isOneWay;
  }

  heal(): void {
    this.isPartitioned = false;
    for (const node of this.nodesByName.values()) node.group = -1;
  }

  setLinkUp(a: string, b: string, isUp: boolean): void {
    this.requireDirection(a, b).isUp = isUp;
    this.requireDirection(b, a).isUp = isUp;
  }

  /** Changes both directions of a link from now on. */
  setLink(a: string, b: string, change: Partial<LinkSpec>): void {
    for (const direction of [this.requireDirection(a, b), this.requireDirection(b, a)]) direction.spec = { ...direction.spec, ...change };
  }

  linkSpec(a: string, b: string): LinkSpec {
    return this.requireDirection(a, b).spec;
  }

  private requireDirection(a: string, b: string): Direction {
    const direction = this.directions.get(key(a, b));
    assert(direction !== undefined, `no link ${a}–${b}`);
    return direction;
  }

  crash(name: string): void {
    const node = this.requireNode(name);
    node.isUp = false;
    node.epoch++;
    node.onFrame = ignoreFrame;
    node.onEvent = ignoreFrame;
  }

  restart(name: string): void {
    const node = this.requireNode(name);
    node.isUp = true;
    node.epoch++;
  }

  isUp(name: string): boolean {
    return this.requireNode(name).isUp;
  }
}

function key(from: string, to: string): string {
  return `${from}\u0000${to}`;
}
