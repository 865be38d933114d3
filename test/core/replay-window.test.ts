// The anti-replay window (core/router.ts): each (session, seq) accepted at most once, old sessions
// and sequence numbers that fell out of the window refused — checked against a plain model.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReplayWindow } from '../../core/index.js';

describe('ReplayWindow', () => {
  it('accepts exactly what a model with a set of seen numbers accepts', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 5000 })), { maxLength: 400 }), (frames) => {
        const window = new ReplayWindow();
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
      }),
      { numRuns: 300 },
    );
  });
});
