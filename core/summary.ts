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
  /** Send → deliver latency of every deliver event (a duplicate delivery would count twice). */
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

/** Accumulates a summary one event at a time (runs need not keep their events in memory). */
export class TraceSummarizer {
  private count = 0;
  private sent = 0;
  private transmitted = 0;
  private delivered = 0;
  private dropped = 0;
  private verifyFailures = 0;
  private endMs = 0;
  private readonly dropsByReason: Record<string, number> = {};
  private readonly verifyFailuresByReason: Record<string, number> = {};
  private readonly sendTimes = new Map<string, number>();
  private readonly rtts: number[] = [];
  private readonly latencies: number[] = [];

  add(event: TraceEvent): void {
    this.count++;
    if (event.t > this.endMs) this.endMs = event.t;
    switch (event.kind) {
      case 'send':
        this.sent++;
        if (event.msg !== undefined) this.sendTimes.set(event.msg, event.t);
        return;
      case 'transmit':
        this.transmitted++;
        return;
      case 'deliver': {
        this.delivered++;
        const sentAt = event.msg === undefined ? undefined : this.sendTimes.get(event.msg);
        if (sentAt !== undefined) this.latencies.push(event.t - sentAt);
        return;
      }
      case 'drop':
        this.dropped++;
        increment(this.dropsByReason, event.reason ?? 'unknown');
        return;
      case 'verify-fail':
        this.verifyFailures++;
        increment(this.verifyFailuresByReason, event.reason ?? 'unknown');
        return;
      case 'log':
        if (typeof event.data?.['rttMs'] === 'number') this.rtts.push(event.data['rttMs']);
        return;
      default:
        return;
    }
  }

  result(): TraceSummary {
    return {
      events: this.count,
      sent: this.sent,
      transmitted: this.transmitted,
      delivered: this.delivered,
      dropped: this.dropped,
      dropsByReason: { ...this.dropsByReason },
      verifyFailures: this.verifyFailures,
      verifyFailuresByReason: { ...this.verifyFailuresByReason },
      rttMs: percentiles(this.rtts),
      latencyMs: percentiles(this.latencies),
      endMs: this.endMs,
    };
  }
}

function increment(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

/** The summary of a whole trace. */
export function summarizeTrace(events: Iterable<TraceEvent>): TraceSummary {
  const summarizer = new TraceSummarizer();
  for (const event of events) summarizer.add(event);
  return summarizer.result();
}
