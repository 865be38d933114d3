// The public surface of the scenario language.
export { loadScenarioFile, loadScenarioText, loadDefaultScenario, loadScenarioValue, loadScenario, loadScenarioFromText, loadDefault } from './load.js';
export type { LoadedScenario } from './load.js';
export { checkExpectations, workloadDelivery, topicDelivery, partitionCrossings } from './expect.js';
export type { ExpectationResult, CustomCheck } from './expect.js';
export { generateEdges, isConnected, nodeName, generatorSize } from './generators.js';
export type { GeneratorSpec, Edge } from './generators.js';
export { describeTopology } from './topology.js';
export type { TopologyReport } from './topology.js';
export { DEFAULT_SCENARIO_YAML, DEFAULT_SCENARIO_FILE } from './default.js';
export { ScenarioSchema, scenarioJsonSchema } from './schema.js';
export type { ScenarioDocument, ExpectValue } from './schema.js';
export { InputError, formatProblem, parseYamlWithSchema, parseLocated, validateLocated } from './yaml.js';
export type { Problem, LocatedDocument } from './yaml.js';
export { parseDuration, parseBandwidth, parseProbability, parseSize } from './units.js';
export { selectNodes } from './selectors.js';
export { layerLink } from './link-fields.js';
export { BUILTIN_RTT_MATRICES } from './continents.js';
export { REGIONS_MAX } from './regions.js';
