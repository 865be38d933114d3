// Transport preferences (SPEC §3.1, §5.2): S22 precedence and I11 on the simulator.
import { describe, expect, it } from 'vitest';
import { resolveTransportPrefs, type Engine, type EngineEnv, type TransportPrefs } from '../../core/index.js';
import { simulate } from '../../sim/index.js';
import { custom, graphPlan } from '../engines/plan.js';

const orderedReliable: TransportPrefs = { isOrdered: true, isReliable: true, security: 'direct' };
const unorderedUnreliable: TransportPrefs = { isOrdered: false, isReliable: false, security: 'direct' };

describe('transport preferences', () => {
  it('S22: message > per-peer record > node defaults, field by field', () => {
    expect(resolveTransportPrefs(undefined, undefined, undefined)).toBeUndefined();
    expect(resolveTransportPrefs(undefined, undefined, { isReliable: false })).toEqual({ isOrdered: true, isReliable: false, security: 'direct' });
    expect(resolveTransportPrefs(undefined, { isOrdered: false }, { isReliable: false })).toEqual({ isOrdered: false, isReliable: false, security: 'direct' });
    expect(resolveTransportPrefs(orderedReliable, { isOrdered: false }, { isReliable: false })).toEqual(orderedReliable);
  });

  function run(tprefs: TransportPrefs | undefined): number[] {
    const received: number[] = [];
    const sender = (_params: unknown, env: EngineEnv): Engine => ({
      handle(input, ctx) {
        const target = env.resolve('n1/receiver');
        if (input.kind !== 'start' || !target.ok) return;
        for (let i = 0; i < 200; i++) ctx.send({ kind: 'engine', ...target.value }, new Uint8Array([i]), tprefs === undefined ? {} : { tprefs });
      },
    });
    const receiver = (): Engine => ({ handle: (input) => void (input.kind === 'message' && received.push(input.message.body[0]!)) });
    const link = { latencyMs: 10, jitter: { kind: 'uniform' as const, maxMs: 20 }, lossProbability: 0.1 };
    simulate(graphPlan(2, [[0, 1]], (i) => (i === 0 ? [custom('sender', sender)] : [custom('receiver', receiver)]), { link, durationMs: 2000 }));
    return received;
  }

  it('I11: ordered + reliable messages arrive complete and in send order over a lossy, jittery link; without preferences they do not', () => {
    const expected = Array.from({ length: 200 }, (_, i) => i);
    expect(run(orderedReliable)).toEqual(expected);
    const plain = run(undefined);
    expect(plain.length).toBeLessThan(200);
    expect(plain).not.toEqual([...plain].sort((a, b) => a - b));
    const loose = run(unorderedUnreliable);
    expect(loose.length).toBeLessThan(200);
  });
});
