// The run summary in bounded memory: exact percentiles up to EXACT_SAMPLES_MAX values, a histogram
// within 0.14% past it, and at most SEND_TIMES_MAX remembered send times.
import { describe, expect, it } from 'vitest';
import { createRng, percentiles, TraceSummarizer, type TraceEvent } from '../../core/index.js';
import { EXACT_SAMPLES_MAX, SEND_TIMES_MAX } from '../../core/summary.js';

let seq = 0;
const event = (fields: Omit<TraceEvent, 'seq' | 'node'>): TraceEvent => ({ ...fields, node: 'n1', seq: seq++ });

describe('TraceSummarizer', () => {
  it('gives exact percentiles up to EXACT_SAMPLES_MAX values', () => {
    const summarizer = new TraceSummarizer();
    const values = [5, 1, 4, 2, 3];
    for (const rttMs of values) summarizer.add(event({ t: 0, kind: 'log', data: { rttMs } }));
    expect(summarizer.result().rttMs).toEqual(percentiles(values));
    expect(summarizer.result().rttMs?.isApproximate).toBeUndefined();
  });

  it('past EXACT_SAMPLES_MAX values, percentiles from the histogram are within 0.14% and flagged', () => {
    const summarizer = new TraceSummarizer();
    const rng = createRng(7);
    const values: number[] = [];
    const data = { rttMs: 0 };
    const log = event({ t: 0, kind: 'log', data }); // the summarizer keeps no event: one object will do
    for (let i = 0; i <= EXACT_SAMPLES_MAX + 1000; i++) {
      data.rttMs = i === 0 ? 0 : -Math.log(1 - rng.next()) * 40; // exponential, mean 40 ms, and one zero
      values.push(data.rttMs);
      summarizer.add(log);
    }
    const exact = percentiles(values)!;
    const approximate = summarizer.result().rttMs!;
    expect(approximate.isApproximate).toBe(true);
    expect(approximate.count).toBe(exact.count);
    expect(approximate.max).toBe(exact.max);
    for (const key of ['p50', 'p90', 'p99'] as const) {
      expect(approximate[key]).toBeGreaterThanOrEqual(exact[key]);
      expect(approximate[key]).toBeLessThanOrEqual(exact[key] * 1.0014);
    }
  });

  it('remembers at most SEND_TIMES_MAX send times, forgetting the oldest', () => {
    const summarizer = new TraceSummarizer();
    for (let i = 0; i <= SEND_TIMES_MAX; i++) summarizer.add(event({ t: i, kind: 'send', msg: `m:${i}` }));
    summarizer.add(event({ t: SEND_TIMES_MAX + 10, kind: 'deliver', msg: 'm:0' }));
    expect(summarizer.result().latencyMs).toBeUndefined();
    summarizer.add(event({ t: SEND_TIMES_MAX + 10, kind: 'deliver', msg: `m:${SEND_TIMES_MAX}` }));
    expect(summarizer.result().latencyMs).toMatchObject({ count: 1, p50: 10 });
    expect(summarizer.result().delivered).toBe(2);
  });
});
