// Loading scenario files: read, parse with positions, validate, resolve to a NetworkPlan.
import { readFile } from 'node:fs/promises';
import type { NetworkPlan } from '../core/index.js';
import { DEFAULT_SCENARIO_FILE, DEFAULT_SCENARIO_YAML } from './default.js';
import { resolveScenario } from './resolve.js';
import { ScenarioSchema } from './schema.js';
import { InputError, parseLocated, validateLocated } from './yaml.js';

/** Parses and resolves scenario text (YAML or JSON) named `file` for messages and module paths. */
export async function loadScenarioText(text: string, file: string): Promise<NetworkPlan> {
  const doc = parseLocated(text, file);
  const scenario = validateLocated(doc, ScenarioSchema, 'scenario/invalid');
  return resolveScenario(doc, scenario, doc.value);
}

/** Reads and resolves a scenario file. */
export async function loadScenarioFile(file: string): Promise<NetworkPlan> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new InputError('scenario/unreadable', [{ file, line: 1, column: 1, path: '', message: `cannot read the file: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` }]);
  }
  return loadScenarioText(text, file);
}

/** The embedded default scenario. */
export function loadDefaultScenario(): Promise<NetworkPlan> {
  return loadScenarioText(DEFAULT_SCENARIO_YAML, DEFAULT_SCENARIO_FILE);
}

/**
 * Re-resolves a scenario carried inline in a trace header (replay). Module paths resolve against
 * `file`'s folder, so pass the path the scenario was originally loaded from when it is known.
 */
export function loadScenarioValue(value: unknown, file: string): Promise<NetworkPlan> {
  return loadScenarioText(JSON.stringify(value), file);
}
