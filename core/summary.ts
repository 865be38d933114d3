// A run summary computed from trace events alone, so it is the same for sim and real traces.
import type { TraceEvent, TraceKind } from './trace.js';

export interface TraceSummary {
  readonly events: number;
  readonly sent: number;
  readonly transmitted: number;
  readonly delivered: number;
  readonly dropped: number;
  readonly dropsByReason: Readonly<Record<string, number>>;
  readonly verifyFailures: number;
  readonly verifyFailuresByReason: Readonly<Record<string, number>>;
  /** Sends to a topic: each is delivered once per subscribed engine, so deliveries can outnumber sends. */
  readonly topicSent: number;
  /**
   * Messages sent to an engine, node or domain, each settled by its first delivery or drop:
   * `sent = delivered + dropped + inFlight`, in flight meaning neither when the trace ended (past
   * `PENDING_MAX` messages unsettled at once, the oldest are counted as in flight for good).
   */
  readonly direct: { readonly sent: number; readonly delivered: number; readonly dropped: number; readonly inFlight: number };
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
  /** Set when the percentiles come from a histogram (more than `EXACT_SAMPLES_MAX` values): within 0.14%. */
  readonly isApproximate?: true;
}

/** Values kept exactly per distribution; past that, a log histogram of fixed size takes over. */
export const EXACT_SAMPLES_MAX = 1 << 20;
/** Send times kept for send→deliver latency, oldest forgotten first (a delivery of a forgotten send has no latency). */
export const SEND_TIMES_MAX = 1 << 18;
/** Direct messages tracked until settled (delivered or dropped) at once. */
export const PENDING_MAX = 1 << 18;

/** Nearest-rank percentiles of `values` (sorted here); undefined for no values. */
export function percentiles(values: number[]): Percentiles | undefined {
  if (values.length === 0) return undefined;
  const sorted = Float64Array.from(values).sort();
  const rank = (p: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
  return { count: sorted.length, p50: rank(0.5), p90: rank(0.9), p99: rank(0.99), max: sorted[sorted.length - 1]! };
}

// The histogram: bucket 0 holds values ≤ 1 ns (reported as the smallest value seen); bucket i ≥ 1
// holds (2^((i-1)/512), 2^(i/512)] ns, so a bucket is 0.14% wide; 50 doublings reach 13 days.
const BUCKET_FLOOR_MS = 1e-6;
const BUCKETS_PER_DOUBLING = 512;
const BUCKETS = 50 * BUCKETS_PER_DOUBLING + 1;

/** Values whose percentiles are wanted, in bounded memory: exact up to `EXACT_SAMPLES_MAX` values. */
class Distribution {
  private exact: number[] | undefined = [];
  private histogram: Uint32Array | undefined;
  private count = 0;
  private min = Infinity;
  private max = -Infinity;

  add(value: number): void {
    this.count++;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    if (this.exact !== undefined) {
      this.exact.push(value);
      if (this.exact.length <= EXACT_SAMPLES_MAX) return;
      this.histogram = new Uint32Array(BUCKETS);
      for (const kept of this.exact) this.histogram[bucketOf(kept)]!++;
      this.exact = undefined;
      return;
    }
    this.histogram![bucketOf(value)]!++;
  }

  result(): Percentiles | undefined {
    if (this.exact !== undefined) return percentiles(this.exact);
    const histogram = this.histogram!;
    const ranks = [0.5, 0.9, 0.99].map((p) => Math.min(this.count - 1, Math.max(0, Math.ceil(p * this.count) - 1)));
    const values: number[] = [];
    let seen = 0;
    for (let bucket = 0; bucket < BUCKETS && values.length < ranks.length; bucket++) {
      seen += histogram[bucket]!;
      while (values.length < ranks.length && ranks[values.length]! < seen) values.push(bucket === 0 ? this.min : Math.min(this.max, Math.max(this.min, BUCKET_FLOOR_MS * 2 ** (bucket / BUCKETS_PER_DOUBLING))));
    }
    return { count: this.count, p50: values[0]!, p90: values[1]!, p99: values[2]!, max: this.max, isApproximate: true };
  }
}

function bucketOf(value: number): number {
  if (!(value > BUCKET_FLOOR_MS)) return 0;
  return Math.min(BUCKETS - 1, Math.ceil(Math.log2(value / BUCKET_FLOOR_MS) * BUCKETS_PER_DOUBLING));
}

/**
 * Accumulates a summary one event at a time, in bounded memory: counters, at most
 * `SEND_TIMES_MAX` send times and two bounded distributions, so a run need not keep its events.
 */
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
  private readonly rtts = new Distribution();
  private readonly latencies = new Distribution();
  private topicSent = 0;
  private directSent = 0;
  private directDelivered = 0;
  private directDropped = 0;
  /** Direct messages not yet delivered or dropped, and those forgotten unsettled past `PENDING_MAX`. */
  private readonly directPending = new Set<string>();
  private directForgotten = 0;

  add(event: TraceEvent): void {
    switch (event.kind) {
      case 'drop':
        this.count++;
        if (event.t > this.endMs) this.endMs = event.t;
        this.dropped++;
        if (event.msg !== undefined && this.directPending.delete(event.msg)) this.directDropped++;
        increment(this.dropsByReason, event.reason ?? 'unknown');
        return;
      case 'verify-fail':
        this.count++;
        if (event.t > this.endMs) this.endMs = event.t;
        this.verifyFailures++;
        increment(this.verifyFailuresByReason, event.reason ?? 'unknown');
        return;
      case 'log': {
        const rttMs = event.data?.['rttMs'];
        return this.tally(event.kind, event.t, event.msg, event.dst, typeof rttMs === 'number' ? rttMs : undefined);
      }
      default:
        return this.tally(event.kind, event.t, event.msg, event.dst, undefined);
    }
  }

  /**
   * Counts an event of any kind but `drop` and `verify-fail` from the fields the summary reads
   * (`rttMs`: a log's `data.rttMs`), so a run that keeps no trace need not build the record.
   */
  tally(kind: TraceKind, t: number, msg: string | undefined, dst: string | undefined, rttMs: number | undefined): void {
    this.count++;
    if (t > this.endMs) this.endMs = t;
    switch (kind) {
      case 'send':
        this.sent++;
        if (msg === undefined) return;
        if (this.sendTimes.size >= SEND_TIMES_MAX) this.sendTimes.delete(this.sendTimes.keys().next().value!);
        this.sendTimes.set(msg, t);
        if (dst === 'topic') this.topicSent++;
        else if (!this.directPending.has(msg)) this.addPending(msg);
        return;
      case 'transmit':
        this.transmitted++;
        return;
      case 'deliver': {
        this.delivered++;
        if (msg === undefined) return;
        const sentAt = this.sendTimes.get(msg);
        if (sentAt !== undefined) this.latencies.add(t - sentAt);
        if (this.directPending.delete(msg)) this.directDelivered++;
        return;
      }
      case 'log':
        if (rttMs !== undefined) this.rtts.add(rttMs);
        return;
      default:
        return;
    }
  }

  private addPending(msg: string): void {
    this.directSent++;
    if (this.directPending.size >= PENDING_MAX) {
      this.directPending.delete(this.directPending.values().next().value!);
      this.directForgotten++;
    }
    this.directPending.add(msg);
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
      rttMs: this.rtts.result(),
      latencyMs: this.latencies.result(),
      topicSent: this.topicSent,
      direct: { sent: this.directSent, delivered: this.directDelivered, dropped: this.directDropped, inFlight: this.directPending.size + this.directForgotten },
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
