// `netmachine deploy FILE.yaml`: runs a scenario on real QUIC/TLS endpoints on 127.0.0.1 (one
// child process per node, or all in this process), in wall time, writes the merged trace, prints
// the summary and evaluates the scenario's `expect` block (exit 1 when an expectation fails).
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { checkExpectations, loadScenario } from '../../scenarios/index.js';
import { deployPlan, dnsLabel, writeTraceFile } from '../../transports/index.js';
import { emitCluster } from '../emit-cluster.js';
import { parseEmitFlags, type EmitFlags } from '../emit-flags.js';
import { CliError, EXIT_FAILED } from '../errors.js';
import { parseSeedFlag, parseUntilFlag } from '../flags.js';
import { formatExpectations, summaryTable } from '../format.js';
import { writeReport } from '../report.js';
import { addScenarioFlags, scenarioLoadOptions, type ScenarioFlags } from '../scenario-flags.js';

interface DeployFlags extends ScenarioFlags, EmitFlags {
  readonly inProcess?: boolean;
  readonly transport: string;
  readonly timeScale: string;
  readonly trace?: string;
  readonly seed?: string;
  readonly until?: string;
  readonly quiet?: boolean;
  readonly report?: string;
  readonly keys?: string;
  readonly bootConcurrency?: string;
}

export function configure(command: Command): void {
  addScenarioFlags(command)
    .argument('<scenario>', 'scenario file (.yaml or .json)')
    .option('--in-process', 'all endpoints in this process')
    .option('--transport <kind>', 'quic, tls or both (adverts list QUIC first)', 'quic')
    .option('--time-scale <s>', 'wall ms per scenario ms (0.5 = twice as fast)', '1')
    .option('--trace <file>', 'write the merged trace (JSONL) to this file')
    .option('--seed <n>', 'seed (overrides the scenario\'s seed)')
    .option('--until <duration>', 'run length, e.g. 10s (overrides the scenario\'s duration)')
    .option('--report <file>', 'write an interactive HTML report of the run to this file')
    .option('--keys <dir>', 'read the nodes\', topics\' and domains\' keys from this directory, creating the missing ones (default: random keys per run)')
    .option('--boot-concurrency <n>', 'node processes booted at once (default: the CPU count, at least 2)')
    .option('--quiet', 'print nothing but errors and failed expectations')
    .option('--emit <target>', 'instead of running: write Kubernetes (k8s) or Docker Compose (compose) manifests for the nodes (docs/cluster.md)')
    .option('--out <dir>', 'with --emit: the folder to write (absent or empty)')
    .option('--image <ref>', 'with --emit: the netmachine image the nodes run (default: netmachine:<version>)')
    .option('--namespace <ns>', 'with --emit k8s: the namespace, part of the nodes\' DNS names (default: default)')
    .option('--name <run>', 'with --emit: the run\'s name: Service, object prefix, Compose project (default: from the scenario\'s name)')
    .option('--start-at <time>', 'with --emit: when the nodes start, +DURATION from now or an ISO 8601 time (default: +60s)')
    .option('--port-base <n>', 'with --emit: node i listens on QUIC n+2i and TLS n+2i+1 (default: 7000)')
    .action(async (file: string, flags: DeployFlags) => {
      const transport = flags.transport;
      if (transport !== 'quic' && transport !== 'tls' && transport !== 'both') throw new CliError('cli/bad-transport', `--transport: expected quic, tls or both, got "${transport}"`);
      const timeScale = Number(flags.timeScale);
      if (!(timeScale > 0) || !Number.isFinite(timeScale)) throw new CliError('cli/bad-time-scale', `--time-scale: expected a positive number, got "${flags.timeScale}"`);
      const bootConcurrency = flags.bootConcurrency === undefined ? undefined : Number(flags.bootConcurrency);
      if (bootConcurrency !== undefined && !(Number.isInteger(bootConcurrency) && bootConcurrency >= 1 && bootConcurrency <= 1024)) throw new CliError('cli/bad-boot-concurrency', `--boot-concurrency: expected a whole number from 1 to 1024, got "${flags.bootConcurrency}"`);
      const emit = parseEmitFlags(flags, Date.now());
      const scenario = await loadScenario(file, scenarioLoadOptions(flags));
      const seed = parseSeedFlag(flags.seed);
      const durationMs = parseUntilFlag(flags.until);
      if (emit !== undefined) {
        const name = emit.name ?? dnsLabel(scenario.plan.name)?.slice(0, 40).replace(/-+$/, '') ?? 'netmachine';
        const { files, notes } = emitCluster(scenario.plan, {
          ...emit,
          name,
          transport,
          timeScale,
          scenarioText: await readFile(file, 'utf8'),
          ...(seed !== undefined && { seed }),
          ...(durationMs !== undefined && { durationMs }),
          ...(flags.keys !== undefined && { keyDir: flags.keys }),
        });
        for (const note of notes) process.stderr.write(`note: ${note}\n`);
        if (flags.quiet !== true) process.stdout.write(`wrote ${files.length} files for ${scenario.plan.nodes.length} nodes to ${emit.outDir} (${emit.target}, run ${name}); the nodes start at ${new Date(emit.originMs).toISOString()}\n`);
        return;
      }
      const log = flags.quiet === true ? undefined : (line: string): void => void process.stderr.write(`${line}\n`);
      const result = await deployPlan(scenario.plan, {
        transport,
        isInProcess: flags.inProcess === true,
        timeScale,
        ...(seed !== undefined && { seed }),
        ...(durationMs !== undefined && { durationMs }),
        ...(log !== undefined && { log }),
        ...(flags.keys !== undefined && { keyDir: flags.keys }),
        ...(bootConcurrency !== undefined && { bootConcurrency }),
      });
      if (flags.trace !== undefined) writeTraceFile(flags.trace, result.header, result.events);
      if (flags.report !== undefined) writeReport(flags.report, result.header, result.events, flags.quiet === true);
      const { summary } = result;
      if (flags.quiet !== true) {
        process.stdout.write(
          [
            `scenario ${scenario.plan.name}  seed ${result.header.seed}  backend ${result.header.backend} (${transport}, ${flags.inProcess === true ? 'in process' : 'one process per node'})  emulated: ${result.header.emulated?.join(', ')}`,
            summaryTable(summary),
            `${summary.events} trace events${flags.trace === undefined ? '' : `; trace written to ${flags.trace}`}`,
          ].join('\n') + '\n',
        );
      }
      const results = await checkExpectations(scenario.expect, result.header, result.events, file);
      const shown = formatExpectations(results, flags.quiet === true);
      if (shown !== '') process.stdout.write(`\n${shown}\n`);
      if (results.some((expectation) => !expectation.isMet)) process.exitCode = EXIT_FAILED;
    });
}
