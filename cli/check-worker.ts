// The seed loop of `netmachine check`, run inside a worker thread: loads the scenario once, then
// answers each batch of seeds with one verdict per seed.
import { parentPort, workerData } from 'node:worker_threads';
import type { LoadOptions } from '../scenarios/index.js';
import { runSeed, type CheckRequest, type SeedVerdict } from './commands/check.js';

const port = parentPort!;
const { file, load } = workerData as { file: string; load?: LoadOptions };
port.on('message', (request: CheckRequest) => {
  void (async () => {
    const verdicts: SeedVerdict[] = [];
    for (const seed of request.seeds) verdicts.push(await runSeed(file, seed, load));
    port.postMessage(verdicts);
  })();
});
port.postMessage([]);
