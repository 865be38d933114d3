// The public surface of the scenario language.
export { loadScenarioFile, loadScenarioText, loadDefaultScenario, loadScenarioValue } from './load.js';
export { DEFAULT_SCENARIO_YAML, DEFAULT_SCENARIO_FILE } from './default.js';
export { ScenarioSchema, scenarioJsonSchema } from './schema.js';
export type { ScenarioDocument } from './schema.js';
export { InputError, formatProblem, parseYamlWithSchema, parseLocated, validateLocated } from './yaml.js';
export type { Problem, LocatedDocument } from './yaml.js';
export { parseDuration, parseBandwidth, parseProbability, parseSize } from './units.js';
export { selectNodes } from './selectors.js';
export { layerLink } from './resolve.js';
