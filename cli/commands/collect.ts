// `netmachine collect OUT.jsonl IN.jsonl…`: the per-node traces of one real run (each
// `netmachine node --trace`) as one trace that viz, compare and the expectation checker read:
// events on one time axis, merged by time (ties by node name), `seq` renumbered, one header naming
// every node and engine. With `--scenario FILE` the header carries the scenario and its `expect`
// block is checked on the result (exit 1 when an expectation fails).
import type { Command } from 'commander';
import { summarizeTrace } from '../../core/index.js';
import { checkExpectations, loadScenario } from '../../scenarios/index.js';
import { collectTraces, writeTraceFile } from '../../transports/index.js';
import { CliError, EXIT_FAILED } from '../errors.js';
import { formatExpectations } from '../format.js';
import { addScenarioFlags, scenarioLoadOptions, type ScenarioFlags } from '../scenario-flags.js';
import { readTraceParts } from '../trace-read.js';

export function configure(command: Command): void {
  addScenarioFlags(command)
    .argument('<out>', 'the merged trace to write (JSONL)')
    .argument('<traces...>', 'per-node traces of one run (a file a node was started again on holds one part per process: each is read)')
    .option('--scenario <file>', 'the scenario the nodes ran: put it in the header and check its expectations')
    .option('--quiet', 'print nothing but errors and failed expectations')
    .action(async (out: string, inputs: string[], flags: ScenarioFlags & { scenario?: string; quiet?: boolean }) => {
      if (inputs.includes(out)) throw new CliError('cli/bad-flags', `collect: the output ${out} is also an input`);
      // A node started again on its trace file appended its part: each part is one input.
      const traces = inputs.flatMap((source) => {
        const parts = readTraceParts(source);
        return parts.map((part, index) => ({ source: parts.length === 1 ? source : `${source} (part ${index + 1} of ${parts.length})`, ...part }));
      });
      const scenario = flags.scenario === undefined ? undefined : await loadScenario(flags.scenario, scenarioLoadOptions(flags));
      const { header, events } = collectTraces(traces, scenario === undefined ? undefined : { document: scenario.plan.source, file: scenario.file });
      try {
        writeTraceFile(out, header, events);
      } catch (error) {
        throw new CliError('cli/trace-unwritable', `cannot write the trace to ${out}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
      }
      if (flags.quiet !== true) {
        const summary = summarizeTrace(events);
        process.stdout.write(`collected ${events.length} events of ${Object.keys(header.nodes).length} nodes from ${inputs.length} traces into ${out} (backend ${header.backend}; ${summary.delivered} delivered, ${summary.dropped} dropped)\n`);
      }
      if (scenario === undefined) return;
      const results = await checkExpectations(scenario.expect, header, events, scenario.file);
      const shown = formatExpectations(results, flags.quiet === true);
      if (shown !== '') process.stdout.write(`\n${shown}\n`);
      if (results.some((result) => !result.isMet)) process.exitCode = EXIT_FAILED;
    });
}
