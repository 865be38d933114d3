// `netmachine check` throughput: one scenario across a fixed set of seeds, in the main thread and
// with 1, 2 and N worker threads; the speed-up is relative to the main-thread run.
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { checkSeeds, parseSeeds } from '../cli/commands/check.js';

export interface CheckBenchRow {
  readonly workers: string;
  readonly seeds: number;
  readonly wallSeconds: number;
  readonly seedsPerSecond: number;
  readonly speedup: number;
  /** The machine's 1-minute load average when the row started (other processes share the CPUs). */
  readonly loadAverage: number;
}

const SCENARIO = join(import.meta.dirname, '..', 'scenarios', 'examples', 'workload-expectations.yaml');

/** Seeds 1..`seedCount` of workload-expectations.yaml (12 nodes, 8 s virtual, Ed25519). */
export async function benchCheck(seedCount = 64): Promise<CheckBenchRow[]> {
  const seeds = parseSeeds(`1..${seedCount}`);
  const counts = [...new Set([0, 1, 2, availableParallelism()])];
  const rows: CheckBenchRow[] = [];
  let baselineSeconds = 0;
  for (const workers of counts) {
    const loadAverage = loadavg()[0]!;
    const startedMs = performance.now();
    const verdicts = await checkSeeds(SCENARIO, seeds, { workers, isFailFast: false });
    const wallSeconds = (performance.now() - startedMs) / 1000;
    if (verdicts.length !== seeds.length) throw new Error(`benchCheck: ${verdicts.length} of ${seeds.length} seeds ran`);
    if (workers === 0) baselineSeconds = wallSeconds;
    rows.push({ workers: workers === 0 ? 'main thread' : String(workers), seeds: seeds.length, wallSeconds, seedsPerSecond: seeds.length / wallSeconds, speedup: baselineSeconds / wallSeconds, loadAverage });
  }
  return rows;
}
