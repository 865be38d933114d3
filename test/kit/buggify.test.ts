// ctx.buggify: seeded fault injection points, live only when the scenario sets `buggify:`.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CoverageCounter, simulate, traceHash } from '../../kit/index.js';

const scenario = (buggify?: number) => ({
  name: 'buggify',
  duration: '2s',
  crypto: 'sim-keyed',
  ...(buggify !== undefined && { buggify }),
  topology: { nodes: ['a', 'b', 'c', 'd'], links: [{ between: ['a', 'b'] }, { between: ['b', 'c'] }, { between: ['c', 'd'] }] },
  engines: [{ on: 'all', kind: 'buggyTimer', module: join(import.meta.dirname, 'engines', 'buggy-timer.ts') }],
});
const firings = (events: ReadonlyArray<{ kind: string; reason?: string; text?: string; node: string }>) => events.filter((event) => event.kind === 'log' && event.reason === 'buggify');

describe('ctx.buggify', () => {
  it('never fires unless the scenario turns it on', async () => {
    expect(firings((await simulate(scenario(), { seed: 1 })).events)).toEqual([]);
  });

  it('fires at live sites with the given probability, seeded, and coverage counts each label', async () => {
    const run = await simulate(scenario(0.25), { seed: 1 });
    const fired = firings(run.events);
    const ticks = run.events.filter((event) => event.kind === 'timer').length;
    // A site is live in about half of the nodes' boots; a live one fires in about a quarter of the calls.
    expect(fired.length).toBeGreaterThan(ticks * 0.02);
    expect(fired.length).toBeLessThan(ticks * 0.5);
    expect(new Set(fired.map((event) => event.text))).toEqual(new Set(['slow-tick', 'rare-branch']));
    expect(new Set(fired.map((event) => `${event.node}/${event.text}`)).size).toBeLessThan(8); // not every site is live
    expect(traceHash(await simulate(scenario(0.25), { seed: 1 }))).toBe(traceHash(run));
    const coverage = new CoverageCounter();
    coverage.add(run.events, []);
    expect(Object.keys(coverage.result().buggify).sort()).toEqual(['rare-branch', 'slow-tick']);
  });
});
