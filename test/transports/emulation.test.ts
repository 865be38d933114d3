// The real-network filter emulates the plan's underlay as the simulator does: frames between nodes
// without a direct link follow the lowest-latency path of up links, a region plan gives every pair
// its matrix hop, and only a node with no path at all is `no-route`.
import { describe, expect, it } from 'vitest';
import { loadScenarioText } from '../../scenarios/index.js';
import { applyEmulationEvent, emulatedRoute, emulationFilter, initialEmulation } from '../../transports/emulation.js';
import { createRng } from '../../core/index.js';

const GRAPH = `
name: paths
topology:
  nodes: [a, b, c, d, e]
  links:
    - { between: [a, b], latency: 10ms, loss: 0.1 }
    - { between: [b, c], latency: 10ms, loss: 0.1 }
    - { between: [a, c], latency: 50ms }
    - { between: [c, d], latency: 5ms, frameSizeMax: 1000 }
engines: []
`;

describe('emulated underlay on real networks', () => {
  it('a frame to a node without a direct link takes the lowest-latency path of up links (summed latency, compounded loss, smallest frame limit)', async () => {
    const plan = await loadScenarioText(GRAPH, 'paths.yaml');
    let state = initialEmulation(plan.links);
    expect(emulatedRoute(state, 'a', 'c')).toMatchObject({ kind: 'path', hops: 2, latencyMs: 20 });
    expect((emulatedRoute(state, 'a', 'c') as { lossProbability: number }).lossProbability).toBeCloseTo(1 - 0.9 * 0.9, 12);
    expect(emulatedRoute(state, 'a', 'd')).toMatchObject({ kind: 'path', hops: 3, latencyMs: 25 });
    expect(emulatedRoute(state, 'a', 'e')).toEqual({ kind: 'no-route' });
    // b–c cut: the direct 50 ms link carries a→c; c–d cut as well: d is down-linked, not unroutable.
    state = applyEmulationEvent(state, { kind: 'link-down', a: 'b', b: 'c' } as never);
    expect(emulatedRoute(state, 'a', 'c')).toMatchObject({ kind: 'path', hops: 1, latencyMs: 50 });
    state = applyEmulationEvent(state, { kind: 'link-down', a: 'c', b: 'd' } as never);
    expect(emulatedRoute(state, 'a', 'd')).toEqual({ kind: 'link-down' });
    state = applyEmulationEvent(state, { kind: 'link-up', a: 'b', b: 'c' } as never);
    expect(emulatedRoute(state, 'a', 'c')).toMatchObject({ hops: 2, latencyMs: 20 });
  });

  it('the filter delays by the path, drops by its frame limit, and names no-route only without any path', async () => {
    const plan = await loadScenarioText(GRAPH.replaceAll(', loss: 0.1', ''), 'paths.yaml');
    const state = initialEmulation(plan.links);
    const ids: Record<string, string> = { A: 'a', D: 'd', E: 'e' };
    const filter = emulationFilter('a', () => state, (id) => ids[id], createRng(1));
    expect(filter.outbound('D', 100)).toEqual({ kind: 'delay', delayMs: 25 });
    expect(filter.outbound('D', 5000)).toEqual({ kind: 'drop', reason: 'too-large' });
    expect(filter.outbound('E', 100)).toEqual({ kind: 'drop', reason: 'no-route' });
  });

  it('a region plan gives each node pair its matrix hop (before, every frame was no-route: regions have no links)', async () => {
    const plan = await loadScenarioText(`
name: regions
topology:
  nodes: [x, y, z]
  regions:
    rtt: { eu: { eu: 10ms, us: 80ms }, us: { us: 10ms } }
    assign:
      - { on: [x, z], region: eu }
      - { on: y, region: us }
engines: []
`, 'regions.yaml');
    const state = initialEmulation(plan.links, { matrix: plan.regions!, nodes: plan.nodes });
    expect(emulatedRoute(state, 'x', 'y')).toMatchObject({ kind: 'path', latencyMs: 40 });
    expect(emulatedRoute(state, 'x', 'z')).toMatchObject({ kind: 'path', latencyMs: 5 });
  });
});
