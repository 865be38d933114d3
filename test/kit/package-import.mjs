// Plain Node ESM, no TypeScript loader: the package imports itself by name through `exports`.
import { simulate, scenarioArbitrary, atMostOnceDelivery, checkProperty } from 'netmachine';
import fc from 'fast-check';

const [scenario] = fc.sample(scenarioArbitrary({ topology: { nodesMin: 2, nodesMax: 3 } }), { numRuns: 1, seed: 1 });
const run = await simulate(scenario, { seed: 7 });
const verdict = atMostOnceDelivery(run);
await checkProperty(scenarioArbitrary({ topology: { nodesMax: 3 } }), [atMostOnceDelivery], { numRuns: 3, seed: 1, report: false });
process.stdout.write(JSON.stringify({ events: run.events.length, sent: run.summary.sent, isOk: verdict.isOk }) + '\n');
