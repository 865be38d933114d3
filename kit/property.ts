// `checkProperty`: fast-check over generated scenarios and simulation seeds. A failure is shrunk by
// fast-check, then by the kit's document moves, written as a replayable scenario file, and thrown
// with the exact replay command. Every run reports coverage and warns when a case is not
// deterministic (state at module scope leaking from one run into the next).
import fc from 'fast-check';
import { KitError } from './errors.js';
import { CoverageCounter, formatCoverage, type Coverage } from './coverage.js';
import { replayOf, runInvariant, type Invariant, type InvariantReplay, type InvariantResult } from './invariants/index.js';
import { writeFailureFile, type FailureFile, type ReplayCheck } from './failure-file.js';
import { shrinkDocument } from './shrink.js';
import { determinism, simulate, traceHash } from './simulate.js';

export interface CheckPropertyOptions {
  /** Generated cases (default 25). */
  readonly numRuns?: number;
  /** fast-check's seed, to repeat a whole property run. */
  readonly seed?: number;
  /** fast-check's replay path (with `seed`): starts from the counterexample a failure reported. */
  readonly path?: string;
  /** Where counterexamples are written (default `failures/` in the working directory). */
  readonly failuresDir?: string;
  /** Folder that engine `module:` paths in the documents resolve against (default: working directory). */
  readonly baseDir?: string;
  /** File name prefix of counterexamples (default: the scenario's name). */
  readonly name?: string;
  /** Check functions `(events, header) => true | string[]` the replayed file runs too. */
  readonly replayCheck?: ReplayCheck | ReadonlyArray<ReplayCheck>;
  /** Simulation seeds (default 0..2³¹, shrinking toward 0). */
  readonly seeds?: fc.Arbitrary<number>;
  /** Time for shrinking, both stages together (ms, default 60,000). */
  readonly shrinkTimeMs?: number;
  /** Shrinks further with the kit's document moves after fast-check (default true). */
  readonly isDocumentShrunk?: boolean;
  /** Re-runs the first case and the counterexample and warns if a trace differs (default true). */
  readonly isDeterminismChecked?: boolean;
  /** Where the coverage report and warnings go (default: standard error; `false`: nowhere). */
  readonly report?: false | ((text: string) => void);
}

/** What a property run did. */
export interface PropertyReport {
  readonly numRuns: number;
  readonly coverage: Coverage;
  /** Determinism warnings (empty when every re-run matched). */
  readonly warnings: ReadonlyArray<string>;
}

export interface PropertyFailure extends FailureFile {
  /** Cases run up to and including the first failing one. */
  readonly numRuns: number;
  readonly seed: number;
  readonly scenario: unknown;
  readonly results: ReadonlyArray<InvariantResult>;
  readonly numShrinks: number;
  /** The kit's own shrinking moves after fast-check's. */
  readonly moves: ReadonlyArray<string>;
  /** fast-check's seed and path: `checkProperty(…, { seed, path })` starts from this counterexample. */
  readonly replay: { readonly seed: number; readonly path: string };
  readonly coverage: Coverage;
  readonly warnings: ReadonlyArray<string>;
  /** Failed invariants that the written file cannot re-check (no replay descriptor). */
  readonly notReplayed: ReadonlyArray<string>;
}

/** A property failed; the shrunk scenario is in `file`, `command` replays it. */
export class PropertyFailedError extends KitError {
  constructor(
    message: string,
    readonly failure: PropertyFailure,
  ) {
    super('kit/property-failed', message, { file: failure.file, seed: failure.seed, command: failure.command });
    this.name = 'PropertyFailedError';
  }
}

class InvariantsBroken extends Error {}

/** Runs every invariant over one simulated case; one verdict per invariant, in order. */
async function verdicts(scenario: unknown, seed: number, invariants: ReadonlyArray<Invariant>, baseDir: string | undefined): Promise<{ results: InvariantResult[]; hash: string; events: Awaited<ReturnType<typeof simulate>>['events'] }> {
  const run = await simulate(scenario, { seed, ...(baseDir !== undefined && { baseDir }) });
  return { results: await Promise.all(invariants.map((invariant) => runInvariant(invariant, run))), hash: traceHash(run), events: run.events };
}

/** Checks `invariants` on scenarios from `arbitrary`; throws `PropertyFailedError` on a counterexample. */
export async function checkProperty(arbitrary: fc.Arbitrary<unknown>, invariants: ReadonlyArray<Invariant>, options: CheckPropertyOptions = {}): Promise<PropertyReport> {
  if (invariants.length === 0) throw new KitError('kit/no-invariants', 'checkProperty: give at least one invariant');
  for (const invariant of invariants) if (typeof invariant !== 'function') throw new KitError('kit/bad-invariant', `checkProperty: invariants must be functions over the trace, got ${typeof invariant}`);
  if (options.path !== undefined && options.seed === undefined) throw new KitError('kit/bad-options', 'checkProperty: a replay path needs the seed it was reported with');
  const numRuns = options.numRuns ?? 25;
  const seeds = options.seeds ?? fc.integer({ min: 0, max: 2 ** 31 - 1 });
  const shrinkTimeMs = options.shrinkTimeMs ?? 60_000;
  const coverage = new CoverageCounter();
  let first: { scenario: unknown; seed: number; hash: string } | undefined;
  let failedAtMs: number | undefined;
  let isShrinking = false;
  const property = fc.asyncProperty(arbitrary, seeds, async (scenario, seed) => {
    // Past the shrinking budget every candidate "passes", so fast-check ends with the smallest failure so far.
    if (failedAtMs !== undefined && performance.now() - failedAtMs > shrinkTimeMs) return;
    const run = await verdicts(scenario, seed, invariants, options.baseDir);
    if (!isShrinking) coverage.add(run.events, run.results);
    first ??= { scenario, seed, hash: run.hash };
    const failures = run.results.filter((result) => !result.isOk);
    if (failures.length === 0) return;
    failedAtMs ??= performance.now();
    isShrinking = true;
    throw new InvariantsBroken(failures.map((failure) => failure.message).join('\n'));
  });
  const details = await fc.check(property, { numRuns, ...(options.seed !== undefined && { seed: options.seed }), ...(options.path !== undefined && { path: options.path }) });
  const warnings: string[] = [];
  if (options.isDeterminismChecked !== false && first !== undefined) warnings.push(...(await rerun(first, options.baseDir)));
  const report = options.report === false ? () => {} : (options.report ?? ((text: string) => void process.stderr.write(`${text}\n`)));
  if (!details.failed || details.counterexample === null) {
    report([...formatCoverage(coverage.result()), ...warnings].join('\n'));
    return { numRuns: details.numRuns, coverage: coverage.result(), warnings };
  }
  const [fastCheckScenario, seed] = details.counterexample as [unknown, number];
  const remaining = Math.max(1000, shrinkTimeMs - (performance.now() - (failedAtMs ?? performance.now())));
  const stillFails = async (candidate: unknown): Promise<boolean> => {
    try {
      return (await verdicts(candidate, seed, invariants, options.baseDir)).results.some((result) => !result.isOk);
    } catch {
      return false;
    }
  };
  const second = isDocument(fastCheckScenario) && options.isDocumentShrunk !== false ? await shrinkDocument(fastCheckScenario, stillFails, { timeMs: remaining }) : { document: fastCheckScenario, moves: [] };
  const scenario = second.document;
  let all: InvariantResult[] = [];
  let results: InvariantResult[];
  try {
    all = (await verdicts(scenario, seed, invariants, options.baseDir)).results;
    results = all.filter((result) => !result.isOk);
  } catch (error) {
    results = [{ name: 'simulate', isOk: false, message: `the scenario did not run: ${(error as Error).message}`, offending: [] }];
  }
  if (results.length === 0) results = [{ name: 'property', isOk: false, message: String((details.errorInstance as Error | undefined)?.message ?? 'failed'), offending: [] }];
  if (options.isDeterminismChecked !== false) {
    const check = await determinism(scenario, seed, options.baseDir === undefined ? {} : { baseDir: options.baseDir }).catch(() => undefined);
    if (check !== undefined && !check.isOk) warnings.push(`warning: the counterexample is not deterministic; its failure may not replay.\n${check.message}`);
  }
  const failedInvariants = invariants.filter((_, index) => all[index]?.isOk === false);
  const replays = failedInvariants.map(replayOf).filter((replay): replay is InvariantReplay => replay !== undefined);
  const notReplayed = failedInvariants.filter((invariant) => replayOf(invariant) === undefined).map((invariant) => invariant.name || 'invariant');
  const failedNames = new Set(results.map((result) => result.name));
  const scenarioName = isDocument(scenario) && typeof scenario['name'] === 'string' ? scenario['name'] : 'counterexample';
  const replayChecks = options.replayCheck === undefined ? [] : Array.isArray(options.replayCheck) ? options.replayCheck : [options.replayCheck as ReplayCheck];
  const path = details.counterexamplePath ?? '';
  const written = writeFailureFile({
    scenario,
    seed,
    failuresDir: options.failuresDir ?? 'failures',
    baseDir: options.baseDir ?? process.cwd(),
    name: options.name ?? scenarioName,
    comment: [
      `Counterexample found by netmachine's property kit after ${details.numRuns} runs, ${details.numShrinks} shrinks and ${second.moves.length} kit moves`,
      `(fast-check seed ${details.seed}, path "${path}").`,
      `Broken: ${[...failedNames].join(', ')}`,
      ...(notReplayed.length > 0 ? [`Not re-checked on replay (no replay descriptor; see replayable()): ${notReplayed.join(', ')}`] : []),
    ],
    replays,
    replayChecks,
  });
  const message = [
    `property failed after ${details.numRuns} runs (${details.numShrinks} shrinks, ${second.moves.length} kit moves) with seed ${seed}:`,
    ...results.map((result) => result.message),
    ...warnings,
    ...(notReplayed.length > 0 ? [`not re-checked when the file is replayed: ${notReplayed.join(', ')} (wrap with replayable(invariant, { module: import.meta.url, export: '…' }))`] : []),
    '',
    `counterexample written to ${written.file}`,
    `replay: ${written.command}`,
    `search again from it: checkProperty(…, { seed: ${details.seed}, path: '${path}' })`,
  ].join('\n');
  report([...formatCoverage(coverage.result()), ...warnings].join('\n'));
  throw new PropertyFailedError(message, { ...written, numRuns: details.numRuns, seed, scenario, results, numShrinks: details.numShrinks, moves: second.moves, replay: { seed: details.seed, path }, coverage: coverage.result(), warnings, notReplayed });
}

/** Re-runs the first case after all others: a different trace means state leaked between runs. */
async function rerun(first: { scenario: unknown; seed: number; hash: string }, baseDir: string | undefined): Promise<string[]> {
  const again = traceHash(await simulate(first.scenario, { seed: first.seed, ...(baseDir !== undefined && { baseDir }) }));
  if (again === first.hash) return [];
  const check = await determinism(first.scenario, first.seed, baseDir === undefined ? {} : { baseDir });
  return [`warning: the first case gave a different trace when run again after the others (sha256 ${first.hash.slice(0, 16)}… vs ${again.slice(0, 16)}…): engine state at module scope leaks from one run into the next.${check.isOk ? '' : `\n${check.message}`}`];
}

function isDocument(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Alias of `checkProperty` that reads well inside `it(…)`. */
export const assertScenarioProperty = checkProperty;
