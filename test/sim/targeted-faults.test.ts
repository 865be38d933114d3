// Faults aimed by engine state: `crash: { where: { engine, state } }` hits whichever node's engine
// reports that state when the fault happens; `restart: '*'` brings every crashed node back.
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadKitScenario, scenarioArbitrary, simulate } from '../../kit/index.js';

const module = join(import.meta.dirname, '..', 'kit', 'engines', 'rotating-leader.ts');
const scenario = (events: unknown[]) => ({
  name: 'targeted',
  duration: '2s',
  crypto: 'sim-keyed',
  topology: { nodes: ['n1', 'n2', 'n3'], links: [{ between: ['n1', 'n2'] }, { between: ['n2', 'n3'] }] },
  engines: [{ on: 'all', kind: 'rotatingLeader', name: 'leader', module }],
  events,
});

describe('faults aimed by engine state', () => {
  it('crashes the node that leads at that moment, and restart * brings it back', async () => {
    const run = await simulate(scenario([{ at: '700ms', crash: { where: { engine: 'leader', state: { role: 'leader' } } } }, { at: '900ms', restart: '*' }, { at: '1200ms', pause: { where: { engine: 'leader', state: { role: 'leader' } } } }, { at: '1300ms', resume: '*' }]), { seed: 1 });
    const faults = run.events.filter((event) => event.kind === 'crash' || event.kind === 'restart' || (event.kind === 'log' && (event.text === 'paused' || event.text === 'resumed')));
    expect(faults.map((event) => [event.t, event.kind === 'log' ? event.text : event.kind, event.node])).toEqual([
      [700, 'crash', 'n2'],
      [900, 'restart', 'n2'],
      [1200, 'paused', 'n3'],
      [1300, 'resumed', 'n3'],
    ]);
  });

  it('a state no engine reports is traced as skipped', async () => {
    const run = await simulate(scenario([{ at: '700ms', crash: { where: { engine: 'leader', state: { role: 'candidate' } } } }]), { seed: 1 });
    expect(run.events.some((event) => event.reason === 'scenario-event-skipped' && event.text?.includes('crash-where'))).toBe(true);
    expect(run.events.some((event) => event.kind === 'crash')).toBe(false);
  });

  it('the arbitraries aim crashes and pauses at a role, undone with restart * and resume *', async () => {
    const arbitrary = scenarioArbitrary({ topology: { nodesMin: 3, nodesMax: 3 }, faults: { kinds: ['crash', 'pause'], faultsMax: 3, targetEngine: 'leader', targetState: { role: 'leader' } }, engines: [{ on: 'all', kind: 'rotatingLeader', name: 'leader', module }], durationMsMin: 2000 });
    const documents = fc.sample(arbitrary, { numRuns: 30, seed: 2 });
    const events = documents.flatMap((document) => document.events);
    expect(events.some((event) => typeof event['crash'] === 'object')).toBe(true);
    expect(events.some((event) => event['restart'] === '*' || event['resume'] === '*')).toBe(true);
    for (const document of documents) await expect(loadKitScenario(document, undefined)).resolves.toBeDefined();
  });
});
