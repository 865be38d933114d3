// Loading scenario files: read (bounded), parse with positions, validate, check sizes, resolve to a
// NetworkPlan, check the plan. Schema and reference problems are reported together: entries that
// fail the schema are set aside and the rest is resolved, so one pass shows every problem.
import { open } from 'node:fs/promises';
import type { NetworkPlan } from '../core/index.js';
import { DEFAULT_SCENARIO_FILE, DEFAULT_SCENARIO_YAML } from './default.js';
import { engineModules, type ModuleMode } from './engine-modules.js';
import { checkModuleProblems } from './expect-module.js';
import { limitsWith, overLimit, type Limits } from './limits.js';
import { planProblems } from './plan-checks.js';
import { pruneInvalid } from './prune.js';
import { resolveScenario } from './resolve.js';
import { ScenarioSchema, type ExpectValue } from './schema.js';
import { sizeProblems } from './size-check.js';
import { InputError, parseLocated, schemaProblems, type Problem } from './yaml.js';

/** How a scenario is loaded. */
export interface LoadOptions {
  /** `import` (default) imports engine modules, which runs their code; `inspect` reads them without running (validate). */
  readonly modules?: ModuleMode;
  /** Module paths may leave the scenario's folder tree (`--allow-modules-outside`). */
  readonly isModuleOutsideAllowed?: boolean;
  /** Raised limits (`--limits`). */
  readonly limits?: Partial<Limits>;
  /** The run length when a flag overrides the scenario's (ms). */
  readonly durationMs?: number;
}

/** A resolved scenario: the plan every backend runs, and the expectations checked on its trace. */
export interface LoadedScenario {
  readonly file: string;
  readonly plan: NetworkPlan;
  readonly expect: ExpectValue | undefined;
  /** What could not be checked without running (only with `modules: 'inspect'`). */
  readonly notes: ReadonlyArray<string>;
}

/** Parses, validates and resolves scenario text (YAML or JSON); `file` names it in messages and locates modules. */
export async function loadScenarioFromText(text: string, file: string, options: LoadOptions = {}): Promise<LoadedScenario> {
  const limits = limitsWith(options.limits);
  const doc = parseLocated(text, file, limits);
  const parsed = ScenarioSchema.safeParse(doc.value);
  const problems: Problem[] = parsed.success ? [] : schemaProblems(doc, ScenarioSchema, parsed.error.issues, 'scenario/invalid');
  const rest = parsed.success ? { doc, scenario: parsed.data } : pruneInvalid(doc, ScenarioSchema, parsed.error.issues);
  if (rest === undefined) throw failure(problems);
  const sized = sizeProblems(rest.doc, rest.scenario, limits);
  if (sized.length > 0) throw failure([...problems, ...sized]);
  const modules = engineModules(options.modules ?? 'import', { isOutsideAllowed: options.isModuleOutsideAllowed === true });
  const resolution = await resolveScenario(rest.doc, rest.scenario, doc.value, modules);
  const durationMs = options.durationMs ?? resolution.plan.durationMs;
  const notes = [...modules.notes];
  const references = [
    ...resolution.problems,
    ...planProblems({ doc: rest.doc, scenario: rest.scenario, plan: resolution.plan, origins: resolution.origins, limits, durationMs }),
    ...(await checkModuleProblems(rest.doc, rest.scenario, options, notes)),
  ];
  // A complaint about a whole list ("no nodes") that only the set-aside entries would answer is not a second problem.
  const removed = 'removed' in rest ? rest.removed : [];
  problems.push(...references.filter((problem) => !removed.some((path) => path !== problem.path && path.startsWith(problem.path))));
  if (problems.length > 0) throw failure(problems);
  return { file, plan: resolution.plan, expect: rest.scenario.expect, notes };
}

/** Every problem, in file order. */
function failure(problems: ReadonlyArray<Problem>): InputError {
  const sorted = problems.map((problem, index) => ({ problem, index })).sort((a, b) => a.problem.line - b.problem.line || a.problem.column - b.problem.column || a.index - b.index);
  return new InputError(problems[0]?.code ?? 'scenario/invalid', sorted.map((entry) => entry.problem));
}

/** Parses and resolves scenario text to its plan. */
export async function loadScenarioText(text: string, file: string, options?: LoadOptions): Promise<NetworkPlan> {
  return (await loadScenarioFromText(text, file, options)).plan;
}

/** Reads, validates and resolves a scenario file with its expectations. */
export async function loadScenario(file: string, options: LoadOptions = {}): Promise<LoadedScenario> {
  return loadScenarioFromText(await readInputFile(file, limitsWith(options.limits), 'scenario'), file, options);
}

/**
 * Reads an input file (scenario, node config) as UTF-8: a regular file of at most `limits.fileBytes`,
 * checked before reading, so `/dev/zero` or a FIFO is refused instead of read forever.
 */
export async function readInputFile(file: string, limits: Limits, area: string): Promise<string> {
  const fail = (message: string, code: string): InputError => new InputError(code, [{ file, line: 1, column: 1, path: '', message, code }]);
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    throw fail(`cannot read the file: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, `${area}/unreadable`);
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw fail('not a regular file', `${area}/not-a-file`);
    if (stats.size > limits.fileBytes) throw fail(overLimit('fileBytes', 'the file size', stats.size, limits), 'input/too-large');
    // Read at most one byte past the limit: a file that grows while being read is still bounded.
    const buffer = Buffer.alloc(Math.min(stats.size, limits.fileBytes) + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    if (bytesRead > limits.fileBytes) throw fail(overLimit('fileBytes', 'the file size', bytesRead, limits), 'input/too-large');
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

/** Reads and resolves a scenario file to its plan. */
export async function loadScenarioFile(file: string, options?: LoadOptions): Promise<NetworkPlan> {
  return (await loadScenario(file, options)).plan;
}

/** The embedded default scenario. */
export async function loadDefaultScenario(): Promise<NetworkPlan> {
  return (await loadScenarioFromText(DEFAULT_SCENARIO_YAML, DEFAULT_SCENARIO_FILE)).plan;
}

/** The embedded default scenario with its expectations. */
export function loadDefault(options?: LoadOptions): Promise<LoadedScenario> {
  return loadScenarioFromText(DEFAULT_SCENARIO_YAML, DEFAULT_SCENARIO_FILE, options);
}

/** Engine and check modules a scenario document names (to ask before replaying a trace runs them). */
export function scenarioModules(value: unknown): Array<{ path: string; module: string }> {
  const found: Array<{ path: string; module: string }> = [];
  const document = value as { engines?: unknown; expect?: { check?: { module?: unknown } } } | null;
  if (Array.isArray(document?.engines)) {
    document.engines.forEach((engine: { module?: unknown } | null, index) => {
      if (typeof engine?.module === 'string') found.push({ path: `engines[${index}].module`, module: engine.module });
    });
  }
  const check = document?.expect?.check?.module;
  if (typeof check === 'string') found.push({ path: 'expect.check.module', module: check });
  return found;
}

/**
 * Re-resolves a scenario carried inline in a trace header (replay). Module paths resolve against
 * `file`'s folder, so pass the path the scenario was originally loaded from when it is known.
 */
export function loadScenarioValue(value: unknown, file: string, options?: LoadOptions): Promise<LoadedScenario> {
  let text: string;
  try {
    text = JSON.stringify(value);
  } catch {
    throw new InputError('scenario/invalid', [{ file, line: 1, column: 1, path: '', message: 'the scenario is not plain JSON data', code: 'scenario/invalid' }]);
  }
  return loadScenarioFromText(text, file, options);
}
