// Entry of a deployment child process: `node transports/node-main.js <spec.json> <trace.jsonl>` (compiled), or `node --import tsx transports/node-main.ts …` from the sources.
import { readFileSync } from 'node:fs';
import { NodeSpecSchema } from './node-spec.js';
import { runNodeProcess } from './node-process.js';

const [specPath, tracePath] = process.argv.slice(2);
if (specPath === undefined || tracePath === undefined) {
  process.stderr.write('usage: node-main.ts <spec.json> <trace.jsonl>\n');
  process.exit(2);
}
const spec = NodeSpecSchema.parse(JSON.parse(readFileSync(specPath, 'utf8')));
try {
  await runNodeProcess(spec, { tracePath, isChild: true });
  process.disconnect?.();
  process.exit(0);
} catch (error) {
  process.send?.({ kind: 'error', message: String((error as Error)?.stack ?? error) });
  process.exit(1);
}
