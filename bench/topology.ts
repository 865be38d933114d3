// Overlay maintenance at scale (docs/overlay-maintenance.md): a domain of `nodes` members joined
// through one bootstrap node, the Topology engine (HyParView: active 5, passive 30, ARWL 6, PRWL 3,
// shuffles of 3 + 4 every 10 s) and PubSub over its view, one publication per second from n1 to a
// subscriber on every node, on the continents region underlay (sim-keyed). After the overlay has
// formed, either a share of the nodes crashes at once (a mass failure, as in the HyParView paper's
// experiment) or a share crashes and restarts every simulated minute (churn). Measured from the
// trace as it streams: the share of live nodes in the largest connected component of the active
// views, view sizes and in-degrees over time, the time until every live node is in one component
// again, and per publication the share of live subscribers that received it and the latency.
import { percentiles, type TraceEvent, type TraceHeader } from '../core/index.js';
import { loadScenarioText } from '../scenarios/index.js';
import { simulate } from '../sim/index.js';

/** What one run does after the overlay formed. */
export type TopologyFault = { readonly kind: 'none' } | { readonly kind: 'mass-failure'; readonly share: number } | { readonly kind: 'churn'; readonly share: number; readonly downS: number };

export interface TopologyRun {
  readonly nodes: number;
  readonly fault: TopologyFault;
  /** Members join within this window (s); the fault starts at `faultAtS`; the run lasts `durationS`. */
  readonly joinS: number;
  readonly faultAtS: number;
  readonly durationS: number;
  readonly seed: number;
}

/** A seeded choice of `count` of the members n2..n{nodes-1} (the publisher n1 never fails). */
function victims(nodes: number, count: number, seed: number): string[] {
  const pool = Array.from({ length: nodes - 2 }, (_, i) => `n${i + 2}`);
  pool.push('boot');
  let state = seed >>> 0 || 1;
  const next = (): number => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32);
  for (let i = pool.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, count);
}

function faultEvents(run: TopologyRun): string[] {
  const { fault } = run;
  if (fault.kind === 'none') return [];
  if (fault.kind === 'mass-failure') return victims(run.nodes, Math.round(fault.share * run.nodes), run.seed).map((node) => `  - { at: ${run.faultAtS}s, crash: ${node} }`);
  const lines: string[] = [];
  for (let at = run.faultAtS, round = 0; at + fault.downS < run.durationS; at += 60, round++) {
    for (const node of victims(run.nodes, Math.round(fault.share * run.nodes), run.seed + round)) lines.push(`  - { at: ${at}s, crash: ${node} }`, `  - { at: ${at + fault.downS}s, restart: ${node} }`);
  }
  return lines;
}

export function topologyScenario(run: TopologyRun): string {
  const events = faultEvents(run);
  return `name: bench-topology-${run.nodes}
seed: ${run.seed}
crypto: sim-keyed
duration: ${run.durationS}s
topology:
  nodes: [boot]
  generate: [{ kind: empty, nodes: ${run.nodes - 1}, name: "n{i}" }]
  regions:
    rtt: continents
    assign: [{ weights: { europe: 3, north-america: 3, asia: 4, south-america: 1, africa: 1, oceania: 1 } }]
    link: { jitter: 5ms }
knows: [{ on: all, peers: [boot] }]
engines:
  - { on: boot, kind: domain, params: { domain: city, owner: { policy: open }, probe: false } }
  - { on: "n*", kind: domain, params: { domain: city, join: true, contacts: [boot], joinDelayMs: ${run.joinS * 1000}, probe: false } }
  - { on: all, kind: topology, params: { domain: city, contacts: [boot] } }
  - { on: all, kind: pubsub, params: { domain: city } }
  - { on: n1, kind: publisher, params: { topic: feed, intervalMs: 1000 } }
  - { on: all, kind: subscriber, params: { topic: feed } }
events:${events.length === 0 ? ' []' : `\n${events.join('\n')}`}
`;
}

/** One sample of the overlay: live nodes, the share in the largest component, view sizes, in-degrees. */
export interface OverlaySample {
  readonly tS: number;
  readonly live: number;
  readonly largestShare: number;
  readonly activeMean: number;
  readonly passiveMean: number;
  /** In-degree (peers that hold the node in their active view) → live nodes with it. */
  readonly inDegrees: ReadonlyMap<number, number>;
  /** Live nodes holding a peer that is down. */
  readonly holdingDead: number;
}

/** The overlay as the trace tells it: active views from the Topology's logs, live nodes from crash/restart. */
class OverlayTracker {
  readonly active = new Map<string, Set<string>>();
  readonly passive = new Map<string, number>();
  readonly down = new Set<string>();
  private readonly names = new Map<string, string>();

  constructor(header: TraceHeader) {
    for (const [name, id] of Object.entries(header.nodes)) this.names.set(id, name);
  }

  onEvent(event: TraceEvent): void {
    if (event.kind === 'crash') {
      this.down.add(event.node);
      this.active.delete(event.node);
      this.passive.delete(event.node);
    } else if (event.kind === 'restart') this.down.delete(event.node);
    else if (event.kind === 'log' && event.engine === 'topology' && (event.text === 'view added' || event.text === 'view removed')) {
      const peer = this.names.get(String(event.data?.['peer']));
      if (peer === undefined) return;
      const view = this.active.get(event.node) ?? new Set<string>();
      this.active.set(event.node, view);
      if (event.text === 'view added') view.add(peer);
      else view.delete(peer);
      this.passive.set(event.node, Number(event.data?.['passive'] ?? 0));
    }
  }

  sample(tS: number, all: ReadonlyArray<string>): OverlaySample {
    const live = all.filter((node) => !this.down.has(node));
    const inDegree = new Map<string, number>();
    let holdingDead = 0;
    let activeSum = 0;
    let passiveSum = 0;
    for (const node of live) {
      const view = this.active.get(node) ?? new Set<string>();
      activeSum += view.size;
      passiveSum += this.passive.get(node) ?? 0;
      let isHoldingDead = false;
      for (const peer of view) {
        if (this.down.has(peer)) isHoldingDead = true;
        else inDegree.set(peer, (inDegree.get(peer) ?? 0) + 1);
      }
      if (isHoldingDead) holdingDead++;
    }
    const inDegrees = new Map<number, number>();
    for (const node of live) {
      const degree = inDegree.get(node) ?? 0;
      inDegrees.set(degree, (inDegrees.get(degree) ?? 0) + 1);
    }
    return { tS, live: live.length, largestShare: this.largestComponent(live) / Math.max(1, live.length), activeMean: activeSum / Math.max(1, live.length), passiveMean: passiveSum / Math.max(1, live.length), inDegrees, holdingDead };
  }

  /** Size of the largest connected component among live nodes (an edge counts either way). */
  private largestComponent(live: ReadonlyArray<string>): number {
    const neighbours = new Map<string, string[]>();
    for (const node of live) for (const peer of this.active.get(node) ?? []) {
      if (this.down.has(peer)) continue;
      (neighbours.get(node) ?? neighbours.set(node, []).get(node)!).push(peer);
      (neighbours.get(peer) ?? neighbours.set(peer, []).get(peer)!).push(node);
    }
    const seen = new Set<string>();
    let largest = 0;
    for (const start of live) {
      if (seen.has(start)) continue;
      let size = 0;
      const stack = [start];
      seen.add(start);
      while (stack.length > 0) {
        const node = stack.pop()!;
        size++;
        for (const peer of neighbours.get(node) ?? []) if (!seen.has(peer)) (seen.add(peer), stack.push(peer));
      }
      largest = Math.max(largest, size);
    }
    return largest;
  }
}

/** Per publication: when it was sent and who got it. */
interface Publication {
  readonly tMs: number;
  /** Subscribers up at publication time. */
  readonly live: number;
  received: number;
}

export interface TopologyResult {
  readonly run: TopologyRun;
  readonly samples: ReadonlyArray<OverlaySample>;
  /** Seconds from the fault until every live node is in one component and holds no dead peer (undefined: never within the run). */
  readonly repairS: number | undefined;
  /** Per publication: seconds since the start, and the share of live subscribers that received it. */
  readonly reliability: ReadonlyArray<{ readonly tS: number; readonly share: number }>;
  /** Send → deliver latencies (ms) of the publications after the fault. */
  readonly latencyMs: ReturnType<typeof percentiles>;
  /** The same, of the publications from 10 s after the fault (once the overlay has repaired). */
  readonly latencyLaterMs: ReturnType<typeof percentiles>;
  readonly wallS: number;
  readonly scheduled: number;
}

/** Runs one experiment and measures it from the streamed trace (nothing kept in memory but the trackers). */
export async function runTopology(run: TopologyRun, sampleEveryS = 5, onSample?: (sample: OverlaySample) => void): Promise<TopologyResult> {
  const started = performance.now();
  const plan = await loadScenarioText(topologyScenario(run), `bench-topology-${run.nodes}.yaml`);
  const all = plan.nodes.map((node) => node.name);
  let tracker: OverlayTracker | undefined;
  const samples: OverlaySample[] = [];
  let nextSampleMs = sampleEveryS * 1000;
  let repairS: number | undefined;
  const publications = new Map<string, Publication>();
  const latencies: number[] = [];
  const latenciesLater: number[] = [];
  const faultMs = run.faultAtS * 1000;
  const observe = (tMs: number): void => {
    // After the fault, check every second for the repair; sample every `sampleEveryS`.
    while (tMs >= nextSampleMs) {
      const sample = tracker!.sample(nextSampleMs / 1000, all);
      if (nextSampleMs % (sampleEveryS * 1000) === 0) {
        samples.push(sample);
        onSample?.(sample);
      }
      if (run.fault.kind !== 'none' && nextSampleMs > faultMs && repairS === undefined && sample.largestShare === 1 && sample.holdingDead === 0) repairS = (nextSampleMs - faultMs) / 1000;
      nextSampleMs += nextSampleMs >= faultMs ? 1000 : sampleEveryS * 1000;
    }
  };
  const result = simulate(plan, {
    isRecording: false,
    onStart: (header) => void (tracker = new OverlayTracker(header)),
    onEvent: (event) => {
      observe(event.t);
      tracker!.onEvent(event);
      if (event.kind === 'send' && event.dst === 'topic' && event.msg !== undefined) publications.set(event.msg, { tMs: event.t, live: all.length - tracker!.down.size, received: 0 });
      else if (event.kind === 'deliver' && event.engine === 'subscriber' && event.msg !== undefined) {
        const publication = publications.get(event.msg);
        if (publication === undefined) return;
        publication.received++;
        if (publication.tMs >= faultMs) latencies.push(event.t - publication.tMs);
        if (publication.tMs >= faultMs + 10_000) latenciesLater.push(event.t - publication.tMs);
      }
    },
  });
  // Publications in the last 5 s may still be on their way: not judged.
  const judged = [...publications.values()].filter((publication) => publication.tMs <= run.durationS * 1000 - 5000);
  return {
    run,
    samples,
    repairS,
    reliability: judged.map((publication) => ({ tS: publication.tMs / 1000, share: publication.received / publication.live })),
    latencyMs: percentiles(latencies),
    latencyLaterMs: percentiles(latenciesLater),
    wallS: (performance.now() - started) / 1000,
    scheduled: result.executed,
  };
}

const mean = (values: ReadonlyArray<number>): number => (values.length === 0 ? NaN : values.reduce((sum, value) => sum + value, 0) / values.length);
const share = (value: number): string => `${(100 * value).toFixed(2)}%`;

/** The three experiments of docs/overlay-maintenance.md: 50% and 80% of the nodes fail at once, and 5% churn per minute. */
export function topologyRuns(nodes = 10_000): TopologyRun[] {
  const base = { nodes, joinS: 30, faultAtS: 50, seed: 1 };
  return [
    { ...base, fault: { kind: 'mass-failure', share: 0.5 }, durationS: 80 },
    { ...base, fault: { kind: 'mass-failure', share: 0.8 }, durationS: 80 },
    { ...base, fault: { kind: 'churn', share: 0.05, downS: 20 }, durationS: 140 },
  ];
}

/** The row of one experiment for `npm run bench -- --only topology`. */
export function topologyRow(result: TopologyResult): Record<string, number | string> {
  const { run } = result;
  const before = result.samples.filter((sample) => sample.tS <= run.faultAtS).at(-1);
  const after = result.samples.at(-1);
  const firstAfter = result.reliability.filter((entry) => entry.tS >= run.faultAtS).slice(0, 10);
  const later = result.reliability.filter((entry) => entry.tS >= run.faultAtS + 10);
  return {
    experiment: run.fault.kind === 'churn' ? `churn ${share(run.fault.share)}/min, down ${run.fault.downS}s` : run.fault.kind === 'mass-failure' ? `${share(run.fault.share)} fail at ${run.faultAtS}s` : 'none',
    'largest component before': before === undefined ? '-' : share(before.largestShare),
    'largest component min after': share(Math.min(...result.samples.filter((sample) => sample.tS > run.faultAtS).map((sample) => sample.largestShare))),
    'largest component at end': after === undefined ? '-' : share(after.largestShare),
    'repair (s)': result.repairS ?? 'not within the run',
    'active view mean (end)': after?.activeMean.toFixed(2) ?? '-',
    'passive view mean (end)': after?.passiveMean.toFixed(1) ?? '-',
    'in-degree (end)': after === undefined ? '-' : [...after.inDegrees].sort((a, b) => a[0] - b[0]).map(([degree, count]) => `${degree}:${count}`).join(' '),
    'reliability before': share(mean(result.reliability.filter((entry) => entry.tS >= run.faultAtS - 10 && entry.tS < run.faultAtS).map((entry) => entry.share))),
    'reliability, first 10 events after': share(mean(firstAfter.map((entry) => entry.share))),
    'reliability, from 10 s after': share(mean(later.map((entry) => entry.share))),
    'latency p50/p90/p99 (ms)': result.latencyMs === undefined ? '-' : `${result.latencyMs.p50.toFixed(0)}/${result.latencyMs.p90.toFixed(0)}/${result.latencyMs.p99.toFixed(0)}`,
    'latency from 10 s after p50/p90/p99 (ms)': result.latencyLaterMs === undefined ? '-' : `${result.latencyLaterMs.p50.toFixed(0)}/${result.latencyLaterMs.p90.toFixed(0)}/${result.latencyLaterMs.p99.toFixed(0)}`,
    'wall (s)': Number(result.wallS.toFixed(1)),
  };
}

/** One row per experiment for `npm run bench -- --only topology`. */
export async function benchTopology(nodes = 10_000): Promise<Record<string, number | string>[]> {
  const rows: Record<string, number | string>[] = [];
  for (const run of topologyRuns(nodes)) rows.push(topologyRow(await runTopology(run)));
  return rows;
}
