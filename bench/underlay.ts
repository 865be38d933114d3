// The underlay alone (sim/network.ts, no nodes or engines): memory per host of the region underlay
// at 10⁵ hosts, frames carried per second on it, and routing on an AS-like graph (cold searches
// for new pairs, warm frames on known paths). Figures go to docs/underlay.md.
import { createRng, type NetworkPlan } from '../core/index.js';
import { loadScenarioText } from '../scenarios/index.js';
import { Scheduler, VirtualNetwork } from '../sim/index.js';

const gc = (): void => (globalThis as { gc?: () => void }).gc?.();
const heap = (): number => (gc(), process.memoryUsage().heapUsed);
const ignore = (): void => {};

/** The network of `plan` built alone, with every host's id a short string. */
function build(plan: NetworkPlan): { net: VirtualNetwork; scheduler: Scheduler } {
  const scheduler = new Scheduler();
  const net = new VirtualNetwork(scheduler, createRng(plan.seed).fork('network'), ignore, plan.regions);
  for (const node of plan.nodes) net.addNode(node.name, `id/${node.name}`, node);
  for (const router of plan.routers ?? []) net.addRouter(router);
  for (const link of plan.links) net.addLink(link);
  return { net, scheduler };
}

/** Carries `frames` frames between pseudo-random host pairs (from `pick`) and runs them to arrival; frames per second. */
function carryRate(net: VirtualNetwork, scheduler: Scheduler, hosts: number, frames: number, pick: (i: number) => readonly [number, number]): number {
  const frame = new Uint8Array(200);
  const meta = { msg: 'bench' };
  const started = performance.now();
  for (let i = 0; i < frames; i++) {
    const [from, to] = pick(i);
    if (from !== to && from < hosts && to < hosts) net.carry(from, to, frame, meta, ignore);
    if (i % 10_000 === 9_999) scheduler.run(scheduler.now() + 1000);
  }
  scheduler.run(Number.MAX_SAFE_INTEGER);
  return Math.round(frames / ((performance.now() - started) / 1000));
}

export async function benchUnderlay(hosts = 100_000): Promise<Record<string, number | string>[]> {
  const regionPlan = await loadScenarioText(
    `name: bench-regions
topology:
  generate: [{ kind: empty, nodes: ${hosts} }]
  regions: { rtt: continents, assign: [{ weights: { europe: 3, north-america: 3, asia: 4, south-america: 1, africa: 1, oceania: 1 } }], link: { jitter: 5ms, loss: 0.1% } }
  access: [{ on: all, upload: 20Mbps, download: 100Mbps }]
`,
    'bench-regions.yaml',
  );
  const before = heap();
  const regions = build(regionPlan);
  const built = heap();
  // Every host sends once, so every per-node stream and busy-until time is in use.
  const rng = createRng(7);
  const regionRate = carryRate(regions.net, regions.scheduler, hosts, hosts * 3, (i) => [i % hosts, rng.int(hosts)]);
  const used = heap();
  const rows: Record<string, number | string>[] = [
    { underlay: 'regions (continents)', hosts, routers: 0, links: 0, heapBytesPerHostBuilt: Math.round((built - before) / hosts), heapBytesPerHostAfterTraffic: Math.round((used - before) / hosts), coldFramesPerSecond: '-', warmFramesPerSecond: regionRate },
  ];
  void regions;

  const routers = 1000;
  const attached = 10_000;
  const graphPlan = await loadScenarioText(
    `name: bench-graph
topology:
  generate:
    - { kind: barabasi-albert, nodes: ${routers}, m: 2, name: "r{i}", router: true, link: { latency: 10ms, jitter: 1ms } }
    - { kind: attach, nodes: ${attached}, name: "h{i}", to: "r*", links: 2, link: { latency: 2ms } }
`,
    'bench-graph.yaml',
  );
  const graphBefore = heap();
  const graph = build(graphPlan);
  const graphBuilt = heap();
  // Each host talks to 8 fixed peers: the first pass searches every pair, later passes reuse the paths.
  const peers = (i: number): readonly [number, number] => {
    const from = Math.floor(i / 8) % attached;
    return [from, (from * 7919 + (i % 8) * 104_729) % attached];
  };
  const cold = carryRate(graph.net, graph.scheduler, attached, attached * 8, peers);
  const warm = carryRate(graph.net, graph.scheduler, attached, attached * 8 * 3, peers);
  const graphUsed = heap();
  rows.push({
    underlay: 'graph (AS-like)',
    hosts: attached,
    routers,
    links: graphPlan.links.length,
    heapBytesPerHostBuilt: Math.round((graphBuilt - graphBefore) / attached),
    heapBytesPerHostAfterTraffic: Math.round((graphUsed - graphBefore) / attached),
    coldFramesPerSecond: cold,
    warmFramesPerSecond: warm,
  });
  void graph;
  return rows;
}
