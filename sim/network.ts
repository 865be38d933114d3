// The virtual network: hosts (nodes that run engines) with a dense index, an underlay that carries
// frames between any two of them (a routed link graph with optional routers, or a region model),
// per-host access links, partitions and crashes. `carry` moves one frame; the connection layer
// (sim/connections.ts) builds on it. Rules for frames already on the wire: a partition or link cut affects frames
// transmitted after it (in-flight frames arrive); a crash drops every in-flight frame to or from
// the crashed host (frames in flight through a crashed router still arrive).
import {
  assert,
  type AccessSpec,
  type FrameMeta,
  type Id,
  type LinkSpec,
  type PlanLink,
  type PlanRegions,
  type Rng,
  type TraceRecord,
} from '../core/index.js';
import type { Scheduler } from './scheduler.js';
import { AccessLinks, frameSizeMaxBytes, GraphUnderlay, pairKey, RegionUnderlay, transit, type Hop, type LinkDirection, type Transit, type Underlay } from './underlay/index.js';
import type { FrameSchedule } from './frame-schedule.js';

/** Why `carry` dropped a frame (the trace `drop` reason). */
export type CarryDropReason = 'loss' | 'partition' | 'link-down' | 'unreachable' | 'too-large' | 'queue-full' | 'expired' | 'crashed';

/** A host's underlay settings (a PlanNode has this shape). */
export interface HostOptions {
  readonly access?: AccessSpec;
  /** Its region's name (region underlay only). */
  readonly region?: string;
}

const NO_NEIGHBORS: ReadonlyArray<string> = [];

/** A frame on its way to host `to`, with the incarnations of both ends when it left. */
interface Arrival {
  readonly from: number;
  readonly to: number;
  readonly fromEpoch: number;
  readonly toEpoch: number;
  readonly sizeBytes: number;
  readonly meta: FrameMeta;
  readonly hops: number;
  readonly arrive: (hops: number) => void;
}

export class VirtualNetwork {
  private readonly names: string[] = [];
  /** Node ids of hosts; undefined for routers. */
  private readonly ids: Array<Id | undefined> = [];
  private readonly indexByName = new Map<string, number>();
  private isUpOf = new Uint8Array(16);
  /** Bumped on crash and restart: frames sent in an older epoch are dropped on arrival. */
  private epochOf = new Uint32Array(16);
  /** Index of the partition group, or -1 when not in any group. */
  private groupOf = new Int32Array(16);
  private readonly neighborNames: string[][] = [];
  private readonly graph: GraphUnderlay | undefined;
  private readonly regions: RegionUnderlay | undefined;
  private readonly regionIndex = new Map<string, number>();
  private readonly underlay: Underlay;
  private readonly access = new AccessLinks();
  /** Arrival time of the last ordered frame per (from, to) pair (ordered frames never overtake). */
  private readonly orderedUntilMs = new Map<number, number>();
  private readonly path: Hop[] = [];
  private readonly result: Transit = { arrivalMs: 0, duplicateArrivalMs: NaN, retransmits: 0 };
  /** Frame timing chosen from outside (exploration), and how a chosen crash is carried out. */
  private frameSchedule: { readonly schedule: FrameSchedule; readonly crash: (node: string) => void } | undefined;
  private readonly listeners: Array<(host: number | undefined) => void> = [];
  private partitionOneWay = false;
  private isPartitioned = false;

  /** A graph underlay, or a region underlay when `regions` is given. Link streams fork from `rng` as `link/a>b`. */
  constructor(
    private readonly scheduler: Scheduler,
    rng: Rng,
    private readonly emit: (record: TraceRecord) => void,
    regions?: PlanRegions,
  ) {
    if (regions === undefined) {
      this.graph = new GraphUnderlay(rng);
      this.underlay = this.graph;
    } else {
      this.regions = new RegionUnderlay(regions, rng.fork('regions'));
      this.underlay = this.regions;
      regions.names.forEach((name, index) => this.regionIndex.set(name, index));
    }
  }

  /** Adds a host (a node that runs engines). */
  addNode(name: string, id: Id, options: HostOptions = {}): void {
    this.addEntry(name, id);
    this.access.add(options.access);
    if (this.regions !== undefined) {
      const region = options.region === undefined ? undefined : this.regionIndex.get(options.region);
      assert(region !== undefined, `host "${name}" has no known region`);
      this.regions.addNode(name, region);
    } else {
      assert(options.region === undefined, `host "${name}" has a region but the underlay is a graph`);
      this.graph!.addNode(false);
    }
  }

  /** Adds a router: a node of the link graph that runs no engines and only forwards frames. */
  addRouter(name: string): void {
    assert(this.graph !== undefined, 'a region underlay has no routers');
    this.addEntry(name, undefined);
    this.access.add(undefined);
    this.graph.addNode(true);
  }

  private addEntry(name: string, id: Id | undefined): number {
    assert(!this.indexByName.has(name), `node "${name}" added twice`);
    const index = this.names.length;
    if (index === this.isUpOf.length) this.grow();
    this.names.push(name);
    this.ids.push(id);
    this.indexByName.set(name, index);
    this.isUpOf[index] = 1;
    this.groupOf[index] = -1;
    this.neighborNames.push(this.graph === undefined ? (NO_NEIGHBORS as string[]) : []);
    return index;
  }

  private grow(): void {
    const size = this.isUpOf.length * 2;
    const isUp = new Uint8Array(size);
    const epoch = new Uint32Array(size);
    const group = new Int32Array(size);
    isUp.set(this.isUpOf);
    epoch.set(this.epochOf);
    group.set(this.groupOf);
    this.isUpOf = isUp;
    this.epochOf = epoch;
    this.groupOf = group;
  }

  addLink(link: PlanLink): void {
    assert(this.graph !== undefined, 'a region underlay has no links');
    const a = this.requireIndex(link.a);
    const b = this.requireIndex(link.b);
    this.graph.addLink(a, b, link.ab, link.ba, [link.a, link.b]);
    // Neighbours are the linked hosts: a router is never a neighbour.
    if (this.ids[b] !== undefined) this.neighborNames[a]!.push(link.b);
    if (this.ids[a] !== undefined) this.neighborNames[b]!.push(link.a);
  }

  private requireIndex(name: string): number {
    const index = this.indexByName.get(name);
    assert(index !== undefined, `unknown node "${name}"`);
    return index;
  }

  private requireHost(index: number): void {
    assert(this.ids[index] !== undefined, `no host with index ${index}`);
  }

  /** Dense index of host `name` (0, 1, … in the order nodes were added), stable for the run; -1 when no host has that name (routers included). */
  indexOf(name: string): number {
    const index = this.indexByName.get(name);
    return index === undefined || this.ids[index] === undefined ? -1 : index;
  }

  /** Number of indexes in use (hosts and routers). */
  get nodeCount(): number {
    return this.names.length;
  }

  /** Name of the node at `index`. */
  nameOf(index: number): string {
    const name = this.names[index];
    assert(name !== undefined, `no node with index ${index}`);
    return name;
  }

  /** Hosts directly linked to `name`, in link declaration order (none in a region underlay). */
  neighbors(name: string): ReadonlyArray<string> {
    const index = this.indexByName.get(name);
    return index === undefined ? NO_NEIGHBORS : this.neighborNames[index]!;
  }

  /** The region of host `name` (region underlay only). */
  regionOf(name: string): string | undefined {
    return this.regions?.regionName(this.requireIndex(name));
  }

  /** Names of the nodes on the current path from host `from` to host `to`, both ends included; empty when there is none. */
  pathBetween(from: number, to: number): string[] {
    this.requireHost(from);
    this.requireHost(to);
    const hops = from === to ? 0 : this.underlay.route(from, to, this.path);
    if (hops === 0) return from === to ? [this.names[from]!] : [];
    if (this.regions !== undefined) return [this.names[from]!, this.names[to]!];
    const names = [this.names[from]!];
    for (let i = 0; i < hops; i++) names.push(this.names[(this.path[i] as LinkDirection).to]!);
    return names;
  }

  /**
   * Registers `listener`, called after each change that can change reachability, with the index of
   * the only host whose reachability changed (a crash or restart on a region underlay, where no path
   * runs through another host), or undefined when any path may have changed.
   */
  onChange(listener: (host: number | undefined) => void): void {
    this.listeners.push(listener);
  }

  private changed(host?: number): void {
    for (const listener of this.listeners) listener(host);
  }

  /** True when both hosts are up, a path exists now and no partition cuts from → to. */
  isReachable(from: number, to: number): boolean {
    this.requireHost(from);
    this.requireHost(to);
    if (this.isUpOf[from] === 0 || this.isUpOf[to] === 0 || this.isCut(from, to)) return false;
    return this.underlay.isConnected(from, to);
  }

  /** Propagation round trip (ms) of the current paths both ways, without jitter or serialization; undefined when unreachable. */
  roundTripMs(from: number, to: number): number | undefined {
    if (!this.isReachable(from, to) || !this.isReachable(to, from)) return undefined;
    return this.underlay.latencyMs(from, to)! + this.underlay.latencyMs(to, from)!;
  }

  private emitDrop(at: number, peer: string, meta: FrameMeta, sizeBytes: number, reason: CarryDropReason): void {
    this.emit({ t: this.scheduler.now(), kind: 'drop', node: this.names[at]!, peer, msg: meta.msg, bytes: sizeBytes, reason });
  }

  /**
   * Carries `frame` from host `from` to host `to` now along the current lowest-latency path. Drops
   * are traced here with their reason; `arrive(hops)` runs at arrival time (twice for a duplicate).
   * A crashed sender sends nothing and traces nothing (its runtime is stopped too).
   */
  carry(from: number, to: number, frame: Uint8Array, meta: FrameMeta, arrive: (hops: number) => void): void {
    this.requireHost(from);
    this.requireHost(to);
    assert(from !== to, 'a host carries a frame to itself');
    if (this.isUpOf[from] === 0) return;
    const sizeBytes = frame.length;
    const peer = this.names[to]!;
    const hops = this.underlay.route(from, to, this.path);
    if (hops === 0) return this.emitDrop(from, peer, meta, sizeBytes, this.underlay.unroutable(from, to));
    if (this.isCut(from, to)) return this.emitDrop(from, peer, meta, sizeBytes, 'partition');
    if (sizeBytes > frameSizeMaxBytes(this.path, hops)) return this.emitDrop(from, peer, meta, sizeBytes, 'too-large');
    const nowMs = this.scheduler.now();
    if (meta.expiryMs !== undefined && nowMs > meta.expiryMs) return this.emitDrop(from, peer, meta, sizeBytes, 'expired');
    if (this.frameSchedule !== undefined) return this.carryScheduled(from, to, sizeBytes, meta, hops, arrive);
    const uploadedMs = this.access.uploadDoneMs(from, nowMs, sizeBytes);
    if (Number.isNaN(uploadedMs)) return this.emitDrop(from, peer, meta, sizeBytes, 'queue-full');
    const result = this.result;
    const verdict = transit(this.path, hops, uploadedMs, sizeBytes, meta.tprefs?.isReliable === true, result);
    if (verdict === 'queue-full') return this.emitDrop(from, peer, meta, sizeBytes, verdict);
    this.access.commitUpload(from, uploadedMs);
    if (verdict === 'loss') return this.emitDrop(from, peer, meta, sizeBytes, verdict);
    if (result.retransmits > 0) this.emit({ t: nowMs, kind: 'log', node: this.names[from]!, peer, msg: meta.msg, reason: 'retransmit', text: `retransmitted ${result.retransmits}×` });
    let arrivalMs = result.arrivalMs;
    if (meta.tprefs?.isOrdered === true) {
      const key = pairKey(from, to);
      arrivalMs = Math.max(arrivalMs, this.orderedUntilMs.get(key) ?? 0);
      this.orderedUntilMs.set(key, arrivalMs);
    }
    const duplicateMs = result.duplicateArrivalMs;
    this.scheduleArrival(from, to, sizeBytes, meta, arrivalMs, hops, arrive);
    if (!Number.isNaN(duplicateMs)) this.scheduleArrival(from, to, sizeBytes, meta, duplicateMs, hops, arrive);
  }

  /** Takes each frame's timing from `schedule` from now on; `crash` carries out a chosen crash. */
  setFrameSchedule(schedule: FrameSchedule, crash: (node: string) => void): void {
    this.frameSchedule = { schedule, crash };
  }

  private carryScheduled(from: number, to: number, sizeBytes: number, meta: FrameMeta, hops: number, arrive: (hops: number) => void): void {
    const peer = this.names[to]!;
    const decision = this.frameSchedule!.schedule.decide(this.names[from]!, peer);
    if (decision.kind === 'drop') return this.emitDrop(from, peer, meta, sizeBytes, 'loss');
    const atMs = this.scheduler.now() + decision.delayMs;
    if (decision.kind === 'arrive') return this.scheduleArrival(from, to, sizeBytes, meta, atMs, hops, arrive);
    // The receiver crashes as the frame arrives, before it handles it.
    const { crash } = this.frameSchedule!;
    this.scheduler.schedule(atMs, () => crash(peer));
    this.scheduleArrival(from, to, sizeBytes, meta, atMs, hops, arrive);
  }

  /** At `atMs` the frame reaches `to` (then its download link, when it has one). */
  private scheduleArrival(from: number, to: number, sizeBytes: number, meta: FrameMeta, atMs: number, hops: number, arrive: (hops: number) => void): void {
    const arrival: Arrival = { from, to, fromEpoch: this.epochOf[from]!, toEpoch: this.epochOf[to]!, sizeBytes, meta, hops, arrive };
    this.scheduler.scheduleCall(atMs, this.onArrival, arrival);
  }

  // One record per frame and handlers made once, instead of three closures per frame.
  private readonly onArrival = (arrival: Arrival): void => {
    if (!this.access.hasDownload(arrival.to) || !this.isAlive(arrival)) return this.deliverArrival(arrival);
    const doneMs = this.access.download(arrival.to, this.scheduler.now(), arrival.sizeBytes);
    if (Number.isNaN(doneMs)) return this.emitDrop(arrival.to, this.names[arrival.from]!, arrival.meta, arrival.sizeBytes, 'queue-full');
    this.scheduler.scheduleCall(doneMs, this.onDownloaded, arrival);
  };

  private readonly onDownloaded = (arrival: Arrival): void => this.deliverArrival(arrival);

  /** Both ends are the incarnations that sent and were to receive the frame, and the receiver is up. */
  private isAlive(arrival: Arrival): boolean {
    return this.epochOf[arrival.from] === arrival.fromEpoch && this.epochOf[arrival.to] === arrival.toEpoch && this.isUpOf[arrival.to] === 1;
  }

  private deliverArrival(arrival: Arrival): void {
    if (!this.isAlive(arrival)) return this.emitDrop(arrival.to, this.names[arrival.from]!, arrival.meta, arrival.sizeBytes, 'crashed');
    arrival.arrive(arrival.hops);
  }

  private isCut(from: number, to: number): boolean {
    const fromGroup = this.groupOf[from]!;
    const toGroup = this.groupOf[to]!;
    if (!this.isPartitioned || fromGroup === toGroup) return false;
    if (!this.partitionOneWay) return true;
    // One-way: frames from an earlier-listed group to a later one are cut; the reverse flows.
    return fromGroup !== -1 && (toGroup === -1 || fromGroup < toGroup);
  }

  /** Splits the network into `groups` of hosts; hosts in no group form their own implicit group. */
  partition(groups: ReadonlyArray<ReadonlyArray<string>>, isOneWay: boolean): void {
    this.groupOf.fill(-1);
    groups.forEach((group, index) => {
      for (const name of group) this.groupOf[this.requireIndex(name)] = index;
    });
    this.isPartitioned = true;
    this.partitionOneWay = isOneWay;
    this.changed();
  }

  heal(): void {
    this.isPartitioned = false;
    this.groupOf.fill(-1);
    this.changed();
  }

  setLinkUp(a: string, b: string, isUp: boolean): void {
    this.requireGraph().setLinkUp(this.requireIndex(a), this.requireIndex(b), isUp);
    this.changed();
  }

  /** Changes both directions of a link from now on. */
  setLink(a: string, b: string, change: Partial<LinkSpec>): void {
    this.requireGraph().setLink(this.requireIndex(a), this.requireIndex(b), change);
    this.changed();
  }

  linkSpec(a: string, b: string): LinkSpec {
    const direction = this.requireGraph().direction(this.requireIndex(a), this.requireIndex(b));
    assert(direction !== undefined, `no link ${a}–${b}`);
    return direction.spec;
  }

  private requireGraph(): GraphUnderlay {
    assert(this.graph !== undefined, 'a region underlay has no links');
    return this.graph;
  }

  /** Stops host or router `name`: it sends, receives and forwards nothing until it restarts. */
  crash(name: string): void {
    const index = this.requireIndex(name);
    this.isUpOf[index] = 0;
    this.epochOf[index]!++;
    this.underlay.setNodeUp(index, false);
    this.changed(this.regions === undefined ? undefined : index);
  }

  restart(name: string): void {
    const index = this.requireIndex(name);
    this.isUpOf[index] = 1;
    this.epochOf[index]!++;
    this.underlay.setNodeUp(index, true);
    this.changed(this.regions === undefined ? undefined : index);
  }

  isUp(name: string): boolean {
    return this.isUpOf[this.requireIndex(name)] === 1;
  }
}
