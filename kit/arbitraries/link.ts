// Link parameters as scenario fields. Every field shrinks toward the simplest link: the minimum
// latency, no jitter, no loss, no duplication (a zero field is left out of the document).
import fc from 'fast-check';
import { checkInteger, checkOrdered, checkProbability } from '../errors.js';
import { msText, permilleText, type LinkFieldsDocument } from '../document.js';

export interface LinkConstraints {
  /** Smallest one-way latency (ms, default 1). */
  readonly latencyMsMin?: number;
  /** Largest one-way latency (ms, default 50). */
  readonly latencyMsMax?: number;
  /** Largest uniform jitter (ms, default 0 = never jitter). */
  readonly jitterMsMax?: number;
  /** Largest loss probability (0..1, default 0). */
  readonly lossProbabilityMax?: number;
  /** Largest duplication probability (0..1, default 0). */
  readonly duplicateProbabilityMax?: number;
}

/** Resolved link constraints with defaults applied and checked. */
export function linkConstraintsOf(constraints: LinkConstraints = {}): Required<LinkConstraints> {
  const where = 'linkArbitrary';
  const resolved = {
    latencyMsMin: constraints.latencyMsMin ?? 1,
    latencyMsMax: constraints.latencyMsMax ?? 50,
    jitterMsMax: constraints.jitterMsMax ?? 0,
    lossProbabilityMax: constraints.lossProbabilityMax ?? 0,
    duplicateProbabilityMax: constraints.duplicateProbabilityMax ?? 0,
  };
  checkInteger(where, 'latencyMsMin', resolved.latencyMsMin, 0, 3_600_000);
  checkInteger(where, 'latencyMsMax', resolved.latencyMsMax, 0, 3_600_000);
  checkOrdered(where, 'latencyMsMin', resolved.latencyMsMin, 'latencyMsMax', resolved.latencyMsMax);
  checkInteger(where, 'jitterMsMax', resolved.jitterMsMax, 0, 3_600_000);
  checkProbability(where, 'lossProbabilityMax', resolved.lossProbabilityMax);
  checkProbability(where, 'duplicateProbabilityMax', resolved.duplicateProbabilityMax);
  return resolved;
}

/** One link's settings (both directions). */
export function linkArbitrary(constraints: LinkConstraints = {}): fc.Arbitrary<LinkFieldsDocument> {
  const c = linkConstraintsOf(constraints);
  return fc
    .record({
      latencyMs: fc.integer({ min: c.latencyMsMin, max: c.latencyMsMax }),
      jitterMs: fc.integer({ min: 0, max: c.jitterMsMax }),
      lossPermille: fc.integer({ min: 0, max: Math.floor(c.lossProbabilityMax * 1000) }),
      duplicatePermille: fc.integer({ min: 0, max: Math.floor(c.duplicateProbabilityMax * 1000) }),
    })
    .map(({ latencyMs, jitterMs, lossPermille, duplicatePermille }) => ({
      latency: msText(latencyMs),
      ...(jitterMs > 0 && { jitter: msText(jitterMs) }),
      ...(lossPermille > 0 && { loss: permilleText(lossPermille) }),
      ...(duplicatePermille > 0 && { duplicate: permilleText(duplicatePermille) }),
    }));
}
