// Per-source shortest-path trees over the link graph (Dijkstra on a binary heap), a bounded LRU
// cache of them, and connected components. Nothing is all-pairs: a tree costs 4 bytes per node
// and is built on demand for a source that sends.
import { assert } from '../../core/index.js';
import { PathHeap } from './path-heap.js';

/** What routing reads of the graph. */
export interface RoutingGraph {
  readonly nodeCount: number;
  /** Direction indexes leaving each node, in link declaration order. */
  readonly outgoing: ReadonlyArray<ReadonlyArray<number>>;
  readonly directions: ReadonlyArray<RoutingDirection>;
  /** Up nodes forward frames; a down node can still be a destination (its frames drop on arrival). */
  readonly isNodeUp: ArrayLike<number>;
}

export interface RoutingDirection {
  readonly from: number;
  readonly to: number;
  readonly isUp: boolean;
  readonly spec: { readonly latencyMs: number };
}

/** A tree as the direction entering each node on its chosen path; -1 at the source and at unreached nodes. */
export type PathTree = Int32Array;

/**
 * Reusable Dijkstra state. The chosen path minimises latency, then hop count, then the index of
 * the node it comes from: the order is total, so ties never depend on iteration accidents.
 */
export class ShortestPaths {
  private distances = new Float64Array(0);
  private hopCounts = new Int32Array(0);
  private readonly heap = new PathHeap();

  /** Fills `tree` (length = node count) with the shortest-path tree from `source`. */
  build(graph: RoutingGraph, source: number, tree: PathTree): void {
    const n = graph.nodeCount;
    assert(tree.length === n, 'path tree sized for another graph');
    if (this.distances.length < n) {
      this.distances = new Float64Array(n);
      this.hopCounts = new Int32Array(n);
    }
    const distances = this.distances;
    const hopCounts = this.hopCounts;
    distances.fill(Infinity, 0, n);
    tree.fill(-1);
    distances[source] = 0;
    hopCounts[source] = 0;
    const heap = this.heap;
    heap.clear();
    heap.push(0, 0, source);
    while (heap.size > 0) {
      const node = heap.pop();
      const distance = heap.poppedDistance;
      const hops = heap.poppedHops;
      if (distance !== distances[node] || hops !== hopCounts[node]) continue; // a stale entry
      if (node !== source && graph.isNodeUp[node] === 0) continue; // a crashed node forwards nothing
      for (const index of graph.outgoing[node]!) {
        const direction = graph.directions[index]!;
        if (!direction.isUp) continue;
        const next = direction.to;
        const nextDistance = distance + direction.spec.latencyMs;
        const nextHops = hops + 1;
        const known = distances[next]!;
        if (nextDistance < known || (nextDistance === known && nextHops < hopCounts[next]!)) {
          distances[next] = nextDistance;
          hopCounts[next] = nextHops;
          tree[next] = index;
          heap.push(nextDistance, nextHops, next);
        } else if (nextDistance === known && nextHops === hopCounts[next]! && node < graph.directions[tree[next]!]!.from) {
          tree[next] = index; // same key: the lower predecessor index wins
        }
      }
    }
  }
}

/** Most-recently-used trees by source, bounded in total entries; emptied when the graph changes. */
export class PathTreeCache {
  private readonly trees = new Map<number, PathTree>();
  private readonly spare: PathTree[] = [];

  constructor(private readonly treesMax: number) {
    assert(Number.isInteger(treesMax) && treesMax >= 1, 'a tree cache holds at least one tree');
  }

  /** The cached tree of `source`, marked most recently used. */
  get(source: number): PathTree | undefined {
    const tree = this.trees.get(source);
    if (tree !== undefined) {
      this.trees.delete(source);
      this.trees.set(source, tree);
    }
    return tree;
  }

  /** A tree array to fill for `source` (reusing an evicted one), already inserted as most recently used. */
  claim(source: number, nodeCount: number): PathTree {
    assert(!this.trees.has(source), 'tree claimed twice');
    if (this.trees.size >= this.treesMax) {
      const [oldest, tree] = this.trees.entries().next().value!;
      this.trees.delete(oldest);
      this.spare.push(tree);
    }
    const reused = this.spare.pop();
    const tree = reused !== undefined && reused.length === nodeCount ? reused : new Int32Array(nodeCount);
    this.trees.set(source, tree);
    return tree;
  }

  get size(): number {
    return this.trees.size;
  }

  clear(): void {
    for (const tree of this.trees.values()) this.spare.push(tree);
    this.trees.clear();
    this.spare.length = Math.min(this.spare.length, this.treesMax);
  }
}

/** Connected components over up links and up nodes: `component[node]` (-1 for a down node). */
export function components(graph: RoutingGraph, component: Int32Array): void {
  const n = graph.nodeCount;
  assert(component.length === n, 'component array sized for another graph');
  component.fill(-1);
  const stack: number[] = [];
  let next = 0;
  for (let start = 0; start < n; start++) {
    if (component[start] !== -1 || graph.isNodeUp[start] === 0) continue;
    const id = next++;
    component[start] = id;
    stack.push(start);
    while (stack.length > 0) {
      for (const index of graph.outgoing[stack.pop()!]!) {
        const direction = graph.directions[index]!;
        if (!direction.isUp || component[direction.to] !== -1 || graph.isNodeUp[direction.to] === 0) continue;
        component[direction.to] = id;
        stack.push(direction.to);
      }
    }
  }
}
