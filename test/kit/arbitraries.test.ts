// Arbitraries check their constraints and build documents the loader accepts, within the bounds.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { faultScheduleArbitrary, KitError, loadKitScenario, scenarioArbitrary, topologyArbitrary, workloadArbitrary } from '../../kit/index.js';

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (error) {
    return error instanceof KitError ? error.code : 'not a KitError';
  }
};

describe('arbitraries', () => {
  it('reject bad constraints with kit/bad-constraints', () => {
    expect(codeOf(() => topologyArbitrary({ nodesMin: 0 }))).toBe('kit/bad-constraints');
    expect(codeOf(() => topologyArbitrary({ nodesMin: 5, nodesMax: 2 }))).toBe('kit/bad-constraints');
    expect(codeOf(() => topologyArbitrary({ link: { lossProbabilityMax: 2 } }))).toBe('kit/bad-constraints');
    expect(codeOf(() => scenarioArbitrary({ faults: { kinds: ['meteor' as 'crash'] } }))).toBe('kit/bad-constraints');
    expect(codeOf(() => scenarioArbitrary({ durationMsMin: 10, durationMsMax: 5 }))).toBe('kit/bad-constraints');
    expect(codeOf(() => workloadArbitrary({ topology: { nodes: [], links: [] }, durationMs: 100 }))).toBe('kit/bad-constraints');
  });

  it('topologies are connected and within the node bounds', () => {
    fc.assert(
      fc.property(topologyArbitrary({ nodesMin: 2, nodesMax: 7, families: ['tree', 'ring', 'star', 'line', 'mesh'] }), (topology) => {
        expect(topology.nodes.length).toBeGreaterThanOrEqual(2);
        expect(topology.nodes.length).toBeLessThanOrEqual(7);
        const reached = new Set([topology.nodes[0]]);
        for (let changed = true; changed; ) {
          changed = false;
          for (const { between: [a, b] } of topology.links) if (reached.has(a) !== reached.has(b)) (reached.add(a), reached.add(b), (changed = true));
        }
        expect(reached.size).toBe(topology.nodes.length);
      }),
      { numRuns: 100 },
    );
  });

  it('fault schedules name only declared nodes and links', () => {
    const topology = { nodes: ['x', 'y', 'z'], links: [{ between: ['x', 'y'] as const }, { between: ['y', 'z'] as const }] };
    for (const events of fc.sample(faultScheduleArbitrary({ topology, durationMs: 1000, faultsMax: 5 }), 50)) {
      for (const event of events) expect(JSON.stringify(event)).not.toMatch(/"n\d/);
    }
  });

  it('every generated scenario loads', async () => {
    const scenarios = fc.sample(scenarioArbitrary({ topology: { families: ['tree', 'ring', 'mesh'], link: { jitterMsMax: 5, lossProbabilityMax: 0.1 } }, workload: { kinds: ['unicast', 'publish'] } }), { numRuns: 40, seed: 5 });
    for (const scenario of scenarios) await expect(loadKitScenario(scenario, undefined)).resolves.toBeDefined();
  });
});
