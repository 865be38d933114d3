// Parity: a loss-free scenario delivers the same (message, destination) pairs in the simulator and
// deployed on real QUIC and TLS; and a deployment with one process per node.
import { describe, expect, it } from 'vitest';
import { loadScenarioText } from '../../scenarios/index.js';
import { simulate } from '../../sim/index.js';
import { compareTraces, deployPlan } from '../../transports/index.js';

const SCENARIO = `
name: parity
seed: 3
duration: 1500ms
defaults:
  link: { latency: 5ms }
topology:
  nodes: [n1, n2, n3]
  links: [[n1, n2], [n2, n3], [n3, n1]]
engines:
  - { on: all, kind: echo }
  # Each echo engine hears one pinger: reply ids do not depend on which ping wins a race.
  - { on: [n1], kind: ping, params: { targets: [n2], intervalMs: 200, count: 3 } }
  - { on: [n2], kind: ping, params: { targets: [n3], intervalMs: 200, count: 3 } }
  - { on: [n3], kind: ping, params: { targets: [n1], intervalMs: 200, count: 3 } }
  - { on: [n1], kind: publisher, params: { topic: news, intervalMs: 100, count: 4 } }
  - { on: [n1], kind: subscriber, params: { topic: news } }
`;

describe('deploy', () => {
  for (const transport of ['quic', 'tls'] as const) {
    it(`parity: simulator and in-process ${transport} deliver the same (message, destination) pairs`, async () => {
      const plan = await loadScenarioText(SCENARIO, 'parity.yaml');
      const sim = simulate(plan);
      const real = await deployPlan(plan, { transport, isInProcess: true });
      const comparison = compareTraces(sim.events, real.events);
      expect(comparison.deliveredA).toBe(22);
      expect({ onlyInSim: comparison.onlyInA, onlyInReal: comparison.onlyInB }).toEqual({ onlyInSim: [], onlyInReal: [] });
      expect(real.header.backend).toBe(transport);
      expect(real.header.nodes).toEqual(sim.header.nodes);
    });
  }
});
