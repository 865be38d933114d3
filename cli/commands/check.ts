// `netmachine check FILE [--seeds 1..10000] [--workers N] [--fail-fast]`: runs a scenario with its
// `expect` block across many seeds in worker threads, with a progress bar and ETA on a TTY, and
// ends with each failing seed and the command that replays it.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Command } from 'commander';
import { Presets, SingleBar } from 'cli-progress';
import { checkExpectations, loadScenario, type LoadedScenario } from '../../scenarios/index.js';
import { simulate } from '../../sim/index.js';
import { CliError, EXIT_FAILED } from '../errors.js';

/** One seed's outcome. */
export interface SeedVerdict {
  readonly seed: number;
  readonly isOk: boolean;
  /** Failed expectations (or the error the run threw), one per line. */
  readonly failures: ReadonlyArray<string>;
}

/** A batch of seeds for a worker. */
export interface CheckRequest {
  readonly seeds: ReadonlyArray<number>;
}

export interface CheckOptions {
  /** Worker threads; 0 runs in this thread. */
  readonly workers: number;
  readonly isFailFast: boolean;
  readonly onVerdict?: (verdict: SeedVerdict, done: number) => void;
}

const SEEDS_MAX = 10_000_000;
const BATCH_SEEDS_MAX = 16;

/** Parses `--seeds`: `A..B` (inclusive), `N`, or a comma list of those. */
export function parseSeeds(text: string): number[] {
  const seeds: number[] = [];
  for (const part of text.split(',')) {
    const match = /^\s*([0-9]+)\s*(?:\.\.\s*([0-9]+)\s*)?$/.exec(part);
    if (match === null) throw new CliError('cli/bad-seeds', `--seeds: expected a range like 1..10000, a seed, or a comma list of those, got "${text}"`);
    const first = Number(match[1]);
    const last = match[2] === undefined ? first : Number(match[2]);
    if (first > 2 ** 32 || last > 2 ** 32) throw new CliError('cli/bad-seeds', `--seeds: seeds are integers between 0 and 4294967296, got "${part.trim()}"`);
    if (last < first) throw new CliError('cli/bad-seeds', `--seeds: the range ${first}..${last} is empty (the first seed is larger than the last)`);
    if (seeds.length + (last - first + 1) > SEEDS_MAX) throw new CliError('cli/bad-seeds', `--seeds: at most ${SEEDS_MAX} seeds per check`);
    for (let seed = first; seed <= last; seed++) seeds.push(seed);
  }
  return seeds;
}

/** Parses `--workers`. */
export function parseWorkers(text: string | undefined, seedCount: number): number {
  if (text === undefined) return Math.max(1, Math.min(availableParallelism(), seedCount));
  if (!/^[0-9]+$/.test(text) || Number(text) > 1024) throw new CliError('cli/bad-workers', `--workers: expected an integer between 0 and 1024, got "${text}"`);
  return Number(text);
}

const loaded = new Map<string, Promise<LoadedScenario>>();

/** Runs one seed of a scenario file and checks its expectations (used by the workers). */
export async function runSeed(file: string, seed: number): Promise<SeedVerdict> {
  try {
    let scenario = loaded.get(file);
    if (scenario === undefined) loaded.set(file, (scenario = loadScenario(file)));
    const { plan, expect } = await scenario;
    const result = simulate(plan, { seed, isRecording: expect !== undefined });
    const expectations = await checkExpectations(expect, result.header, result.events, file);
    const failures = expectations.filter((expectation) => !expectation.isMet).map((expectation) => `${expectation.name}: ${expectation.detail}`);
    return { seed, isOk: failures.length === 0, failures };
  } catch (error) {
    return { seed, isOk: false, failures: [`the run threw: ${(error as Error).message.split('\n')[0]}`] };
  }
}

/** Runs `seeds` of `file`, in worker threads unless `workers` is 0; verdicts in seed order. */
export async function checkSeeds(file: string, seeds: ReadonlyArray<number>, options: CheckOptions): Promise<SeedVerdict[]> {
  const verdicts: SeedVerdict[] = [];
  const record = (verdict: SeedVerdict): void => {
    verdicts.push(verdict);
    options.onVerdict?.(verdict, verdicts.length);
  };
  const shouldStop = (): boolean => options.isFailFast && verdicts.some((verdict) => !verdict.isOk);
  if (options.workers === 0) {
    for (const seed of seeds) {
      if (shouldStop()) break;
      record(await runSeed(file, seed));
    }
  } else {
    await runInWorkers(file, seeds, options.workers, record, shouldStop);
  }
  return verdicts.sort((a, b) => a.seed - b.seed);
}

function runInWorkers(file: string, seeds: ReadonlyArray<number>, workerCount: number, record: (verdict: SeedVerdict) => void, shouldStop: () => boolean): Promise<void> {
  // Small batches near the end keep every worker busy until the last seed.
  const batchSize = Math.max(1, Math.min(BATCH_SEEDS_MAX, Math.floor(seeds.length / (workerCount * 8))));
  let next = 0;
  const workers: Worker[] = [];
  return new Promise<void>((resolve, reject) => {
    let active = 0;
    const finished = new Set<Worker>();
    const finish = (worker: Worker): void => {
      finished.add(worker);
      void worker.terminate();
      active--;
      if (active === 0) resolve();
    };
    for (let index = 0; index < Math.min(workerCount, seeds.length); index++) {
      const worker = new Worker(new URL('../check-worker.js', import.meta.url), { workerData: { file } });
      workers.push(worker);
      active++;
      worker.on('message', (batch: SeedVerdict[]) => {
        for (const verdict of batch) record(verdict);
        if (shouldStop() || next >= seeds.length) return finish(worker);
        const request: CheckRequest = { seeds: seeds.slice(next, next + batchSize) };
        next += request.seeds.length;
        worker.postMessage(request);
      });
      const fail = (error: Error): void => {
        for (const other of workers) void other.terminate();
        reject(error);
      };
      worker.on('error', fail);
      worker.on('exit', (code) => {
        if (!finished.has(worker)) fail(new CliError('cli/worker-exited', `a check worker exited with code ${code} before its seeds were done`, EXIT_FAILED));
      });
    }
  });
}

/** The command that replays one seed, with a report named after the scenario and seed. */
function replayCommand(file: string, seed: number): string {
  const stem = file.replace(/\.(ya?ml|json)$/i, '');
  return `netmachine run ${file} --seed ${seed} --report ${stem}-seed${seed}.html`;
}

export function register(program: Command): void {
  program
    .command('check')
    .description('run a scenario and its expect block across many seeds, in worker threads')
    .argument('<scenario>', 'scenario file (.yaml or .json)')
    .option('--seeds <range>', 'seeds to run: A..B, N, or a comma list of those', '1..100')
    .option('--workers <n>', 'worker threads (default: one per CPU; 0 = run in this thread)')
    .option('--fail-fast', 'stop at the first failing seed')
    .action(async (file: string, flags: { seeds: string; workers?: string; failFast?: boolean }) => {
      const seeds = parseSeeds(flags.seeds);
      const workers = parseWorkers(flags.workers, seeds.length);
      const scenario = await loadScenario(file); // bad files exit 2 here, before any worker starts
      if (scenario.expect === undefined) process.stderr.write(`netmachine: ${file} has no expect block; only runs that throw count as failures\n`);
      const bar = process.stderr.isTTY === true ? new SingleBar({ format: 'check [{bar}] {value}/{total} seeds | {failed} failed | ETA {eta_formatted}', stream: process.stderr, hideCursor: true }, Presets.shades_classic) : undefined;
      let failedCount = 0;
      bar?.start(seeds.length, 0, { failed: 0 });
      const startedMs = performance.now();
      const verdicts = await checkSeeds(file, seeds, {
        workers,
        isFailFast: flags.failFast === true,
        onVerdict: (verdict, done) => {
          if (!verdict.isOk) failedCount++;
          bar?.update(done, { failed: failedCount });
        },
      });
      bar?.stop();
      const seconds = (performance.now() - startedMs) / 1000;
      const failed = verdicts.filter((verdict) => !verdict.isOk);
      const lines = failed.flatMap((verdict) => [`seed ${verdict.seed} FAILED`, ...verdict.failures.map((failure) => `  ${failure}`), `  replay: ${replayCommand(file, verdict.seed)}`]);
      const stopped = verdicts.length < seeds.length ? ` (stopped early by --fail-fast after ${verdicts.length} of ${seeds.length})` : '';
      lines.push(`${verdicts.length} seeds checked in ${seconds.toFixed(1)}s with ${workers === 0 ? 'no worker threads' : `${workers} workers`}: ${verdicts.length - failed.length} passed, ${failed.length} failed${stopped}`);
      process.stdout.write(lines.join('\n') + '\n');
      process.exitCode = failed.length === 0 ? 0 : EXIT_FAILED;
    });
}
