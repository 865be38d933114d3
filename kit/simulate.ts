// The kit's `simulate`: a scenario document (object, or YAML/JSON text) → loader → simulator, in
// memory. Resolved scenarios are cached by their text, so shrinking re-runs skip the loader.
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { traceHeaderLine, traceLine, type TraceEvent } from '../core/index.js';
import { InputError, loadScenarioFromText, type LoadedScenario } from '../scenarios/index.js';
import { KitError } from './errors.js';
import { failed, held, registerBuiltin, type InvariantResult, type SimulatedTrace } from './invariants/index.js';
import { simulate as simulatePlan, type RunEnd } from '../sim/index.js';

export interface SimulateOptions {
  /** The seed (default: the scenario's `seed:`, else 1). */
  readonly seed?: number;
  /** Overrides the run length (ms). */
  readonly durationMs?: number;
  /** Folder that engine `module:` paths resolve against (default: the working directory). */
  readonly baseDir?: string;
}

/** A finished in-memory run. */
export interface SimulationRun extends SimulatedTrace {
  readonly end: RunEnd;
  readonly loaded: LoadedScenario;
}

const CACHE_ENTRIES_MAX = 256;
const cache = new Map<string, Promise<LoadedScenario>>();

/** Loads (or reuses) a scenario; engine `module:` paths resolve against `baseDir`. */
export function loadKitScenario(scenario: unknown, baseDir: string | undefined): Promise<LoadedScenario> {
  const text = typeof scenario === 'string' ? scenario : JSON.stringify(scenario);
  const file = join(resolve(baseDir ?? process.cwd()), 'generated-scenario.yaml');
  const key = `${file}\0${text}`;
  let loaded = cache.get(key);
  if (loaded === undefined) {
    if (cache.size >= CACHE_ENTRIES_MAX) cache.delete(cache.keys().next().value!);
    loaded = loadScenarioFromText(text, file).catch((error: unknown) => {
      throw relabel(error, typeof scenario === 'string');
    });
    loaded.catch(() => cache.delete(key));
    cache.set(key, loaded);
  }
  return loaded;
}

/**
 * The loader locates problems in `file`, a name the kit made up: point at the field instead
 * (`engines[0].module`), with line:column only for scenario text, where they mean something.
 */
function relabel(error: unknown, isText: boolean): unknown {
  if (!(error instanceof InputError)) return error;
  const lines = error.problems.map((problem) => {
    const where = isText ? `scenario text:${problem.line}:${problem.column}${problem.path === '' ? '' : ` ${problem.path}`}` : `scenario${problem.path === '' ? '' : ` ${problem.path}`}`;
    return `${where}: ${problem.message}`;
  });
  return new KitError('kit/bad-scenario', `the scenario given to the kit does not load:\n${lines.join('\n')}`, { problems: error.problems });
}

/** Runs a scenario document in the simulator and returns its trace, in memory (no files). */
export async function simulate(scenario: unknown, options: SimulateOptions = {}): Promise<SimulationRun> {
  const loaded = await loadKitScenario(scenario, options.baseDir);
  const seed = options.seed ?? loaded.plan.seed;
  const result = simulatePlan(loaded.plan, { seed, ...(options.durationMs !== undefined && { durationMs: options.durationMs }), isRecording: true });
  return { header: result.header, events: result.events, summary: result.summary, seed, scenario: loaded.plan.source, end: result.end, loaded };
}

/** SHA-256 of the trace as written (header line + event lines). */
export function traceHash(trace: Pick<SimulatedTrace, 'header' | 'events'>): string {
  const hash = createHash('sha256').update(traceHeaderLine(trace.header)).update('\n');
  for (const event of trace.events) hash.update(traceLine(event)).update('\n');
  return hash.digest('hex');
}

/** Same scenario and seed ⇒ same trace hash; on a mismatch names the first differing event. */
export async function determinism(scenario: unknown, seed: number, options: Omit<SimulateOptions, 'seed'> = {}): Promise<InvariantResult> {
  const name = 'determinism';
  const first = await simulate(scenario, { ...options, seed });
  const second = simulatePlan(first.loaded.plan, { seed, ...(options.durationMs !== undefined && { durationMs: options.durationMs }), isRecording: true });
  const [a, b] = [traceHash(first), traceHash(second)];
  if (a === b) return held(name, `two runs with seed ${seed} gave the same trace (sha256 ${a.slice(0, 16)}…)`);
  const index = firstDifference(first.events, second.events);
  const line = (event: TraceEvent | undefined): string => (event === undefined ? '(none)' : traceLine(event));
  return failed(name, `two runs with seed ${seed} differ (sha256 ${a.slice(0, 16)}… vs ${b.slice(0, 16)}…)`, [`first difference at event ${index}:`, `run 1: ${line(first.events[index])}`, `run 2: ${line(second.events[index])}`], [first.events[index], second.events[index]].filter((event): event is TraceEvent => event !== undefined));
}

/** The invariant form of `determinism` (re-runs the trace's scenario and seed). */
export function deterministicReplay(trace: SimulatedTrace): Promise<InvariantResult> {
  const file = trace.header.scenarioFile;
  return determinism(trace.scenario, trace.seed, file === undefined ? {} : { baseDir: join(file, '..') });
}

registerBuiltin('deterministicReplay', deterministicReplay, false);

function firstDifference(a: ReadonlyArray<TraceEvent>, b: ReadonlyArray<TraceEvent>): number {
  const length = Math.max(a.length, b.length);
  for (let i = 0; i < length; i++) if (a[i] === undefined || b[i] === undefined || traceLine(a[i]!) !== traceLine(b[i]!)) return i;
  return length;
}
