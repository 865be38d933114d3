import type { TraceSummary } from '../core/index.js';

// Plain-text tables for terminal output.

/** Renders rows as a left-aligned table with a header row. */
export function table(header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string | number>>): string {
  const cells = [header, ...rows.map((row) => row.map(String))];
  const widths = header.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)));
  const line = (row: ReadonlyArray<string>): string => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd();
  return [line(cells[0]!), widths.map((width) => '-'.repeat(width)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

/** `12.3` style rounding for milliseconds. */
export function ms(value: number | undefined): string {
  return value === undefined ? '-' : `${Math.round(value * 10) / 10}ms`;
}

/** The message table of a run summary (the same for simulated and real runs). */
export function summaryTable(summary: TraceSummary): string {
  const counts = (byReason: Readonly<Record<string, number>>): string => Object.entries(byReason).map(([reason, count]) => `${reason}=${count}`).join(' ') || '-';
  return table(
    ['messages', 'count', 'detail'],
    [
      ['sent', summary.sent, ''],
      ['transmitted (frames)', summary.transmitted, ''],
      ['delivered', summary.delivered, ''],
      ['dropped', summary.dropped, counts(summary.dropsByReason)],
      ['verify failures', summary.verifyFailures, counts(summary.verifyFailuresByReason)],
      ['RTT (ping)', summary.rttMs?.count ?? 0, summary.rttMs === undefined ? '-' : `p50 ${ms(summary.rttMs.p50)}  p99 ${ms(summary.rttMs.p99)}  max ${ms(summary.rttMs.max)}`],
      ['latency send→deliver', summary.latencyMs?.count ?? 0, summary.latencyMs === undefined ? '-' : `p50 ${ms(summary.latencyMs.p50)}  p99 ${ms(summary.latencyMs.p99)}`],
    ],
  );
}
