// Seeded topology generators. Each returns node indices' edges; names come from a pattern.
// Random families retry with fresh forked streams until the graph is connected (unless the user
// allows disconnected graphs) and say so when the parameters make that unlikely.
import { createRng, err, ok, type Result, type Rng } from '../core/index.js';

export type GeneratorSpec =
  | { readonly kind: 'line' | 'ring' | 'star' | 'mesh'; readonly nodes: number }
  | { readonly kind: 'tree'; readonly nodes: number; readonly arity: number }
  | { readonly kind: 'grid'; readonly rows: number; readonly cols: number }
  | { readonly kind: 'random-regular'; readonly nodes: number; readonly degree: number }
  | { readonly kind: 'erdos-renyi'; readonly nodes: number; readonly p: number }
  | { readonly kind: 'watts-strogatz'; readonly nodes: number; readonly k: number; readonly beta: number }
  | { readonly kind: 'barabasi-albert'; readonly nodes: number; readonly m: number }
  /** Nodes and no links (region underlays). */
  | { readonly kind: 'empty'; readonly nodes: number };

export type Edge = readonly [number, number];

const ATTEMPTS_MAX = 100;

/** Number of nodes a generator produces. */
export function generatorSize(spec: GeneratorSpec): number {
  return spec.kind === 'grid' ? spec.rows * spec.cols : spec.nodes;
}

/** Edges (i < j, no duplicates) of the generated graph. */
export function generateEdges(spec: GeneratorSpec, seed: number, label: string, isConnectedRequired: boolean): Result<Edge[], string> {
  const n = generatorSize(spec);
  const check = parameters(spec);
  if (check !== undefined) return err(check);
  if (!isRandom(spec)) return ok(deterministic(spec));
  for (let attempt = 0; attempt < ATTEMPTS_MAX; attempt++) {
    const rng = createRng(seed, `topology/${label}/attempt-${attempt}`);
    const edges = randomEdges(spec, rng);
    if (edges === undefined) continue; // pairing failed (random-regular): draw again
    if (!isConnectedRequired || isConnected(n, edges)) return ok(edges);
  }
  return err(
    `${spec.kind} with these parameters gave no ${isConnectedRequired ? 'connected ' : ''}graph in ${ATTEMPTS_MAX} seeded attempts` +
      (isConnectedRequired ? ' (raise the density, or set connected: false to accept a disconnected graph)' : ''),
  );
}

function isRandom(spec: GeneratorSpec): spec is Extract<GeneratorSpec, { kind: 'random-regular' | 'erdos-renyi' | 'watts-strogatz' | 'barabasi-albert' }> {
  return spec.kind === 'random-regular' || spec.kind === 'erdos-renyi' || spec.kind === 'watts-strogatz' || spec.kind === 'barabasi-albert';
}

function parameters(spec: GeneratorSpec): string | undefined {
  const n = generatorSize(spec);
  if (n < 1) return 'a generator needs at least 1 node';
  switch (spec.kind) {
    case 'ring':
      return n < 3 ? 'a ring needs at least 3 nodes' : undefined;
    case 'tree':
      return spec.arity < 1 ? 'arity must be ≥ 1' : undefined;
    case 'random-regular':
      if (spec.degree >= n) return `degree ${spec.degree} must be below the node count ${n}`;
      return (n * spec.degree) % 2 === 1 ? `nodes × degree must be even (${n} × ${spec.degree} is odd)` : undefined;
    case 'erdos-renyi':
      return spec.p < 0 || spec.p > 1 ? 'p must be between 0 and 1' : undefined;
    case 'watts-strogatz':
      if (spec.k % 2 === 1 || spec.k < 2) return 'k (neighbours in the ring lattice) must be even and ≥ 2';
      if (spec.k >= n) return `k ${spec.k} must be below the node count ${n}`;
      return spec.beta < 0 || spec.beta > 1 ? 'beta must be between 0 and 1' : undefined;
    case 'barabasi-albert':
      return spec.m < 1 || spec.m >= n ? `m must be between 1 and ${n - 1}` : undefined;
    default:
      return undefined;
  }
}

function deterministic(spec: GeneratorSpec): Edge[] {
  const n = generatorSize(spec);
  const edges: Edge[] = [];
  switch (spec.kind) {
    case 'line':
    case 'ring':
      for (let i = 0; i + 1 < n; i++) edges.push([i, i + 1]);
      if (spec.kind === 'ring') edges.push([0, n - 1]);
      return edges;
    case 'star':
      for (let i = 1; i < n; i++) edges.push([0, i]);
      return edges;
    case 'mesh':
      for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) edges.push([i, j]);
      return edges;
    case 'tree':
      for (let i = 1; i < n; i++) edges.push([Math.floor((i - 1) / spec.arity), i]);
      return edges;
    case 'grid':
      for (let r = 0; r < spec.rows; r++) {
        for (let c = 0; c < spec.cols; c++) {
          const i = r * spec.cols + c;
          if (c + 1 < spec.cols) edges.push([i, i + 1]);
          if (r + 1 < spec.rows) edges.push([i, i + spec.cols]);
        }
      }
      return edges;
    default:
      return edges;
  }
}

function randomEdges(spec: GeneratorSpec, rng: Rng): Edge[] | undefined {
  const n = generatorSize(spec);
  const set = new EdgeSet();
  switch (spec.kind) {
    case 'erdos-renyi': {
      // Geometric skipping over the n(n-1)/2 pairs: O(edges), not O(n²).
      if (spec.p === 0) return [];
      const total = (n * (n - 1)) / 2;
      let index = -1;
      for (;;) {
        index += spec.p === 1 ? 1 : 1 + Math.floor(Math.log(1 - rng.next()) / Math.log(1 - spec.p));
        if (index >= total) break;
        const [i, j] = pairAt(index, n);
        set.add(i, j);
      }
      return set.edges();
    }
    case 'random-regular': {
      // Configuration model: pair the stubs at random; a self-loop or double edge restarts.
      const stubs: number[] = [];
      for (let i = 0; i < n; i++) for (let d = 0; d < spec.degree; d++) stubs.push(i);
      for (let i = stubs.length - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [stubs[i], stubs[j]] = [stubs[j]!, stubs[i]!];
      }
      for (let i = 0; i < stubs.length; i += 2) {
        const a = stubs[i]!;
        const b = stubs[i + 1]!;
        if (a === b || set.has(a, b)) return undefined;
        set.add(a, b);
      }
      return set.edges();
    }
    case 'watts-strogatz': {
      for (let i = 0; i < n; i++) for (let d = 1; d <= spec.k / 2; d++) set.add(i, (i + d) % n);
      const lattice = set.edges();
      const rewired = new EdgeSet();
      for (const [a, b] of lattice) rewired.add(a, b);
      for (const [a, b] of lattice) {
        if (rng.next() >= spec.beta) continue;
        const target = rng.int(n);
        if (target === a || rewired.has(a, target)) continue;
        rewired.delete(a, b);
        rewired.add(a, target);
      }
      return rewired.edges();
    }
    case 'barabasi-albert': {
      // Start from a complete graph on m + 1 nodes; each new node links to m distinct nodes chosen
      // in proportion to their degree (every node ends with degree ≥ m).
      const targets: number[] = [];
      for (let i = 0; i <= spec.m; i++) {
        for (let j = i + 1; j <= spec.m; j++) {
          set.add(i, j);
          targets.push(i, j);
        }
      }
      for (let node = spec.m + 1; node < n; node++) {
        const chosen = new Set<number>();
        while (chosen.size < spec.m) chosen.add(targets[rng.int(targets.length)]!);
        for (const other of chosen) {
          set.add(node, other);
          targets.push(node, other);
        }
      }
      return set.edges();
    }
    default:
      return undefined;
  }
}

/** The (i, j) pair with i < j at a row-major index over the upper triangle. */
function pairAt(index: number, n: number): [number, number] {
  let i = 0;
  let rowLength = n - 1;
  let remaining = index;
  while (remaining >= rowLength) {
    remaining -= rowLength;
    i++;
    rowLength--;
  }
  return [i, i + 1 + remaining];
}

class EdgeSet {
  private readonly map = new Map<number, Edge>();
  private static key(a: number, b: number): number {
    return a < b ? a * 4_194_304 + b : b * 4_194_304 + a;
  }
  add(a: number, b: number): void {
    this.map.set(EdgeSet.key(a, b), a < b ? [a, b] : [b, a]);
  }
  has(a: number, b: number): boolean {
    return this.map.has(EdgeSet.key(a, b));
  }
  delete(a: number, b: number): void {
    this.map.delete(EdgeSet.key(a, b));
  }
  edges(): Edge[] {
    return [...this.map.values()];
  }
}

/** True when the graph on `n` nodes with `edges` is connected (n ≤ 1 counts as connected). */
export function isConnected(n: number, edges: ReadonlyArray<Edge>): boolean {
  if (n <= 1) return true;
  const adjacency: number[][] = Array.from({ length: n }, () => []);
  for (const [a, b] of edges) {
    adjacency[a]!.push(b);
    adjacency[b]!.push(a);
  }
  const seen = new Uint8Array(n);
  const stack = [0];
  seen[0] = 1;
  let count = 1;
  while (stack.length > 0) {
    for (const next of adjacency[stack.pop()!]!) {
      if (seen[next] === 0) {
        seen[next] = 1;
        count++;
        stack.push(next);
      }
    }
  }
  return count === n;
}

/** Node name from a pattern: `{i}` is the 1-based index, `{r}`/`{c}` grid row and column. */
export function nodeName(pattern: string, index: number, spec: GeneratorSpec): string {
  const cols = spec.kind === 'grid' ? spec.cols : 1;
  return pattern
    .replaceAll('{i}', String(index + 1))
    .replaceAll('{r}', String(Math.floor(index / cols) + 1))
    .replaceAll('{c}', String((index % cols) + 1));
}
