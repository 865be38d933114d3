// Property-testing throughput: cases per second of the README's example property ("Property-based
// testing kit"; test/kit/example.test.ts runs it verbatim), with a fixed fast-check seed.
import { atMostOnceDelivery, causalOrder, checkProperty, failed, held, noDeliveryAcrossPartition, scenarioArbitrary, type Invariant } from '../kit/index.js';

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
