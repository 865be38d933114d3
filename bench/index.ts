// `npm run bench`: every benchmark of the project, printed as markdown tables for the README.
// Usage: npm run bench [-- --only crypto,sim,underlay,overlay,domains,topology,kit,viz,transports,check,cli]
import { cpus, totalmem } from 'node:os';
import { benchCrypto } from './crypto.js';
import { benchDomains } from './domains.js';
import { benchExplore, benchKit, benchLinearizability, benchPlantedBugs } from './kit.js';
import { benchOverlay } from './overlay.js';
import { benchMillion } from './sim-million.js';
import { benchTopology } from './topology.js';
import { benchLargeScenario, benchSim } from './sim.js';
import { benchUnderlay } from './underlay.js';

const only = (() => {
  const index = process.argv.indexOf('--only');
  return index < 0 ? undefined : new Set(process.argv[index + 1]?.split(','));
})();
const wants = (name: string): boolean => only === undefined || only.has(name);

function markdown(rows: ReadonlyArray<Record<string, unknown>>): string {
  if (rows.length === 0) return '(no rows)';
  const keys = Object.keys(rows[0]!);
  const cell = (value: unknown): string => (typeof value === 'number' ? (Number.isInteger(value) ? String(value) : value.toPrecision(4)) : String(value));
  return [`| ${keys.join(' | ')} |`, `| ${keys.map(() => '---').join(' | ')} |`, ...rows.map((row) => `| ${keys.map((key) => cell(row[key])).join(' | ')} |`)].join('\n');
}

console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}\n`);
if (wants('crypto')) {
  console.log('## Ed25519, 100-byte messages\n');
  console.log(markdown(benchCrypto().map((row) => ({ ...row }))));
  console.log();
}
if (wants('sim')) {
  console.log('## Simulator: 1,000-node ring, ping/echo every second, 10 s virtual, against its limits in the same run\n');
  console.log(markdown(benchSim().map((row) => ({ ...row }))));
  console.log();
  console.log('## Simulator: 10,000-node random-regular scenario (degree 4), workload to neighbours, 2 s virtual\n');
  console.log(markdown(await benchLargeScenario()));
  console.log();
}
if (wants('sim') || wants('kit')) {
  console.log('## Property-testing kit: cases per second\n');
  console.log(markdown((await benchKit()).map((row) => ({ ...row }))));
  console.log();
}
if (wants('kit')) console.log(`## Linearizability checker: generated register histories\n\n${markdown(benchLinearizability().map((row) => ({ ...row })))}\n\n## Planted bugs hunted with the kit\n\n${markdown((await benchPlantedBugs()).map((row) => ({ ...row })))}\n\n## Exhaustive exploration\n\n${markdown((await benchExplore()).map((row) => ({ ...row })))}\n`);
if (wants('underlay')) {
  console.log('## Underlay alone: memory per host of the region underlay at 100,000 hosts (continents matrix, access links), and routing on an AS-like graph (1,000 routers, 10,000 dual-homed hosts, 8 peers each: the first pass searches every pair, the next ones reuse the paths)\n');
  console.log(markdown(await benchUnderlay()));
  console.log();
}
if (wants('overlay')) {
  console.log('## Overlay: 100,000 nodes on the continents region underlay, each knowing 8 random peers, 1 message/s each to a known peer over on-demand connections, 3 s virtual (goals: load ≤ 5 s, ≤ 2 KiB per node at boot)\n');
  console.log(markdown(await benchOverlay()));
  console.log();
}
if (wants('domains')) {
  console.log('## Domains: 10,000 nodes on the continents region underlay (sim-keyed); 9,000 members join one domain through its owner in the first 5 s; 1,000 non-members make 10 external requests each (1/s from 7 s, 1 s timeout, 3 attempts) to the 20 serving members, 5 of which crash at 10 s\n');
  console.log(markdown(await benchDomains()));
  console.log();
}
if (only?.has('million') === true) {
  console.log('## 10⁶ nodes: the overlay scenario above at 1,000,000 nodes, 1 s virtual (goals: ≤ 8 GiB RSS at ≥ 100,000 deliveries per second)\n');
  console.log(markdown(benchMillion()));
  console.log();
}
if (wants('topology')) {
  console.log('## Overlay maintenance: 10,000 nodes join one domain through a bootstrap node (HyParView, active 5, passive 30), PubSub over the view, one event/s; 50% and 80% fail at once, or 5% churn per minute (docs/overlay-maintenance.md)\n');
  console.log(markdown(await benchTopology()));
  console.log();
}
for (const [name, path, exportName] of [
  ['viz', './viz.js', 'benchViz'],
  ['transports', './transports.js', 'benchTransports'],
  ['hostile', './hostile.js', 'benchHostile'],
  ['check', './check.js', 'benchCheck'],
  ['cli', './cli.js', 'benchCli'],
] as const) {
  if (!wants(name)) continue;
  try {
    const module = (await import(path)) as Record<string, () => Promise<ReadonlyArray<Record<string, unknown>>> | ReadonlyArray<Record<string, unknown>>>;
    console.log(`## ${name}\n`);
    console.log(markdown(await module[exportName]!()));
    console.log();
  } catch (error) {
    console.log(`## ${name}: not run (${(error as Error).message.split('\n')[0]})\n`);
  }
}
