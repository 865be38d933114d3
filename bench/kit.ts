// Property-testing throughput: cases per second of the example property of docs/testing-kit.md
// (test/kit/example.test.ts runs it verbatim), with a fixed fast-check seed; and the
// linearizability checker's speed on generated histories.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { atMostOnceDelivery, causalOrder, checkLinearizable, explore, gCounterChecker, checkProperty, failed, held, keyValueModel, noDeliveryAcrossPartition, operationsOf, PropertyFailedError, registerModel, scenarioArbitrary, scenarioSize, type HistoryEvent, type Invariant, type ScenarioDocumentInput } from '../kit/index.js';

export interface KitBenchRow {
  readonly property: string;
  readonly cases: number;
  readonly wallSeconds: number;
  readonly casesPerSecond: number;
}

const scenarios = scenarioArbitrary({
  topology: { nodesMin: 2, nodesMax: 5, link: { latencyMsMax: 40, jitterMsMax: 10, lossProbabilityMax: 0.02 } },
  faults: { kinds: ['partition', 'crash', 'loss-burst'], faultsMax: 2 },
  workload: { kinds: ['unicast', 'publish'], messagesMax: 5 },
  durationMsMax: 2000,
});

const noEngineErrors: Invariant = function noEngineErrors(trace) {
  const errors = trace.events.filter((event) => event.kind === 'log' && event.reason === 'engine-error');
  return errors.length === 0 ? held('noEngineErrors', 'no engine threw') : failed('noEngineErrors', `${errors.length} engine errors`, errors.map((event) => `#${event.seq} ${event.node}/${event.engine}`), errors);
};

export async function benchKit(cases = 200): Promise<KitBenchRow[]> {
  const start = performance.now();
  const report = await checkProperty(scenarios, [atMostOnceDelivery, noDeliveryAcrossPartition, causalOrder, noEngineErrors], { numRuns: cases, seed: 1 });
  const wallSeconds = (performance.now() - start) / 1000;
  return [{ property: 'README example (2–5 nodes, partitions, crashes; 4 invariants)', cases: report.numRuns, wallSeconds, casesPerSecond: report.numRuns / wallSeconds }];
}

export interface LinearizabilityBenchRow {
  readonly model: string;
  readonly operations: number;
  readonly history: string;
  readonly verdict: string;
  readonly steps: number;
  readonly ms: number;
}

/** The checker on generated register histories of 100, 1,000 and 10,000 operations (5 clients, 2% info). */
export function benchLinearizability(): LinearizabilityBenchRow[] {
  const rows: LinearizabilityBenchRow[] = [];
  for (const [name, model, keys] of [['register', registerModel(), 1], ['key-value (10 keys)', keyValueModel(), 10]] as const) {
    for (const count of [100, 1000, 10_000]) {
      for (const isStale of [false, true]) {
        const history = operationsOf(registerHistory(count, keys, isStale, count + keys));
        const start = performance.now();
        const result = checkLinearizable(history, model, { stepsMax: 2_000_000 });
        rows.push({ model: name, operations: count, history: isStale ? 'one stale read' : 'linearizable', verdict: result.verdict, steps: result.steps, ms: performance.now() - start });
      }
    }
  }
  return rows;
}

/**
 * A history of a correct register: 5 processes, each operation lasting 1–10 ms and taking effect at
 * a random point inside that span; 2% end `info`. `isStale` turns the last read into a stale one.
 */
export function registerHistory(count: number, keys: number, isStale: boolean, seed: number): HistoryEvent[] {
  let state = seed >>> 0;
  const random = (): number => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const processes = 5;
  const clock = new Array<number>(processes).fill(0);
  const planned: Array<{ process: number; f: string; key: string; input: unknown; invoke: number; complete: number; at: number; isInfo: boolean; output?: unknown }> = [];
  for (let i = 0; i < count; i++) {
    const process = i % processes;
    const invoke = clock[process]! + random() * 2;
    const complete = invoke + 1 + random() * 9;
    clock[process] = complete;
    const draw = random();
    const f = draw < 0.5 ? 'read' : draw < 0.9 ? 'write' : 'cas';
    const input = f === 'write' ? Math.floor(random() * 5) : f === 'cas' ? [Math.floor(random() * 5), Math.floor(random() * 5)] : undefined;
    planned.push({ process, f, key: `k${Math.floor(random() * keys)}`, input, invoke, complete, at: invoke + random() * (complete - invoke), isInfo: random() < 0.02 });
  }
  const values = new Map<string, unknown>();
  for (const op of [...planned].sort((a, b) => a.at - b.at)) {
    const value = values.get(op.key) ?? null;
    if (op.f === 'read') op.output = value;
    else if (op.f === 'write') values.set(op.key, op.input);
    else {
      const [from, to] = op.input as [number, number];
      op.output = from === value;
      if (from === value) values.set(op.key, to);
    }
  }
  if (isStale) {
    const last = [...planned].reverse().find((op) => op.f === 'read' && !op.isInfo)!;
    last.output = (last.output as number | null) === null ? 99 : (last.output as number) + 100;
  }
  const events: HistoryEvent[] = [];
  for (const op of planned) {
    const process = `p${op.process}`;
    events.push({ t: op.invoke, process, type: 'invoke', f: op.f, key: op.key, ...(op.input !== undefined && { value: op.input }) });
    events.push({ t: op.complete, process, type: op.isInfo ? 'info' : 'ok', f: op.f, key: op.key, ...(op.output !== undefined && !op.isInfo && { value: op.output }) });
  }
  return events.sort((a, b) => a.t - b.t);
}

export interface PlantedBugBenchRow {
  readonly bug: string;
  readonly kit: string;
  readonly found: string;
  readonly runsToFailureMedian: number;
  readonly runsToFailureMax: number;
  readonly nodes: string;
  readonly faultEvents: string;
  readonly operationsPerClient: string;
  readonly durationMs: string;
  readonly secondsPerHunt: number;
}

/**
 * The three planted-bug engines of test/kit/engines hunted with fast-check seeds 1..`hunts`: "kit"
 * is the full kit, and "no swarm, no document shrinking" the same property with those two off.
 */
export async function benchPlantedBugs(hunts = 5): Promise<PlantedBugBenchRow[]> {
  const { PLANTED_BUGS, plantedArbitrary } = await import('../test/kit/engines/planted.js');
  const rows: PlantedBugBenchRow[] = [];
  for (const bug of PLANTED_BUGS) {
    for (const isAblated of [true, false]) {
      const outcomes: Array<{ runs: number; nodes: number; faults: number; operations: number; durationMs: number }> = [];
      const start = performance.now();
      for (let seed = 1; seed <= hunts; seed++) {
        try {
          await checkProperty(plantedArbitrary(bug, false, !isAblated), [bug.invariant], { numRuns: 1000, seed, failuresDir: join(tmpdir(), 'netmachine-bench-failures'), report: false, isDocumentShrunk: !isAblated });
        } catch (error) {
          if (!(error instanceof PropertyFailedError)) throw error;
          const scenario = error.failure.scenario as ScenarioDocumentInput;
          const size = scenarioSize(scenario);
          const client = scenario.engines.find((engine) => engine.kind === 'client');
          outcomes.push({ runs: error.failure.numRuns, nodes: size.nodes, faults: size.faults, operations: Number(client?.params?.['count'] ?? 0), durationMs: size.durationMs });
        }
      }
      const range = (values: number[]): string => (values.length === 0 ? '-' : Math.min(...values) === Math.max(...values) ? String(values[0]) : `${Math.min(...values)}–${Math.max(...values)}`);
      const runs = outcomes.map((outcome) => outcome.runs).sort((a, b) => a - b);
      rows.push({
        bug: bug.bug,
        kit: isAblated ? 'no swarm, no document shrinking' : 'kit',
        found: `${outcomes.length}/${hunts}`,
        runsToFailureMedian: runs[Math.floor(runs.length / 2)] ?? NaN,
        runsToFailureMax: runs.at(-1) ?? NaN,
        nodes: range(outcomes.map((outcome) => outcome.nodes)),
        faultEvents: range(outcomes.map((outcome) => outcome.faults)),
        operationsPerClient: range(outcomes.map((outcome) => outcome.operations)),
        durationMs: range(outcomes.map((outcome) => outcome.durationMs)),
        secondsPerHunt: (performance.now() - start) / 1000 / hunts,
      });
    }
  }
  return rows;
}

export interface ExploreBenchRow {
  readonly engine: string;
  readonly decisions: number;
  readonly verdict: string;
  readonly runs: number;
  readonly states: number;
  readonly seconds: number;
  readonly deviations: string;
}

/** Exhaustive exploration of the 3-node de-duplicating counter (crash points: 1, restart after 100 ms). */
export async function benchExplore(): Promise<ExploreBenchRow[]> {
  const { counterCase } = await import('../test/kit/engines/planted.js');
  const rows: ExploreBenchRow[] = [];
  for (const [isFixed, decisionsMax] of [[false, 24], [true, 8], [true, 12]] as const) {
    const result = await explore(counterCase(isFixed), [gCounterChecker], { crashesMax: 1, restartAfterMs: 100, decisionsMax, runsMax: 20_000, timeMs: 300_000, failuresDir: join(tmpdir(), 'netmachine-bench-failures') });
    rows.push({ engine: isFixed ? 'fixed counter' : 'counter reset by a restart', decisions: decisionsMax, verdict: result.verdict, runs: result.runs, states: result.states, seconds: result.seconds, deviations: result.deviations === undefined ? '-' : String(result.deviations) });
  }
  return rows;
}
