// Workloads: unicast senders to their neighbours' sinks and topic publishers with subscribers.
// The list shrinks toward one workload, each toward one message from the first node at time 0.
import fc from 'fast-check';
import { checkInteger, checkOrdered, KitError } from '../errors.js';
import { msText, type EngineDocument, type TopologyDocument, type WorkloadDocument } from '../document.js';

export type WorkloadKind = 'unicast' | 'publish';
export const WORKLOAD_KINDS: ReadonlyArray<WorkloadKind> = ['unicast', 'publish'];

export interface WorkloadConstraints {
  /** Kinds to draw from; shrinking prefers the first (default ['unicast']). */
  readonly kinds?: ReadonlyArray<WorkloadKind>;
  /** Fewest workloads (default 1). */
  readonly workloadsMin?: number;
  /** Most workloads (default 2). */
  readonly workloadsMax?: number;
  /** Most messages per workload (default 5). */
  readonly messagesMax?: number;
  /** Slowest and fastest rates (messages per second, defaults 1 and 20). */
  readonly ratePerSecondMin?: number;
  readonly ratePerSecondMax?: number;
  /** Largest message body (bytes, default 200). */
  readonly sizeBytesMax?: number;
}

/** What a workload is laid over. */
export interface WorkloadScenarioConstraints extends WorkloadConstraints {
  readonly topology: TopologyDocument;
  readonly durationMs: number;
}

/** The workload parts of a scenario. */
export interface WorkloadPlan {
  readonly workloads: ReadonlyArray<WorkloadDocument>;
  /** Subscriber engines for publish workloads. */
  readonly engines: ReadonlyArray<EngineDocument>;
}

export interface WorkloadSpec {
  readonly kind: WorkloadKind;
  readonly source: number;
  readonly count: number;
  readonly ratePerSecond: number;
  readonly startPermille: number;
  readonly sizeBytes: number;
  /** Bit i subscribes node i (publish workloads; the source always subscribes a local reader). */
  readonly subscribers: number;
}

/** Workloads not yet bound to a topology. */
export function workloadSpecsArbitrary(constraints: WorkloadConstraints = {}): fc.Arbitrary<WorkloadSpec[]> {
  const where = 'workloadArbitrary';
  const kinds = constraints.kinds ?? ['unicast'];
  const workloadsMin = constraints.workloadsMin ?? 1;
  const workloadsMax = constraints.workloadsMax ?? 2;
  const rateMin = constraints.ratePerSecondMin ?? 1;
  const rateMax = constraints.ratePerSecondMax ?? 20;
  checkInteger(where, 'workloadsMin', workloadsMin, 0, 1000);
  checkInteger(where, 'workloadsMax', workloadsMax, 0, 1000);
  checkOrdered(where, 'workloadsMin', workloadsMin, 'workloadsMax', workloadsMax);
  checkInteger(where, 'messagesMax', constraints.messagesMax ?? 5, 1, 1_000_000);
  checkInteger(where, 'ratePerSecondMin', rateMin, 1, 1_000_000);
  checkInteger(where, 'ratePerSecondMax', rateMax, 1, 1_000_000);
  checkOrdered(where, 'ratePerSecondMin', rateMin, 'ratePerSecondMax', rateMax);
  checkInteger(where, 'sizeBytesMax', constraints.sizeBytesMax ?? 200, 1, 1 << 20);
  if (kinds.length === 0) throw new KitError('kit/bad-constraints', `${where}: kinds must name at least one of ${WORKLOAD_KINDS.join(', ')}`);
  for (const kind of kinds) if (!WORKLOAD_KINDS.includes(kind)) throw new KitError('kit/bad-constraints', `${where}: unknown workload kind "${kind}"`);
  return fc.array(
    fc.record({
      kind: fc.constantFrom(...kinds),
      source: fc.nat(),
      count: fc.integer({ min: 1, max: constraints.messagesMax ?? 5 }),
      ratePerSecond: fc.integer({ min: rateMin, max: rateMax }),
      startPermille: fc.integer({ min: 0, max: 500 }),
      sizeBytes: fc.integer({ min: 1, max: constraints.sizeBytesMax ?? 200 }),
      subscribers: fc.nat(),
    }),
    { minLength: workloadsMin, maxLength: workloadsMax },
  );
}

/** Workloads (and the subscriber engines they need) over a topology. */
export function workloadArbitrary(constraints: WorkloadScenarioConstraints): fc.Arbitrary<WorkloadPlan> {
  checkInteger('workloadArbitrary', 'durationMs', constraints.durationMs, 1, 1e9);
  if (constraints.topology.nodes.length === 0) throw new KitError('kit/bad-constraints', 'workloadArbitrary: the topology has no nodes');
  return workloadSpecsArbitrary(constraints).map((specs) => bindWorkloads(specs, constraints.topology, constraints.durationMs));
}

/**
 * Names workloads `w1…`, topics `t1…`, subscriber engines `reader-t1…`. A publish workload also gets
 * `sink` engines on every node unless `hasSinks`: core's workload engine resolves its unicast
 * targets (neighbours' sinks) even in publish mode, so a publish-only scenario would not start.
 */
export function bindWorkloads(specs: ReadonlyArray<WorkloadSpec>, topology: TopologyDocument, durationMs: number, hasSinks = false): WorkloadPlan {
  const nodes = topology.nodes;
  const workloads: WorkloadDocument[] = [];
  const engines: EngineDocument[] = [];
  specs.forEach((spec, index) => {
    const name = `w${index + 1}`;
    const source = nodes[spec.source % nodes.length]!;
    const common = { name, from: [source], rate: `${spec.ratePerSecond}/s`, count: spec.count, size: spec.sizeBytes, start: msText(Math.floor((spec.startPermille * durationMs) / 1000)) };
    if (spec.kind === 'unicast') return void workloads.push({ ...common, to: 'neighbors' });
    const topic = `t${index + 1}`;
    const readers = [source, ...nodes.filter((node, i) => node !== source && ((spec.subscribers >> i) & 1) === 1)];
    workloads.push({ ...common, topic });
    engines.push({ on: readers, kind: 'subscriber', name: `reader-${topic}`, params: { topic } });
  });
  const isSinkNeeded = !hasSinks && specs.some((spec) => spec.kind === 'publish') && specs.every((spec) => spec.kind === 'publish');
  if (isSinkNeeded) engines.push({ on: 'all', kind: 'sink' });
  return { workloads, engines };
}
