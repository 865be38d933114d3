// Clock drift and strobe in scenarios: the node's timers run on its clock.
import { describe, expect, it } from 'vitest';
import { simulate } from '../../kit/index.js';

const scenario = (events: unknown[]) => ({
  name: 'clocks',
  duration: '2s',
  crypto: 'sim-keyed',
  topology: { nodes: ['a', 'b'], links: [{ between: ['a', 'b'], latency: '5ms' }] },
  engines: [{ on: 'all', kind: 'echo' }, { on: 'all', kind: 'ping', params: { targets: 'neighbors', intervalMs: 100 } }],
  events,
});
const pingTimers = (events: ReadonlyArray<{ kind: string; node: string; engine?: string }>, node: string): number => events.filter((event) => event.kind === 'timer' && event.node === node && event.engine === 'ping').length;

describe('clock faults', () => {
  it('a node whose clock runs twice as fast fires its timers twice as often', async () => {
    const run = await simulate(scenario([{ at: '0ms', 'clock-drift': { node: 'a', rate: 2 } }]), { seed: 1 });
    const [a, b] = [pingTimers(run.events, 'a'), pingTimers(run.events, 'b')];
    expect(a).toBeGreaterThanOrEqual(2 * b - 2);
    expect(a).toBeLessThanOrEqual(2 * b + 2);
    expect(run.events.some((event) => event.kind === 'log' && event.text === 'clock drift rate 2')).toBe(true);
  });

  it('a strobe jumps the clock back and forth and ends in place', async () => {
    const run = await simulate(scenario([{ at: '500ms', 'clock-strobe': { node: 'a', by: '300ms', every: '100ms', for: '400ms' } }]), { seed: 1 });
    const strobes = run.events.filter((event) => event.kind === 'log' && event.node === 'a' && event.text?.startsWith('clock strobe'));
    expect(strobes.map((event) => [event.t, event.text])).toEqual([[500, 'clock strobe 300ms'], [600, 'clock strobe 0ms'], [700, 'clock strobe 300ms'], [800, 'clock strobe 0ms'], [900, 'clock strobe 0ms']]);
    // The first jump forward fires a's pending ping timer at once; jumps back delay the next ones.
    const aTimers = run.events.filter((event) => event.kind === 'timer' && event.node === 'a' && event.engine === 'ping').map((event) => event.t);
    expect(aTimers).toContain(500);
    expect(aTimers.filter((t) => t > 500 && t <= 900).length).toBeLessThan(4);
  });

  it('a strobe of too many jumps is a located error', async () => {
    await expect(simulate(scenario([{ at: '0ms', 'clock-strobe': { node: 'a', by: '1ms', every: '1ms', for: '1h' } }]), { seed: 1 })).rejects.toThrow(/events\[0\]\.clock-strobe\.every|clock-strobe/);
  });
});
