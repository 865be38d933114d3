#!/usr/bin/env node
// The `netmachine` command. It runs the compiled JavaScript in dist/ (built by `npm run build`,
// which `npm ci` and `npm pack` run through `prepare`). In a checkout whose TypeScript sources
// changed after the last build, it runs the sources through tsx instead (slower to start, never stale).
import { hasSources, isBuildCurrent } from './build.js';

let entry;
if (isBuildCurrent()) entry = new URL('../dist/cli/main.js', import.meta.url);
else if (hasSources()) {
  const { register } = await import('tsx/esm/api');
  register();
  entry = new URL('./main.ts', import.meta.url);
} else {
  process.stderr.write('netmachine: this installation has no compiled dist/ folder; reinstall the package\n');
  process.exit(2);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv);
