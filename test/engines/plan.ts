// Plans over arbitrary graphs for the networking-engine tests, and trace helpers.
import { BUILTIN_ENGINES, LINK_DEFAULTS, type EngineFactory, type LinkSpec, type NetworkPlan, type PlanEngine, type PlanEvent, type TraceEvent } from '../../core/index.js';

export function engine(kind: string, params: Record<string, unknown> = {}, name = kind): PlanEngine {
  return { name, kind, params, factory: BUILTIN_ENGINES.get(kind)! };
}

export function custom(name: string, factory: EngineFactory): PlanEngine {
  return { name, kind: name, params: {}, factory };
}

export interface GraphPlanOptions {
  readonly durationMs?: number;
  readonly seed?: number;
  readonly link?: Partial<LinkSpec>;
  readonly events?: PlanEvent[];
  readonly crypto?: NetworkPlan['crypto'];
}

/** Nodes `n0..n{count-1}`, the given undirected edges, engines per node from `enginesOf`. */
export function graphPlan(count: number, edges: ReadonlyArray<readonly [number, number]>, enginesOf: (index: number) => PlanEngine[], options: GraphPlanOptions = {}): NetworkPlan {
  const names = Array.from({ length: count }, (_, i) => `n${i}`);
  const spec = { ...LINK_DEFAULTS, latencyMs: 5, ...options.link };
  return {
    name: 'graph',
    seed: options.seed ?? 1,
    durationMs: options.durationMs ?? 4000,
    crypto: options.crypto ?? 'sim-keyed',
    nodes: names.map((name, i) => ({ name, engines: enginesOf(i) })),
    links: edges.map(([a, b]) => ({ a: names[a]!, b: names[b]!, ab: spec, ba: spec })),
    events: options.events ?? [],
    source: { name: 'graph', generatedBy: 'test/engines/plan.ts' },
  };
}

/** A connected graph: a random spanning tree from `parents[i] < i`, plus extra edges. */
export function connectedEdges(parents: ReadonlyArray<number>, extra: ReadonlyArray<readonly [number, number]>): Array<readonly [number, number]> {
  const edges: Array<readonly [number, number]> = parents.map((parent, i) => [parent, i + 1] as const);
  const seen = new Set(edges.map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`));
  for (const [a, b] of extra) {
    const key = `${Math.min(a, b)}-${Math.max(a, b)}`;
    if (a === b || seen.has(key)) continue;
    seen.add(key);
    edges.push([a, b]);
  }
  return edges;
}

/** Message trace ids delivered to `node/engine`, in delivery order. */
export function deliveries(events: ReadonlyArray<TraceEvent>, node: string, engineName: string): string[] {
  return events.filter((event) => event.kind === 'deliver' && event.node === node && event.engine === engineName && event.msg !== undefined).map((event) => event.msg!);
}

/** Trace ids of topic publications, in send order. */
export function publications(events: ReadonlyArray<TraceEvent>, topic: string): string[] {
  return events.filter((event) => event.kind === 'send' && event.dst === 'topic' && event.to === topic).map((event) => event.msg!);
}
