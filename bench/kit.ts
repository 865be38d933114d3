// Property-testing throughput: cases per second of the README's example property ("Property-based
// testing kit"; test/kit/example.test.ts runs it verbatim), with a fixed fast-check seed; and the
// linearizability checker's speed on generated histories.
import { atMostOnceDelivery, causalOrder, checkLinearizable, checkProperty, failed, held, keyValueModel, noDeliveryAcrossPartition, operationsOf, registerModel, scenarioArbitrary, type HistoryEvent, type Invariant } from '../kit/index.js';

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
