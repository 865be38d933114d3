// checkProperty's report: coverage per property, the warning for state leaking between runs, the
// quiet phase and swarm testing of the arbitraries, and the second shrinking stage.
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { atMostOnceDelivery, checkProperty, documentSize, faultScheduleArbitrary, held, scenarioArbitrary, shrinkDocument, type Invariant } from '../../kit/index.js';

const holds: Invariant = function holds() {
  return held('holds', 'always');
};

describe('checkProperty report', () => {
  it('reports coverage: the share of cases per fault kind and each invariant tested or vacuous', async () => {
    const scenarios = scenarioArbitrary({ topology: { nodesMin: 2, nodesMax: 4 }, faults: { kinds: ['crash', 'partition'], faultsMax: 2 } });
    const lines: string[] = [];
    const report = await checkProperty(scenarios, [atMostOnceDelivery], { numRuns: 30, seed: 4, report: (text) => lines.push(text) });
    expect(report.coverage.cases).toBe(30);
    expect(Object.keys(report.coverage.faults).every((kind) => kind === 'crash' || kind === 'partition')).toBe(true);
    expect(report.coverage.faults['crash'] ?? 0).toBeGreaterThan(0);
    expect(report.coverage.invariants['atMostOnceDelivery']!.tested + report.coverage.invariants['atMostOnceDelivery']!.vacuous).toBe(30);
    expect(lines.join('\n')).toMatch(/^coverage over 30 cases:\n {2}faults: .*crash \d+%/);
    expect(report.warnings).toEqual([]);
  });

  it('warns when a case gives another trace when run again (state at module scope)', async () => {
    const scenarios = scenarioArbitrary({ topology: { nodesMax: 2 }, engines: [{ on: 'all', kind: 'leaky', module: join(import.meta.dirname, 'engines', 'leaky.ts') }] });
    const report = await checkProperty(scenarios, [holds], { numRuns: 5, seed: 1, report: false });
    expect(report.warnings.join('\n')).toMatch(/different trace when run again .*module scope/s);
    expect(report.warnings.join('\n')).toContain('first difference at event');
  });
});

describe('fault schedules', () => {
  const topology = { nodes: ['n1', 'n2', 'n3'], links: [{ between: ['n1', 'n2'] as const }, { between: ['n2', 'n3'] as const }] };

  it('end with a quiet phase: no fault starts there and every fault still in force is undone', () => {
    for (const events of fc.sample(faultScheduleArbitrary({ topology, durationMs: 2000, faultsMax: 6, quietMs: 500 }), { numRuns: 100, seed: 3 })) {
      const atMs = (event: Record<string, unknown>): number => Number.parseInt(String(event['at']), 10);
      const down = new Set<string>();
      let isCut = false;
      for (const event of [...events].sort((a, b) => atMs(a) - atMs(b))) {
        const isQuiet = atMs(event) >= 1500;
        if (isQuiet) expect(['restart', 'heal', 'link-up', 'set-link', 'clock-skew', 'clock-drift', 'resume'].some((key) => key in event)).toBe(true);
        if ('crash' in event) down.add(String(event['crash']));
        if ('restart' in event) down.delete(String(event['restart']));
        if ('partition' in event) isCut = true;
        if ('heal' in event) isCut = false;
      }
      expect([...down]).toEqual([]);
      expect(isCut).toBe(false);
    }
  });

  it('swarm testing: each schedule draws its faults from a subset of the kinds', () => {
    const kindsOf = (events: ReadonlyArray<Record<string, unknown>>): string => [...new Set(events.flatMap((event) => Object.keys(event).filter((key) => ['crash', 'partition', 'link-down'].includes(key))))].sort().join('+');
    const swarm = fc.sample(faultScheduleArbitrary({ topology, durationMs: 4000, faultsMax: 8, kinds: ['crash', 'partition', 'link-down'], quietMs: 0 }), { numRuns: 200, seed: 5 }).filter((events) => events.length >= 8);
    const mixed = fc.sample(faultScheduleArbitrary({ topology, durationMs: 4000, faultsMax: 8, kinds: ['crash', 'partition', 'link-down'], quietMs: 0, isSwarm: false }), { numRuns: 200, seed: 5 }).filter((events) => events.length >= 8);
    const share = (schedules: ReadonlyArray<ReadonlyArray<Record<string, unknown>>>) => schedules.filter((events) => kindsOf(events).split('+').length < 3).length / Math.max(1, schedules.length);
    expect(share(swarm)).toBeGreaterThan(share(mixed));
  });
});

describe('document shrinking', () => {
  const document = {
    name: 'd',
    duration: '3000ms',
    topology: { nodes: ['a', 'b'], links: [{ between: ['a', 'b'] }] },
    workloads: [{ name: 'w', from: ['a'], to: 'neighbors', rate: '10/s', count: 1 }],
    events: [
      { at: '100ms', crash: 'b' },
      { at: '200ms', restart: 'b' },
      { at: '300ms', 'set-link': { between: ['a', 'b'], loss: '3%' } },
      { at: '900ms', 'set-link': { between: ['a', 'b'], loss: '0%' } },
    ],
  };

  it('trades a fault for a message, makes a lossy spell certain, keeps faults with their undo', async () => {
    // "Fails" while some loss spell is left and at least two messages are sent, or the crash is kept.
    const fails = async (candidate: Record<string, unknown>): Promise<boolean> => {
      const events = candidate['events'] as Array<Record<string, unknown>>;
      const messages = (candidate['workloads'] as Array<{ count: number }>)[0]!.count;
      return events.some((event) => 'crash' in event) || (events.some((event) => 'set-link' in event) && messages >= 2);
    };
    const result = await shrinkDocument(document, fails);
    const events = result.document['events'] as Array<Record<string, unknown>>;
    expect(result.moves.some((move) => move.startsWith('traded crash'))).toBe(true);
    expect(events.some((event) => 'restart' in event)).toBe(false); // dropped with its crash
    expect(events).toContainEqual({ at: '300ms', 'set-link': { between: ['a', 'b'], loss: '100%' } });
    expect(documentSize(result.document)).toBeLessThan(documentSize(document));
  });
});
