// Faults a real network cannot be told to have, emulated by a transport-level filter: the plan's
// underlay as in the simulator — a frame between nodes without a direct link follows the
// lowest-latency path of links that are up (latency summed, loss compounded per hop, the smallest
// frame limit; routers forward), a region plan's matrix gives each node pair its one hop, and no
// path at all is `no-route` — cut links, partitions (also one-way, between the two ends as in the
// simulator), loss and a latency floor, and the frame size limit. The state is plain data, so a
// deployer can ship it to node processes after every timed event.
import type { Id, LinkSpec, PlanEvent, PlanLink, PlanRegions, Rng } from '../core/index.js';
import type { FilterVerdict, LinkFilter } from './peer-transport.js';

/** One direction of an emulated link. */
export interface EmulatedDirection {
  readonly from: string;
  readonly to: string;
  readonly isUp: boolean;
  readonly latencyMs: number;
  readonly lossProbability: number;
  readonly frameSizeMaxBytes: number;
}

/** Everything the filters need, as plain data (JSON over IPC). */
export interface EmulationState {
  readonly directions: ReadonlyArray<EmulatedDirection>;
  /** Partition groups (node names); empty when healed. */
  readonly groups: ReadonlyArray<ReadonlyArray<string>>;
  readonly isOneWay: boolean;
  /** A region plan: the matrix and each node's region index (there are no links then). */
  readonly regions?: EmulatedRegions;
}

/** The settings of one emulated hop or path. */
type HopSettings = Pick<EmulatedDirection, 'latencyMs' | 'lossProbability' | 'frameSizeMaxBytes'>;

export interface EmulatedRegions {
  readonly count: number;
  /** `pairs[i * count + j]`: from region i to region j. */
  readonly pairs: ReadonlyArray<HopSettings>;
  readonly regionOf: Readonly<Record<string, number>>;
}

/** The fault kinds this filter emulates (the trace header's `emulated`). */
export const EMULATED_FAULTS: ReadonlyArray<string> = ['topology', 'partition', 'link-down', 'loss', 'latency', 'frame-size'];

function direction(from: string, to: string, spec: LinkSpec): EmulatedDirection {
  return { from, to, isUp: true, latencyMs: spec.latencyMs, lossProbability: spec.lossProbability, frameSizeMaxBytes: spec.frameSizeMaxBytes };
}

/** The initial state of a plan's links (or of its region matrix, with each node's region). */
export function initialEmulation(links: ReadonlyArray<PlanLink>, regions?: { readonly matrix: PlanRegions; readonly nodes: ReadonlyArray<{ readonly name: string; readonly region?: string }> }): EmulationState {
  const state: EmulationState = { directions: links.flatMap((link) => [direction(link.a, link.b, link.ab), direction(link.b, link.a, link.ba)]), groups: [], isOneWay: false };
  if (regions === undefined) return state;
  const { names, pairs } = regions.matrix;
  const regionOf: Record<string, number> = {};
  for (const node of regions.nodes) if (node.region !== undefined) regionOf[node.name] = names.indexOf(node.region);
  return { ...state, regions: { count: names.length, pairs: pairs.map((spec) => ({ latencyMs: spec.latencyMs, lossProbability: spec.lossProbability, frameSizeMaxBytes: spec.frameSizeMaxBytes })), regionOf } };
}

/** The way from one node to another now: its settings, or why there is none. */
export type EmulatedRoute = { readonly kind: 'path'; readonly hops: number } & HopSettings | { readonly kind: 'no-route' | 'link-down' };

/** Per state (replaced on every event) and source: the routes found so far. */
const routeCache = new WeakMap<EmulationState, Map<string, Map<string, EmulatedRoute>>>();

/**
 * The route from `from` to `to`: the region pair's hop, the direct link, or the lowest-latency path
 * of links that are up (ties broken by fewer hops, then by node name, so every node finds the same
 * one). Without a path of up links it is `link-down` when cut links are why, else `no-route`.
 */
export function emulatedRoute(state: EmulationState, from: string, to: string): EmulatedRoute {
  if (state.regions !== undefined) {
    const a = state.regions.regionOf[from];
    const b = state.regions.regionOf[to];
    if (a === undefined || b === undefined || a < 0 || b < 0) return { kind: 'no-route' };
    return { kind: 'path', hops: 1, ...state.regions.pairs[a * state.regions.count + b]! };
  }
  let bySource = routeCache.get(state);
  if (bySource === undefined) routeCache.set(state, (bySource = new Map()));
  let routes = bySource.get(from);
  if (routes === undefined) bySource.set(from, (routes = shortestPaths(state, from)));
  return routes.get(to) ?? { kind: 'no-route' };
}

/** Dijkstra from `source` over the directions (up ones first; then all, to tell link-down from no-route). */
function shortestPaths(state: EmulationState, source: string): Map<string, EmulatedRoute> {
  const out = new Map<string, ReadonlyArray<EmulatedDirection>>();
  for (const d of state.directions) {
    const list = out.get(d.from) as EmulatedDirection[] | undefined;
    if (list === undefined) out.set(d.from, [d]);
    else list.push(d);
  }
  const search = (isUpOnly: boolean): Map<string, { latencyMs: number; hops: number; keep: number; frameSizeMaxBytes: number }> => {
    const best = new Map<string, { latencyMs: number; hops: number; keep: number; frameSizeMaxBytes: number }>();
    const done = new Set<string>();
    best.set(source, { latencyMs: 0, hops: 0, keep: 1, frameSizeMaxBytes: Infinity });
    for (;;) {
      // Deploys hold at most a few thousand nodes: a linear scan for the next node is enough.
      let next: string | undefined;
      for (const [name, entry] of best) {
        if (done.has(name)) continue;
        const current = next === undefined ? undefined : best.get(next)!;
        if (current === undefined || entry.latencyMs < current.latencyMs || (entry.latencyMs === current.latencyMs && (entry.hops < current.hops || (entry.hops === current.hops && name < next!)))) next = name;
      }
      if (next === undefined) return best;
      done.add(next);
      const at = best.get(next)!;
      for (const d of out.get(next) ?? []) {
        if ((isUpOnly && !d.isUp) || done.has(d.to)) continue;
        const candidate = { latencyMs: at.latencyMs + d.latencyMs, hops: at.hops + 1, keep: at.keep * (1 - d.lossProbability), frameSizeMaxBytes: Math.min(at.frameSizeMaxBytes, d.frameSizeMaxBytes) };
        const known = best.get(d.to);
        if (known === undefined || candidate.latencyMs < known.latencyMs || (candidate.latencyMs === known.latencyMs && candidate.hops < known.hops)) best.set(d.to, candidate);
      }
    }
  };
  const routes = new Map<string, EmulatedRoute>();
  for (const [name, entry] of search(true)) {
    if (name !== source) routes.set(name, { kind: 'path', hops: entry.hops, latencyMs: entry.latencyMs, lossProbability: 1 - entry.keep, frameSizeMaxBytes: entry.frameSizeMaxBytes });
  }
  if (state.directions.some((d) => !d.isUp)) for (const name of search(false).keys()) if (name !== source && !routes.has(name)) routes.set(name, { kind: 'link-down' });
  return routes;
}

/** The state after a plan event (crash/restart do not change it: they are real). */
export function applyEmulationEvent(state: EmulationState, event: PlanEvent): EmulationState {
  const touches = (d: EmulatedDirection, a: string, b: string): boolean => (d.from === a && d.to === b) || (d.from === b && d.to === a);
  switch (event.kind) {
    case 'partition':
      return { ...state, groups: event.groups, isOneWay: event.isOneWay };
    case 'heal':
      return { ...state, groups: [], isOneWay: false };
    case 'link-down':
    case 'link-up':
      return { ...state, directions: state.directions.map((d) => (touches(d, event.a, event.b) ? { ...d, isUp: event.kind === 'link-up' } : d)) };
    case 'set-link':
      return {
        ...state,
        directions: state.directions.map((d) =>
          touches(d, event.a, event.b)
            ? {
                ...d,
                ...(event.change.latencyMs !== undefined && { latencyMs: event.change.latencyMs }),
                ...(event.change.lossProbability !== undefined && { lossProbability: event.change.lossProbability }),
                ...(event.change.frameSizeMaxBytes !== undefined && { frameSizeMaxBytes: event.change.frameSizeMaxBytes }),
              }
            : d,
        ),
      };
    default:
      return state; // crash/restart are real; workload events concern engines
  }
}

/** True when a partition cuts frames from `from` to `to` (same rule as the simulator). */
export function isCut(state: EmulationState, from: string, to: string): boolean {
  if (state.groups.length === 0) return false;
  const groupOf = (name: string): number => state.groups.findIndex((group) => group.includes(name));
  const fromGroup = groupOf(from);
  const toGroup = groupOf(to);
  if (fromGroup === toGroup) return false;
  if (!state.isOneWay) return true;
  return fromGroup !== -1 && (toGroup === -1 || fromGroup < toGroup);
}

/** A filter for node `self` whose current state is read from `state()` on every frame. */
export function emulationFilter(self: string, state: () => EmulationState, nameOf: (id: Id) => string | undefined, rng: Rng): LinkFilter {
  const rngs = new Map<string, Rng>();
  return {
    outbound(peer: Id, sizeBytes: number): FilterVerdict {
      const current = state();
      const to = nameOf(peer);
      if (to === undefined) return { kind: 'drop', reason: 'no-route' };
      const link = emulatedRoute(current, self, to);
      if (link.kind !== 'path') return { kind: 'drop', reason: link.kind };
      if (isCut(current, self, to)) return { kind: 'drop', reason: 'partition' };
      if (sizeBytes > link.frameSizeMaxBytes) return { kind: 'drop', reason: 'too-large' };
      if (link.lossProbability > 0) {
        let linkRng = rngs.get(to);
        if (linkRng === undefined) rngs.set(to, (linkRng = rng.fork(`link/${self}>${to}`)));
        if (linkRng.next() < link.lossProbability) return { kind: 'drop', reason: 'loss' };
      }
      return link.latencyMs > 0 ? { kind: 'delay', delayMs: link.latencyMs } : { kind: 'pass' };
    },
  };
}
