// pause / resume: a node frozen with its state kept; what comes meanwhile runs at resume, in order.
import { describe, expect, it } from 'vitest';
import { simulate } from '../../kit/index.js';

const scenario = (events: unknown[]) => ({
  name: 'pause',
  duration: '2s',
  crypto: 'sim-keyed',
  topology: { nodes: ['a', 'b'], links: [{ between: ['a', 'b'], latency: '5ms' }] },
  engines: [{ on: 'all', kind: 'echo' }, { on: 'all', kind: 'ping', params: { targets: 'neighbors', intervalMs: 100 } }],
  events,
});

describe('pause', () => {
  it('runs nothing on a paused node, then everything that waited at resume, and keeps its state', async () => {
    const run = await simulate(scenario([{ at: '500ms', pause: 'b' }, { at: '1s', resume: 'b' }]), { seed: 1 });
    const atB = run.events.filter((event) => event.node === 'b' && (event.kind === 'deliver' || event.kind === 'timer'));
    expect(atB.filter((event) => event.t > 500 && event.t < 1000)).toEqual([]);
    const atResume = atB.filter((event) => event.t === 1000);
    expect(atResume.some((event) => event.kind === 'timer')).toBe(true); // its overdue timer
    expect(atResume.some((event) => event.kind === 'deliver')).toBe(true); // the pings that waited
    expect(run.events.some((event) => event.kind === 'crash' || event.kind === 'restart')).toBe(false);
    // The ping engine's sequence continues: no second session on b.
    expect(atB.filter((event) => event.t > 1000).length).toBeGreaterThan(10);
    expect(run.events.filter((event) => event.kind === 'log' && event.node === 'b').map((event) => event.text)).toEqual(expect.arrayContaining(['paused', 'resumed']));
  });

  it('a crash of a paused node drops what waited; a restart starts unpaused', async () => {
    const run = await simulate(scenario([{ at: '500ms', pause: 'b' }, { at: '700ms', crash: 'b' }, { at: '900ms', restart: 'b' }]), { seed: 1 });
    expect(run.events.filter((event) => event.node === 'b' && event.kind === 'timer' && event.t > 900).length).toBeGreaterThan(5);
  });
});
