// Whole scenarios: topology + workloads + faults + run length, composed without `chain` so every
// part shrinks on its own (faults and workloads refer to nodes by index, bound after shrinking).
import fc from 'fast-check';
import { checkInteger, checkOrdered } from '../errors.js';
import { msText, type EngineDocument, type ScenarioDocumentInput } from '../document.js';
import { faultSpecsArbitrary, bindFaults, type FaultConstraints } from './faults.js';
import { topologyArbitrary, type TopologyConstraints } from './topology.js';
import { workloadSpecsArbitrary, bindWorkloads, type WorkloadConstraints } from './workload.js';

export interface ScenarioConstraints {
  readonly topology?: TopologyConstraints;
  readonly faults?: FaultConstraints;
  readonly workload?: WorkloadConstraints;
  /** Shortest and longest run (ms, defaults 500 and 3000); shrinks toward the shortest. */
  readonly durationMsMin?: number;
  readonly durationMsMax?: number;
  /** Engines placed as given (built-in kinds or user modules), before the workload's. */
  readonly engines?: ReadonlyArray<EngineDocument>;
  /** Default `sim-keyed` (fast keyed tags with signature semantics); `ed25519` for real signatures. */
  readonly crypto?: 'ed25519' | 'sim-keyed';
  /** The scenario's `name:` (default `generated`). */
  readonly name?: string;
}

/** A scenario document the loader accepts, built from the constraints. */
export function scenarioArbitrary(constraints: ScenarioConstraints = {}): fc.Arbitrary<ScenarioDocumentInput> {
  const where = 'scenarioArbitrary';
  const durationMsMin = constraints.durationMsMin ?? 500;
  const durationMsMax = constraints.durationMsMax ?? 3000;
  checkInteger(where, 'durationMsMin', durationMsMin, 1, 1e9);
  checkInteger(where, 'durationMsMax', durationMsMax, 1, 1e9);
  checkOrdered(where, 'durationMsMin', durationMsMin, 'durationMsMax', durationMsMax);
  return fc
    .record({
      topology: topologyArbitrary(constraints.topology),
      workloads: workloadSpecsArbitrary(constraints.workload),
      faults: faultSpecsArbitrary(constraints.faults),
      durationMs: fc.integer({ min: durationMsMin, max: durationMsMax }),
    })
    .map(({ topology, workloads, faults, durationMs }) => {
      const hasSinks = (constraints.engines ?? []).some((engine) => (engine.name ?? engine.kind) === 'sink');
      const bound = bindWorkloads(workloads, topology, durationMs, hasSinks);
      return {
        name: constraints.name ?? 'generated',
        duration: msText(durationMs),
        crypto: constraints.crypto ?? 'sim-keyed',
        topology,
        engines: [...(constraints.engines ?? []), ...bound.engines],
        workloads: bound.workloads,
        events: bindFaults(faults, topology, durationMs, constraints.faults),
      };
    });
}

/** Nodes of a scenario document (for reports on shrinking). */
export function scenarioSize(scenario: ScenarioDocumentInput): { nodes: number; links: number; faults: number; workloads: number; durationMs: number } {
  return {
    nodes: scenario.topology.nodes.length,
    links: scenario.topology.links.length,
    faults: scenario.events.length,
    workloads: scenario.workloads.length,
    durationMs: Number.parseInt(scenario.duration, 10),
  };
}
