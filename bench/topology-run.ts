// One experiment of bench/topology.ts, its row and samples written as JSON (docs/overlay-maintenance.md):
// npx tsx bench/topology-run.ts <nodes> <experiment 0|1|2> <out.json> [joinS faultAtS durationS]
// The optional three shorten (or lengthen) the run: members join within joinS, the fault starts at
// faultAtS, the run ends at durationS (defaults 30, 50, 80; churn 140).
import { writeFileSync } from 'node:fs';
import { runTopology, topologyRow, topologyRuns, type TopologyRun } from './topology.js';

const usage = 'usage: npx tsx bench/topology-run.ts <nodes> <experiment 0|1|2> <out.json> [joinS faultAtS durationS]';
const [nodesArg, experimentArg, out, ...timing] = process.argv.slice(2);
const nodes = Number(nodesArg);
const base = topologyRuns(Number.isInteger(nodes) && nodes >= 3 ? nodes : 3)[Number(experimentArg)];
if (!Number.isInteger(nodes) || nodes < 3 || base === undefined || out === undefined || (timing.length !== 0 && timing.length !== 3)) {
  console.error(usage);
  process.exit(2);
}
const [joinS, faultAtS, durationS] = timing.map(Number);
if (timing.length === 3 && !(joinS! >= 0 && faultAtS! >= joinS! && durationS! > faultAtS! + 5)) {
  console.error(`${usage}\nbad timing ${timing.join(' ')}: need 0 ≤ joinS ≤ faultAtS < durationS − 5`);
  process.exit(2);
}
const run: TopologyRun = timing.length === 3 ? { ...base, joinS: joinS!, faultAtS: faultAtS!, durationS: durationS! } : base;
// Progress on stderr: one line per sample (virtual seconds, wall seconds, live nodes, largest component).
const started = performance.now();
const result = await runTopology(run, 5, (sample) => process.stderr.write(`t=${sample.tS}s wall=${((performance.now() - started) / 1000).toFixed(0)}s live=${sample.live} largest=${(100 * sample.largestShare).toFixed(1)}% active=${sample.activeMean.toFixed(2)} holdingDead=${sample.holdingDead}\n`));
writeFileSync(out, JSON.stringify({ run, row: topologyRow(result), samples: result.samples.map((s) => ({ ...s, inDegrees: [...s.inDegrees] })), repairS: result.repairS, reliability: result.reliability, latency: result.latencyMs, latencyLater: result.latencyLaterMs, scheduled: result.scheduled }, null, 1));
console.log(JSON.stringify(topologyRow(result)));
