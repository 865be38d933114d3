// `checkProperty`: fast-check over generated scenarios and simulation seeds; a failure is shrunk,
// written as a replayable scenario file, and thrown with the exact replay command.
import fc from 'fast-check';
import { KitError } from './errors.js';
import { BUILTIN_INVARIANTS, runInvariant, type Invariant, type InvariantResult } from './invariants/index.js';
import { writeFailureFile, type FailureFile, type ReplayCheck } from './failure-file.js';
import { simulate } from './simulate.js';

export interface CheckPropertyOptions {
  /** Generated cases (default 25). */
  readonly numRuns?: number;
  /** fast-check's seed, to repeat a whole property run. */
  readonly seed?: number;
  /** Where counterexamples are written (default `failures/` in the working directory). */
  readonly failuresDir?: string;
  /** Folder that engine `module:` paths in the documents resolve against (default: working directory). */
  readonly baseDir?: string;
  /** File name prefix of counterexamples (default: the scenario's name). */
  readonly name?: string;
  /** A check module re-run by `netmachine run` on the written file (for your own invariants). */
  readonly replayCheck?: ReplayCheck;
  /** Simulation seeds (default 0..2³¹, shrinking toward 0). */
  readonly seeds?: fc.Arbitrary<number>;
}

/** What a property run did. */
export interface PropertyReport {
  readonly numRuns: number;
}

/** A property failed; the shrunk scenario is in `file`, `command` replays it. */
export class PropertyFailedError extends KitError {
  constructor(
    message: string,
    readonly failure: FailureFile & { readonly seed: number; readonly scenario: unknown; readonly results: ReadonlyArray<InvariantResult>; readonly numShrinks: number },
  ) {
    super('kit/property-failed', message, { file: failure.file, seed: failure.seed, command: failure.command });
    this.name = 'PropertyFailedError';
  }
}

class InvariantsBroken extends Error {}

/** Runs every invariant over one simulated case; one verdict per invariant, in order. */
async function verdicts(scenario: unknown, seed: number, invariants: ReadonlyArray<Invariant>, baseDir: string | undefined): Promise<InvariantResult[]> {
  const run = await simulate(scenario, { seed, ...(baseDir !== undefined && { baseDir }) });
  return Promise.all(invariants.map((invariant) => runInvariant(invariant, run)));
}

/** Checks `invariants` on scenarios from `arbitrary`; throws `PropertyFailedError` on a counterexample. */
export async function checkProperty(arbitrary: fc.Arbitrary<unknown>, invariants: ReadonlyArray<Invariant>, options: CheckPropertyOptions = {}): Promise<PropertyReport> {
  if (invariants.length === 0) throw new KitError('kit/no-invariants', 'checkProperty: give at least one invariant');
  for (const invariant of invariants) if (typeof invariant !== 'function') throw new KitError('kit/bad-invariant', `checkProperty: invariants must be functions over the trace, got ${typeof invariant}`);
  const numRuns = options.numRuns ?? 25;
  const seeds = options.seeds ?? fc.integer({ min: 0, max: 2 ** 31 - 1 });
  const property = fc.asyncProperty(arbitrary, seeds, async (scenario, seed) => {
    const failures = (await verdicts(scenario, seed, invariants, options.baseDir)).filter((result) => !result.isOk);
    if (failures.length > 0) throw new InvariantsBroken(failures.map((failure) => failure.message).join('\n'));
  });
  const details = await fc.check(property, { numRuns, ...(options.seed !== undefined && { seed: options.seed }) });
  if (!details.failed || details.counterexample === null) return { numRuns: details.numRuns };
  const [scenario, seed] = details.counterexample;
  let all: InvariantResult[] = [];
  let results: InvariantResult[];
  try {
    all = await verdicts(scenario, seed, invariants, options.baseDir);
    results = all.filter((result) => !result.isOk);
  } catch (error) {
    results = [{ name: 'simulate', isOk: false, message: `the scenario did not run: ${(error as Error).message}`, offending: [] }];
  }
  if (results.length === 0) results = [{ name: 'property', isOk: false, message: String((details.errorInstance as Error | undefined)?.message ?? 'failed'), offending: [] }];
  const failedNames = new Set(results.map((result) => result.name));
  // Built-in invariants (by identity) that failed are re-checked when the file is replayed.
  const builtins = invariants.filter((invariant, index) => all[index]?.isOk === false && BUILTIN_INVARIANTS.get(invariant.name) === invariant).map((invariant) => invariant.name);
  const scenarioName = typeof scenario === 'object' && scenario !== null && typeof (scenario as { name?: unknown }).name === 'string' ? (scenario as { name: string }).name : 'counterexample';
  const written = writeFailureFile({
    scenario,
    seed,
    failuresDir: options.failuresDir ?? 'failures',
    baseDir: options.baseDir ?? process.cwd(),
    name: options.name ?? scenarioName,
    comment: [
      `Counterexample found by netmachine's property kit after ${details.numRuns} runs and ${details.numShrinks} shrinks`,
      `(fast-check seed ${details.seed}, path "${details.counterexamplePath ?? ''}").`,
      `Broken: ${[...failedNames].join(', ')}`,
    ],
    builtinInvariants: builtins,
    ...(options.replayCheck !== undefined && { replayCheck: options.replayCheck }),
  });
  const message = [
    `property failed after ${details.numRuns} runs (${details.numShrinks} shrinks) with seed ${seed}:`,
    ...results.map((result) => result.message),
    '',
    `counterexample written to ${written.file}`,
    `replay: ${written.command}`,
  ].join('\n');
  throw new PropertyFailedError(message, { ...written, seed, scenario, results, numShrinks: details.numShrinks });
}

/** Alias of `checkProperty` that reads well inside `it(…)`. */
export const assertScenarioProperty = checkProperty;
