// Start-up of the `netmachine` command from its compiled JavaScript (dist/, built first when the
// sources are newer): the median wall time of several `--help` and `--version` starts, against a
// bare `node -e 0` start measured interleaved in the same run. Goal: `--help` ≤ 300 ms.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { build, isBuildCurrent } from '../cli/build.js';

const STARTS = 9;
const HELP_GOAL_MS = 300;
const bin = join(import.meta.dirname, '..', 'cli', 'netmachine.js');

/** Wall ms of one child process run to completion. */
function timed(args: ReadonlyArray<string>): number {
  const startedMs = performance.now();
  const result = spawnSync(process.execPath, args, { stdio: 'ignore' });
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited with ${result.status}`);
  return performance.now() - startedMs;
}

function median(values: ReadonlyArray<number>): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export function benchCli(): ReadonlyArray<Record<string, unknown>> {
  if (!isBuildCurrent() && build() !== 0) throw new Error('npm run build failed');
  const cases = [
    { command: 'node -e 0 (bare Node start)', args: ['-e', '0'] },
    { command: 'netmachine --help', args: [bin, '--help'] },
    { command: 'netmachine --version', args: [bin, '--version'] },
    { command: 'netmachine run --help', args: [bin, 'run', '--help'] },
  ];
  const samples = cases.map(() => [] as number[]);
  for (let round = 0; round < STARTS; round++) cases.forEach((entry, index) => samples[index]!.push(timed(entry.args)));
  const bare = median(samples[0]!);
  return cases.map((entry, index) => {
    const ms = median(samples[index]!);
    return {
      command: entry.command,
      medianMs: Math.round(ms),
      minMs: Math.round(Math.min(...samples[index]!)),
      overBareNodeMs: Math.round(ms - bare),
      goal: entry.command === 'netmachine --help' ? `≤ ${HELP_GOAL_MS} ms: ${ms <= HELP_GOAL_MS ? 'met' : 'MISSED'}` : '',
    };
  });
}
