// Jitter samplers: extra delay ≥ 0 ms drawn from a named distribution.
import { assertNever, type JitterSpec, type Rng } from '../core/index.js';

/** One draw of extra delay in ms (never negative, so the link latency is a floor). */
export function sampleJitter(spec: JitterSpec, rng: Pick<Rng, 'next'>): number {
  switch (spec.kind) {
    case 'none':
      return 0;
    case 'uniform':
      return rng.next() * spec.maxMs;
    case 'normal':
      return Math.max(0, spec.meanMs + spec.sdMs * standardNormal(rng));
    case 'exponential':
      return -Math.log(1 - rng.next()) * spec.meanMs;
    case 'pareto':
      // Pareto type II (Lomax) shifted to start at 0: heavy tail, many small values.
      return spec.scaleMs * (Math.pow(1 - rng.next(), -1 / spec.shape) - 1);
    case 'bimodal':
      return rng.next() < spec.slowProbability ? spec.slowMs : spec.fastMs;
    default:
      return assertNever(spec, 'jitter');
  }
}

/** Box–Muller (one of the pair; the other is discarded to keep draws per sample fixed). */
function standardNormal(rng: Pick<Rng, 'next'>): number {
  const u = 1 - rng.next();
  const v = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
