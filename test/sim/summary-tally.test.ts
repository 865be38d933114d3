// A run that keeps no trace and has no listener builds no record for its hot events: the nodes
// tally them into the summary (ports.ts `TraceSink.tally`). That summary must be the one the full
// trace gives.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../scenarios/index.js';
import { simulate } from '../../sim/index.js';

const root = join(import.meta.dirname, '..', '..');
// The examples whose summaries read most fields: rtt logs, drops by reason, crashes and restarts,
// partitions, topic sends, connection events, storage faults (a second or two each).
const examples = ['clock-skew', 'crash-restart', 'partition-heal', 'pubsub-star', 'pubsub-local', 'lossy-bandwidth', 'overlay-connections', 'storage-replication', 'domain-allow-list'].map((name) => `${name}.yaml`);

describe('the tallied summary of a run without a trace', () => {
  it('equals the summary of the recorded trace, for examples of every kind', async () => {
    for (const name of examples) {
      const { plan } = await loadScenario(join(root, 'scenarios', 'examples', name));
      const recorded = simulate(plan);
      const tallied = simulate(plan, { isRecording: false });
      expect(tallied.events, name).toHaveLength(0);
      expect(recorded.summary.events, name).toBeGreaterThan(0);
      expect(tallied.summary, name).toEqual(recorded.summary);
      const count = (kind: string): number => recorded.events.filter((event) => event.kind === kind).length;
      expect([tallied.summary.events, tallied.summary.sent, tallied.summary.transmitted, tallied.summary.delivered], name).toEqual([recorded.events.length, count('send'), count('transmit'), count('deliver')]);
      expect(tallied.summary.endMs, name).toBe(Math.max(...recorded.events.map((event) => event.t)));
    }
  }, 300_000);
});
