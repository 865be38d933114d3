// `netmachine run [scenario]`: runs a scenario in the simulator and prints a summary.
import type { Command } from 'commander';
import { formatId, shortId, type JitterSpec, type NetworkPlan, type TraceEvent, type TraceHeader } from '../../core/index.js';
import { checkExpectations, loadDefault, loadScenario, parseDuration, type ExpectationResult, type LoadedScenario } from '../../scenarios/index.js';
import { simulate, type NodeView, type SimulationResult } from '../../sim/index.js';
import { CliError, EXIT_FAILED } from '../errors.js';
import { writeReport } from '../report.js';
import { ms, summaryTable, table } from '../format.js';
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

export function register(program: Command): void {
  addScenarioFlags(program.command('run'))
    .description('run a scenario in the simulator (the embedded default scenario when no file is given)')
    .argument('[scenario]', 'scenario file (.yaml or .json)')
    .option('--seed <n>', 'seed (overrides the scenario\'s seed)')
    .option('--until <duration>', 'virtual run length, e.g. 30s (overrides the scenario\'s duration)')
    .option('--trace <file>', 'write the trace (JSONL) to this file')
    .option('--report <file>', 'write an interactive HTML report of the run to this file')
    .option('--verbose', 'print every resolved link and key, however many')
    .option('--view <node>', "print this node's view at the end: its identity store (known nodes, RTT, failures, trust) and its connections")
    .option('--quiet', 'print nothing but errors')
    .action(async (file: string | undefined, flags: RunFlags) => {
      const options = scenarioLoadOptions(flags, { durationMs: parseUntilFlag(flags.until) });
      const scenario = file === undefined ? await loadDefault(options) : await loadScenario(file, options);
      const { result, expectations } = await runScenario(scenario, flags);
      if (flags.report !== undefined) writeReport(flags.report, result.header, result.events, flags.quiet === true);
      if (expectations.some((expectation) => !expectation.isMet)) process.exitCode = EXIT_FAILED;
    });
}

/** Parses `--seed`. */
export function parseSeedFlag(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^[0-9]+$/.test(text) || Number(text) > 2 ** 32) throw new CliError('cli/bad-seed', `--seed: expected an integer between 0 and 4294967296, got "${text}"`);
  return Number(text);
}

/** Parses `--until`. */
export function parseUntilFlag(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const parsed = parseDuration(text);
  if (!parsed.ok) throw new CliError('cli/bad-until', `--until: ${parsed.error}`);
  return parsed.value;
}

/** Runs a loaded scenario, checks its expectations, and prints both (unless quiet). */
export async function runScenario(scenario: LoadedScenario, flags: RunFlags): Promise<{ result: SimulationResult; expectations: ExpectationResult[] }> {
  const isRecording = scenario.expect !== undefined || flags.report !== undefined;
  const result = runPlan(scenario.plan, flags, isRecording);
  const expectations = await checkExpectations(scenario.expect, result.header, result.events, scenario.file, { isOutsideAllowed: flags.allowModulesOutside === true });
  if (flags.quiet !== true && expectations.length > 0) process.stdout.write('\n' + formatExpectations(expectations) + '\n');
  return { result, expectations };
}

/** The expectation table, and a closing verdict. */
export function formatExpectations(expectations: ReadonlyArray<ExpectationResult>): string {
  const failed = expectations.filter((expectation) => !expectation.isMet).length;
  return [
    table(['expectation', 'result', 'evidence'], expectations.map((e) => [e.name, e.isMet ? 'ok' : 'FAILED', e.detail])),
    '',
    failed === 0 ? `all ${expectations.length} expectations hold` : `${failed} of ${expectations.length} expectations FAILED`,
  ].join('\n');
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
  out.push(`scenario ${plan.name}  seed ${header.seed}  backend sim  crypto ${header.crypto}  virtual time ${ms(result.end === 'time-limit' ? result.durationMs : summary.endMs)}  (${result.end})`);
  const limit = isVerbose ? Infinity : LIST_MAX;
  const more = (total: number): string[] => (total > limit ? [`… ${total - limit} more (use --verbose to list all)`] : []);

  const nodeRows = Object.entries(header.nodes).slice(0, limit).map(([name, id]) => [name, formatId('node', shortId(id)) + '…', plan.nodes.find((node) => node.name === name)?.engines.map((engine) => engine.name).join(',') ?? '']);
  out.push('', `nodes (${plan.nodes.length}); ids derive from (seed, name)`, table(['node', 'id', 'engines'], nodeRows), ...more(plan.nodes.length));

  const linkRows = plan.links.slice(0, limit).flatMap((link) =>
    [
      [link.a, link.b, result.network.linkSpec(link.a, link.b)],
      [link.b, link.a, result.network.linkSpec(link.b, link.a)],
    ].map(([from, to, spec]) => {
      const s = spec as ReturnType<typeof result.network.linkSpec>;
      return [`${from}→${to}`, ms(s.latencyMs), formatJitter(s.jitter), s.bandwidthBytesPerSecond === 0 ? 'unlimited' : `${Math.round((s.bandwidthBytesPerSecond * 8) / 1e3) / 1e3}Mbps`, `${s.lossProbability * 100}%`, `${s.duplicateProbability * 100}%`, String(s.frameSizeMaxBytes)];
    }),
  );
  out.push('', `links (${plan.links.length}, both directions, as resolved at the end of the run)`, table(['link', 'latency', 'jitter', 'bandwidth', 'loss', 'dup', 'frameMax'], linkRows), ...more(plan.links.length));

  out.push(
    '',
    summaryTable(summary),
    '',
    `${summary.events} trace events, ${result.executed} scheduler events${tracePath === undefined ? '' : `; trace written to ${tracePath}`}`,
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
