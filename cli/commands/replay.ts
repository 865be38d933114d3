// `netmachine replay TRACE`: re-runs the header's scenario and seed and compares event by event.
import type { Command } from 'commander';
import { traceHeaderLine, traceLine, TRACE_FORMAT, TRACE_VERSION } from '../../core/index.js';
import { loadScenarioValue } from '../../scenarios/index.js';
import { simulate } from '../../sim/index.js';
import { CliError, EXIT_FAILED } from '../errors.js';
import { readTraceFile, readTraceText } from '../trace-read.js';

export function register(program: Command): void {
  program
    .command('replay')
    .description('re-run a simulator trace\'s scenario and seed; exit 0 if every event is identical, 1 at the first difference')
    .argument('<trace>', 'trace file (JSONL) written by netmachine run --trace')
    .action(async (path: string) => {
      const { header } = readTraceFile(path);
      if (header.format !== TRACE_FORMAT || header.version !== TRACE_VERSION) {
        throw new CliError('cli/trace-version', `${path}:1: trace format ${header.format} v${header.version} cannot be replayed by this netmachine (${TRACE_FORMAT} v${TRACE_VERSION})`);
      }
      if (header.backend !== 'sim') throw new CliError('cli/not-replayable', `${path}:1: a ${header.backend} trace records a real network and cannot be replayed; use netmachine compare`);
      const { plan } = await loadScenarioValue(header.scenario, header.scenarioFile ?? path);
      const expected = [] as string[];
      const result = simulate(plan, { seed: header.seed, ...(header.durationMs !== undefined && { durationMs: header.durationMs }), isRecording: false, onStart: (h) => expected.push(traceHeaderLine(h)), onEvent: (event) => expected.push(traceLine(event)) });
      const actual = readTraceText(path).split('\n');
      if (actual[actual.length - 1] === '') actual.pop();
      for (let i = 0; i < Math.max(expected.length, actual.length); i++) {
        if (expected[i] === actual[i]) continue;
        const what = i === 0 ? 'the header' : `event ${i - 1}`;
        process.stdout.write(
          [
            `DIFFERENT at line ${i + 1} (${what}) of ${path}:`,
            `  expected: ${expected[i] ?? '(end of trace)'}`,
            `  actual:   ${actual[i] ?? '(end of trace)'}`,
            `${expected.length - 1} events replayed, ${actual.length - 1} in the file`,
          ].join('\n') + '\n',
        );
        process.exitCode = EXIT_FAILED;
        return;
      }
      process.stdout.write(`identical: ${expected.length - 1} events replayed from seed ${header.seed} match ${path} (${result.executed} scheduler events)\n`);
    });
}
