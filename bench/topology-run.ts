// One experiment of bench/topology.ts, its row and samples written as JSON (docs/overlay-maintenance.md):
// npx tsx bench/topology-run.ts <nodes> <experiment 0|1|2> <out.json>
import { writeFileSync } from 'node:fs';
import { runTopology, topologyRow, topologyRuns } from './topology.js';
const nodes = Number(process.argv[2]);
const run = topologyRuns(nodes)[Number(process.argv[3])]!;
// Progress on stderr: one line per sample (virtual seconds, wall seconds, live nodes, largest component).
const started = performance.now();
const result = await runTopology(run, 5, (sample) => process.stderr.write(`t=${sample.tS}s wall=${((performance.now() - started) / 1000).toFixed(0)}s live=${sample.live} largest=${(100 * sample.largestShare).toFixed(1)}%\n`));
writeFileSync(process.argv[4]!, JSON.stringify({ row: topologyRow(result), samples: result.samples.map((s) => ({ ...s, inDegrees: [...s.inDegrees] })), repairS: result.repairS, reliability: result.reliability, latency: result.latencyMs, latencyLater: result.latencyLaterMs, scheduled: result.scheduled }, null, 1));
console.log(JSON.stringify(topologyRow(result)));
