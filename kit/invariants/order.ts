// Causal order: a message is delivered after it is sent; a subscriber sees one publisher's events
// on one topic in the order they were published.
import type { TraceEvent } from '../../core/index.js';
import { describeEvent, failed, held, type InvariantResult, type SimulatedTrace } from './types.js';

/** Deliver after send; per (subscriber, publisher, topic), deliveries in publication order. */
export function causalOrder(trace: SimulatedTrace): InvariantResult {
  const name = 'causalOrder';
  const sends = new Map<string, TraceEvent>();
  const lastPublished = new Map<string, TraceEvent>();
  const lines: string[] = [];
  const offending: TraceEvent[] = [];
  for (const event of trace.events) {
    if (event.msg === undefined) continue;
    if (event.kind === 'send') {
      sends.set(event.msg, event);
      continue;
    }
    if (event.kind !== 'deliver') continue;
    const send = sends.get(event.msg);
    if (send === undefined || send.t > event.t) {
      lines.push(`${describeEvent(event)}: delivered before it was sent${send === undefined ? '' : ` (sent at #${send.seq} t=${send.t}ms)`}`);
      offending.push(event);
      continue;
    }
    if (send.dst !== 'topic') continue;
    const key = `${event.node}/${event.engine ?? ''}|${send.node}/${send.engine ?? ''}|${send.to ?? ''}`;
    const previous = lastPublished.get(key);
    if (previous !== undefined && previous.seq > send.seq) {
      lines.push(`${describeEvent(event)}: published at #${send.seq} but delivered after #${previous.seq} (published later by ${send.node}/${send.engine ?? ''})`);
      offending.push(event);
    }
    if (previous === undefined || previous.seq < send.seq) lastPublished.set(key, send);
  }
  return lines.length === 0 ? held(name, 'every delivery follows its send, pub/sub in publisher order') : failed(name, `${lines.length} deliveries out of causal order`, lines, offending);
}
