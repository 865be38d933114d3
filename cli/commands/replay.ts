// `netmachine replay TRACE`: re-runs the header's scenario and seed and compares event by event.
// A trace is input from anyone: modules its scenario names run only with --allow-modules.
import type { Command } from 'commander';
import { traceHeaderLine, traceLine, TRACE_FORMAT, TRACE_VERSION } from '../../core/index.js';
import { loadScenarioValue, scenarioModules } from '../../scenarios/index.js';
import { simulate } from '../../sim/index.js';
import { CliError, EXIT_FAILED } from '../errors.js';
import { addScenarioFlags, scenarioLoadOptions, type ScenarioFlags } from '../scenario-flags.js';
import { readTraceFile, readTraceText } from '../trace-read.js';
import { lineDifference } from '../line-diff.js';

interface ReplayFlags extends ScenarioFlags {
  readonly allowModules?: boolean;
}

export function configure(command: Command): void {
  addScenarioFlags(command)
    .argument('<trace>', 'trace file (JSONL) written by netmachine run --trace')
    .option('--allow-modules', 'run the engine and check modules the trace\'s scenario names (they are code: trust the trace first)')
    .action(async (path: string, flags: ReplayFlags) => {
      const { header } = readTraceFile(path);
      if (header.format !== TRACE_FORMAT || header.version !== TRACE_VERSION) {
        throw new CliError('cli/trace-version', `${path}:1: trace format ${header.format} v${header.version} cannot be replayed by this netmachine (${TRACE_FORMAT} v${TRACE_VERSION})`);
      }
      if (header.backend !== 'sim') throw new CliError('cli/not-replayable', `${path}:1: a ${header.backend} trace records a real network and cannot be replayed; use netmachine compare`);
      const modules = scenarioModules(header.scenario);
      if (modules.length > 0 && flags.allowModules !== true) {
        const listed = modules.slice(0, 5).map((entry) => `${entry.path} = ${JSON.stringify(entry.module.slice(0, 200))}`).join(', ');
        throw new CliError('cli/replay-modules', `${path}:1: the trace's scenario names modules that replaying would run (${listed}${modules.length > 5 ? `, and ${modules.length - 5} more` : ''}), resolved against ${JSON.stringify(String(header.scenarioFile ?? path).slice(0, 200))}; pass --allow-modules if you trust this trace`);
      }
      const { plan } = await loadScenarioValue(header.scenario, header.scenarioFile ?? path, scenarioLoadOptions(flags));
      const replayed = [] as string[];
      const result = simulate(plan, { seed: header.seed, ...(header.durationMs !== undefined && { durationMs: header.durationMs }), isRecording: false, onStart: (h) => replayed.push(traceHeaderLine(h)), onEvent: (event) => replayed.push(traceLine(event)) });
      const recorded = readTraceText(path).split('\n');
      if (recorded[recorded.length - 1] === '') recorded.pop();
      for (let i = 0; i < Math.max(replayed.length, recorded.length); i++) {
        if (replayed[i] === recorded[i]) continue;
        const what = i === 0 ? 'the header' : `event ${i - 1}`;
        const difference = lineDifference(recorded[i], replayed[i]);
        process.stdout.write(
          [
            `DIFFERENT at line ${i + 1} (${what}) of ${path}${difference.field === undefined ? '' : `, first in field "${difference.field}"`}:`,
            `  in the trace: ${difference.recorded}`,
            `  replayed:     ${difference.replayed}`,
            `${replayed.length - 1} events replayed, ${recorded.length - 1} in the file`,
          ].join('\n') + '\n',
        );
        process.exitCode = EXIT_FAILED;
        return;
      }
      process.stdout.write(`identical: ${replayed.length - 1} events replayed from seed ${header.seed} match ${path} (${result.executed} scheduler events)\n`);
    });
}
