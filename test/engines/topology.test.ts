// The Topology engine (HyParView): members that join through one bootstrap node form one connected
// overlay with bounded, symmetric active views; crashed peers are replaced from passive views; a
// restarted node joins again; the same seed gives the same trace.
import { describe, expect, it } from 'vitest';
import type { NetworkPlan, TraceEvent } from '../../core/index.js';
import { loadScenarioText } from '../../scenarios/index.js';
import { deriveIdentities, simulate } from '../../sim/index.js';
import { domainOverlayScenario } from './domain-overlay-scenario.js';

/** `count` members n1..n{count} and the domain's owner and bootstrap node `boot`, on a two-region underlay. */
function scenario(count: number, duration: string, events: ReadonlyArray<string> = [], topology = ''): string {
  return domainOverlayScenario({ name: 'topology-test', seed: 4, count, duration, events, topologyParams: topology });
}

/** Each live node's active view at the end of the run, by node name, from the `view added/removed` logs. */
function activeViews(plan: NetworkPlan, events: ReadonlyArray<TraceEvent>): Map<string, Set<string>> {
  const names = new Map<string, string>();
  for (const [name, id] of deriveIdentities(plan, plan.seed).nodeIds()) names.set(id, name);
  const views = new Map<string, Set<string>>();
  for (const event of events) {
    if (event.kind === 'crash') views.delete(event.node!);
    if (event.kind !== 'log' || (event.text !== 'view added' && event.text !== 'view removed')) continue;
    const view = views.get(event.node!) ?? new Set<string>();
    views.set(event.node!, view);
    const peer = names.get(String(event.data?.['peer']));
    expect(peer).toBeDefined();
    if (event.text === 'view added') view.add(peer!);
    else view.delete(peer!);
  }
  return views;
}

/** Nodes reachable from `start` over active views. */
function component(views: ReadonlyMap<string, ReadonlySet<string>>, start: string): Set<string> {
  const seen = new Set<string>();
  const stack = [start];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (seen.has(node)) continue;
    seen.add(node);
    for (const peer of views.get(node) ?? []) stack.push(peer);
  }
  return seen;
}

/** Hops from `start` to every node it reaches over active views. */
function hopsFrom(views: ReadonlyMap<string, ReadonlySet<string>>, start: string): Map<string, number> {
  const hops = new Map([[start, 0]]);
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    for (const peer of views.get(queue[i]!) ?? []) {
      if (hops.has(peer)) continue;
      hops.set(peer, hops.get(queue[i]!)! + 1);
      queue.push(peer);
    }
  }
  return hops;
}

const crashes = (names: ReadonlyArray<string>, at: string): string[] => names.map((name) => `{ at: ${at}, crash: ${name} }`);
const members = (count: number): string[] => Array.from({ length: count }, (_, i) => `n${i + 1}`);

describe('HyParView overlay', () => {
  it('40 members joining through one bootstrap node form one connected overlay; active views are full, bounded and symmetric', async () => {
    const plan = await loadScenarioText(scenario(40, '30s'), 'topology.yaml');
    const { events } = simulate(plan);
    const views = activeViews(plan, events);
    expect(views.size).toBe(41);
    for (const [node, view] of views) {
      expect(view.size, node).toBeGreaterThanOrEqual(2);
      expect(view.size, node).toBeLessThanOrEqual(5);
      for (const peer of view) expect(views.get(peer)?.has(node), `${node} → ${peer}`).toBe(true);
    }
    expect(component(views, 'n1').size).toBe(41);
    // The bootstrap node does not keep everyone: joins spread through the random walks.
    expect(views.get('boot')!.size).toBeLessThanOrEqual(5);
    // Shuffles ran and every node learnt peers beyond its configuration (the bootstrap node only).
    expect(events.filter((event) => event.kind === 'connect' && event.node === 'n1').length).toBeGreaterThan(3);
  });

  it('smaller views when asked: activeMax 3', async () => {
    const plan = await loadScenarioText(scenario(20, '20s', [], ', activeMax: 3, passiveMax: 10'), 'topology.yaml');
    const views = activeViews(plan, simulate(plan).events);
    for (const view of views.values()) expect(view.size).toBeLessThanOrEqual(3);
    expect(component(views, 'n1').size).toBe(21);
  });

  it('half of the members crash at once: the survivors replace them from their passive views and stay connected', async () => {
    const crashed = members(40).filter((_, i) => i % 2 === 0);
    const plan = await loadScenarioText(scenario(40, '45s', crashes(crashed, '15s')), 'topology.yaml');
    const { events } = simulate(plan);
    const views = activeViews(plan, events);
    expect([...views.keys()].sort()).toEqual(['boot', ...members(40).filter((name) => !crashed.includes(name))].sort());
    for (const [node, view] of views) {
      expect(view.size, node).toBeGreaterThanOrEqual(2);
      for (const peer of view) expect(crashed, `${node} keeps crashed ${peer}`).not.toContain(peer);
    }
    expect(component(views, 'boot').size).toBe(21);
    // Repairs came from the connection notices: failed peers were removed with the transport's reason.
    const reasons = new Set(events.filter((event) => event.kind === 'log' && event.text === 'view removed').map((event) => event.data?.['reason']));
    expect(reasons).toContain('idle-timeout');
  });

  it('80% of the nodes crash, the bootstrap node with them: the 8 survivors reconnect among themselves', async () => {
    const crashed = [...members(32), 'boot'];
    const plan = await loadScenarioText(scenario(40, '45s', crashes(crashed, '15s')), 'topology.yaml');
    const views = activeViews(plan, simulate(plan).events);
    expect(views.size).toBe(8);
    for (const view of views.values()) for (const peer of view) expect(crashed).not.toContain(peer);
    expect(component(views, 'n33').size).toBe(8);
  });

  it('a restarted member joins again through the bootstrap node', async () => {
    const plan = await loadScenarioText(scenario(20, '40s', ['{ at: 15s, crash: n5 }', '{ at: 20s, restart: n5 }']), 'topology.yaml');
    const { events } = simulate(plan);
    const views = activeViews(plan, events);
    expect(views.get('n5')!.size).toBeGreaterThanOrEqual(2);
    for (const peer of views.get('n5')!) expect(views.get(peer)!.has('n5')).toBe(true);
    expect(component(views, 'n5').size).toBe(21);
    const rejoined = events.filter((event) => event.kind === 'log' && event.node === 'n5' && event.text === 'view added' && event.t > 20_000);
    expect(rejoined.length).toBeGreaterThanOrEqual(2);
  });

  it('the same seed gives the same trace', async () => {
    const plan = await loadScenarioText(scenario(15, '15s', crashes(['n3'], '8s')), 'topology.yaml');
    const once = simulate(plan).events;
    const again = simulate(plan).events;
    expect(again).toEqual(once);
  });

  it('a contact that runs no topology engine is a located parameter error', async () => {
    const text = scenario(3, '5s').replace('contacts: [boot] } }\nevents', 'contacts: [nowhere] } }\nevents');
    await expect(loadScenarioText(text, 'topology.yaml')).rejects.toThrow(/contacts/);
  });
  it('200 members joining within 0.2 s through one bootstrap node: active views stay symmetric, and the overlay is not a chain', async () => {
    // The bootstrap node takes in a joiner every millisecond and drops a random peer each time: its
    // DISCONNECT follows its accepting reply to the same peer at once. Were the two reordered on the
    // way (the jittered underlay reorders frames sent without ordering), the peer would take the
    // bootstrap node in after leaving it, and hold it for good: 9 such one-way links in this run before.
    const plan = await loadScenarioText(`name: fast-join-views
seed: 1
crypto: sim-keyed
duration: 6s
topology:
  nodes: [boot]
  generate: [{ kind: empty, nodes: 199, name: "n{i}" }]
  regions:
    rtt: continents
    assign: [{ weights: { europe: 3, north-america: 3, asia: 4, south-america: 1, africa: 1, oceania: 1 } }]
    link: { jitter: 5ms }
knows: [{ on: all, peers: [boot] }]
engines:
  - { on: boot, kind: domain, params: { domain: city, owner: { policy: open }, probe: false } }
  - { on: "n*", kind: domain, params: { domain: city, join: true, contacts: [boot], joinDelayMs: 200, probe: false } }
  - { on: all, kind: topology, params: { domain: city, contacts: [boot] } }
`, 'fast-join-views.yaml');
    const views = activeViews(plan, simulate(plan).events);
    const oneWay = [...views].flatMap(([node, view]) => [...view].filter((peer) => views.get(peer)?.has(node) !== true).map((peer) => `${node} → ${peer}`));
    expect(oneWay).toEqual([]);
    expect(views.get('boot')!.size).toBeLessThanOrEqual(5);
    expect(component(views, 'boot').size).toBe(200);
    // Walks from the bootstrap node's active peers alone (the latest joiners) linked each joiner to
    // the few before it: 13 hops from the bootstrap node to the farthest member before. Walks from
    // members sampled among all earlier joiners keep the overlay's depth near log(n).
    expect(Math.max(...hopsFrom(views, 'boot').values())).toBeLessThanOrEqual(7);
  });
});
