// `netmachine compare A.jsonl B.jsonl`: what two traces of one scenario delivered. Exit 0 when the
// delivered (message, destination) sets are equal, 1 otherwise.
import type { Command } from 'commander';
import type { Percentiles } from '../../core/index.js';
import { compareTraces, readTraceFile, type TraceComparison } from '../../transports/index.js';
import { CliError, EXIT_FAILED } from '../errors.js';
import { ms, table } from '../format.js';

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

/** The human-readable report. */
export function formatComparison(nameA: string, nameB: string, comparison: TraceComparison): string {
  const out = [
    table(
      ['', nameA, nameB],
      [
        ['delivered (message, destination)', comparison.deliveredA, comparison.deliveredB],
        ['latency send→deliver', latency(comparison.latencyA), latency(comparison.latencyB)],
        ...comparison.topics.map((topic) => [`topic ${topic.topic}`, topic.a, topic.b]),
      ],
    ),
  ];
  for (const [label, list] of [[`only in ${nameA}`, comparison.onlyInA], [`only in ${nameB}`, comparison.onlyInB]] as const) {
    if (list.length === 0) continue;
    out.push('', `${label} (${list.length}):`, ...list.slice(0, LIST_MAX).map((pair) => `  ${pair}`), ...(list.length > LIST_MAX ? [`  … ${list.length - LIST_MAX} more`] : []));
  }
  out.push('', comparison.isEqual ? 'delivered sets are equal' : 'delivered sets differ');
  return out.join('\n');
}

export function register(program: Command): void {
  program
    .command('compare')
    .description('compare what two traces delivered ((message, destination) pairs, per topic, latency)')
    .argument('<a>', 'first trace (JSONL)')
    .argument('<b>', 'second trace (JSONL)')
    .action((a: string, b: string) => {
      const traceA = load(a);
      const traceB = load(b);
      const comparison = compareTraces(traceA.events, traceB.events);
      const label = (path: string, backend: string): string => `${path} (${backend})`;
      process.stdout.write(formatComparison(label(a, traceA.header.backend), label(b, traceB.header.backend), comparison) + '\n');
      if (!comparison.isEqual) process.exitCode = EXIT_FAILED;
    });
}
