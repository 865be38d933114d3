// Whole scenarios: topology + workloads + clients + faults + run length, composed without `chain`
// so every part shrinks on its own (faults and workloads refer to nodes by index, bound after
// shrinking). A generated run ends with a quiet phase: faults stop and are undone, client
// operations stop, and clients make their final reads.
import fc from 'fast-check';
import { checkInteger, checkOrdered, KitError } from '../errors.js';
import { msText, type EngineDocument, type ScenarioDocumentInput } from '../document.js';
import { faultSpecsArbitrary, bindFaults, type FaultConstraints } from './faults.js';
import { topologyArbitrary, type TopologyConstraints } from './topology.js';
import { workloadSpecsArbitrary, bindWorkloads, type WorkloadConstraints } from './workload.js';

/** Client engines that drive your engine and record a history (see `linearizableHistory`, `broadcastChecker`, `gCounterChecker`). */
export interface ClientConstraints {
  /** `lin-kv` (read / write / cas on keys), `broadcast` (broadcast / read) or `g-counter` (add / read). */
  readonly workload: 'lin-kv' | 'broadcast' | 'g-counter';
  /** Your server engine's name on each node; every node runs a client talking to its own node's server. */
  readonly engine: string;
  /** Most operations per client (default 10); shrinks toward 1. */
  readonly operationsMax?: number;
  /** Think time between operations (ms, default 50). */
  readonly intervalMs?: number;
  /** An operation without a reply after this long ends `info` (ms, default 500). */
  readonly timeoutMs?: number;
  /** `lin-kv` keys (default 2). */
  readonly keys?: number;
}

export interface ScenarioConstraints {
  readonly topology?: TopologyConstraints;
  readonly faults?: FaultConstraints;
  readonly workload?: WorkloadConstraints;
  readonly clients?: ClientConstraints;
  /** Shortest and longest run (ms, defaults 500 and 3000); shrinks toward the shortest. */
  readonly durationMsMin?: number;
  readonly durationMsMax?: number;
  /**
   * The quiet phase at the end of the run, as a share of it (default 0.25; 0 = none, faults may then
   * last to the end). "Eventually" properties — delivery, broadcast, convergence — need it.
   */
  readonly quietShare?: number;
  /** How often a live `ctx.buggify` site fires (0..1; default: buggify off). */
  readonly buggify?: number;
  /** Whose adverts each node starts with: `neighbors` (the default) or `all` (any node may message any other, over routed paths). */
  readonly knows?: 'neighbors' | 'all';
  /** The scenario's `connections:` settings as written (`{ idleTimeout: '300ms' }`). */
  readonly connections?: Readonly<Record<string, string>>;
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
  const quietShare = constraints.quietShare ?? 0.25;
  checkInteger(where, 'durationMsMin', durationMsMin, 1, 1e9);
  checkInteger(where, 'durationMsMax', durationMsMax, 1, 1e9);
  checkOrdered(where, 'durationMsMin', durationMsMin, 'durationMsMax', durationMsMax);
  if (constraints.buggify !== undefined && !(constraints.buggify >= 0 && constraints.buggify <= 1)) throw new KitError('kit/bad-constraints', `${where}: buggify must be a probability between 0 and 1, got ${constraints.buggify}`);
  if (!(quietShare >= 0 && quietShare < 1)) throw new KitError('kit/bad-constraints', `${where}: quietShare must be at least 0 and below 1, got ${quietShare}`);
  const operationsMax = constraints.clients?.operationsMax ?? 10;
  if (constraints.clients !== undefined) checkInteger(where, 'clients.operationsMax', operationsMax, 1, 1_000_000);
  return fc
    .record({
      topology: topologyArbitrary(constraints.topology),
      workloads: constraints.clients !== undefined && constraints.workload === undefined ? fc.constant([]) : workloadSpecsArbitrary(constraints.workload),
      faults: faultSpecsArbitrary({ faultMsMax: durationMsMax, ...constraints.faults }),
      operations: fc.integer({ min: 1, max: operationsMax }),
      durationMs: fc.integer({ min: durationMsMin, max: durationMsMax }),
    })
    .map(({ topology, workloads, faults, operations, durationMs }) => {
      const quietMs = Math.floor(durationMs * quietShare);
      const hasSinks = (constraints.engines ?? []).some((engine) => (engine.name ?? engine.kind) === 'sink');
      const bound = bindWorkloads(workloads, topology, durationMs, hasSinks);
      const engines = [...(constraints.engines ?? []), ...bound.engines, ...clientEngines(constraints.clients, operations, durationMs, quietMs)];
      return {
        name: constraints.name ?? 'generated',
        duration: msText(durationMs),
        crypto: constraints.crypto ?? 'sim-keyed',
        ...(constraints.buggify !== undefined && { buggify: constraints.buggify }),
        topology,
        ...(constraints.knows === 'all' && { knows: [{ on: 'all', peers: 'all' }] }),
        ...(constraints.connections !== undefined && { connections: constraints.connections }),
        engines,
        workloads: bound.workloads,
        events: bindFaults(faults, topology, durationMs, { ...constraints.faults, quietMs, engines }),
      };
    });
}

/** One `client` engine per node: operations until the quiet phase, a final read in its last third. */
function clientEngines(clients: ClientConstraints | undefined, operations: number, durationMs: number, quietMs: number): EngineDocument[] {
  if (clients === undefined) return [];
  const quietAtMs = durationMs - quietMs;
  const params = {
    workload: clients.workload,
    engine: clients.engine,
    count: operations,
    intervalMs: clients.intervalMs ?? 50,
    timeoutMs: clients.timeoutMs ?? 500,
    stopMs: quietAtMs,
    ...(quietMs > 0 && { finalReadMs: durationMs - Math.floor(quietMs / 3) }),
    ...(clients.workload === 'lin-kv' && { keys: clients.keys ?? 2 }),
  };
  return [{ on: 'all', kind: 'client', name: 'client', params: { ...params, local: true } }];
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
