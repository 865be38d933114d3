// ctx.disk survives a crash and restart; storage faults lose the last writes or corrupt one.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DurableStore } from '../../core/index.js';
import { simulate } from '../../kit/index.js';

const module = join(import.meta.dirname, '..', 'kit', 'engines', 'disk-counter.ts');
const scenario = (events: unknown[]) => ({
  name: 'disk',
  duration: '2s',
  crypto: 'sim-keyed',
  topology: { nodes: ['a'], links: [] },
  engines: [{ on: 'all', kind: 'diskCounter', name: 'counter', module, params: { isChecked: true } }],
  events,
});
const countsAtStart = (events: ReadonlyArray<{ kind: string; text?: string; data?: Readonly<Record<string, unknown>> }>) => events.filter((event) => event.kind === 'log' && event.text === 'count').map((event) => event.data?.['count']);

describe('ctx.disk and storage faults', () => {
  it('what an engine wrote survives its node crashing and restarting', async () => {
    const run = await simulate(scenario([{ at: '550ms', crash: 'a' }, { at: '600ms', restart: 'a' }]), { seed: 1 });
    expect(countsAtStart(run.events)).toEqual([0, 5]);
  });

  it('lose-writes undoes the last writes, as an unsynced cache would at a crash', async () => {
    const run = await simulate(scenario([{ at: '550ms', crash: 'a' }, { at: '560ms', 'lose-writes': { node: 'a', count: 2 } }, { at: '600ms', restart: 'a' }]), { seed: 1 });
    expect(countsAtStart(run.events)).toEqual([0, 3]);
    expect(run.events.some((event) => event.reason === 'storage-fault' && event.text === 'lost 2 of the last 2 writes')).toBe(true);
  });

  it('corrupt-write flips the last value, which a checksum catches', async () => {
    const run = await simulate(scenario([{ at: '550ms', crash: 'a' }, { at: '560ms', 'corrupt-write': { node: 'a', engine: 'counter' } }, { at: '600ms', restart: 'a' }]), { seed: 1 });
    expect(run.events.some((event) => event.kind === 'log' && event.text === 'corrupt count')).toBe(true);
  });

  it('the store copies values in and out and is bounded', () => {
    const store = new DurableStore();
    const value = new Uint8Array([1, 2]);
    store.put('k', value);
    value[0] = 9;
    expect([...store.get('k')!]).toEqual([1, 2]);
    expect(() => store.put('big', new Uint8Array((1 << 20) + 1))).toThrow(/at most/);
    expect(store.loseLastWrites(5)).toBe(1);
    expect(store.get('k')).toBeUndefined();
  });

  it('an unknown engine in a storage fault is a located error', async () => {
    await expect(simulate(scenario([{ at: '1ms', 'lose-writes': { node: 'a', engine: 'nope', count: 1 } }]), { seed: 1 })).rejects.toThrow(/lose-writes/);
  });
});
