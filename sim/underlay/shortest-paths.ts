// Shortest paths over the link graph: Dijkstra on a binary heap from one source, stopped as soon
// as the destination is settled (so a path to a near node explores only the ball around the
// source), with state reset only where it was touched; bounded LRU caches of paths by (source,
// destination) and of whole trees by source; connected components. Nothing is all-pairs.
import { assert } from '../../core/index.js';
import { PathHeap } from './path-heap.js';

/**
 * What routing reads of the graph, as flat arrays: the directions leaving node i are
 * `edges[edgeStart[i] .. edgeStart[i + 1])` (direction indexes, in link declaration order).
 */
export interface RoutingGraph {
  readonly nodeCount: number;
  readonly edgeStart: Int32Array;
  readonly edges: Int32Array;
  readonly directionFrom: Int32Array;
  readonly directionTo: Int32Array;
  readonly directionLatencyMs: Float64Array;
  readonly directionUp: Uint8Array;
  /**
   * 1 for nodes that forward frames now: up, and a router (or any node when there are no routers).
   * Others can still be a path's ends (frames to a crashed one drop on arrival).
   */
  readonly forwards: ArrayLike<number>;
}

/**
 * One Dijkstra search at a time. The chosen path minimises latency, then hop count, then the index
 * of the node it comes from: the order is total, so ties never depend on iteration accidents.
 */
export class ShortestPaths {
  private distances = new Float64Array(0);
  private hopCounts = new Int32Array(0);
  /** The direction entering each reached node on its chosen path (-1: the source, or not reached). */
  private parents = new Int32Array(0);
  private settled = new Uint8Array(0);
  private touched: number[] = [];
  private readonly heap = new PathHeap();
  /** Nodes settled by the last search. */
  settledCount = 0;

  private source = -1;
  /** The last node settled and not yet expanded (the target the search stopped at), or -1. */
  private pending = -1;

  /**
   * Searches from `source` until `target` is settled (or every reachable node, when `target` is -1).
   * The result stays readable (`parentOf`) until the next search; `finish` completes it.
   */
  search(graph: RoutingGraph, source: number, target: number): void {
    this.prepare(graph.nodeCount);
    this.source = source;
    this.touch(source);
    this.distances[source] = 0;
    this.hopCounts[source] = 0;
    this.heap.push(0, 0, source);
    this.run(graph, target);
  }

  /** Continues the last search until every reachable node is settled. */
  finish(graph: RoutingGraph): void {
    if (this.pending >= 0) this.expand(graph, this.pending);
    this.pending = -1;
    this.run(graph, -1);
  }

  private run(graph: RoutingGraph, target: number): void {
    const { distances, hopCounts, settled, heap } = this;
    while (heap.size > 0) {
      const node = heap.pop();
      if (settled[node] === 1 || heap.poppedDistance !== distances[node] || heap.poppedHops !== hopCounts[node]) continue; // stale
      settled[node] = 1;
      this.settledCount++;
      if (node === target) {
        this.pending = node;
        return;
      }
      this.expand(graph, node);
    }
  }

  private expand(graph: RoutingGraph, node: number): void {
    if (node !== this.source && graph.forwards[node] === 0) return; // an end host, or a crashed node
    const { distances, hopCounts, parents, settled, heap } = this;
    const distance = distances[node]!;
    const hops = hopCounts[node]! + 1;
    const { edges, directionTo, directionLatencyMs, directionUp, directionFrom } = graph;
    for (let e = graph.edgeStart[node]!, end = graph.edgeStart[node + 1]!; e < end; e++) {
      const index = edges[e]!;
      if (directionUp[index] === 0) continue;
      const next = directionTo[index]!;
      if (settled[next] === 1) continue;
      if (parents[next] === -1 && next !== this.source) this.touch(next);
      const nextDistance = distance + directionLatencyMs[index]!;
      const known = distances[next]!;
      if (nextDistance < known || (nextDistance === known && hops < hopCounts[next]!)) {
        distances[next] = nextDistance;
        hopCounts[next] = hops;
        parents[next] = index;
        heap.push(nextDistance, hops, next);
      } else if (nextDistance === known && hops === hopCounts[next]! && node < directionFrom[parents[next]!]!) {
        parents[next] = index; // same key: the lower predecessor index wins
      }
    }
  }

  /** The direction entering `node` on its path from the last search's source; -1 at the source or when not reached. */
  parentOf(node: number): number {
    return this.settled[node] === 1 ? this.parents[node]! : -1;
  }

  isSettled(node: number): boolean {
    return this.settled[node] === 1;
  }

  /** Copies the last (complete) search into `tree`. */
  copyTree(tree: Int32Array): void {
    tree.fill(-1);
    for (const node of this.touched) if (this.settled[node] === 1) tree[node] = this.parents[node]!;
  }

  private touch(node: number): void {
    this.touched.push(node);
  }

  /** Resets what the previous search touched (not the whole arrays) and sizes them for `n` nodes. */
  private prepare(n: number): void {
    if (this.distances.length !== n) {
      this.distances = new Float64Array(n).fill(Infinity);
      this.hopCounts = new Int32Array(n);
      this.parents = new Int32Array(n).fill(-1);
      this.settled = new Uint8Array(n);
      this.touched = [];
    }
    for (const node of this.touched) {
      this.distances[node] = Infinity;
      this.parents[node] = -1;
      this.settled[node] = 0;
    }
    this.touched.length = 0;
    this.heap.clear();
    this.settledCount = 0;
    this.pending = -1;
  }
}

/** A bounded most-recently-used cache by number key, emptied when the graph changes. */
export class LruCache<T> {
  private readonly entries = new Map<number, T>();

  constructor(private readonly entriesMax: number) {
    assert(Number.isInteger(entriesMax) && entriesMax >= 1, 'a cache holds at least one entry');
  }

  /** The entry for `key`, marked most recently used. */
  get(key: number): T | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  set(key: number, value: T): void {
    this.entries.delete(key);
    if (this.entries.size >= this.entriesMax) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, value);
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
  }
}

/**
 * Which nodes can reach which, for a cheap `isConnected`: components of the forwarding nodes over up
 * links, and for every node the components it touches (its own when it forwards, else those of the
 * forwarders it has an up link to), as `list[start[node] .. start[node + 1])`.
 */
export interface Attachments {
  readonly start: Int32Array;
  readonly list: Int32Array;
}

export function attachments(graph: RoutingGraph): Attachments {
  const n = graph.nodeCount;
  const component = new Int32Array(n).fill(-1);
  const stack: number[] = [];
  let next = 0;
  for (let first = 0; first < n; first++) {
    if (component[first] !== -1 || graph.forwards[first] === 0) continue;
    const id = next++;
    component[first] = id;
    stack.push(first);
    while (stack.length > 0) {
      const node = stack.pop()!;
      for (let e = graph.edgeStart[node]!; e < graph.edgeStart[node + 1]!; e++) {
        const index = graph.edges[e]!;
        const to = graph.directionTo[index]!;
        if (graph.directionUp[index] === 0 || component[to] !== -1 || graph.forwards[to] === 0) continue;
        component[to] = id;
        stack.push(to);
      }
    }
  }
  const start = new Int32Array(n + 1);
  const list: number[] = [];
  for (let node = 0; node < n; node++) {
    start[node] = list.length;
    if (graph.forwards[node] === 1) {
      list.push(component[node]!);
      continue;
    }
    for (let e = graph.edgeStart[node]!; e < graph.edgeStart[node + 1]!; e++) {
      const index = graph.edges[e]!;
      const touched = component[graph.directionTo[index]!]!;
      if (graph.directionUp[index] === 0 || touched === -1) continue;
      let isKnown = false;
      for (let i = start[node]!; i < list.length; i++) if (list[i] === touched) isKnown = true;
      if (!isKnown) list.push(touched);
    }
  }
  start[n] = list.length;
  return { start, list: Int32Array.from(list) };
}
