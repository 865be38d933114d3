// Simulator throughput on a 1,000-node ring (ping/echo every second), against its own limits
// measured in the same run: the bare event loop (bench/sim-bare.ts) and the signs and verifies each
// delivery needs, timed back to back, with Ed25519 and with the sim-keyed tags. Ratios are per CPU-second of this process
// (process.cpuUsage), which other processes on a shared machine disturb far less than wall time.
import { BUILTIN_ENGINES, createKeyedSimCrypto, createNodeCrypto, deriveSecret, LINK_DEFAULTS, type Crypto, type NetworkPlan } from '../core/index.js';
import { simulate } from '../sim/index.js';
import { runBareRing } from './sim-bare.js';

export interface SimBenchRow {
  readonly row: string;
  readonly wallSeconds: number;
  readonly cpuSeconds: number;
  readonly deliveriesPerSecond: number;
  readonly deliveriesPerCpuSecond: number;
  /** Simulated seconds per CPU-second. */
  readonly acceleration: number | string;
  /** Deliveries per CPU-second over the bare loop's. */
  readonly ofBare: number;
  /** Deliveries per CPU-second over the Ed25519 bound's. */
  readonly ofCryptoBound: number | string;
  readonly peakRssMiB: number | string;
}

/** Wall and CPU time of this process (all its threads) spent in `action`. */
function timed<T>(action: () => T): { value: T; wallMs: number; cpuMs: number } {
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  const value = action();
  const wallMs = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  return { value, wallMs, cpuMs: (cpu.user + cpu.system) / 1000 };
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

/** Signs and verifies of a run, with the bytes they covered (to time the same work bare). */
interface CryptoCounts {
  signs: number;
  signedBytes: number;
  verifies: number;
  verifiedBytes: number;
}

function counted(crypto: Crypto, counts: CryptoCounts): Crypto {
  return {
    ...crypto,
    sign(key, bytes) {
      counts.signs++;
      counts.signedBytes += bytes.length;
      return crypto.sign(key, bytes);
    },
    verify(id, bytes, signature) {
      counts.verifies++;
      counts.verifiedBytes += bytes.length;
      return crypto.verify(id, bytes, signature);
    },
  };
}

interface RingRun {
  readonly virtualMs: number;
  readonly delivered: number;
  readonly executed: number;
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly peakRss: number;
}

function runRing(nodes: number, durationMs: number, crypto: NetworkPlan['crypto'], counts?: CryptoCounts): RingRun {
  globalThis.gc?.();
  let peakRss = process.memoryUsage().rss;
  const { value: result, wallMs, cpuMs } = timed(() =>
    simulate(ringPingPlan(nodes, durationMs, crypto), {
      isRecording: false,
      ...(counts !== undefined && { wrapCrypto: (inner: Crypto) => counted(inner, counts) }),
      onProgress: () => (peakRss = Math.max(peakRss, process.memoryUsage().rss)),
      progressEvery: 10_000,
    }),
  );
  return { virtualMs: durationMs, delivered: result.summary.delivered, executed: result.executed, wallMs, cpuMs, peakRss: Math.max(peakRss, process.memoryUsage().rss) };
}

/** Distinct keys, messages and signatures the Ed25519 bound cycles through. */
const BOUND_KEYS = 256;

/**
 * Deliveries per second that Ed25519 alone allows: per delivery, the run's mean number of signs and
 * verifies over messages of the run's mean signed size, on node:crypto with cached keys (as the
 * simulator uses it), timed back to back for about `durationMs`. As in the run, the operations go
 * through many keys, each with its own message and signature: Ed25519 verification takes a time
 * that depends on the signature (OpenSSL's is variable-time), and one fixed signature verified over
 * and over measured ≈ 2–3% faster than varied ones.
 */
function ed25519Bound(counts: CryptoCounts, delivered: number, durationMs = 2000): { delivered: number; wallMs: number; cpuMs: number } {
  const crypto = createNodeCrypto();
  const keys = Array.from({ length: BOUND_KEYS }, (_, i) => crypto.keyPair(deriveSecret('bench', 'eng', `bound-${i}`)));
  const signedSize = Math.round(counts.signedBytes / counts.signs);
  const verifiedSize = Math.round(counts.verifiedBytes / counts.verifies);
  const signedMessages = keys.map((_, i) => new Uint8Array(signedSize).map((__, j) => (i * 131 + j * 7) & 0xff));
  const verifiedMessages = keys.map((_, i) => new Uint8Array(verifiedSize).map((__, j) => (i * 137 + j * 11) & 0xff));
  const signatures = keys.map((key, i) => crypto.sign(key, verifiedMessages[i]!));
  const signsPerDelivery = counts.signs / delivered;
  const verifiesPerDelivery = counts.verifies / delivered;
  let signs = 0;
  let verifies = 0;
  const { wallMs, cpuMs } = timed(() => {
    const start = performance.now();
    while (performance.now() - start < durationMs) {
      // Keep the mix at the run's ratio: sign while behind on signs, else verify.
      if (signs * verifiesPerDelivery <= verifies * signsPerDelivery) {
        const i = signs % BOUND_KEYS;
        crypto.sign(keys[i]!, signedMessages[i]!);
        signs++;
      } else {
        const i = verifies % BOUND_KEYS;
        if (!crypto.verify(keys[i]!.id, verifiedMessages[i]!, signatures[i]!)) throw new Error('ed25519Bound: a valid signature failed');
        verifies++;
      }
    }
  });
  return { delivered: Math.min(signs / signsPerDelivery, verifies / verifiesPerDelivery), wallMs, cpuMs };
}

/**
 * Deliveries per second that the `sim-keyed` tags alone allow: per delivery, the signs and
 * verifies the Ed25519 run counted (a `sim-keyed` signature field has Ed25519's 64 bytes, so the two
 * schemes sign the same bytes), over messages of the run's mean signed sizes, on the simulation's
 * keyed scheme, timed back to back for about `durationMs`. The most the full stack could reach while
 * it checks every signature with this tag, whatever else it did.
 */
function keyedTagBound(counts: CryptoCounts, delivered: number, durationMs = 1000): { delivered: number; wallMs: number; cpuMs: number } {
  const crypto = createKeyedSimCrypto();
  const key = crypto.keyPair(deriveSecret('bench', 'eng', 'tag-bound'));
  // Signed bytes in pooled storage at a random offset in a slab, as in the simulation (not one hot line).
  const slab = new Uint8Array(1 << 16).map((_, i) => (i * 7919) & 0xff);
  const signedSize = Math.round(counts.signedBytes / counts.signs);
  const verifiedSize = Math.round(counts.verifiedBytes / counts.verifies);
  const signature = crypto.sign(key, slab.subarray(0, verifiedSize));
  const signsPerDelivery = counts.signs / delivered;
  const verifiesPerDelivery = counts.verifies / delivered;
  let signs = 0;
  let verifies = 0;
  const { wallMs, cpuMs } = timed(() => {
    const start = performance.now();
    while (performance.now() - start < durationMs) {
      for (let i = 0; i < 100; i++) {
        if (signs * verifiesPerDelivery <= verifies * signsPerDelivery) {
          const offset = (signs * 8) & 0x7ff8;
          crypto.sign(key, slab.subarray(offset, offset + signedSize));
          signs++;
        } else {
          if (!crypto.verify(key.id, slab.subarray(0, verifiedSize), signature)) throw new Error('keyedTagBound: a valid tag failed');
          verifies++;
        }
      }
    }
  });
  return { delivered: Math.min(signs / signsPerDelivery, verifies / verifiesPerDelivery), wallMs, cpuMs };
}

/** The bare ring, warmed up and repeated for at least `wallMsMin` (one run takes a few ms). */
function bareRing(nodes: number, durationMs: number, wallMsMin = 1000): RingRun {
  runBareRing(nodes, durationMs);
  globalThis.gc?.();
  const total = { virtualMs: 0, delivered: 0, executed: 0, wallMs: 0, cpuMs: 0, peakRss: Number.NaN };
  while (total.wallMs < wallMsMin) {
    const { value: run, wallMs, cpuMs } = timed(() => runBareRing(nodes, durationMs));
    total.virtualMs += durationMs;
    total.delivered += run.delivered;
    total.executed += run.executed;
    total.wallMs += wallMs;
    total.cpuMs += cpuMs;
  }
  return total;
}

/** The bare loop, the full stack with both crypto schemes, and the Ed25519 bound, in one run. */
export function benchSim(nodes = 1000, durationMs = 10_000): SimBenchRow[] {
  const bare = bareRing(nodes, durationMs);
  const perCpuSecond = (run: { delivered: number; cpuMs: number }): number => run.delivered / (run.cpuMs / 1000);
  const keyed = runRing(nodes, durationMs, 'sim-keyed');
  const counts: CryptoCounts = { signs: 0, signedBytes: 0, verifies: 0, verifiedBytes: 0 };
  const ed = runRing(nodes, durationMs, 'ed25519', counts);
  const bound = ed25519Bound(counts, ed.delivered);
  const tagBound = keyedTagBound(counts, ed.delivered);
  const row = (name: string, run: RingRun | typeof bound, boundRate: number | undefined): SimBenchRow => ({
    row: name,
    wallSeconds: run.wallMs / 1000,
    cpuSeconds: run.cpuMs / 1000,
    deliveriesPerSecond: run.delivered / (run.wallMs / 1000),
    deliveriesPerCpuSecond: perCpuSecond(run),
    acceleration: 'virtualMs' in run ? run.virtualMs / run.cpuMs : '-',
    ofBare: perCpuSecond(run) / perCpuSecond(bare),
    ofCryptoBound: boundRate === undefined ? '-' : perCpuSecond(run) / boundRate,
    peakRssMiB: 'peakRss' in run && !Number.isNaN(run.peakRss) ? run.peakRss / 2 ** 20 : '-',
  });
  return [
    row(`bare event loop (sim/scheduler.ts, ${bare.virtualMs / durationMs} runs)`, bare, undefined),
    row('full stack, sim-keyed', keyed, undefined),
    row('full stack, ed25519', ed, perCpuSecond(bound)),
    row(`ed25519 bound (${(counts.signs / ed.delivered).toFixed(2)} signs + ${(counts.verifies / ed.delivered).toFixed(2)} verifies per delivery)`, bound, perCpuSecond(bound)),
    row('sim-keyed tag bound (the same signs and verifies, SipHash-2-4 tags)', tagBound, undefined),
  ];
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
