// Entry of a deployment child process: `node transports/node-main.js <spec.json> <trace.jsonl>` (compiled), or `node --import tsx transports/node-main.ts …` from the sources.
import { readFileSync } from 'node:fs';
import { NodeSpecSchema } from './node-spec.js';
import { runNodeProcess } from './node-process.js';
import { shutdownQuicWorker } from './quic/worker-driver.js';

const [specPath, tracePath] = process.argv.slice(2);
if (specPath === undefined || tracePath === undefined) {
  process.stderr.write('usage: node-main.ts <spec.json> <trace.jsonl>\n');
  process.exit(2);
}
const spec = NodeSpecSchema.parse(JSON.parse(readFileSync(specPath, 'utf8')));
let code = 0;
try {
  await runNodeProcess(spec, { tracePath, isChild: true });
} catch (error) {
  process.send?.({ kind: 'error', message: String((error as Error)?.stack ?? error) });
  code = 1;
}
// The QUIC worker's sockets are closed before the process exits (exiting with them open aborts
// the process when a datagram arrives meanwhile).
const left = await shutdownQuicWorker();
if (left !== 0) process.stderr.write(`node ${spec.name}: the QUIC worker ${left < 0 ? 'did not shut down in time' : `kept ${left} UDP socket(s) open`}\n`);
if (code === 0) process.disconnect?.();
process.exit(code);
