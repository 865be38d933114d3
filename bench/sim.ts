// Simulator throughput: a ring of nodes running ping/echo, with Ed25519 and with cheap keyed tags.
import { BUILTIN_ENGINES, LINK_DEFAULTS, type Crypto, type NetworkPlan } from '../core/index.js';
import { simulate } from '../sim/index.js';

export interface SimBenchRow {
  readonly nodes: number;
  readonly crypto: string;
  readonly virtualSeconds: number;
  readonly wallSeconds: number;
  readonly eventsPerSecond: number;
  readonly deliveriesPerSecond: number;
  readonly cryptoShare: number;
  readonly peakRssMiB: number;
  readonly heapUsedMiB: number;
}

export function ringPingPlan(nodes: number, durationMs: number, crypto: NetworkPlan['crypto']): NetworkPlan {
  const names = Array.from({ length: nodes }, (_, i) => `n${i + 1}`);
  const link = { ...LINK_DEFAULTS, latencyMs: 20, jitter: { kind: 'uniform' as const, maxMs: 4 } };
  const engines = [
    { name: 'echo', kind: 'echo', params: {}, factory: BUILTIN_ENGINES.get('echo')! },
    { name: 'ping', kind: 'ping', params: { intervalMs: 1000 }, factory: BUILTIN_ENGINES.get('ping')! },
  ];
  return {
    name: `bench-ring-${nodes}`,
    seed: 1,
    durationMs,
    crypto,
    nodes: names.map((name) => ({ name, engines })),
    links: names.map((name, i) => ({ a: name, b: names[(i + 1) % nodes]!, ab: link, ba: link })),
    events: [],
    source: { name: `bench-ring-${nodes}` },
  };
}

/** Wraps `crypto` so the time spent signing and verifying is summed into `spent.ms`. */
function timed(crypto: Crypto, spent: { ms: number }): Crypto {
  return {
    ...crypto,
    sign(key, bytes) {
      const start = performance.now();
      const signature = crypto.sign(key, bytes);
      spent.ms += performance.now() - start;
      return signature;
    },
    verify(id, bytes, signature) {
      const start = performance.now();
      const isValid = crypto.verify(id, bytes, signature);
      spent.ms += performance.now() - start;
      return isValid;
    },
  };
}

export function benchSim(nodes = 1000, durationMs = 10_000): SimBenchRow[] {
  const rows: SimBenchRow[] = [];
  for (const crypto of ['ed25519', 'sim-keyed'] as const) {
    globalThis.gc?.();
    const spent = { ms: 0 };
    let peakRss = process.memoryUsage().rss;
    const start = performance.now();
    const result = simulate(ringPingPlan(nodes, durationMs, crypto), {
      isRecording: false,
      wrapCrypto: (inner) => timed(inner, spent),
      onProgress: () => (peakRss = Math.max(peakRss, process.memoryUsage().rss)),
      progressEvery: 10_000,
    });
    const wallMs = performance.now() - start;
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    rows.push({
      nodes,
      crypto,
      virtualSeconds: durationMs / 1000,
      wallSeconds: wallMs / 1000,
      eventsPerSecond: result.executed / (wallMs / 1000),
      deliveriesPerSecond: result.summary.delivered / (wallMs / 1000),
      cryptoShare: spent.ms / wallMs,
      peakRssMiB: peakRss / 2 ** 20,
      heapUsedMiB: process.memoryUsage().heapUsed / 2 ** 20,
    });
  }
  return rows;
}

/** Loads a 10,000-node random-regular scenario and runs a short workload (the scale test's figure). */
export async function benchLargeScenario(): Promise<Record<string, number | string>[]> {
  const { loadScenarioText } = await import('../scenarios/index.js');
  const text = `name: bench-10k
seed: 1
crypto: sim-keyed
duration: 2s
defaults: { link: { latency: 20ms, jitter: 5ms } }
topology: { generate: [{ kind: random-regular, nodes: 10000, degree: 4 }] }
workloads: [{ name: w, from: all, to: neighbors, rate: 2/s }]
`;
  const loadStart = performance.now();
  const plan = await loadScenarioText(text, 'bench-10k.yaml');
  const loadMs = performance.now() - loadStart;
  const runStart = performance.now();
  const result = simulate(plan, { isRecording: false });
  const runMs = performance.now() - runStart;
  return [
    {
      nodes: plan.nodes.length,
      links: plan.links.length,
      crypto: 'sim-keyed',
      loadSeconds: loadMs / 1000,
      virtualSeconds: 2,
      runSeconds: runMs / 1000,
      delivered: result.summary.delivered,
      deliveriesPerSecond: result.summary.delivered / (runMs / 1000),
      rssMiB: process.memoryUsage().rss / 2 ** 20,
    },
  ];
}
