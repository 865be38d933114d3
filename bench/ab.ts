// Interleaved A/B runs of the 1,000-node ring in one process, for measuring an optimisation step
// on this noisy machine: two source trees (e.g. a `git worktree` of the previous commit, with a
// node_modules link, and this one) are loaded side by side and run alternately. Rates are per
// CPU-second of this process (process.cpuUsage), which other processes on the machine disturb
// less than wall time; wall-time rates are printed too.
// Usage: node --expose-gc --import tsx bench/ab.ts <treeA> <treeB> [--rounds 5] [--crypto sim-keyed] [--seconds 10] [--nodes 1000] [--bare | --kit [--cases 50]]
// (--bare: the bare event-loop ring of bench/sim-bare.ts instead of the full stack; --kit: the
// property kit's example property of bench/kit.ts, `--cases` cases a round, rates in cases per CPU-second)
import { resolve } from 'node:path';

interface Tree {
  readonly name: string;
  readonly runBareRing: (nodes: number, durationMs: number) => { delivered: number };
  readonly ringPingPlan: (nodes: number, durationMs: number, crypto: string) => unknown;
  readonly simulate: (plan: unknown, options: { isRecording: boolean }) => { summary: { delivered: number } };
  readonly benchKit: (cases: number) => Promise<ReadonlyArray<{ readonly cases: number }>>;
}

function flag(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index < 0 ? fallback : (process.argv[index + 1] ?? fallback);
}

async function load(root: string): Promise<Tree> {
  const bench = (await import(resolve(root, 'bench/sim.ts'))) as Pick<Tree, 'ringPingPlan'>;
  const sim = (await import(resolve(root, 'sim/index.ts'))) as Pick<Tree, 'simulate'>;
  const bare = (await import(resolve(root, 'bench/sim-bare.ts'))) as Pick<Tree, 'runBareRing'>;
  const kit = (await import(resolve(root, 'bench/kit.ts'))) as Pick<Tree, 'benchKit'>;
  return { name: root, ringPingPlan: bench.ringPingPlan, simulate: sim.simulate, runBareRing: bare.runBareRing, benchKit: kit.benchKit };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const [rootA, rootB] = process.argv.slice(2, 4);
if (rootA === undefined || rootB === undefined) throw new Error('usage: bench/ab.ts <treeA> <treeB> [--rounds N] [--crypto sim-keyed|ed25519] [--seconds S] [--nodes N]');
const rounds = Number(flag('rounds', '5'));
const crypto = flag('crypto', 'sim-keyed');
const durationMs = Number(flag('seconds', '10')) * 1000;
const nodes = Number(flag('nodes', '1000'));
const isBare = process.argv.includes('--bare');
const isKit = process.argv.includes('--kit');
const cases = Number(flag('cases', '50'));
const unit = isKit ? 'cases' : 'deliveries';
const runOnce = async (tree: Tree, ms: number): Promise<number> => {
  if (isKit) return (await tree.benchKit(ms === durationMs ? cases : 5))[0]!.cases;
  return isBare ? tree.runBareRing(nodes, ms).delivered : tree.simulate(tree.ringPingPlan(nodes, ms, crypto), { isRecording: false }).summary.delivered;
};
const trees = [await load(rootA), await load(rootB)];
const rates: number[][] = [[], []];
const wallRates: number[][] = [[], []];
for (const tree of trees) await runOnce(tree, 1000); // warm-up
for (let round = 0; round < rounds; round++) {
  // Alternate which tree goes first, so neither always runs on a freshly collected heap.
  for (const index of round % 2 === 0 ? [0, 1] : [1, 0]) {
    const tree = trees[index]!;
    globalThis.gc?.();
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    const delivered = await runOnce(tree, durationMs);
    const cpu = process.cpuUsage(cpuStart);
    const rate = delivered / ((cpu.user + cpu.system) / 1e6);
    const wallRate = delivered / ((performance.now() - start) / 1000);
    rates[index]!.push(rate);
    wallRates[index]!.push(wallRate);
    console.log(`round ${round + 1} ${index === 0 ? 'A' : 'B'} ${rate.toFixed(1)} ${unit}/CPU-s, ${wallRate.toFixed(1)}/wall-s`);
  }
}
const [a, b] = [median(rates[0]!), median(rates[1]!)];
console.log(`A ${rootA}: median ${a.toFixed(1)} ${unit}/CPU-s (${rates[0]!.map((rate) => rate.toFixed(1)).join(', ')}), wall ${median(wallRates[0]!).toFixed(1)}/s`);
console.log(`B ${rootB}: median ${b.toFixed(1)} ${unit}/CPU-s (${rates[1]!.map((rate) => rate.toFixed(1)).join(', ')}), wall ${median(wallRates[1]!).toFixed(1)}/s`);
// Each round's B over A (its two runs back to back, so a slow drift of the machine's load cancels),
// and how many rounds B was the faster of the two.
const paired = rates[1]!.map((rate, round) => rate / rates[0]![round]!);
console.log(`paired: median of the rounds' B/A ${median(paired).toFixed(3)}, B faster in ${paired.filter((ratio) => ratio > 1).length} of ${rounds} rounds`);
console.log(`B/A = ${(b / a).toFixed(3)} per CPU-s, ${(median(wallRates[1]!) / median(wallRates[0]!)).toFixed(3)} per wall-s (${isKit ? `property kit, ${cases} cases a round` : `${isBare ? 'bare loop' : crypto}, ${nodes} nodes, ${durationMs / 1000} s virtual`}, ${rounds} rounds)`);
