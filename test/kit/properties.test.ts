// netmachine's own properties, checked with the kit over generated scenarios (sim-keyed crypto).
import { join } from 'node:path';
import { describe, it } from 'vitest';
import {
  allDeliveredWhenLossFree,
  atMostOnceDelivery,
  causalOrder,
  checkProperty,
  deterministicReplay,
  noDeliveryAcrossPartition,
  noDeliveryWithoutValidSignature,
  pubsubSubscribersReceiveAll,
  pubsubSubscribersReceiveAllWith,
  scenarioArbitrary,
} from '../../kit/index.js';

const failuresDir = join(import.meta.dirname, '..', '.output', 'kit-failures', 'properties');
const options = { failuresDir, seed: 1 };

describe('simulator properties (kit)', () => {
  it('determinism: same scenario and seed give the same trace hash', async () => {
    const scenarios = scenarioArbitrary({
      topology: { nodesMax: 5, link: { jitterMsMax: 20, lossProbabilityMax: 0.2, duplicateProbabilityMax: 0.2 } },
      workload: { kinds: ['unicast', 'publish'] },
      name: 'determinism',
    });
    await checkProperty(scenarios, [deterministicReplay], { ...options, numRuns: 40 });
  });

  it('partition safety: no frame crosses an active partition', async () => {
    const scenarios = scenarioArbitrary({
      topology: { nodesMin: 2, nodesMax: 6, link: { latencyMsMax: 80, jitterMsMax: 30 } },
      faults: { kinds: ['partition', 'crash', 'link-down'], faultsMax: 4 },
      workload: { workloadsMax: 3, messagesMax: 10, ratePerSecondMin: 5, ratePerSecondMax: 50 },
      name: 'partition-safety',
    });
    await checkProperty(scenarios, [noDeliveryAcrossPartition, noDeliveryWithoutValidSignature], { ...options, numRuns: 80 });
  });

  it('at-most-once delivery per (message, engine), also over duplicating, lossy, faulty links', async () => {
    const scenarios = scenarioArbitrary({
      topology: { nodesMax: 5, link: { jitterMsMax: 30, lossProbabilityMax: 0.3, duplicateProbabilityMax: 0.5 } },
      faults: { faultsMax: 3 },
      workload: { kinds: ['unicast', 'publish'], messagesMax: 8 },
      name: 'at-most-once',
    });
    await checkProperty(scenarios, [atMostOnceDelivery, causalOrder, noDeliveryWithoutValidSignature], { ...options, numRuns: 80 });
  });

  it('exactly once: loss-free, fault-free runs deliver every unicast message once, even with duplication', async () => {
    const scenarios = scenarioArbitrary({
      topology: { nodesMax: 6, link: { jitterMsMax: 20, duplicateProbabilityMax: 0.5 } },
      faults: { faultsMax: 0 },
      workload: { workloadsMax: 3, messagesMax: 8 },
      name: 'exactly-once',
    });
    await checkProperty(scenarios, [allDeliveredWhenLossFree, atMostOnceDelivery], { ...options, numRuns: 80 });
  });

  it('pub/sub: subscribers on the publisher node receive every later event once, in order (local pub/sub)', async () => {
    const scenarios = scenarioArbitrary({
      topology: { nodesMax: 4 },
      faults: { kinds: ['crash', 'partition', 'clock-skew'], faultsMax: 2 },
      workload: { kinds: ['publish'], workloadsMax: 3, messagesMax: 8 },
      name: 'pubsub-local',
    });
    await checkProperty(scenarios, [pubsubSubscribersReceiveAllWith({ scope: 'node' }), atMostOnceDelivery, causalOrder], { ...options, numRuns: 80 });
  });

  it('pub/sub across nodes (pubsub engine): every subscriber receives every event published while it is connected, once, in order', async () => {
    const scenarios = scenarioArbitrary({
      topology: { nodesMax: 6, link: { jitterMsMax: 5, lossProbabilityMax: 0.02 } },
      // Not yet 'crash': generated runs end too soon after a crash for the tree to settle; crash and
      // restart of publishers and subscribers are covered by test/engines/pubsub-restart.test.ts.
      faults: { kinds: ['partition', 'link-down', 'loss-burst'], faultsMax: 2 },
      workload: { workloadsMin: 0, workloadsMax: 0 },
      durationMsMin: 3000,
      durationMsMax: 5000,
      engines: [
        { on: 'all', kind: 'pubsub' },
        { on: 'n1', kind: 'publisher', params: { topic: 'news', intervalMs: 100, count: 20 } },
        { on: 'all', kind: 'subscriber', name: 'reader', params: { topic: 'news' } },
      ],
      name: 'pubsub-network',
    });
    await checkProperty(scenarios, [pubsubSubscribersReceiveAll, atMostOnceDelivery, causalOrder], { ...options, numRuns: 60 });
  });
});
