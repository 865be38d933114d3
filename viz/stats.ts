// Summary statistics of a view model (the report's header line; the browser recomputes them per filter).
import type { LatencyPercentiles, ViewModel } from './types.js';

/** Nearest-rank percentiles of send → deliver latency (first delivery per engine), undefined if none. */
export function latencyPercentiles(model: Pick<ViewModel, 'deliveries'>): LatencyPercentiles | undefined {
  const values: number[] = [];
  for (const delivery of model.deliveries) if (!delivery.isDuplicate && Number.isFinite(delivery.latencyMs)) values.push(delivery.latencyMs);
  if (values.length === 0) return undefined;
  const sorted = Float64Array.from(values).sort();
  const rank = (p: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
  return { count: sorted.length, p50: rank(0.5), p90: rank(0.9), p99: rank(0.99), max: sorted[sorted.length - 1]! };
}
