// A small simulated run for the viz tests: six nodes in a ring running ping + echo, a lossy link, a
// crash and restart, a partition and heal, and a local pub/sub pair.
import { BUILTIN_ENGINES, LINK_DEFAULTS, type NetworkPlan, type PlanEngine, type TraceEvent, type TraceHeader } from '../../core/index.js';
import { simulate } from '../../sim/index.js';

export const RING_NODES = ['n0', 'n1', 'n2', 'n3', 'n4', 'n5'] as const;
export const CRASH_MS = 2000;
export const RESTART_MS = 3500;
export const PARTITION_MS = 4000;
export const HEAL_MS = 4600;

function engine(name: string, kind: string, params: Record<string, unknown> = {}): PlanEngine {
  const factory = BUILTIN_ENGINES.get(kind);
  if (factory === undefined) throw new Error(`no engine ${kind}`);
  return { name, kind, params, factory };
}

/** The ring plan; `durationMs` and `intervalMs` scale it up for bigger traces. */
export function ringPlan(options: { durationMs?: number; intervalMs?: number } = {}): NetworkPlan {
  const intervalMs = options.intervalMs ?? 400;
  // Latencies long enough that arrows slant visibly when the diagram is zoomed in.
  const link = { ...LINK_DEFAULTS, latencyMs: 25, jitter: { kind: 'uniform', maxMs: 20 } } as const;
  return {
    name: 'viz-ring',
    seed: 7,
    durationMs: options.durationMs ?? 5000,
    crypto: 'sim-keyed',
    source: { name: 'viz-ring' },
    nodes: RING_NODES.map((name) => ({
      name,
      engines: [
        engine('ping', 'ping', { intervalMs }),
        engine('echo', 'echo'),
        ...(name === 'n0' ? [engine('pub', 'publisher', { topic: 'news', intervalMs: 700 }), engine('sub', 'subscriber', { topic: 'news' })] : []),
      ],
    })),
    links: RING_NODES.map((name, index) => ({
      a: name,
      b: RING_NODES[(index + 1) % RING_NODES.length]!,
      ab: index === 0 ? { ...link, lossProbability: 0.2 } : link,
      ba: link,
    })),
    events: [
      { atMs: CRASH_MS, kind: 'crash', node: 'n2' },
      { atMs: RESTART_MS, kind: 'restart', node: 'n2' },
      { atMs: PARTITION_MS, kind: 'partition', groups: [['n0', 'n1', 'n2'], ['n3', 'n4', 'n5']], isOneWay: false },
      { atMs: HEAL_MS, kind: 'heal' },
    ],
  };
}

export function ringTrace(options: { durationMs?: number; intervalMs?: number } = {}): { header: TraceHeader; events: ReadonlyArray<TraceEvent> } {
  const result = simulate(ringPlan(options));
  return { header: result.header, events: result.events };
}

/** A header for hand-written traces with these nodes (name → id). */
export function handHeader(nodes: Record<string, string>): TraceHeader {
  return { format: 'netmachine-trace', version: 1, backend: 'sim', seed: 1, scenario: { name: 'hand' }, started: 0, crypto: 'sim-keyed', nodes, engines: {} };
}
