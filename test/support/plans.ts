// Small NetworkPlans built in code for simulator tests.
import { BUILTIN_ENGINES, LINK_DEFAULTS, type LinkSpec, type NetworkPlan, type PlanEngine, type PlanEvent } from '../../core/index.js';

export function builtin(kind: string, params: Record<string, unknown> = {}, name = kind): PlanEngine {
  return { name, kind, params, factory: BUILTIN_ENGINES.get(kind)! };
}

/** `n` nodes in a ring (`n1`…`nN`), every link with `link` settings, ping + echo on every node. */
export function ringPlan(n: number, link: Partial<LinkSpec> = {}, options: { durationMs?: number; seed?: number; events?: PlanEvent[]; engines?: PlanEngine[]; crypto?: NetworkPlan['crypto'] } = {}): NetworkPlan {
  const names = Array.from({ length: n }, (_, i) => `n${i + 1}`);
  const spec = { ...LINK_DEFAULTS, ...link };
  const engines = options.engines ?? [builtin('echo'), builtin('ping', { intervalMs: 100 })];
  return {
    name: `ring-${n}`,
    seed: options.seed ?? 1,
    durationMs: options.durationMs ?? 2000,
    crypto: options.crypto ?? 'ed25519',
    nodes: names.map((name) => ({ name, engines })),
    links: names.map((name, i) => ({ a: name, b: names[(i + 1) % n]!, ab: spec, ba: spec })).slice(0, n === 2 ? 1 : n),
    events: options.events ?? [],
    source: { name: `ring-${n}`, generatedBy: 'test/support/plans.ts' },
  };
}
