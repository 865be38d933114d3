// Three engines with planted bugs (nodes detect a silent peer after 200 ms, so repairs fit in the
// quiet phase) and the properties that hunt them with the kit (the testing-kit
// guide measures them; test/kit/planted-bugs.test.ts checks that each is found and each fix passes).
import { join } from 'node:path';
import { broadcastChecker, gCounterChecker, scenarioArbitrary, type FaultKind, type Invariant, type ScenarioConstraints } from '../../../kit/index.js';

export interface PlantedBug {
  readonly name: string;
  readonly bug: string;
  readonly invariant: Invariant;
  /** Generated scenarios running the engine (fixed or not); `isSwarm: false` for the ablation. */
  constraints(isFixed: boolean, isSwarm?: boolean): ScenarioConstraints;
}

const here = import.meta.dirname;
const common = { topology: { nodesMin: 2, nodesMax: 5, extraLinksMax: 2, link: { latencyMsMax: 20, jitterMsMax: 5 } }, durationMsMin: 1500, durationMsMax: 4000, crypto: 'sim-keyed' as const, knows: 'all' as const, connections: { idleTimeout: '200ms', backoffMin: '50ms', backoffMax: '200ms' } };

/** One engine (kind = file name) on every node, persistent, with a client workload and fault kinds. */
function hunt(kind: string, workload: 'g-counter' | 'broadcast', kinds: FaultKind[]): PlantedBug['constraints'] {
  return (isFixed, isSwarm = true) => ({
    ...common,
    name: `${kind}-${isFixed ? 'fixed' : 'broken'}`,
    faults: { kinds, faultsMax: 3, isSwarm },
    clients: { workload, engine: kind, operationsMax: 15, intervalMs: 40, timeoutMs: 300 },
    engines: [{ on: 'all', kind, module: join(here, `${kind}.ts`), persistent: true, params: { isFixed } }],
  });
}

export const PLANTED_BUGS: ReadonlyArray<PlantedBug> = [
  { name: 'dedupe-reset', bug: 'a de-duplication counter reset by a restart', invariant: gCounterChecker, constraints: hunt('counter', 'g-counter', ['crash', 'loss-burst', 'partition', 'link-down']) },
  { name: 'commit-not-retried', bug: 'a COMMIT never retried', invariant: gCounterChecker, constraints: hunt('replicated', 'g-counter', ['loss-burst', 'partition', 'link-down', 'crash']) },
  { name: 'gap-on-rejoin', bug: 'a gap repaired only on re-join', invariant: broadcastChecker, constraints: hunt('gossip', 'broadcast', ['loss-burst', 'partition', 'link-down', 'crash']) },
];

export const plantedArbitrary = (bug: PlantedBug, isFixed: boolean, isSwarm = true) => scenarioArbitrary(bug.constraints(isFixed, isSwarm));

/** The de-duplicating counter on 3 nodes in a line, 3 adds or reads per client: the exhaustive explorer's case. */
export const counterCase = (isFixed: boolean) => ({
  name: `counter-${isFixed ? 'fixed' : 'broken'}`,
  duration: '1500ms',
  crypto: 'sim-keyed',
  topology: { nodes: ['n1', 'n2', 'n3'], links: [{ between: ['n1', 'n2'], latency: '5ms' }, { between: ['n2', 'n3'], latency: '5ms' }] },
  knows: [{ on: 'all', peers: 'all' }],
  connections: { idleTimeout: '200ms', backoffMin: '50ms', backoffMax: '200ms' },
  engines: [
    { on: 'all', kind: 'counter', module: join(here, 'counter.ts'), persistent: true, params: { isFixed } },
    { on: 'all', kind: 'client', params: { workload: 'g-counter', engine: 'counter', local: true, count: 3, intervalMs: 100, timeoutMs: 300, stopMs: 1000, finalReadMs: 1300 } },
  ],
});
