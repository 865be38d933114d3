// Loading scenario files: read, parse with positions, validate, resolve to a NetworkPlan.
import { readFile } from 'node:fs/promises';
import type { NetworkPlan } from '../core/index.js';
import { DEFAULT_SCENARIO_FILE, DEFAULT_SCENARIO_YAML } from './default.js';
import { resolveScenario } from './resolve.js';
import { ScenarioSchema, type ExpectValue } from './schema.js';
import { InputError, parseLocated, validateLocated } from './yaml.js';

/** A resolved scenario: the plan every backend runs, and the expectations checked on its trace. */
export interface LoadedScenario {
  readonly file: string;
  readonly plan: NetworkPlan;
  readonly expect: ExpectValue | undefined;
}

/** Parses, validates and resolves scenario text (YAML or JSON); `file` names it in messages and locates modules. */
export async function loadScenarioFromText(text: string, file: string): Promise<LoadedScenario> {
  const doc = parseLocated(text, file);
  const scenario = validateLocated(doc, ScenarioSchema, 'scenario/invalid');
  return { file, plan: await resolveScenario(doc, scenario, doc.value), expect: scenario.expect };
}

/** Parses and resolves scenario text to its plan. */
export async function loadScenarioText(text: string, file: string): Promise<NetworkPlan> {
  return (await loadScenarioFromText(text, file)).plan;
}

/** Reads, validates and resolves a scenario file with its expectations. */
export async function loadScenario(file: string): Promise<LoadedScenario> {
  return loadScenarioFromText(await readScenarioFile(file), file);
}

async function readScenarioFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new InputError('scenario/unreadable', [{ file, line: 1, column: 1, path: '', message: `cannot read the file: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` }]);
  }
}

/** Reads and resolves a scenario file to its plan. */
export async function loadScenarioFile(file: string): Promise<NetworkPlan> {
  return (await loadScenario(file)).plan;
}

/** The embedded default scenario. */
export async function loadDefaultScenario(): Promise<NetworkPlan> {
  return (await loadScenarioFromText(DEFAULT_SCENARIO_YAML, DEFAULT_SCENARIO_FILE)).plan;
}

/** The embedded default scenario with its expectations. */
export function loadDefault(): Promise<LoadedScenario> {
  return loadScenarioFromText(DEFAULT_SCENARIO_YAML, DEFAULT_SCENARIO_FILE);
}

/**
 * Re-resolves a scenario carried inline in a trace header (replay). Module paths resolve against
 * `file`'s folder, so pass the path the scenario was originally loaded from when it is known.
 */
export function loadScenarioValue(value: unknown, file: string): Promise<LoadedScenario> {
  return loadScenarioFromText(JSON.stringify(value), file);
}
