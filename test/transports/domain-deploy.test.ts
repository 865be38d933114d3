// A domain on real nodes: 20 processes on loopback over TLS, then over QUIC (`deploy`, one process
// per node). n1 owns domain "city"; n2 (the serving member) and n3…n19 join it through n1 alone and
// run HyParView (the topology engine) over it, so their overlay grows beyond the bootstrap node;
// PubSub runs over the Topology view on every member and on the owner itself; n20, no member, makes
// external requests that n2 answers. The same checks hold in the simulator.
//
// A loaded machine: vitest runs test files in parallel on 2 cores, next to whatever else runs. On an
// over-subscribed machine a frame between two loopback processes waits until both are scheduled:
// measured at load 13-22 on 2 cores, frame latency p50 0.15-0.5 s and p90 0.6-2 s over TLS, p50
// 0.6-1.8 s and p90 2.2-4.5 s over QUIC (each frame crosses a node's main thread and its QUIC worker
// thread at both ends; quiche itself counted no lost packet and an RTT of about 1 s), against
// protocol timers of 1-8 s. So the run is slowed by the load (DeployOptions.timeScale, up to 3: its
// timers and the checks' times are plan time), which keeps the timers' ratio to the latency: QUIC at
// load 20-31 with timeScale 3 had a plan-time p50 of 0.24 s. TLS then passes at load 8-25. QUIC
// does not, yet: it also loses frames outright on a loaded machine (never read at the other end
// while the connection stays up and quiche counts no lost packet; 2% at load 20-31 slowed 3×,
// 7-33% at wall speed), so a member's join or a subscriber's events went missing in every run at
// load 20-34 (5 of 5, slowed 3×), and in 1 of 2 at load 8-19 (slowed 2×: there one member's QUIC
// dials to the bootstrap node timed out for 13 s, three attempts of 5 s, while the others connected
// within a second). Those losses were measured before two fixes: a retired QUIC channel's frames are
// read to its end before the newer channel's (they had arrived after them and been refused as
// replays: test/transports/quic-retire.test.ts), and every frame written on a channel that dies
// unread is kept until the peer acknowledges it and written again on the next channel
// (test/transports/link-resend.test.ts). After both, the QUIC case passed every run measured: 10
// of 10 at a 1-minute load average of 2.9-16.6 per core (47-110 s), so it is no longer skipped on a
// loaded machine (with the first fix alone it passed 7 of 7 at 1.8-12 per core: the second closes
// the loss paths that remained, which these runs rarely hit). The QUIC library runs in each node's
// worker thread (the default).
import { availableParallelism, loadavg } from 'node:os';
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
/** Every member's subscriber and the bootstrap owner's. */
const SUBSCRIBERS = [BOOT, ...MEMBERS];

const SCENARIO = `name: domain-deploy
seed: 8
duration: 20s
defaults: { link: { latency: 5ms } }
topology:
  generate: [{ kind: mesh, nodes: 20 }]
knows:
  - { on: all, peers: all }
connections: { permanent: none }
engines:
  - { on: ${BOOT}, kind: domain, params: { domain: city, owner: { policy: open, serving: [${SERVING}] } } }
  - { on: ${SERVING}, kind: echo }
  - { on: ${SERVING}, kind: domain, params: { domain: city, join: true, contacts: [${BOOT}], joinDelayMs: 1000, service: echo } }
  - { on: [${OTHERS.join(', ')}], kind: domain, params: { domain: city, join: true, contacts: [${BOOT}], joinDelayMs: 1000 } }
  - { on: [${BOOT}, ${MEMBERS.join(', ')}], kind: topology, params: { domain: city, contacts: [${BOOT}], shuffleMs: 2000, neighborTimeoutMs: 8000 } }
  - { on: [${BOOT}, ${MEMBERS.join(', ')}], kind: pubsub, params: { domain: city, heartbeatMs: 1000, missedHeartbeatsMax: 5 } }
  - { on: n3, kind: publisher, params: { topic: feed, intervalMs: 1000, count: 10 } }
  - { on: [${BOOT}, ${MEMBERS.join(', ')}], kind: subscriber, params: { topic: feed } }
  - { on: ${CLIENT}, kind: domain, params: { domain: city, contacts: [${BOOT}], requestTimeoutMs: 2000 } }
  - { on: ${CLIENT}, kind: ext-client, params: { startMs: 6000, intervalMs: 500, count: 5 } }
`;

const logs = (events: ReadonlyArray<TraceEvent>, engine: string, text: string): TraceEvent[] => events.filter((event) => event.kind === 'log' && event.engine === engine && event.text === text);

/** What must hold of the run on any backend. */
function checkRun(header: TraceHeader, events: ReadonlyArray<TraceEvent>): void {
  // Every member joined once, approved by the bootstrap owner, the only contact it knew (a member
  // whose answer was late may have asked again: every approval is the owner's, one per member at least).
  expect(logs(events, 'domain', 'domain joined').map((event) => event.node).sort()).toEqual([...MEMBERS].sort());
  const approvals = logs(events, 'domain', 'domain join approved').map((event) => event.node);
  expect(new Set(approvals)).toEqual(new Set([BOOT]));
  expect(approvals.length).toBeGreaterThanOrEqual(MEMBERS.length);
  // The non-member's external requests were all answered by the serving member's echo.
  expect(logs(events, 'ext-client', 'ext result').map((event) => event.data?.['result'])).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
  // Each request reached the echo at least once (an attempt whose answer was late is made again: 3 at most).
  const echoed = events.filter((event) => event.kind === 'deliver' && event.node === SERVING && event.engine === 'echo').length;
  expect(echoed).toBeGreaterThanOrEqual(5);
  expect(echoed).toBeLessThanOrEqual(15);
  // HyParView: every member's view took in other members, not only the bootstrap node.
  const boot = header.nodes[BOOT];
  const viewedMember = new Set(logs(events, 'topology', 'view added').filter((event) => event.data?.['peer'] !== boot).map((event) => event.node));
  expect(MEMBERS.filter((node) => !viewedMember.has(node))).toEqual([]);
  // PubSub over the view: n3 publishes one event a second for 10 s; those from 4 s on (the overlay
  // has formed by then, even on a loaded machine) reach every subscriber by the end, 8 s later at
  // least (a subscriber that joins the tree late gets what it missed from its parent). The
  // bootstrap owner subscribes too, over its own view: every peer of that view learnt the topic
  // from it, and it must still find a parent among them.
  const received = new Map<string, Set<string>>();
  for (const event of events) if (event.kind === 'deliver' && event.engine === 'subscriber' && event.msg !== undefined) received.set(event.msg, (received.get(event.msg) ?? new Set()).add(event.node));
  const late = events.filter((event) => event.kind === 'send' && event.dst === 'topic' && event.t >= 4000);
  expect(late.length).toBeGreaterThanOrEqual(5);
  for (const event of late) expect(received.get(event.msg!)?.has(BOOT), `the bootstrap owner's subscriber got event ${event.msg} published at ${Math.round(event.t)} ms`).toBe(true);
  for (const event of late) expect([...(received.get(event.msg!) ?? [])].sort(), `event ${event.msg} published at ${Math.round(event.t)} ms`).toEqual([...SUBSCRIBERS].sort());
  expect(events.filter((event) => event.kind === 'verify-fail')).toEqual([]);
}

/** The machine's 1-minute load average per core. */
const loadPerCore = (): number => loadavg()[0]! / availableParallelism();

/** Wall ms per plan ms for a deployment now: 1 with CPU to spare, up to 3 from a 1-minute load average of 6 per core. */
const loadTimeScale = (): number => Math.min(3, Math.max(1, loadPerCore() / 2));

async function deployed(transport: 'tls' | 'quic'): Promise<void> {
  const plan = await loadScenarioText(SCENARIO, 'domain-deploy.yaml');
  const timeScale = loadTimeScale();
  const real = await deployPlan(plan, { transport, startupTimeoutMs: 60_000, timeScale });
  expect(real.header.backend).toBe(transport);
  checkRun(real.header, real.events);
}

describe('a domain on real nodes', () => {
  it('simulator: members join through the bootstrap owner, the overlay forms, PubSub runs over it (the owner subscribes too), the external requests are answered', async () => {
    const sim = simulate(await loadScenarioText(SCENARIO, 'domain-deploy.yaml'));
    checkRun(sim.header, sim.events);
  });

  // Boot (20 processes, 2 at a time) plus 20 s of plan time × the time scale, and the stop.
  it('20 processes over TLS: the same', () => deployed('tls'), 240_000);

  it('20 processes over QUIC: the same', () => deployed('quic'), 240_000);
});
