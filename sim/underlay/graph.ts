// The graph underlay: nodes (hosts and routers) joined by links, each link two directions with
// their own settings and random stream. A frame follows the current lowest-latency path; paths are
// recomputed after any change to links or node liveness (a version counter empties the caches).
// Who forwards: in a graph with routers only routers do (hosts are end points, as on the internet);
// in a graph without routers every node does (the links are the whole network).
import { assert, type LinkSpec, type Rng } from '../../core/index.js';
import type { Hop } from './hop.js';
import { attachments, LruCache, ShortestPaths, type Attachments, type RoutingGraph } from './shortest-paths.js';
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

/** Whole trees kept at most: 8 Mi entries in total (32 MiB), and never more than this many trees. */
const TREE_ENTRIES_MAX = 1 << 23;
const TREES_MAX = 1024;
/** Paths kept by (source, destination). */
const PATHS_MAX = 1 << 17;
/** A search that settles at least this share of the graph is finished and kept as a whole tree. */
const TREE_SHARE_MIN = 1 / 16;
const NO_PATH = new Int32Array(0);
/** Node indexes stay below this, so a (from, to) pair packs into one safe integer. */
export const NODES_MAX = 1 << 26;

export class GraphUnderlay implements Underlay {
  private readonly directions: LinkDirection[] = [];
  private readonly outgoing: number[][] = [];
  /** Flat arrays for routing, built on first use after the last node or link was added. */
  private arrays: RoutingGraph | undefined;
  private isNodeUp = new Uint8Array(16);
  private isRouter = new Uint8Array(16);
  private forwards = new Uint8Array(16);
  private routerCount = 0;
  private count = 0;
  private readonly byPair = new Map<number, number>();
  private readonly shortestPaths = new ShortestPaths();
  /** Paths as direction indexes by packed (source, destination); NO_PATH when there is none. */
  private readonly paths = new LruCache<Int32Array>(PATHS_MAX);
  /** Whole shortest-path trees by source: the direction entering each node (-1: source or unreached). */
  private trees: LruCache<Int32Array> | undefined;
  private readonly scratchPath: Hop[] = [];
  /** Bumped on every change that can move a path; caches built at an older version are stale. */
  private version = 0;
  private attachmentsVersion = -1;
  private attached: Attachments | undefined;

  constructor(private readonly root: Rng) {}

  get nodeCount(): number {
    return this.count;
  }

  /** Adds a node (up) and returns its index; a router forwards frames, a host only sends and receives them once routers exist. */
  addNode(isRouter: boolean): number {
    assert(this.count < NODES_MAX, 'too many nodes');
    if (this.count === this.isNodeUp.length) {
      this.isNodeUp = grown(this.isNodeUp);
      this.isRouter = grown(this.isRouter);
      this.forwards = grown(this.forwards);
    }
    this.isNodeUp[this.count] = 1;
    this.isRouter[this.count] = isRouter ? 1 : 0;
    this.outgoing.push([]);
    if (isRouter && this.routerCount++ === 0) this.forwards.fill(0, 0, this.count); // hosts stop forwarding
    this.forwards[this.count] = isRouter || this.routerCount === 0 ? 1 : 0;
    this.changed();
    this.trees = undefined; // its bound depends on the node count
    this.arrays = undefined;
    return this.count++;
  }

  /** Links nodes `a` and `b`; `names` label the two directions' random streams (`link/a>b`). */
  addLink(a: number, b: number, ab: LinkSpec, ba: LinkSpec, names: readonly [string, string]): void {
    assert(a !== b, `link from "${names[0]}" to itself`);
    assert(a < this.count && b < this.count, 'link to an unknown node');
    assert(!this.byPair.has(pairKey(a, b)), `link ${names[0]}–${names[1]} declared twice`);
    this.addDirection(a, b, ab, `link/${names[0]}>${names[1]}`);
    this.addDirection(b, a, ba, `link/${names[1]}>${names[0]}`);
    this.arrays = undefined;
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
    for (const index of [this.requireIndex(a, b), this.requireIndex(b, a)]) {
      this.directions[index]!.isUp = isUp;
      if (this.arrays !== undefined) this.arrays.directionUp[index] = isUp ? 1 : 0;
    }
    this.changed();
  }

  /** Changes both directions from now on; a latency change moves paths. */
  setLink(a: number, b: number, change: Partial<LinkSpec>): void {
    for (const index of [this.requireIndex(a, b), this.requireIndex(b, a)]) {
      const direction = this.directions[index]!;
      direction.spec = { ...direction.spec, ...change };
      if (this.arrays !== undefined) this.arrays.directionLatencyMs[index] = direction.spec.latencyMs;
    }
    if (change.latencyMs !== undefined) this.changed();
  }

  private requireIndex(from: number, to: number): number {
    const index = this.byPair.get(pairKey(from, to));
    assert(index !== undefined, 'no such link');
    return index;
  }

  /** The routing arrays, built after the last node or link was added and kept in step since. */
  private routing(): RoutingGraph {
    if (this.arrays !== undefined) return this.arrays;
    const n = this.count;
    const d = this.directions.length;
    const edgeStart = new Int32Array(n + 1);
    const edges = new Int32Array(d);
    let e = 0;
    for (let node = 0; node < n; node++) {
      edgeStart[node] = e;
      for (const index of this.outgoing[node]!) edges[e++] = index;
    }
    edgeStart[n] = e;
    const directionFrom = new Int32Array(d);
    const directionTo = new Int32Array(d);
    const directionLatencyMs = new Float64Array(d);
    const directionUp = new Uint8Array(d);
    this.directions.forEach((direction, index) => {
      directionFrom[index] = direction.from;
      directionTo[index] = direction.to;
      directionLatencyMs[index] = direction.spec.latencyMs;
      directionUp[index] = direction.isUp ? 1 : 0;
    });
    // `forwards` is shared, not copied: crashes and restarts update it in place.
    this.arrays = { nodeCount: n, edgeStart, edges, directionFrom, directionTo, directionLatencyMs, directionUp, forwards: this.forwards };
    return this.arrays;
  }

  setNodeUp(node: number, isUp: boolean): void {
    assert(node < this.count, 'unknown node');
    this.isNodeUp[node] = isUp ? 1 : 0;
    this.forwards[node] = isUp && (this.isRouter[node] === 1 || this.routerCount === 0) ? 1 : 0;
    this.changed();
  }

  private changed(): void {
    this.version++;
    this.trees?.clear();
    this.paths.clear();
  }

  route(from: number, to: number, path: Hop[]): number {
    const key = pairKey(from, to);
    let directions = this.paths.get(key);
    if (directions === undefined) {
      const tree = this.trees?.get(from);
      directions = tree === undefined ? this.search(from, to) : undefined;
      // A whole tree (cached or just built) answers; the pair's path is kept too, as trees are fewer.
      directions ??= this.pathIn(tree ?? this.trees!.get(from)!, from, to);
      this.paths.set(key, directions);
    }
    for (let i = 0; i < directions.length; i++) path[i] = this.directions[directions[i]!]!;
    return directions.length;
  }

  /** Searches from → to: the path's directions, or undefined when the search grew into a whole tree (then cached). */
  private search(from: number, to: number): Int32Array | undefined {
    const search = this.shortestPaths;
    search.search(this.routing(), from, to);
    if (search.settledCount >= TREE_SHARE_MIN * this.count) {
      search.finish(this.routing());
      const trees = (this.trees ??= new LruCache<Int32Array>(Math.max(1, Math.min(TREES_MAX, Math.floor(TREE_ENTRIES_MAX / Math.max(1, this.count))))));
      const tree = new Int32Array(this.count);
      search.copyTree(tree);
      trees.set(from, tree);
      return undefined;
    }
    if (!search.isSettled(to)) return NO_PATH;
    let hops = 0;
    for (let node = to; node !== from; node = this.directions[search.parentOf(node)]!.from) hops++;
    const directions = new Int32Array(hops);
    for (let node = to, i = hops - 1; i >= 0; i--) {
      directions[i] = search.parentOf(node);
      node = this.directions[directions[i]!]!.from;
    }
    return directions;
  }

  /** The path from → to in a whole tree, as direction indexes (NO_PATH when `to` is not in it). */
  private pathIn(tree: Int32Array, from: number, to: number): Int32Array {
    let hops = 0;
    for (let node = to; node !== from; node = this.directions[tree[node]!]!.from) {
      if (tree[node] === -1) return NO_PATH;
      hops++;
    }
    const directions = new Int32Array(hops);
    for (let node = to, i = hops - 1; i >= 0; i--) {
      directions[i] = tree[node]!;
      node = this.directions[directions[i]!]!.from;
    }
    return directions;
  }

  latencyMs(from: number, to: number): number | undefined {
    if (!this.isConnected(from, to)) return undefined;
    const hops = this.route(from, to, this.scratchPath);
    let latencyMs = 0;
    for (let i = 0; i < hops; i++) latencyMs += this.scratchPath[i]!.spec.latencyMs;
    return latencyMs;
  }

  isConnected(from: number, to: number): boolean {
    if (this.isNodeUp[from] === 0 || this.isNodeUp[to] === 0) return false;
    if (this.direction(from, to)?.isUp === true) return true;
    if (this.attachmentsVersion !== this.version || this.attached === undefined) {
      this.attached = attachments(this.routing());
      this.attachmentsVersion = this.version;
    }
    const { start, list } = this.attached;
    for (let i = start[from]!; i < start[from + 1]!; i++) {
      for (let j = start[to]!; j < start[to + 1]!; j++) if (list[i] === list[j]) return true;
    }
    return false;
  }

  unroutable(from: number, to: number): 'link-down' | 'unreachable' {
    return this.direction(from, to)?.isUp === false ? 'link-down' : 'unreachable';
  }
}

export function pairKey(from: number, to: number): number {
  return from * NODES_MAX + to;
}

function grown(array: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  const bigger = new Uint8Array(array.length * 2);
  bigger.set(array);
  return bigger;
}
