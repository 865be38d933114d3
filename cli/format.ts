import type { TraceSummary } from '../core/index.js';
import type { ExpectationResult } from '../scenarios/index.js';

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

/** `1 link`, `2 links`. */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

/**
 * The message table of a run summary (the same for simulated and real runs). Messages to an engine
 * or node add up (delivered + dropped + in flight = sent); a topic message is delivered once per
 * subscribed engine, so deliveries can outnumber sends.
 */
export function summaryTable(summary: TraceSummary): string {
  const counts = (byReason: Readonly<Record<string, number>>): string => Object.entries(byReason).map(([reason, count]) => `${reason}=${count}`).join(' ') || '-';
  const { direct } = summary;
  const sentDetail = summary.topicSent === 0 ? '' : `${direct.sent} to engines or nodes, ${summary.topicSent} to topics`;
  const more = summary.delivered - direct.delivered;
  const deliveredDetail = more === 0 ? '' : `${direct.delivered} engine/node messages + ${more} more (a topic message reaches every subscribed engine; duplicates count again)`;
  return table(
    ['messages', 'count', 'detail'],
    [
      ['sent', summary.sent, sentDetail],
      ['transmitted (frames)', summary.transmitted, 'frames between nodes (messages within a node need none)'],
      ['delivered', summary.delivered, deliveredDetail],
      ['dropped', summary.dropped, counts(summary.dropsByReason)],
      ['in flight at the end', direct.inFlight, `${direct.sent} engine/node messages = ${direct.delivered} delivered + ${direct.dropped} dropped + ${direct.inFlight} in flight`],
      ['verify failures', summary.verifyFailures, counts(summary.verifyFailuresByReason)],
      ['RTT (ping)', summary.rttMs?.count ?? 0, summary.rttMs === undefined ? '-' : `p50 ${ms(summary.rttMs.p50)}  p99 ${ms(summary.rttMs.p99)}  max ${ms(summary.rttMs.max)}`],
      ['latency send→deliver', summary.latencyMs?.count ?? 0, summary.latencyMs === undefined ? '-' : `p50 ${ms(summary.latencyMs.p50)}  p99 ${ms(summary.latencyMs.p99)}`],
    ],
  );
}

/**
 * The expectation table and a closing verdict over all of them; `isQuiet` lists only the failed
 * ones (and prints nothing when all hold). '' when there are no expectations.
 */
export function formatExpectations(expectations: ReadonlyArray<ExpectationResult>, isQuiet = false): string {
  const failed = expectations.filter((expectation) => !expectation.isMet);
  const shown = isQuiet ? failed : expectations;
  if (shown.length === 0) return '';
  const total = expectations.length;
  const verdict = failed.length === 0 ? (total === 1 ? 'the expectation holds' : `all ${total} expectations hold`) : `${failed.length} of ${plural(total, 'expectation')} FAILED`;
  return [table(['expectation', 'result', 'evidence'], shown.map((e) => [e.name, e.isMet ? 'ok' : 'FAILED', e.detail])), '', verdict].join('\n');
}
