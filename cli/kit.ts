// The public API of the netmachine package (`import { … } from 'netmachine'`): the property-based
// testing kit. Arbitraries and invariants live in scenarios/testing (core + scenarios only); this
// module adds what needs the simulator: `simulate`, `determinism` and `checkProperty`.
export * from '../scenarios/testing/index.js';
export { simulate, determinism, deterministicReplay, traceHash, loadKitScenario } from './kit-simulate.js';
export type { SimulateOptions, SimulationRun } from './kit-simulate.js';
export { checkProperty, assertScenarioProperty, PropertyFailedError } from './kit-property.js';
export type { CheckPropertyOptions, PropertyReport } from './kit-property.js';
export { writeFailureFile } from './kit-failure.js';
export type { FailureFile, FailureFileInput, ReplayCheck } from './kit-failure.js';
export { checkBuiltinInvariants } from './kit-replay.js';
export type { TraceEvent, TraceHeader, TraceSummary, EngineFactory, Engine, EngineInput, EngineContext } from '../core/index.js';
