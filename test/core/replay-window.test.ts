// The anti-replay window (core/router.ts): each (session, seq) accepted at most once, old sessions
// and sequence numbers that fell out of the window refused — checked against a plain model.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReplayWindow } from '../../core/index.js';

describe('ReplayWindow', () => {
  it('accepts exactly what a model with a set of seen numbers accepts', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 5000 })), { maxLength: 400 }), (frames) => {
        check(new ReplayWindow(), frames);
      }),
      { numRuns: 300 },
    );
  });

  it('agrees with the model on mostly in-order numbers (a window stays dense until one arrives out of order)', () => {
    // Runs of consecutive numbers with jumps, replays and a few session changes: the dense window,
    // the switch to its bits at any length of run (past SIZE too) and the bits after it.
    const step = fc.oneof(
      { weight: 8, arbitrary: fc.constant({ kind: 'next' as const, by: 0 }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('jump' as const), by: fc.integer({ min: -1500, max: 1500 }) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('run' as const), by: fc.integer({ min: 1, max: 2500 }) }) },
      { weight: 1, arbitrary: fc.constant({ kind: 'session' as const, by: 0 }) },
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 120 }), (steps) => {
        const frames: Array<[number, number]> = [];
        let session = 1;
        let seq = 0;
        for (const { kind, by } of steps) {
          if (kind === 'session') [session, seq] = [session + 1, 0];
          else if (kind === 'run') for (let i = 0; i < by; i++) frames.push([session, ++seq]);
          else seq = Math.max(1, seq + (kind === 'next' ? 1 : by)); // numbers on the wire start at 1
          if (kind !== 'run') frames.push([session, seq]);
        }
        check(new ReplayWindow(), frames);
      }),
      { numRuns: 300 },
    );
  });

  it('after any run of in-order numbers, refuses each number of the run again, and takes the next', () => {
    for (const length of [1, 2, 31, 32, 33, 1023, 1024, 1025, 3000]) {
      const run = Array.from({ length }, (_, i): [number, number] => [1, i + 1]);
      // Replayed newest first, oldest first, and after a jump ahead.
      check(new ReplayWindow(), [...run, ...[...run].reverse(), [1, length + 1]]);
      check(new ReplayWindow(), [...run, ...run, [1, length + 1]]);
      check(new ReplayWindow(), [...run, [1, length + 5], ...run, [1, length + 1], [1, length + 2]]);
    }
  });
});

function check(window: ReplayWindow, frames: ReadonlyArray<readonly [number, number]>): void {
  let session = -1;
  let highest = 0;
  let seen = new Set<number>();
  for (const [frameSession, seq] of frames) {
    let expected: boolean;
    if (frameSession < session) expected = false;
    else {
      if (frameSession > session) [session, highest, seen] = [frameSession, 0, new Set()];
      expected = seq > highest - ReplayWindow.SIZE && !seen.has(seq);
      if (expected) {
        seen.add(seq);
        highest = Math.max(highest, seq);
      }
    }
    expect(window.accept(frameSession, seq)).toBe(expected);
  }
}
