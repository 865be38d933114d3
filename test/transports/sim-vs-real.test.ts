// The crash-restart example holds its expectations on every backend, and the differences the docs
// describe are real: the simulator drops frames in flight to the crashed node ("crashed"); over TLS
// the peers see the reset, queue and deliver after the restart (more than the simulator delivers);
// over QUIC the frames written before the peers notice are kept unacknowledged and written again
// to the restarted node (transports/link-control.ts): none is lost without a drop record.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkExpectations, loadScenario } from '../../scenarios/index.js';
import { simulate } from '../../sim/index.js';
import { deployPlan } from '../../transports/index.js';
import type { TraceEvent } from '../../core/index.js';

const FILE = join(import.meta.dirname, '..', '..', 'scenarios', 'examples', 'crash-restart.yaml');
const count = (events: ReadonlyArray<{ kind: string; node: string; engine?: string; reason?: string }>, kind: string, filter: { node?: string; engine?: string; reason?: string } = {}): number =>
  events.filter((event) => event.kind === kind && Object.entries(filter).every(([key, value]) => event[key as keyof typeof filter] === value)).length;

/** Frames n1 transmitted to n2 while n2 was down: how many, and how many n2 never received with no drop record at n1. */
function outage(events: ReadonlyArray<TraceEvent>): { sent: number; lostUntraced: number } {
  const crashAt = events.find((event) => event.kind === 'crash')!.t;
  const restartAt = events.find((event) => event.kind === 'restart')!.t;
  const received = new Set(events.filter((event) => event.kind === 'receive' && event.node === 'n2').map((event) => event.msg));
  const dropped = new Set(events.filter((event) => event.kind === 'drop' && event.node === 'n1').map((event) => event.msg));
  const sent = events.filter((event) => event.kind === 'transmit' && event.node === 'n1' && event.peer === 'n2' && event.t > crashAt && event.t < restartAt);
  return { sent: sent.length, lostUntraced: sent.filter((event) => !received.has(event.msg) && !dropped.has(event.msg)).length };
}

describe('crash-restart.yaml on the simulator, TLS and QUIC', () => {
  it('simulator: the expectations hold; frames in flight to the crashed node are dropped', async () => {
    const scenario = await loadScenario(FILE);
    const sim = simulate(scenario.plan);
    expect((await checkExpectations(scenario.expect, sim.header, sim.events, FILE)).filter((result) => !result.isMet)).toEqual([]);
    expect(count(sim.events, 'drop', { reason: 'crashed' })).toBeGreaterThan(0);
  });

  for (const transport of ['tls', 'quic'] as const) {
    it(`${transport}, one process per node: the expectations hold, nothing is dropped as "crashed"`, async () => {
      const scenario = await loadScenario(FILE);
      // At half speed (wall ms = 2 × scenario ms): a restarted process's boot, slow on a loaded
      // machine, then costs half as much scenario time. The QUIC idle timeout (5 s wall) still
      // outlasts the outage (1.5 s = 3 s wall).
      const real = await deployPlan(scenario.plan, { transport, startupTimeoutMs: 30_000, timeScale: 2 });
      const results = await checkExpectations(scenario.expect, real.header, real.events, FILE);
      expect(results.filter((result) => !result.isMet), results.map((result) => `${result.name}: ${result.detail}`).join('\n')).toEqual([]);
      expect(count(real.events, 'drop', { reason: 'crashed' })).toBe(0);
      const sim = simulate(scenario.plan);
      // TLS sees the reset at once and queues; QUIC notices later, and writes again what the crashed node did not acknowledge.
      if (transport === 'tls') expect(count(real.events, 'deliver', { node: 'n2', engine: 'echo' })).toBeGreaterThan(count(sim.events, 'deliver', { node: 'n2', engine: 'echo' }));
      const during = outage(real.events);
      expect(during.sent).toBeGreaterThan(0);
      expect(during.lostUntraced).toBe(0);
    }, 90_000);
  }
});
