import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeTopology, generateEdges, isConnected, loadScenarioText, type GeneratorSpec } from '../../scenarios/index.js';
import { simulate } from '../../sim/index.js';

const degrees = (n: number, edges: ReadonlyArray<readonly [number, number]>): number[] => {
  const degree = new Array<number>(n).fill(0);
  for (const [a, b] of edges) {
    degree[a]!++;
    degree[b]!++;
  }
  return degree;
};
const simple = (edges: ReadonlyArray<readonly [number, number]>): boolean => new Set(edges.map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`)).size === edges.length && edges.every(([a, b]) => a !== b);

describe('topology generators', () => {
  it('deterministic families have the requested sizes and degrees', () => {
    const edges = (spec: GeneratorSpec) => {
      const result = generateEdges(spec, 1, 't', true);
      if (!result.ok) throw new Error(result.error);
      return result.value;
    };
    expect(edges({ kind: 'line', nodes: 5 })).toHaveLength(4);
    expect(degrees(6, edges({ kind: 'ring', nodes: 6 }))).toEqual([2, 2, 2, 2, 2, 2]);
    expect(degrees(5, edges({ kind: 'star', nodes: 5 }))).toEqual([4, 1, 1, 1, 1]);
    expect(edges({ kind: 'mesh', nodes: 6 })).toHaveLength(15);
    expect(edges({ kind: 'tree', nodes: 13, arity: 3 })).toHaveLength(12);
    expect(Math.max(...degrees(13, edges({ kind: 'tree', nodes: 13, arity: 3 })))).toBe(4);
    expect(edges({ kind: 'grid', rows: 3, cols: 4 })).toHaveLength(3 * 3 + 2 * 4);
  });

  it('random families are seeded, simple, connected and have the requested degrees', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.record({ kind: fc.constant('random-regular' as const), nodes: fc.integer({ min: 6, max: 40 }).map((n) => n * 2), degree: fc.integer({ min: 3, max: 5 }) }),
          fc.record({ kind: fc.constant('erdos-renyi' as const), nodes: fc.integer({ min: 5, max: 60 }), p: fc.double({ min: 0.3, max: 1, noNaN: true }) }),
          fc.record({ kind: fc.constant('watts-strogatz' as const), nodes: fc.integer({ min: 10, max: 60 }), k: fc.constantFrom(4, 6), beta: fc.double({ min: 0, max: 1, noNaN: true }) }),
          fc.record({ kind: fc.constant('barabasi-albert' as const), nodes: fc.integer({ min: 5, max: 80 }), m: fc.integer({ min: 1, max: 3 }) }),
        ),
        fc.nat(1000),
        (spec, seed) => {
          const first = generateEdges(spec, seed, 'p', true);
          const second = generateEdges(spec, seed, 'p', true);
          expect(first).toEqual(second);
          if (!first.ok) return;
          expect(simple(first.value)).toBe(true);
          expect(isConnected(spec.nodes, first.value)).toBe(true);
          const degree = degrees(spec.nodes, first.value);
          if (spec.kind === 'random-regular') expect(new Set(degree)).toEqual(new Set([spec.degree]));
          if (spec.kind === 'barabasi-albert') expect(Math.min(...degree)).toBeGreaterThanOrEqual(spec.m);
          if (spec.kind === 'watts-strogatz') expect(first.value).toHaveLength((spec.nodes * spec.k) / 2);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('a disconnected graph is refused unless asked for, with the reason', () => {
    const refused = generateEdges({ kind: 'erdos-renyi', nodes: 50, p: 0.01 }, 1, 't', true);
    expect(!refused.ok && refused.error).toMatch(/no connected graph.*connected: false/);
    const allowed = generateEdges({ kind: 'erdos-renyi', nodes: 50, p: 0.01 }, 1, 't', false);
    expect(allowed.ok && isConnected(50, allowed.value)).toBe(false);
  });

  it('a 10,000-node generated topology loads, describes itself and runs a short workload', async () => {
    const plan = await loadScenarioText(
      `name: big
seed: 1
crypto: sim-keyed
duration: 300ms
defaults: { link: { latency: 20ms } }
topology: { generate: [{ kind: random-regular, nodes: 10000, degree: 4 }] }
workloads: [{ name: w, from: { sample: 200 }, to: neighbors, rate: 10/s, count: 2 }]
`,
      'big.yaml',
    );
    expect(plan.nodes).toHaveLength(10_000);
    const report = describeTopology(plan);
    expect(report).toMatchObject({ nodes: 10_000, links: 20_000, components: 1, degree: { min: 4, max: 4 } });
    expect(report.diameter).toBeGreaterThan(5);
    const result = simulate(plan, { isRecording: false });
    expect(result.summary.sent).toBe(400);
    expect(result.summary.delivered).toBe(400);
  });
});
