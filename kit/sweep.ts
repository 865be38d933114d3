// Seed sweeps of a scenario file (what `netmachine check` runs): one verdict per seed, failures
// grouped by their first violation, shards of a sweep written as JSON and merged back into the
// same report, and the first failing seed of each group shrunk to a small file with its trace.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { traceHeaderLine, traceLine } from '../core/index.js';
import { checkExpectations, loadScenarioFromText, type LoadedScenario, type LoadOptions } from '../scenarios/index.js';
import { simulate } from '../sim/index.js';
import { KitError } from './errors.js';
import { writeFailureFile } from './failure-file.js';
import { documentSize, shrinkDocument } from './shrink.js';

/** One seed's outcome. */
export interface SeedVerdict {
  readonly seed: number;
  readonly isOk: boolean;
  /** Failed expectations (or the error the run threw), one per line. */
  readonly failures: ReadonlyArray<string>;
}

/** Runs one seed of a loaded scenario and checks its expectations. */
export async function runScenarioSeed(scenario: LoadedScenario, seed: number): Promise<SeedVerdict> {
  try {
    const result = simulate(scenario.plan, { seed, isRecording: scenario.expect !== undefined });
    const expectations = await checkExpectations(scenario.expect, result.header, result.events, scenario.file);
    const failures = expectations.filter((expectation) => !expectation.isMet).map((expectation) => `${expectation.name}: ${expectation.detail}`);
    return { seed, isOk: failures.length === 0, failures };
  } catch (error) {
    return { seed, isOk: false, failures: [`the run threw: ${(error as Error).message.split('\n')[0]}`] };
  }
}

/** The group of a failure: its first violation with the numbers taken out (`delivered(hello) ≥ N%: N/N`). */
export function violationKey(verdict: SeedVerdict): string {
  return (verdict.failures[0] ?? 'failed').split('\n')[0]!.replace(/-?\d+(\.\d+)?/g, 'N');
}

export interface FailureGroup {
  readonly key: string;
  /** Failing seeds in ascending order; the first is the group's example. */
  readonly seeds: ReadonlyArray<number>;
  /** The example's failures, as the run printed them. */
  readonly failures: ReadonlyArray<string>;
}

/** Failing verdicts grouped by first violation, the largest group first (ties: the lowest seed). */
export function groupFailures(verdicts: ReadonlyArray<SeedVerdict>): FailureGroup[] {
  const groups = new Map<string, { seeds: number[]; failures: ReadonlyArray<string> }>();
  for (const verdict of [...verdicts].sort((a, b) => a.seed - b.seed)) {
    if (verdict.isOk) continue;
    const key = violationKey(verdict);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, { seeds: [verdict.seed], failures: verdict.failures });
    else group.seeds.push(verdict.seed);
  }
  return [...groups].map(([key, group]) => ({ key, ...group })).sort((a, b) => b.seeds.length - a.seeds.length || a.seeds[0]! - b.seeds[0]!);
}

/** The seeds of shard `index` (1-based) of `count`: every count-th seed, so shards are balanced. */
export function shardSeeds(seeds: ReadonlyArray<number>, index: number, count: number): number[] {
  if (!(Number.isInteger(count) && count >= 1 && Number.isInteger(index) && index >= 1 && index <= count)) throw new KitError('kit/bad-shard', `shard ${index}/${count}: expected i/n with 1 ≤ i ≤ n`);
  return seeds.filter((_, position) => position % count === index - 1);
}

/** What a shard (or a whole sweep) writes with `--json`. */
export interface SweepRecord {
  readonly format: 'netmachine-check';
  readonly version: 1;
  /** The scenario file as given on the command line. */
  readonly file: string;
  /** SHA-256 of the scenario file's text: shards of different files never merge. */
  readonly scenarioHash: string;
  /** The `--seeds` text of the whole sweep. */
  readonly seeds: string;
  readonly shard: { readonly index: number; readonly count: number };
  readonly verdicts: ReadonlyArray<SeedVerdict>;
  readonly seconds: number;
}

export function scenarioHashOf(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** Reads shard records and checks that they are the shards of one sweep, each exactly once. */
export function mergeShards(files: ReadonlyArray<string>): { record: SweepRecord; shards: number } {
  if (files.length === 0) throw new KitError('kit/bad-merge', '--merge: give the JSON files the shards wrote');
  const records = files.map((file) => readRecord(file));
  const [first] = records;
  const seen = new Set<number>();
  for (const [i, record] of records.entries()) {
    const where = files[i]!;
    if (record.scenarioHash !== first!.scenarioHash || record.seeds !== first!.seeds) throw new KitError('kit/bad-merge', `${where}: a shard of another sweep (${record.file} seeds ${record.seeds}, not ${first!.file} seeds ${first!.seeds})`);
    if (record.shard.count !== first!.shard.count) throw new KitError('kit/bad-merge', `${where}: shard ${record.shard.index}/${record.shard.count} does not belong with ${first!.shard.count} shards`);
    if (seen.has(record.shard.index)) throw new KitError('kit/bad-merge', `${where}: shard ${record.shard.index}/${record.shard.count} given twice`);
    seen.add(record.shard.index);
  }
  const missing = Array.from({ length: first!.shard.count }, (_, i) => i + 1).filter((index) => !seen.has(index));
  if (missing.length > 0) throw new KitError('kit/bad-merge', `--merge: shards ${missing.map((index) => `${index}/${first!.shard.count}`).join(', ')} are missing`);
  const verdicts = records.flatMap((record) => record.verdicts).sort((a, b) => a.seed - b.seed);
  return { record: { ...first!, shard: { index: 1, count: 1 }, verdicts, seconds: Math.max(...records.map((record) => record.seconds)) }, shards: records.length };
}

function readRecord(file: string): SweepRecord {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new KitError('kit/bad-merge', `${file}: not a check result (${(error as Error).message})`);
  }
  const record = value as Partial<SweepRecord>;
  const isShard = typeof record.shard === 'object' && record.shard !== null && Number.isInteger(record.shard.index) && Number.isInteger(record.shard.count);
  const isVerdicts = Array.isArray(record.verdicts) && record.verdicts.every((verdict) => Number.isInteger(verdict?.seed) && typeof verdict.isOk === 'boolean' && Array.isArray(verdict.failures));
  if (record.format !== 'netmachine-check' || record.version !== 1 || typeof record.file !== 'string' || typeof record.scenarioHash !== 'string' || typeof record.seeds !== 'string' || !isShard || !isVerdicts) {
    throw new KitError('kit/bad-merge', `${file}: not a netmachine check result (expected format "netmachine-check" version 1 with file, scenarioHash, seeds, shard and verdicts)`);
  }
  return record as SweepRecord;
}

/** A group's example shrunk: the written file, its trace and what the shrinking did. */
export interface ShrunkGroup {
  readonly file: string;
  readonly trace: string;
  readonly command: string;
  readonly moves: ReadonlyArray<string>;
  readonly sizeBefore: number;
  readonly sizeAfter: number;
}

/** Shrinks seed `seed` of `scenario` while it fails in group `key`; writes the file and its trace to `folder`. */
export async function shrinkSeed(scenario: LoadedScenario, seed: number, key: string, folder: string, options: { readonly timeMs?: number; readonly load?: LoadOptions } = {}): Promise<ShrunkGroup> {
  const document = scenario.plan.source as Record<string, unknown>;
  // Candidates load with the flags the scenario itself was loaded with (raised limits, outside modules).
  const load = (candidate: Record<string, unknown>): Promise<LoadedScenario> => loadScenarioFromText(JSON.stringify(candidate), scenario.file, options.load);
  const stillFails = async (candidate: Record<string, unknown>): Promise<boolean> => {
    try {
      const verdict = await runScenarioSeed(await load(candidate), seed);
      return !verdict.isOk && violationKey(verdict) === key;
    } catch {
      return false;
    }
  };
  const shrunk = await shrinkDocument(document, stillFails, { timeMs: options.timeMs ?? 20_000 });
  const name = typeof document['name'] === 'string' ? `${document['name']}-seed${seed}` : `seed${seed}`;
  const written = writeFailureFile({ scenario: shrunk.document, seed, failuresDir: folder, baseDir: dirname(scenario.file), name, comment: [`Seed ${seed} of ${scenario.file}, shrunk by netmachine check (${shrunk.moves.length} moves): ${key}`], replays: [] });
  const run = simulate((await load(shrunk.document)).plan, { seed, isRecording: true });
  const trace = written.file.replace(/\.yaml$/, '.jsonl');
  writeFileSync(trace, [traceHeaderLine(run.header), ...run.events.map(traceLine)].join('\n') + '\n');
  return { file: written.file, trace, command: written.command, moves: shrunk.moves, sizeBefore: documentSize(document), sizeAfter: documentSize(shrunk.document) };
}
