// A run summary computed from trace events alone, so it is the same for sim and real traces.
import type { TraceEvent } from './trace.js';

export interface TraceSummary {
  readonly events: number;
  readonly sent: number;
  readonly transmitted: number;
  readonly delivered: number;
  readonly dropped: number;
  readonly dropsByReason: Readonly<Record<string, number>>;
  readonly verifyFailures: number;
  readonly verifyFailuresByReason: Readonly<Record<string, number>>;
  /** Round-trip times logged by `ping` engines. */
  readonly rttMs: Percentiles | undefined;
  /** Send → deliver latency of each delivered message (first delivery per destination engine). */
  readonly latencyMs: Percentiles | undefined;
  readonly endMs: number;
}

export interface Percentiles {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

/** Nearest-rank percentiles of `values` (sorted here); undefined for no values. */
export function percentiles(values: number[]): Percentiles | undefined {
  if (values.length === 0) return undefined;
  const sorted = Float64Array.from(values).sort();
  const rank = (p: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
  return { count: sorted.length, p50: rank(0.5), p90: rank(0.9), p99: rank(0.99), max: sorted[sorted.length - 1]! };
}

export function summarizeTrace(events: Iterable<TraceEvent>): TraceSummary {
  let count = 0;
  let sent = 0;
  let transmitted = 0;
  let delivered = 0;
  let dropped = 0;
  let verifyFailures = 0;
  let endMs = 0;
  const dropsByReason: Record<string, number> = {};
  const verifyFailuresByReason: Record<string, number> = {};
  const sendTimes = new Map<string, number>();
  const rtts: number[] = [];
  const latencies: number[] = [];
  for (const event of events) {
    count++;
    endMs = Math.max(endMs, event.t);
    switch (event.kind) {
      case 'send':
        sent++;
        if (event.msg !== undefined) sendTimes.set(event.msg, event.t);
        break;
      case 'transmit':
        transmitted++;
        break;
      case 'deliver': {
        delivered++;
        const sentAt = event.msg === undefined ? undefined : sendTimes.get(event.msg);
        if (sentAt !== undefined) latencies.push(event.t - sentAt);
        break;
      }
      case 'drop':
        dropped++;
        dropsByReason[event.reason ?? 'unknown'] = (dropsByReason[event.reason ?? 'unknown'] ?? 0) + 1;
        break;
      case 'verify-fail':
        verifyFailures++;
        verifyFailuresByReason[event.reason ?? 'unknown'] = (verifyFailuresByReason[event.reason ?? 'unknown'] ?? 0) + 1;
        break;
      case 'log':
        if (typeof event.data?.['rttMs'] === 'number') rtts.push(event.data['rttMs']);
        break;
      default:
        break;
    }
  }
  return {
    events: count,
    sent,
    transmitted,
    delivered,
    dropped,
    dropsByReason,
    verifyFailures,
    verifyFailuresByReason,
    rttMs: percentiles(rtts),
    latencyMs: percentiles(latencies),
    endMs,
  };
}
