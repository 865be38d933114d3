// 10⁶ nodes: the overlay scenario of bench/overlay.ts (continents region underlay, each node knowing
// 8 random peers and sending one message per simulated second to one of them over connections made
// on demand, sim-keyed tags) at a million nodes. Goals: ≤ 8 GiB of RSS at ≥ 100,000 deliveries per
// second. It needs more heap than Node's default (≈ 4 GiB here), so it runs in a child process with
// a larger one, and takes minutes: `npm run bench -- --only million` (not part of the default run).
// The child's young generation is larger than Node's default (semi-spaces of 64 MiB instead of
// 16): a message sent allocates ≈ 10–20 KB, most of it dead young, and each scavenge also walks
// the old-to-new references into a multi-GiB heap, so fewer, larger scavenges cost less.
// Usage as a script: node --expose-gc --max-old-space-size=16384 --max-semi-space-size=64 --import tsx bench/sim-million.ts [nodes] [seconds]
import { spawnSync } from 'node:child_process';
import { totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { benchOverlay } from './overlay.js';

export const MILLION_RSS_GOAL_BYTES = 8 * 2 ** 30;
export const MILLION_RATE_GOAL = 100_000;
export const MILLION_SEMI_SPACE_MIB = 64;

/** Runs the million-node row in a child with a heap of up to 3/4 of the machine's memory (at most 16 GiB). */
export function benchMillion(nodes = 1_000_000, durationS = 1): Record<string, number | string>[] {
  const heapMiB = Math.min(16_384, Math.floor((totalmem() * 0.75) / 2 ** 20));
  const child = spawnSync(process.execPath, ['--expose-gc', `--max-old-space-size=${heapMiB}`, `--max-semi-space-size=${MILLION_SEMI_SPACE_MIB}`, '--import', 'tsx', fileURLToPath(import.meta.url), String(nodes), String(durationS)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 20,
  });
  const line = child.stdout.split('\n').find((text) => text.startsWith('{'));
  if (child.status !== 0 || line === undefined) return [{ nodes, result: `not run to the end (exit ${child.status ?? child.signal}; heap limit ${heapMiB} MiB)` }];
  const row = JSON.parse(line) as Record<string, number | string>;
  return [
    {
      ...row,
      semiSpaceMiB: MILLION_SEMI_SPACE_MIB,
      rssGoal: Number(row['peakRssMiB']) * 2 ** 20 <= MILLION_RSS_GOAL_BYTES ? 'met (≤ 8 GiB)' : 'not met (> 8 GiB)',
      rateGoal: Number(row['deliveriesPerSecond']) >= MILLION_RATE_GOAL ? 'met (≥ 100,000/s)' : 'not met (< 100,000/s)',
    },
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [row] = await benchOverlay(Number(process.argv[2] ?? 1_000_000), Number(process.argv[3] ?? 1));
  console.log(JSON.stringify(row));
}
