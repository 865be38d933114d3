// `netmachine run [scenario]`: runs a scenario in the simulator and prints a summary.
import type { Command } from 'commander';
import { formatId, shortId, type JitterSpec, type NetworkPlan, type TraceEvent, type TraceHeader } from '../../core/index.js';
import { checkExpectations, loadDefault, loadScenario, type ExpectationResult, type LoadedScenario } from '../../scenarios/index.js';
import { simulate, type NodeView, type SimulationResult } from '../../sim/index.js';
import { CliError, EXIT_FAILED } from '../errors.js';
import { parseSeedFlag, parseUntilFlag } from '../flags.js';
import { writeReport } from '../report.js';
import { formatExpectations, ms, plural, summaryTable, table } from '../format.js';
import { progressReporter } from '../progress.js';
import { addScenarioFlags, scenarioLoadOptions, type ScenarioFlags } from '../scenario-flags.js';
import { createTraceFileWriter } from '../trace-file.js';

export interface RunFlags extends ScenarioFlags {
  readonly seed?: string;
  readonly until?: string;
  readonly trace?: string;
  readonly verbose?: boolean;
  readonly quiet?: boolean;
  readonly report?: string;
  /** Print this node's own view (identity store, connections) at the end. */
  readonly view?: string;
}

export function configure(command: Command): void {
  addScenarioFlags(command)
    .argument('[scenario]', 'scenario file (.yaml or .json)')
    .option('--seed <n>', 'seed (overrides the scenario\'s seed)')
    .option('--until <duration>', 'virtual run length, e.g. 30s (overrides the scenario\'s duration)')
    .option('--trace <file>', 'write the trace (JSONL) to this file')
    .option('--report <file>', 'write an interactive HTML report of the run to this file')
    .option('--verbose', 'print every resolved link and key, however many')
    .option('--view <node>', "print this node's view at the end: its identity store (known nodes, RTT, failures, trust) and its connections")
    .option('--quiet', 'print nothing but errors and failed expectations')
    .action(async (file: string | undefined, flags: RunFlags) => {
      const options = scenarioLoadOptions(flags, { durationMs: parseUntilFlag(flags.until) });
      const scenario = file === undefined ? await loadDefault(options) : await loadScenario(file, options);
      const { result, expectations } = await runScenario(scenario, flags);
      if (flags.report !== undefined) writeReport(flags.report, result.header, result.events, flags.quiet === true);
      if (expectations.some((expectation) => !expectation.isMet)) process.exitCode = EXIT_FAILED;
    });
}

/** Runs a loaded scenario, checks its expectations, and prints both (unless quiet). */
export async function runScenario(scenario: LoadedScenario, flags: RunFlags): Promise<{ result: SimulationResult; expectations: ExpectationResult[] }> {
  const isRecording = scenario.expect !== undefined || flags.report !== undefined;
  const result = runPlan(scenario.plan, flags, isRecording);
  const expectations = await checkExpectations(scenario.expect, result.header, result.events, scenario.file, { isOutsideAllowed: flags.allowModulesOutside === true });
  const shown = formatExpectations(expectations, flags.quiet === true);
  if (shown !== '') process.stdout.write(`${flags.quiet === true ? '' : '\n'}${shown}\n`);
  return { result, expectations };
}

export function runPlan(plan: NetworkPlan, flags: RunFlags, isRecording = false): SimulationResult {
  const seed = parseSeedFlag(flags.seed) ?? plan.seed;
  const durationMs = parseUntilFlag(flags.until) ?? plan.durationMs;
  if (flags.view !== undefined && !plan.nodes.some((node) => node.name === flags.view)) throw new CliError('cli/unknown-node', `--view: no node "${flags.view}" in scenario ${plan.name}`);
  const progress = progressReporter(durationMs, plan.name);
  let writer: ReturnType<typeof createTraceFileWriter> | undefined;
  const tracePath = flags.trace;
  const result = simulate(plan, {
    seed,
    durationMs,
    isRecording,
    onProgress: (nowMs) => progress.onProgress(nowMs),
    progressEvery: 20_000,
    ...(tracePath !== undefined && {
      onStart: (header: TraceHeader) => {
        writer = createTraceFileWriter(tracePath, header);
      },
      onEvent: (event: TraceEvent) => writer!.write(event),
    }),
  });
  writer?.close();
  progress.stop();
  if (flags.quiet !== true) process.stdout.write(formatRun(plan, result, flags.verbose === true, flags.trace) + '\n');
  if (flags.view !== undefined) process.stdout.write('\n' + formatView(result.nodeView(flags.view)) + '\n');
  return result;
}

const LIST_MAX = 24;

function formatRun(plan: NetworkPlan, result: SimulationResult, isVerbose: boolean, tracePath: string | undefined): string {
  const { summary, header } = result;
  const out: string[] = [];
  out.push(`scenario ${plan.name}  seed ${header.seed}  backend sim  crypto ${header.crypto}  virtual time ${ms(result.end === 'time-limit' ? result.durationMs : summary.endMs)}  (${describeEnd(result.end, result.durationMs)})`);
  const limit = isVerbose ? Infinity : LIST_MAX;
  const more = (total: number): string[] => (total > limit ? [`… ${total - limit} more (use --verbose to list all)`] : []);

  const nodeRows = Object.entries(header.nodes).slice(0, limit).map(([name, id]) => [name, formatId('node', shortId(id)) + '…', plan.nodes.find((node) => node.name === name)?.engines.map((engine) => engine.name).join(',') ?? '']);
  out.push('', `${plural(plan.nodes.length, 'node')}; ids derive from (seed, name)`, table(['node', 'id', 'engines'], nodeRows), ...more(plan.nodes.length));

  const linkRows = plan.links.slice(0, limit).flatMap((link) =>
    [
      [link.a, link.b, result.network.linkSpec(link.a, link.b)],
      [link.b, link.a, result.network.linkSpec(link.b, link.a)],
    ].map(([from, to, spec]) => {
      const s = spec as ReturnType<typeof result.network.linkSpec>;
      return [`${from}→${to}`, ms(s.latencyMs), formatJitter(s.jitter), s.bandwidthBytesPerSecond === 0 ? 'unlimited' : `${Math.round((s.bandwidthBytesPerSecond * 8) / 1e3) / 1e3}Mbps`, `${s.lossProbability * 100}%`, `${s.duplicateProbability * 100}%`, formatBytes(s.frameSizeMaxBytes)];
    }),
  );
  out.push('', `${plural(plan.links.length, 'link')}, both directions, as resolved at the end of the run`, table(['link', 'latency', 'jitter', 'bandwidth', 'loss', 'dup', 'largest frame'], linkRows), ...more(plan.links.length));

  out.push(
    '',
    summaryTable(summary),
    '',
    `${plural(summary.events, 'trace event')}, ${plural(result.executed, 'scheduler event')}${tracePath === undefined ? '' : `; trace written to ${tracePath}`}`,
  );
  return out.join('\n');
}

/** A node's identity store and connections, as tables. */
export function formatView(view: NodeView): string {
  if (!view.isUp) return `view of ${view.node}: the node is down (a crashed node holds nothing)`;
  const identities = view.identities.map((record) => [record.name, record.addresses.join(' '), String(record.trust), record.isConfigured ? 'configured' : 'learnt', ms(record.rttMs), String(record.failures), record.via ?? '']);
  const connections = view.connections.map((connection) => [connection.peer, connection.isPermanent ? 'permanent' : 'ephemeral', ms(connection.idleMs)]);
  return [
    `view of ${view.node}: identity store (${view.identities.length} nodes)`,
    table(['node', 'addresses', 'trust', 'advert', 'rtt', 'failures', 'via'], identities),
    '',
    `connections of ${view.node} (${view.connections.length} open)`,
    table(['peer', 'kind', 'idle'], connections),
  ].join('\n');
}

/** Why the run stopped, in words (a full run's duration is the virtual time beside it). */
function describeEnd(end: SimulationResult['end'], durationMs: number): string {
  switch (end) {
    case 'time-limit':
      return 'ran its full duration';
    case 'queue-empty':
      return `ended early: nothing was left to happen before ${ms(durationMs)}`;
    case 'stopped':
      return 'stopped before its end';
  }
}

/** `1 MiB`, `64 KiB`, `1500 B`. */
function formatBytes(bytes: number): string {
  if (bytes >= 2 ** 20 && bytes % 2 ** 20 === 0) return `${bytes / 2 ** 20} MiB`;
  if (bytes >= 2 ** 10 && bytes % 2 ** 10 === 0) return `${bytes / 2 ** 10} KiB`;
  return `${bytes} B`;
}

function formatJitter(jitter: JitterSpec): string {
  switch (jitter.kind) {
    case 'none':
      return '-';
    case 'uniform':
      return `uniform(0..${ms(jitter.maxMs)})`;
    case 'normal':
      return `normal(${ms(jitter.meanMs)}, sd ${ms(jitter.sdMs)})`;
    case 'exponential':
      return `exponential(mean ${ms(jitter.meanMs)})`;
    case 'pareto':
      return `pareto(scale ${ms(jitter.scaleMs)}, shape ${jitter.shape})`;
    case 'bimodal':
      return `bimodal(${ms(jitter.fastMs)} | ${ms(jitter.slowMs)} at ${jitter.slowProbability * 100}%)`;
  }
}
