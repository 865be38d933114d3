// A domain on real nodes: 20 processes on loopback over TLS (`deploy`, one process per node). boot
// owns domain "city"; s1 and m1…m17 join it through boot alone and run HyParView (the topology
// engine) over it, so their overlay grows beyond the bootstrap node; c, no member, makes external
// requests that the serving member s1 answers. The same checks hold in the simulator. Timeouts and
// the run's length leave room for a loaded machine, where a process's first TLS handshake can take
// over a second.
import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../core/index.js';
import { loadScenarioText } from '../../scenarios/index.js';
import { simulate } from '../../sim/index.js';
import { deployPlan } from '../../transports/index.js';

const MEMBERS = ['s1', ...Array.from({ length: 17 }, (_, i) => `m${i + 1}`)];

const SCENARIO = `name: domain-deploy
seed: 8
duration: 12s
defaults: { link: { latency: 5ms } }
topology:
  nodes: [boot, s1, c]
  links: [[boot, s1], [boot, c], [s1, c]]
  generate:
    - { kind: attach, nodes: 17, to: boot, name: "m{i}" }
knows:
  - { on: all, peers: all }
engines:
  - { on: boot, kind: domain, params: { domain: city, owner: { policy: open, serving: [s1] } } }
  - { on: s1, kind: echo }
  - { on: s1, kind: domain, params: { domain: city, join: true, contacts: [boot], joinDelayMs: 1000, joinTimeoutMs: 4000, service: echo } }
  - { on: "m*", kind: domain, params: { domain: city, join: true, contacts: [boot], joinDelayMs: 1000, joinTimeoutMs: 4000 } }
  - { on: [boot, s1, "m*"], kind: topology, params: { domain: city, contacts: [boot], shuffleMs: 2000 } }
  - { on: c, kind: domain, params: { domain: city, contacts: [boot], requestTimeoutMs: 2000 } }
  - { on: c, kind: ext-client, params: { startMs: 6000, intervalMs: 500, count: 5 } }
`;

const logs = (events: ReadonlyArray<TraceEvent>, engine: string, text: string): TraceEvent[] => events.filter((event) => event.kind === 'log' && event.engine === engine && event.text === text);

/** What must hold of the run on any backend. */
function checkRun(events: ReadonlyArray<TraceEvent>): void {
  // Every member joined once, each approved by boot, the only node it knew as a contact.
  expect(logs(events, 'domain', 'domain joined').map((event) => event.node).sort()).toEqual([...MEMBERS].sort());
  expect(logs(events, 'domain', 'domain join approved').map((event) => event.node)).toEqual(MEMBERS.map(() => 'boot'));
  // The non-member's external requests were all answered by s1's echo.
  expect(logs(events, 'ext-client', 'ext result').map((event) => event.data?.['result'])).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
  expect(events.filter((event) => event.kind === 'deliver' && event.node === 's1' && event.engine === 'echo')).toHaveLength(5);
  // HyParView gave every member a view, and the overlay has connections that avoid boot.
  const viewed = new Set(logs(events, 'topology', 'view added').map((event) => event.node));
  expect([...MEMBERS, 'boot'].filter((node) => !viewed.has(node))).toEqual([]);
  const memberLinks = events.filter((event) => event.kind === 'connect' && event.node !== 'boot' && event.peer !== 'boot' && event.node !== 'c' && event.peer !== 'c');
  expect(memberLinks.length).toBeGreaterThan(MEMBERS.length);
  expect(events.filter((event) => event.kind === 'verify-fail')).toEqual([]);
}

describe('a domain on real nodes', () => {
  it('simulator: members join through boot, the overlay forms, the external requests are answered', async () => {
    checkRun(simulate(await loadScenarioText(SCENARIO, 'domain-deploy.yaml')).events);
  });

  it('20 processes over TLS: the same', async () => {
    const plan = await loadScenarioText(SCENARIO, 'domain-deploy.yaml');
    const real = await deployPlan(plan, { transport: 'tls', startupTimeoutMs: 30_000 });
    expect(real.header.backend).toBe('tls');
    checkRun(real.events);
  }, 120_000);
});
