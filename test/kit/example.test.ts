// The example of docs/testing-kit.md ("An example test file"), verbatim: a user's property tests written
// against the published package. `netmachine` resolves to dist/ (built by `npm ci` via `prepare`).
import { describe, expect, it } from 'vitest';
import {
  atMostOnceDelivery,
  causalOrder,
  checkProperty,
  determinism,
  failed,
  held,
  noDeliveryAcrossPartition,
  scenarioArbitrary,
  simulate,
  type Invariant,
} from 'netmachine';

// A network of 2–5 nodes with jittery, slightly lossy links, partitions and crashes.
const scenarios = scenarioArbitrary({
  topology: { nodesMin: 2, nodesMax: 5, link: { latencyMsMax: 40, jitterMsMax: 10, lossProbabilityMax: 0.02 } },
  faults: { kinds: ['partition', 'crash', 'loss-burst'], faultsMax: 2 },
  workload: { kinds: ['unicast', 'publish'], messagesMax: 5 },
  durationMsMax: 2000,
});

// Your own invariant: any function over the trace.
const noEngineErrors: Invariant = function noEngineErrors(trace) {
  const errors = trace.events.filter((event) => event.kind === 'log' && event.reason === 'engine-error');
  return errors.length === 0 ? held('noEngineErrors', 'no engine threw') : failed('noEngineErrors', `${errors.length} engine errors`, errors.map((event) => `#${event.seq} ${event.node}/${event.engine}`), errors);
};

describe('my network', () => {
  it('never delivers twice, never across a partition, always in causal order', async () => {
    // On a counterexample this throws; the message ends with
    //   replay: netmachine run failures/generated-….yaml --seed N --report failures/generated-….html
    await checkProperty(scenarios, [atMostOnceDelivery, noDeliveryAcrossPartition, causalOrder, noEngineErrors], { numRuns: 20 });
  });

  it('is deterministic', async () => {
    const scenario = {
      name: 'two-nodes',
      duration: '1s',
      crypto: 'sim-keyed',
      topology: { nodes: ['a', 'b'], links: [{ between: ['a', 'b'], latency: '5ms' }] },
      workloads: [{ name: 'hello', from: ['a'], to: 'neighbors', rate: '10/s', count: 3 }],
    };
    expect((await determinism(scenario, 42)).isOk).toBe(true);
    const run = await simulate(scenario, { seed: 42 });
    expect(run.summary.delivered).toBe(3);
  });
});

describe('docs/testing-kit.md', () => {
  it('shows this file verbatim as its example', async () => {
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const docs = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'testing-kit.md'), 'utf8');
    const example = /```ts\n([\s\S]*?)```/.exec(docs)![1]!;
    const source = readFileSync(import.meta.filename, 'utf8');
    expect(source.slice(source.indexOf("import { describe"), source.indexOf("\ndescribe('docs/testing-kit.md'")).trim()).toBe(example.trim());
  });
});
