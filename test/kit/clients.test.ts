// Clients drive a user engine and record a history; the checkers judge it (both verdicts).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { historyOf, linearizableHistory, simulate } from '../../kit/index.js';

const module = join(import.meta.dirname, 'engines', 'kv.ts');
const kvScenario = (mode: 'leader' | 'local') => ({
  name: `kv-${mode}`,
  duration: '3s',
  crypto: 'sim-keyed',
  topology: { nodes: ['n1', 'n2', 'n3'], links: [{ between: ['n1', 'n2'], latency: '20ms', jitter: '10ms' }, { between: ['n2', 'n3'], latency: '20ms', jitter: '10ms' }, { between: ['n1', 'n3'], latency: '20ms' }] },
  engines: [
    { on: 'all', kind: 'kv', module, params: { mode } },
    { on: 'all', kind: 'client', params: { workload: 'lin-kv', engine: 'kv', local: true, processes: 2, count: 15, intervalMs: 20, keys: 1 } },
  ],
  events: [{ at: '1s', crash: 'n3' }, { at: '1500ms', restart: 'n3' }],
});

describe('clients and histories', () => {
  it('a client records invoke and completion for each operation, info for those cut off by a crash', async () => {
    const run = await simulate(kvScenario('leader'), { seed: 3 });
    const history = historyOf(run);
    expect(history.length).toBeGreaterThan(40);
    expect(new Set(history.map((operation) => operation.f))).toEqual(new Set(['read', 'write', 'cas']));
    expect(history.some((operation) => operation.type === 'ok')).toBe(true);
    expect(history.every((operation) => operation.type !== 'info' || operation.completeMs === Infinity)).toBe(true);
    expect(history.some((operation) => operation.process.startsWith('n3.2:'))).toBe(true); // a restarted client's processes
  });

  it('a single-leader store is linearizable; a store replicating after the reply is not, with a counterexample', async () => {
    const check = linearizableHistory();
    const good = await check(await simulate(kvScenario('leader'), { seed: 3 }));
    expect(good).toMatchObject({ isOk: true });
    let bad: Awaited<ReturnType<typeof check>> | undefined;
    for (let seed = 1; seed <= 10 && (bad === undefined || bad === true || (typeof bad === 'object' && bad.isOk)); seed++) bad = await check(await simulate(kvScenario('local'), { seed }));
    expect(bad).toMatchObject({ isOk: false });
    expect(typeof bad === 'object' && bad.message).toMatch(/must take effect before it completes, but cannot: n\d:\d read\(k0\) → ok/);
  });
});
