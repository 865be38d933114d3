// The anycast-fallback example holds its expectations on TLS and QUIC (`deploy --in-process`) as in
// the simulator: the anycast choice falls back from the crashed member, and a reply that comes late
// on a loaded machine does not demote its member for good. The real runs go at half speed (time scale
// 2, as sim-vs-real.test.ts) so that a loaded machine's processing delays stay small beside the
// emulated latencies the member choice depends on.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkExpectations, loadScenario } from '../../scenarios/index.js';
import { simulate } from '../../sim/index.js';
import { deployPlan } from '../../transports/index.js';

const FILE = join(import.meta.dirname, '..', '..', 'scenarios', 'examples', 'anycast-fallback.yaml');

describe('anycast-fallback.yaml on every backend', () => {
  it('simulator: the expectations hold', async () => {
    const scenario = await loadScenario(FILE);
    const sim = simulate(scenario.plan);
    expect((await checkExpectations(scenario.expect, sim.header, sim.events, FILE)).filter((result) => !result.isMet)).toEqual([]);
  });

  for (const transport of ['tls', 'quic'] as const) {
    it(`${transport}, deploy --in-process: the expectations hold`, async () => {
      const scenario = await loadScenario(FILE);
      const real = await deployPlan(scenario.plan, { transport, isInProcess: true, timeScale: 2 });
      const results = await checkExpectations(scenario.expect, real.header, real.events, FILE);
      expect(results.filter((result) => !result.isMet), results.map((result) => `${result.name}: ${result.detail}`).join('\n')).toEqual([]);
    }, 60_000);
  }
});
