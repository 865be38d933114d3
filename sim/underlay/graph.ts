// The graph underlay: nodes (hosts and routers) joined by links, each link two directions with
// their own settings and random stream. A frame follows the current lowest-latency path; paths are
// recomputed after any change to links or node liveness (a version counter empties the caches).
import { assert, type LinkSpec, type Rng } from '../../core/index.js';
import type { Hop } from './hop.js';
import { components, PathTreeCache, ShortestPaths, type RoutingGraph } from './shortest-paths.js';
import type { Underlay } from './underlay.js';

/** One direction of a link. Its random stream is created on first use (named by its endpoints). */
export class LinkDirection implements Hop {
  busyUntilMs = 0;
  isUp = true;
  private stream: Rng | undefined;

  constructor(
    readonly from: number,
    readonly to: number,
    public spec: LinkSpec,
    private readonly root: Rng,
    private readonly label: string,
  ) {}

  get rng(): Rng {
    return (this.stream ??= this.root.fork(this.label));
  }
}

/** Path trees kept at most: 8 Mi entries in total (32 MiB), and never more than this many trees. */
const TREE_ENTRIES_MAX = 1 << 23;
const TREES_MAX = 1024;
/** Node indexes stay below this, so a (from, to) pair packs into one safe integer. */
export const NODES_MAX = 1 << 26;

export class GraphUnderlay implements Underlay, RoutingGraph {
  readonly directions: LinkDirection[] = [];
  readonly outgoing: number[][] = [];
  isNodeUp = new Uint8Array(16);
  private count = 0;
  private readonly byPair = new Map<number, number>();
  private readonly shortestPaths = new ShortestPaths();
  private trees: PathTreeCache | undefined;
  /** Bumped on every change that can move a path; caches built at an older version are stale. */
  private version = 0;
  private componentsVersion = -1;
  private component = new Int32Array(0);

  constructor(private readonly root: Rng) {}

  get nodeCount(): number {
    return this.count;
  }

  /** Adds a node (up) and returns its index. */
  addNode(): number {
    assert(this.count < NODES_MAX, 'too many nodes');
    if (this.count === this.isNodeUp.length) {
      const grown = new Uint8Array(this.count * 2);
      grown.set(this.isNodeUp);
      this.isNodeUp = grown;
    }
    this.isNodeUp[this.count] = 1;
    this.outgoing.push([]);
    this.changed();
    this.trees = undefined; // its bound depends on the node count
    return this.count++;
  }

  /** Links nodes `a` and `b`; `names` label the two directions' random streams (`link/a>b`). */
  addLink(a: number, b: number, ab: LinkSpec, ba: LinkSpec, names: readonly [string, string]): void {
    assert(a !== b, `link from "${names[0]}" to itself`);
    assert(a < this.count && b < this.count, 'link to an unknown node');
    assert(!this.byPair.has(pairKey(a, b)), `link ${names[0]}–${names[1]} declared twice`);
    this.addDirection(a, b, ab, `link/${names[0]}>${names[1]}`);
    this.addDirection(b, a, ba, `link/${names[1]}>${names[0]}`);
    this.changed();
  }

  private addDirection(from: number, to: number, spec: LinkSpec, label: string): void {
    const index = this.directions.length;
    this.directions.push(new LinkDirection(from, to, spec, this.root, label));
    this.outgoing[from]!.push(index);
    this.byPair.set(pairKey(from, to), index);
  }

  /** The direction from `from` to `to`, when they are linked. */
  direction(from: number, to: number): LinkDirection | undefined {
    const index = this.byPair.get(pairKey(from, to));
    return index === undefined ? undefined : this.directions[index];
  }

  setLinkUp(a: number, b: number, isUp: boolean): void {
    this.requireDirection(a, b).isUp = isUp;
    this.requireDirection(b, a).isUp = isUp;
    this.changed();
  }

  /** Changes both directions from now on; a latency change moves paths. */
  setLink(a: number, b: number, change: Partial<LinkSpec>): void {
    for (const direction of [this.requireDirection(a, b), this.requireDirection(b, a)]) direction.spec = { ...direction.spec, ...change };
    if (change.latencyMs !== undefined) this.changed();
  }

  private requireDirection(from: number, to: number): LinkDirection {
    const direction = this.direction(from, to);
    assert(direction !== undefined, 'no such link');
    return direction;
  }

  setNodeUp(node: number, isUp: boolean): void {
    assert(node < this.count, 'unknown node');
    this.isNodeUp[node] = isUp ? 1 : 0;
    this.changed();
  }

  private changed(): void {
    this.version++;
    this.trees?.clear();
  }

  route(from: number, to: number, path: Hop[]): number {
    const tree = this.treeOf(from);
    let hops = 0;
    for (let node = to; node !== from; node = this.directions[tree[node]!]!.from) {
      if (tree[node] === -1) return 0;
      hops++;
    }
    let node = to;
    for (let i = hops - 1; i >= 0; i--) {
      const direction = this.directions[tree[node]!]!;
      path[i] = direction;
      node = direction.from;
    }
    return hops;
  }

  latencyMs(from: number, to: number): number | undefined {
    if (!this.isConnected(from, to)) return undefined;
    const tree = this.treeOf(from);
    let latencyMs = 0;
    for (let node = to; node !== from; ) {
      const direction = this.directions[tree[node]!]!;
      latencyMs += direction.spec.latencyMs;
      node = direction.from;
    }
    return latencyMs;
  }

  isConnected(from: number, to: number): boolean {
    if (this.isNodeUp[from] === 0 || this.isNodeUp[to] === 0) return false;
    if (this.componentsVersion !== this.version) {
      if (this.component.length !== this.count) this.component = new Int32Array(this.count);
      components(this, this.component);
      this.componentsVersion = this.version;
    }
    return this.component[from] === this.component[to];
  }

  unroutable(from: number, to: number): 'link-down' | 'unreachable' {
    return this.direction(from, to)?.isUp === false ? 'link-down' : 'unreachable';
  }

  private treeOf(source: number): Int32Array {
    const trees = (this.trees ??= new PathTreeCache(Math.max(1, Math.min(TREES_MAX, Math.floor(TREE_ENTRIES_MAX / Math.max(1, this.count))))));
    const cached = trees.get(source);
    if (cached !== undefined) return cached;
    const tree = trees.claim(source, this.count);
    this.shortestPaths.build(this, source, tree);
    return tree;
  }
}

export function pairKey(from: number, to: number): number {
  return from * NODES_MAX + to;
}
