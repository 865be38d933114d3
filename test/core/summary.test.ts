// The run summary in bounded memory: exact percentiles up to EXACT_SAMPLES_MAX values, a histogram
// within 0.14% past it, and at most SEND_TIMES_MAX remembered send times.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRng, messageTraceId, percentiles, TraceSummarizer, type TraceEvent } from '../../core/index.js';
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

  it('counts sends, deliveries and drops of any trace ids as a map of the strings would, and a tally of (source, id) as its trace id', () => {
    // The reference: the same counts kept in a Map and a Set of the trace-id strings.
    const reference = (events: ReadonlyArray<TraceEvent>): unknown => {
      const sendTimes = new Map<string, number>();
      const pending = new Set<string>();
      const latencies: number[] = [];
      const direct = { sent: 0, delivered: 0, dropped: 0 };
      for (const { kind, msg, t, dst } of events) {
        if (msg === undefined) continue;
        if (kind === 'send') {
          sendTimes.set(msg, t);
          if (dst !== 'topic' && !pending.has(msg)) (direct.sent++, pending.add(msg));
        } else if (kind === 'deliver') {
          const sentAt = sendTimes.get(msg);
          if (sentAt !== undefined) latencies.push(t - sentAt);
          if (pending.delete(msg)) direct.delivered++;
        } else if (kind === 'drop' && pending.delete(msg)) direct.dropped++;
      }
      return { direct: { ...direct, inFlight: pending.size }, latencyMs: percentiles(latencies) };
    };
    const source = (prefix: string): string => prefix + '0'.repeat(64 - prefix.length);
    const sources = [source('0123456789ab'), source('0123456789ab7'), source('ffffffffffff'), source('000000000000')];
    // Canonical trace ids, and others that are near them (a relay label, a leading zero, upper case, a sign, a fraction, too large).
    const others = ['relay:0123456789ab', '0123456789ab:07', '0123456789AB:7', '0123456789ab:-7', '0123456789ab:7.5', `0123456789ab:${2 ** 53}`, '0123456789ab:', 'm:7', ''];
    const ids = [0, 1, 7, 2 ** 32 + 1, 2 ** 53 - 1];
    const message = fc.oneof(fc.record({ source: fc.constantFrom(...sources), id: fc.constantFrom(...ids) }), fc.record({ text: fc.constantFrom(...others) }));
    const step = fc.record({ kind: fc.constantFrom('send' as const, 'deliver' as const, 'drop' as const), message, dst: fc.constantFrom('engine', 'topic'), isTally: fc.boolean() });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 120 }), (steps) => {
        const summarizer = new TraceSummarizer();
        const events: TraceEvent[] = [];
        steps.forEach(({ kind, message, dst, isTally }, t) => {
          const msg = 'text' in message ? message.text : messageTraceId(message.source, message.id);
          const fields = { t, kind, msg, ...(kind === 'send' && { dst }) };
          events.push(event(fields));
          if (isTally && kind !== 'drop' && 'source' in message) summarizer.tally(kind, t, message.source, message.id, kind === 'send' ? dst : undefined, undefined);
          else summarizer.add(events[events.length - 1]!);
        });
        const { direct, latencyMs } = summarizer.result();
        expect({ direct, latencyMs }).toEqual(reference(events));
      }),
      { numRuns: 300 },
    );
  });

  it('forgets the oldest send times past SEND_TIMES_MAX with canonical trace ids too, and keeps the others in order', () => {
    const summarizer = new TraceSummarizer();
    const source = '0123456789ab'.padEnd(64, '0');
    for (let i = 0; i <= SEND_TIMES_MAX; i++) summarizer.tally('send', i, source, i, 'topic', undefined);
    summarizer.tally('deliver', SEND_TIMES_MAX + 10, source, 0, undefined, undefined);
    expect(summarizer.result().latencyMs).toBeUndefined();
    summarizer.add(event({ t: SEND_TIMES_MAX + 10, kind: 'deliver', msg: messageTraceId(source, 1) }));
    summarizer.tally('deliver', SEND_TIMES_MAX + 10, source, SEND_TIMES_MAX, undefined, undefined);
    expect(summarizer.result().latencyMs).toMatchObject({ count: 2, p50: 10, max: SEND_TIMES_MAX + 9 });
  });
});
