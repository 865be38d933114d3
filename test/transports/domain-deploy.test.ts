// A domain on real nodes: 20 processes on loopback over TLS (`deploy`, one process per node). boot
// owns domain "city"; s1 and m1…m17 join it through boot alone and run HyParView (the topology
// engine) over it, so their overlay grows beyond the bootstrap node; c, no member, makes external
// requests that the serving member s1 answers. The same checks hold in the simulator. Timeouts and
// the run's length leave room for a loaded machine, where a process's first TLS handshake can take
// over a second.
import { describe, expect, it } from 'vitest';
import type { TraceEvent, TraceHeader } from '../../core/index.js';
import { loadScenarioText } from '../../scenarios/index.js';
import { simulate } from '../../sim/index.js';
import { deployPlan } from '../../transports/index.js';

// A full mesh of 5 ms links, so that every pair of nodes that may end up in each other's view is one
// hop apart on every backend; the nodes dial on demand (permanent: none), not every neighbour at boot.
// n1 is the bootstrap owner, n2 the serving member, n3…n19 members, n20 the non-member client.
const BOOT = 'n1';
const SERVING = 'n2';
const CLIENT = 'n20';
const MEMBERS = Array.from({ length: 18 }, (_, i) => `n${i + 2}`);
const OTHERS = MEMBERS.filter((node) => node !== SERVING);

const SCENARIO = `name: domain-deploy
seed: 8
duration: 16s
defaults: { link: { latency: 5ms } }
topology:
  generate: [{ kind: mesh, nodes: 20 }]
knows:
  - { on: all, peers: all }
connections: { permanent: none }
engines:
  - { on: ${BOOT}, kind: domain, params: { domain: city, owner: { policy: open, serving: [${SERVING}] } } }
  - { on: ${SERVING}, kind: echo }
  - { on: ${SERVING}, kind: domain, params: { domain: city, join: true, contacts: [${BOOT}], joinDelayMs: 1000, joinTimeoutMs: 4000, service: echo } }
  - { on: [${OTHERS.join(', ')}], kind: domain, params: { domain: city, join: true, contacts: [${BOOT}], joinDelayMs: 1000, joinTimeoutMs: 4000 } }
  - { on: [${BOOT}, ${MEMBERS.join(', ')}], kind: topology, params: { domain: city, contacts: [${BOOT}], shuffleMs: 2000 } }
  - { on: [${MEMBERS.join(', ')}], kind: pubsub, params: { domain: city } }
  - { on: n3, kind: publisher, params: { topic: feed, intervalMs: 1000, count: 10 } }
  - { on: [${MEMBERS.join(', ')}], kind: subscriber, params: { topic: feed } }
  - { on: ${CLIENT}, kind: domain, params: { domain: city, contacts: [${BOOT}], requestTimeoutMs: 2000 } }
  - { on: ${CLIENT}, kind: ext-client, params: { startMs: 6000, intervalMs: 500, count: 5 } }
`;

const logs = (events: ReadonlyArray<TraceEvent>, engine: string, text: string): TraceEvent[] => events.filter((event) => event.kind === 'log' && event.engine === engine && event.text === text);

/** What must hold of the run on any backend. */
function checkRun(header: TraceHeader, events: ReadonlyArray<TraceEvent>): void {
  // Every member joined once, each approved by the bootstrap owner, the only contact it knew.
  expect(logs(events, 'domain', 'domain joined').map((event) => event.node).sort()).toEqual([...MEMBERS].sort());
  expect(logs(events, 'domain', 'domain join approved').map((event) => event.node)).toEqual(MEMBERS.map(() => BOOT));
  // The non-member's external requests were all answered by the serving member's echo.
  expect(logs(events, 'ext-client', 'ext result').map((event) => event.data?.['result'])).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
  expect(events.filter((event) => event.kind === 'deliver' && event.node === SERVING && event.engine === 'echo')).toHaveLength(5);
  // HyParView: every member's view took in other members, not only the bootstrap node.
  const boot = header.nodes[BOOT];
  const viewedMember = new Set(logs(events, 'topology', 'view added').filter((event) => event.data?.['peer'] !== boot).map((event) => event.node));
  expect(MEMBERS.filter((node) => !viewedMember.has(node))).toEqual([]);
  // PubSub over the view: n3 publishes one event a second for 10 s; those from 4 s on (the overlay
  // has formed by then, even on a loaded machine) reach every member's subscriber by the end, 6 s
  // later at least (a subscriber that joins the tree late gets what it missed from its parent).
  const received = new Map<string, Set<string>>();
  for (const event of events) if (event.kind === 'deliver' && event.engine === 'subscriber' && event.msg !== undefined) received.set(event.msg, (received.get(event.msg) ?? new Set()).add(event.node));
  const late = events.filter((event) => event.kind === 'send' && event.dst === 'topic' && event.t >= 4000);
  expect(late.length).toBeGreaterThanOrEqual(5);
  for (const event of late) expect([...(received.get(event.msg!) ?? [])].sort(), `event ${event.msg} published at ${Math.round(event.t)} ms`).toEqual([...MEMBERS].sort());
  expect(events.filter((event) => event.kind === 'verify-fail')).toEqual([]);
}

describe('a domain on real nodes', () => {
  it('simulator: members join through the bootstrap owner, the overlay forms, PubSub runs over it, the external requests are answered', async () => {
    const sim = simulate(await loadScenarioText(SCENARIO, 'domain-deploy.yaml'));
    checkRun(sim.header, sim.events);
  });

  it('20 processes over TLS: the same', async () => {
    const plan = await loadScenarioText(SCENARIO, 'domain-deploy.yaml');
    const real = await deployPlan(plan, { transport: 'tls', startupTimeoutMs: 30_000 });
    expect(real.header.backend).toBe('tls');
    checkRun(real.header, real.events);
  }, 120_000);
});
