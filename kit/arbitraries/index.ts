// Arbitraries that generate scenario documents (one concept per file, each with its Constraints).
export { linkArbitrary } from './link.js';
export type { LinkConstraints } from './link.js';
export { topologyArbitrary, buildTopology, TOPOLOGY_FAMILIES } from './topology.js';
export type { TopologyConstraints, TopologyFamily } from './topology.js';
export { faultScheduleArbitrary, faultSpecsArbitrary, bindFaults, defaultQuietMs, FAULT_KINDS } from './faults.js';
export type { FaultConstraints, FaultScheduleConstraints, FaultKind, FaultSpec, BindOptions } from './faults.js';
export { workloadArbitrary, workloadSpecsArbitrary, bindWorkloads, WORKLOAD_KINDS } from './workload.js';
export type { WorkloadConstraints, WorkloadScenarioConstraints, WorkloadPlan, WorkloadKind, WorkloadSpec } from './workload.js';
export { scenarioArbitrary, scenarioSize } from './scenario.js';
export type { ScenarioConstraints, ClientConstraints } from './scenario.js';
