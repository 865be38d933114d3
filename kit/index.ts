// The public library of the netmachine package (`import { … } from 'netmachine'`): run scenarios in
// the simulator from code, generate scenarios with fast-check, check invariants over their traces,
// shrink a failure to a scenario file that replays, and write engines (the Engine API types).

// Running scenarios in memory.
// `simulate(scenario, options)` is one run of a scenario (an object, or YAML/JSON text).
export { simulate, determinism, deterministicReplay, traceHash, loadKitScenario } from './simulate.js';
export type { SimulateOptions, SimulationRun } from './simulate.js';

// Property-based testing: generated scenarios, invariants, counterexample files.
export { checkProperty, assertScenarioProperty, PropertyFailedError } from './property.js';
export type { CheckPropertyOptions, PropertyReport, PropertyFailure } from './property.js';
export { formatCoverage, faultKindOf, CoverageCounter } from './coverage.js';
export type { Coverage } from './coverage.js';
export { shrinkDocument, documentSize } from './shrink.js';
export { explore } from './explore.js';
export type { ExploreOptions, ExploreResult } from './explore.js';
export { runScenarioSeed, violationKey, groupFailures, shardSeeds, mergeShards, scenarioHashOf, shrinkSeed } from './sweep.js';
export type { SeedVerdict, FailureGroup, SweepRecord, ShrunkGroup } from './sweep.js';
export type { ShrinkOptions, ShrinkResult } from './shrink.js';
export { writeFailureFile } from './failure-file.js';
export type { FailureFile, FailureFileInput, ReplayCheck } from './failure-file.js';
export * from './arbitraries/index.js';
export * from './invariants/index.js';
export * from './history/index.js';
export { KitError } from './errors.js';
export type { ScenarioDocumentInput, TopologyDocument, LinkDocument, LinkFieldsDocument, EngineDocument, WorkloadDocument, EventDocument } from './document.js';

// Writing engines: a module named by a scenario's `module:` exports an `EngineFactory`.
export type {
  Engine,
  EngineFactory,
  EngineEnv,
  EngineAddress,
  EngineInput,
  EngineContext,
  SendOptions,
  Notice,
  LogData,
  TopicOp,
  TopicResult,
  TopicOptions,
  RelayPolicy,
  Destination,
  EngineMessage,
  RoutingScope,
  TransportPrefs,
  Id,
  IdKind,
  KeyPair,
  Rng,
  TimerId,
  Result,
  NodeRecord,
  NodeRecordPatch,
  IdentityUpdate,
  Advert,
  NodeAdvert,
  TopicAdvert,
  DomainAdvert,
} from '../core/index.js';
// Helpers engines use: JSON and UTF-8 bodies, hex, printable ids, `Result` values, the error base class.
export { jsonBody, utf8, fromUtf8, toHex, fromHex, formatId, shortId, parseId, ok, err, NetmachineError } from '../core/index.js';

// Traces (what `simulate` returns and invariants read; one JSON object per line in trace files).
export type { TraceEvent, TraceHeader, TraceKind, TraceBackend, TraceSummary } from '../core/index.js';
export { summarizeTrace, traceLine, traceHeaderLine } from '../core/index.js';
