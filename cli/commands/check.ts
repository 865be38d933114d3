// `netmachine check FILE [--seeds 1..10000] [--workers N] [--fail-fast] [--shard i/n --json out.json]`:
// runs a scenario with its `expect` block across many seeds in worker threads, with progress (a bar
// on a TTY, plain lines when piped), groups failing seeds by their first violation, shrinks the
// first seed of each group and saves its trace. `check --merge out-*.json` prints the same report
// from the shards of a sweep; `--emit k8s|github` writes a sharded sweep for a cluster or a CI matrix.
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { relative } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Command } from 'commander';
import { groupFailures, mergeShards, runScenarioSeed, scenarioHashOf, shardSeeds, shrinkSeed, type SeedVerdict, type ShrunkGroup, type SweepRecord } from '../../kit/index.js';
import { loadScenario, type LoadedScenario, type LoadOptions } from '../../scenarios/index.js';
import { addScenarioFlags, scenarioFlagArgs, scenarioLoadOptions, type ScenarioFlags } from '../scenario-flags.js';
import { CliError, EXIT_FAILED } from '../errors.js';
import { emitSweep } from '../sweep-emit.js';
import { packageVersion } from '../version.js';
import { sweepProgress } from '../sweep-progress.js';
import { SEED_MAX } from '../flags.js';
import { plural } from '../format.js';

export type { SeedVerdict } from '../../kit/index.js';

/** A batch of seeds for a worker. */
export interface CheckRequest {
  readonly seeds: ReadonlyArray<number>;
}

export interface CheckOptions {
  /** Worker threads; 0 runs in this thread. */
  readonly workers: number;
  readonly isFailFast: boolean;
  readonly onVerdict?: (verdict: SeedVerdict, done: number) => void;
  /** How the scenario file loads (raised limits, modules outside its folder), in every worker too. */
  readonly load?: LoadOptions;
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
    if (first > SEED_MAX || last > SEED_MAX) throw new CliError('cli/bad-seeds', `--seeds: seeds are integers from 0 to ${SEED_MAX}, got "${part.trim()}"`);
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
export async function runSeed(file: string, seed: number, load?: LoadOptions): Promise<SeedVerdict> {
  let scenario = loaded.get(file);
  if (scenario === undefined) loaded.set(file, (scenario = loadScenario(file, load)));
  try {
    return await runScenarioSeed(await scenario, seed);
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
      record(await runSeed(file, seed, options.load));
    }
  } else {
    await runInWorkers(file, seeds, options.workers, record, shouldStop, options.load);
  }
  return verdicts.sort((a, b) => a.seed - b.seed);
}

function runInWorkers(file: string, seeds: ReadonlyArray<number>, workerCount: number, record: (verdict: SeedVerdict) => void, shouldStop: () => boolean, load: LoadOptions | undefined): Promise<void> {
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
      const worker = new Worker(new URL('../check-worker.js', import.meta.url), { workerData: { file, load } });
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

/** A path relative to the working directory when it is inside it. */
function displayPath(file: string): string {
  const path = relative(process.cwd(), file);
  return path === '' || path.startsWith('..') ? file : path;
}

/** The report `check` prints: groups (largest first) with their seeds, example, shrunk file and replay command. */
export function sweepReport(file: string, verdicts: ReadonlyArray<SeedVerdict>, shrunk: ReadonlyMap<string, ShrunkGroup>): string[] {
  const groups = groupFailures(verdicts);
  const lines = groups.flatMap((group, index) => {
    const [example] = group.seeds;
    const listed = group.seeds.slice(0, 20).join(', ') + (group.seeds.length > 20 ? `, … (${group.seeds.length - 20} more)` : '');
    const small = shrunk.get(group.key);
    return [
      `group ${index + 1}: ${plural(group.seeds.length, 'failing seed')} — ${group.key}`,
      `  seeds: ${listed}`,
      `  seed ${example}:`,
      ...group.failures.map((failure) => `    ${failure}`),
      `  replay: ${replayCommand(file, example!)}`,
      ...(small === undefined ? [] : [`  shrunk (${small.moves.length} moves, size ${Math.round(small.sizeBefore)} → ${Math.round(small.sizeAfter)}): ${small.command}`, `  trace: ${displayPath(small.trace)}`]),
    ];
  });
  const failed = verdicts.filter((verdict) => !verdict.isOk).length;
  lines.push(`summary: ${plural(verdicts.length, 'seed')}, ${verdicts.length - failed} passed, ${failed} failed in ${plural(groups.length, 'group')}`);
  return lines;
}

interface CheckFlags extends ScenarioFlags {
  seeds: string;
  workers?: string;
  failFast?: boolean;
  shard?: string;
  json?: string;
  merge?: boolean;
  shrink: boolean;
  failures: string;
  emit?: string;
  shards?: string;
  image?: string;
}

export function configure(command: Command): void {
  addScenarioFlags(command)
    .argument('<files...>', 'scenario file (.yaml or .json); with --merge, the JSON files of the shards')
    .option('--seeds <range>', 'seeds to run: A..B, N, or a comma list of those', '1..100')
    .option('--workers <n>', 'worker threads (default: one per CPU; 0 = run in this thread)')
    .option('--fail-fast', 'stop at the first failing seed')
    .option('--shard <i/n>', 'run only shard i of n (every n-th seed, starting with the i-th)')
    .option('--json <file>', 'also write the verdicts as JSON (what --merge reads)')
    .option('--merge', 'print the report of a sweep from the JSON files its shards wrote')
    .option('--no-shrink', 'do not shrink the first failing seed of each group')
    .option('--failures <dir>', 'where shrunk failures and their traces go', 'failures')
    .option('--emit <target>', 'write a sharded sweep instead of running it: k8s (an Indexed Job) or github (an Actions matrix)')
    .option('--shards <n>', 'shards for --emit', '4')
    .option('--image <name>', 'container image for --emit k8s (default: netmachine:<version>, as docs/cluster.md builds it)')
    .action(async (files: string[], flags: CheckFlags) => {
      if (flags.merge === true) return void (await printMerged(files));
      if (files.length !== 1) throw new CliError('cli/bad-arguments', `check: give one scenario file (got ${files.length}); several files only with --merge`);
      const file = files[0]!;
      const load = scenarioLoadOptions(flags);
      if (flags.emit !== undefined) return void process.stdout.write(emitSweep(flags.emit, file, flags.seeds, flags.shards ?? '4', flags.image ?? `netmachine:${packageVersion()}`, scenarioFlagArgs(flags)));
      const all = parseSeeds(flags.seeds);
      const shard = flags.shard === undefined ? { index: 1, count: 1 } : parseShard(flags.shard);
      const seeds = shardSeeds(all, shard.index, shard.count);
      const workers = parseWorkers(flags.workers, seeds.length);
      const scenario = await loadScenario(file, load); // bad files exit 2 here, before any worker starts
      if (scenario.expect === undefined) process.stderr.write(`netmachine: ${file} has no expect block; only runs that throw count as failures\n`);
      const progress = sweepProgress(seeds.length, process.stderr);
      const startedMs = performance.now();
      const verdicts = await checkSeeds(file, seeds, { load, workers, isFailFast: flags.failFast === true, onVerdict: (verdict, done) => progress.update(done, verdict.isOk) });
      progress.stop();
      const seconds = (performance.now() - startedMs) / 1000;
      if (flags.json !== undefined) writeRecord(flags.json, { format: 'netmachine-check', version: 1, file, scenarioHash: scenarioHashOf(file), seeds: flags.seeds, shard, verdicts, seconds });
      const shrunk = flags.shrink ? await shrinkGroups(scenario, verdicts, flags.failures, load) : new Map<string, ShrunkGroup>();
      const lines = sweepReport(file, verdicts, shrunk);
      const stopped = verdicts.length < seeds.length ? ` (stopped early by --fail-fast after ${verdicts.length} of ${seeds.length})` : '';
      const part = shard.count > 1 ? ` (shard ${shard.index}/${shard.count} of ${all.length})` : '';
      // Never more workers than seeds are started (runInWorkers).
      const started = Math.min(workers, seeds.length);
      lines.push(`${plural(verdicts.length, 'seed')}${part} checked in ${seconds.toFixed(1)}s ${started === 0 ? 'in this thread' : `with ${plural(started, 'worker')}`}${stopped}`);
      process.stdout.write(lines.join('\n') + '\n');
      process.exitCode = verdicts.every((verdict) => verdict.isOk) ? 0 : EXIT_FAILED;
    });
}

/** `i/n` with 1 ≤ i ≤ n ≤ 10,000. */
export function parseShard(text: string): { index: number; count: number } {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (match === null || count < 1 || count > 10_000 || index < 1 || index > count) throw new CliError('cli/bad-shard', `--shard: expected i/n with 1 ≤ i ≤ n ≤ 10000, like 2/8, got "${text}"`);
  return { index, count };
}

function writeRecord(file: string, record: SweepRecord): void {
  writeFileSync(file, JSON.stringify(record) + '\n');
}

async function shrinkGroups(scenario: LoadedScenario, verdicts: ReadonlyArray<SeedVerdict>, folder: string, load: LoadOptions): Promise<Map<string, ShrunkGroup>> {
  const shrunk = new Map<string, ShrunkGroup>();
  const groups = groupFailures(verdicts);
  if (groups.length > 0) mkdirSync(folder, { recursive: true });
  for (const group of groups.slice(0, 10)) shrunk.set(group.key, await shrinkSeed(scenario, group.seeds[0]!, group.key, folder, { timeMs: 10_000, load }));
  return shrunk;
}

async function printMerged(files: ReadonlyArray<string>): Promise<void> {
  const { record, shards } = mergeShards(files);
  const lines = sweepReport(record.file, record.verdicts, new Map());
  lines.push(`${record.verdicts.length} seeds merged from ${shards} shards (longest shard ${record.seconds.toFixed(1)}s)`);
  process.stdout.write(lines.join('\n') + '\n');
  process.exitCode = record.verdicts.every((verdict) => verdict.isOk) ? 0 : EXIT_FAILED;
}
