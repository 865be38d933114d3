// Delivery invariants: every delivered message was sent and verified; nothing is delivered twice;
// in a run without faults every unicast message arrives.
import type { TraceEvent } from '../../core/index.js';
import { replayable } from './replay.js';
import { describeEvent, failed, held, vacuous, type InvariantResult, type SimulatedTrace } from './types.js';

/**
 * No delivery without a valid signature: a delivered message was sent by an engine (only the key
 * holder signs at `send`), and a remote delivery follows a `receive` of that message at that node
 * whose checks did not end in `verify-fail`.
 */
export function noDeliveryWithoutValidSignature(trace: SimulatedTrace): InvariantResult {
  const name = 'noDeliveryWithoutValidSignature';
  const sent = new Set<string>();
  const received = new Map<string, 'received' | 'failed'>();
  const lines: string[] = [];
  const offending: TraceEvent[] = [];
  for (const event of trace.events) {
    if (event.msg === undefined) continue;
    const key = `${event.node}|${event.msg}`;
    if (event.kind === 'send') sent.add(event.msg);
    else if (event.kind === 'receive') received.set(key, 'received');
    else if (event.kind === 'verify-fail') received.set(key, 'failed');
    else if (event.kind === 'deliver') {
      const state = received.get(key);
      const problem = !sent.has(event.msg) ? 'never sent by any engine' : event.peer !== undefined && state === 'failed' ? 'its frame failed verification at this node' : event.peer !== undefined && state === undefined ? 'delivered from a peer without a receive' : undefined;
      if (problem !== undefined) {
        lines.push(`${describeEvent(event)}: ${problem}`);
        offending.push(event);
      }
    }
  }
  return lines.length === 0 ? held(name, 'every delivered message was sent and verified') : failed(name, `${lines.length} deliveries without a valid signature`, lines, offending);
}

/** At most once per (message, destination engine). */
export function atMostOnceDelivery(trace: SimulatedTrace): InvariantResult {
  const name = 'atMostOnceDelivery';
  const first = new Map<string, TraceEvent>();
  const lines: string[] = [];
  const offending: TraceEvent[] = [];
  for (const event of trace.events) {
    if (event.kind !== 'deliver' || event.msg === undefined) continue;
    const key = `${event.node}/${event.engine ?? ''}|${event.msg}`;
    const earlier = first.get(key);
    if (earlier === undefined) first.set(key, event);
    else {
      lines.push(`${describeEvent(event)}: already delivered at #${earlier.seq} t=${earlier.t}ms`);
      offending.push(earlier, event);
    }
  }
  return lines.length === 0 ? held(name, `${first.size} deliveries, none repeated`) : failed(name, `${lines.length} duplicate deliveries`, lines, offending);
}

/** Drop reasons that mean the network was faulty (the run is not loss-free and connected). */
export const FAULT_DROP_REASONS: ReadonlySet<string> = new Set(['loss', 'partition', 'link-down', 'crashed', 'queue-full', 'too-large', 'expired']);
/** Drop reasons that mean there was no path in the first place (not a loss). */
const ROUTING_DROP_REASONS: ReadonlySet<string> = new Set(['no-route', 'no-engine']);

export interface AllDeliveredOptions {
  /** Messages sent this close to the end may still be in flight (ms, default 500). */
  readonly settleMs?: number;
}

/** In a run with no crash, partition, link-down or lossy drop, every unicast message is delivered. */
export function allDeliveredWhenLossFree(trace: SimulatedTrace): InvariantResult {
  return allDeliveredWhenLossFreeWith({})(trace);
}

/** `allDeliveredWhenLossFree` with a settle time. */
export function allDeliveredWhenLossFreeWith(options: AllDeliveredOptions): (trace: SimulatedTrace) => InvariantResult {
  const settleMs = options.settleMs ?? 500;
  return replayable(function allDeliveredWhenLossFree(trace: SimulatedTrace): InvariantResult {
    const name = 'allDeliveredWhenLossFree';
    const fault = trace.events.find((event) => event.kind === 'crash' || event.kind === 'partition' || (event.kind === 'link' && event.text === 'down') || (event.kind === 'drop' && FAULT_DROP_REASONS.has(event.reason ?? '')));
    if (fault !== undefined) return vacuous(name, `the run has a fault (${describeEvent(fault)})`);
    const endMs = trace.header.durationMs ?? trace.summary.endMs;
    const pending = new Map<string, TraceEvent>();
    let checked = 0;
    for (const event of trace.events) {
      if (event.msg === undefined) continue;
      if (event.kind === 'send' && event.dst === 'engine' && event.t <= endMs - settleMs) {
        pending.set(event.msg, event);
        checked++;
      }
      else if (event.kind === 'deliver' || (event.kind === 'drop' && ROUTING_DROP_REASONS.has(event.reason ?? ''))) pending.delete(event.msg);
    }
    const lost = [...pending.values()];
    if (lost.length === 0 && checked === 0) return vacuous(name, 'no unicast message sent before the settle window');
    return lost.length === 0 ? held(name, 'every unicast message sent before the settle window was delivered') : failed(name, `${lost.length} messages never delivered in a loss-free run`, lost.map((event) => `${describeEvent(event)}: never delivered`), lost);
  }, { builtin: 'allDeliveredWhenLossFreeWith', args: [options] });
}
