// The kit finds each planted bug (clients, histories and checkers over generated faults with a
// quiet phase), shrinks it to 2 nodes, and each fixed engine passes the same property.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkProperty, PropertyFailedError, scenarioSize, type ScenarioDocumentInput } from '../../kit/index.js';
import { PLANTED_BUGS, plantedArbitrary } from './engines/planted.js';

const failuresDir = join(import.meta.dirname, '..', '.output', 'kit-failures', 'planted');

describe('planted bugs', () => {
  for (const bug of PLANTED_BUGS) {
    it(`${bug.name}: finds ${bug.bug} and shrinks it to 2 nodes; the fix passes`, async () => {
      const error = await checkProperty(plantedArbitrary(bug, false), [bug.invariant], { numRuns: 200, seed: 1, failuresDir, report: false }).then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(error).toBeInstanceOf(PropertyFailedError);
      const size = scenarioSize((error as PropertyFailedError).failure.scenario as ScenarioDocumentInput);
      expect(size.nodes).toBe(2);
      expect(size.faults).toBeLessThanOrEqual(2);
      await expect(checkProperty(plantedArbitrary(bug, true), [bug.invariant], { numRuns: 40, seed: 1, failuresDir, report: false })).resolves.toMatchObject({ numRuns: 40 });
    });
  }
});
