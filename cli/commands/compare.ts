// `netmachine compare A.jsonl B.jsonl`: what two traces of one scenario delivered. Exit 0 when the
// application engines received the same messages (up to messages still in flight when a trace
// ended), 1 otherwise; `--all` makes protocol-internal deliveries count too.
import type { Command } from 'commander';
import type { Percentiles } from '../../core/index.js';
import { compareTraces, readTraceFile, type PairDifferences, type TraceComparison } from '../../transports/index.js';
import { CliError, EXIT_FAILED } from '../errors.js';
import { parseDurationFlag } from '../flags.js';
import { ms, plural, table } from '../format.js';

const LIST_MAX = 20;

function load(path: string): ReturnType<typeof readTraceFile> {
  try {
    return readTraceFile(path);
  } catch (error) {
    throw new CliError('cli/bad-trace', `cannot read the trace ${path}: ${(error as Error).message}`);
  }
}

function latency(p: Percentiles | undefined): string {
  return p === undefined ? '-' : `p50 ${ms(p.p50)}  p90 ${ms(p.p90)}  p99 ${ms(p.p99)}  max ${ms(p.max)}`;
}

function listed(label: string, pairs: ReadonlyArray<string>): string[] {
  if (pairs.length === 0) return [];
  return ['', `${label} (${pairs.length}):`, ...pairs.slice(0, LIST_MAX).map((pair) => `  ${pair}`), ...(pairs.length > LIST_MAX ? [`  … ${pairs.length - LIST_MAX} more`] : [])];
}

function differencesOf(what: string, differences: PairDifferences): string[] {
  return [...listed(`${what} only in A`, differences.onlyInA), ...listed(`${what} only in B`, differences.onlyInB)];
}

/** One line on protocol-internal differences, which are not part of the default verdict. */
function internalSummary(internal: PairDifferences): string[] {
  if (internal.onlyInA.length === 0 && internal.onlyInB.length === 0) return [];
  return ['', `protocol-internal deliveries differ: ${internal.onlyInA.length} only in A, ${internal.onlyInB.length} only in B (not part of the verdict: their message ids depend on timing; --all lists them and counts them)`];
}

/** The human-readable report. */
export function formatComparison(nameA: string, nameB: string, comparison: TraceComparison, isAll = false): string {
  const { application, internal } = comparison;
  const out = [
    `A: ${nameA}`,
    `B: ${nameB}`,
    '',
    table(
      ['delivered (distinct message, destination)', 'A', 'B'],
      [
        ['to application engines', application.deliveredA, application.deliveredB],
        ...comparison.engines.map((engine) => [`  engine ${engine.engine}`, engine.a, engine.b]),
        ...comparison.topics.map((topic) => [`  topic ${topic.topic}`, topic.a, topic.b]),
        ['to protocol engines (pubsub, storage, relay)', internal.deliveredA, internal.deliveredB],
        ['latency send→deliver', latency(comparison.latencyA), latency(comparison.latencyB)],
      ],
    ),
    ...differencesOf('application deliveries', application),
    ...(isAll ? differencesOf('protocol-internal deliveries', internal) : internalSummary(internal)),
    ...listed('delivered in B only, still in flight when A ended', comparison.inFlightAtEndOfA),
    ...listed('delivered in A only, still in flight when B ended', comparison.inFlightAtEndOfB),
    '',
  ];
  const inFlight = comparison.inFlightAtEndOfA.length + comparison.inFlightAtEndOfB.length;
  const excused = inFlight === 0 ? '' : ` (${plural(inFlight, 'message')} in flight at an end not counted)`;
  if (isAll) out.push(comparison.isIdentical ? `every delivery is the same${excused}` : 'deliveries differ');
  else out.push(comparison.isEqual ? `the application engines received the same messages${excused}` : 'the application engines received different messages');
  return out.join('\n');
}

export function configure(command: Command): void {
  command
    .argument('<a>', 'first trace (JSONL)')
    .argument('<b>', 'second trace (JSONL)')
    .option('--all', 'also count deliveries to protocol engines (pubsub, storage, relay) in the verdict')
    .option('--tolerance <duration>', 'a missing delivery whose message was due within this long of a trace\'s end counts as in flight', '0ms')
    .action((a: string, b: string, flags: { all?: boolean; tolerance: string }) => {
      const toleranceMs = parseDurationFlag('--tolerance', flags.tolerance);
      const traceA = load(a);
      const traceB = load(b);
      const comparison = compareTraces(traceA, traceB, { toleranceMs });
      const label = (path: string, backend: string | undefined): string => (backend === undefined ? path : `${path} (${backend})`);
      const isAll = flags.all === true;
      process.stdout.write(formatComparison(label(a, traceA.header.backend), label(b, traceB.header.backend), comparison, isAll) + '\n');
      if (!(isAll ? comparison.isIdentical : comparison.isEqual)) process.exitCode = EXIT_FAILED;
    });
}
