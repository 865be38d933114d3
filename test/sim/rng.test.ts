import fc from 'fast-check';
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../core/index.js';
import { simulate } from '../../sim/index.js';
import { ringPlan } from '../support/plans.js';

const draws = (rng: { next(): number }, count: number): number[] => Array.from({ length: count }, () => rng.next());

describe('Rng streams', () => {
  it('draw for draw the same numbers as seedrandom\'s alea with the stream\'s seed string', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer(), fc.string()), fc.string(), (seed, label) => {
        const alea = seedrandom.alea(`netmachine/1/${seed}/root/${label}`);
        expect(draws(createRng(seed).fork(label), 200)).toEqual(Array.from({ length: 200 }, () => alea()));
      }),
      { numRuns: 100 },
    );
  });

  it('stays draw for draw on seedrandom\'s alea over long streams (its state kept as 32-bit integers)', () => {
    for (const [seed, label] of [[1, 'node/n1/1'], [-7, 'engine/w'], ['seed', '']] as const) {
      const alea = seedrandom.alea(`netmachine/1/${seed}/root/${label}`);
      const rng = createRng(seed).fork(label);
      for (let i = 0; i < 20_000; i++) if (rng.next() !== alea()) expect.fail(`draw ${i} of ${seed}/${label} differs`);
    }
  });

  it('a forked stream does not depend on draws from its parent or its siblings', () => {
    fc.assert(
      fc.property(fc.integer(), fc.nat(50), fc.nat(50), (seed, parentDraws, siblingDraws) => {
        const quiet = createRng(seed).fork('link/a>b');
        const root = createRng(seed);
        draws(root, parentDraws);
        draws(root.fork('link/c>d'), siblingDraws);
        expect(draws(root.fork('link/a>b'), 10)).toEqual(draws(quiet, 10));
      }),
      { numRuns: 50 },
    );
  });

  it('different seeds and labels give different streams; int stays in range', () => {
    expect(draws(createRng(1), 5)).not.toEqual(draws(createRng(2), 5));
    expect(draws(createRng(1).fork('x'), 5)).not.toEqual(draws(createRng(1).fork('y'), 5));
    const rng = createRng(3);
    for (let i = 0; i < 1000; i++) expect(rng.int(7)).toBeLessThan(7);
  });

  it('adding a node elsewhere does not change a link\'s random draws', () => {
    const lossy = { lossProbability: 0.3, jitter: { kind: 'uniform' as const, maxMs: 5 } };
    const small = ringPlan(4, lossy, { durationMs: 3000 });
    const extra = { ...small, nodes: [...small.nodes, { name: 'x', engines: [] }] };
    const dropsOn = (plan: typeof small): string[] =>
      simulate(plan).events.filter((event) => event.kind === 'drop' && event.node === 'n1' && event.peer === 'n2').map((event) => `${event.t}:${event.msg}`);
    expect(dropsOn(small).length).toBeGreaterThan(0);
    expect(dropsOn(extra)).toEqual(dropsOn(small));
  });
});
