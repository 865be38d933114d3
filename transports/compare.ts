// Compares two traces of one scenario (sim vs real, or two seeds) by what was delivered: the set of
// (message, destination engine) pairs, deliveries per topic, and send→deliver latency percentiles.
// Messages are compared by their source engine's name, not its id: a real network's keys are random
// per run, so the same engine has another id there than in the simulator.
import { summarizeTrace, type Percentiles, type TraceEvent } from '../core/index.js';

export interface TraceComparison {
  readonly deliveredA: number;
  readonly deliveredB: number;
  /** `msg → node/engine` pairs delivered in A only / B only (sorted). */
  readonly onlyInA: ReadonlyArray<string>;
  readonly onlyInB: ReadonlyArray<string>;
  readonly isEqual: boolean;
  /** Distinct deliveries per topic name in A and B. */
  readonly topics: ReadonlyArray<{ readonly topic: string; readonly a: number; readonly b: number }>;
  readonly latencyA: Percentiles | undefined;
  readonly latencyB: Percentiles | undefined;
}

/**
 * Names message trace ids after their source engine (`n1/ping:3` for `<12 hex>:3`), learnt from the
 * trace's send events; ids whose sender the trace does not show stay as they are.
 */
export function messageNamer(events: Iterable<TraceEvent>): (msg: string) => string {
  const names = new Map<string, string>();
  for (const event of events) {
    if (event.kind !== 'send' || event.msg === undefined || event.engine === undefined) continue;
    names.set(event.msg.slice(0, event.msg.lastIndexOf(':')), `${event.node}/${event.engine}`);
  }
  return (msg) => {
    const colon = msg.lastIndexOf(':');
    const name = names.get(msg.slice(0, colon));
    return name === undefined ? msg : `${name}${msg.slice(colon)}`;
  };
}

/** The distinct (message, destination) pairs a trace delivered, as `source:n → node/engine`. */
export function deliveredPairs(events: ReadonlyArray<TraceEvent>): Set<string> {
  const name = messageNamer(events);
  const pairs = new Set<string>();
  for (const event of events) if (event.kind === 'deliver' && event.msg !== undefined) pairs.add(`${name(event.msg)} → ${event.node}/${event.engine ?? '?'}`);
  return pairs;
}

function topicCounts(events: ReadonlyArray<TraceEvent>): Map<string, number> {
  const name = messageNamer(events);
  const topicOf = new Map<string, string>();
  for (const event of events) if (event.kind === 'send' && event.dst === 'topic' && event.msg !== undefined && event.to !== undefined) topicOf.set(name(event.msg), event.to);
  const counts = new Map<string, number>();
  for (const pair of deliveredPairs(events)) {
    const topic = topicOf.get(pair.slice(0, pair.indexOf(' → ')));
    if (topic !== undefined) counts.set(topic, (counts.get(topic) ?? 0) + 1);
  }
  return counts;
}

export function compareTraces(a: ReadonlyArray<TraceEvent>, b: ReadonlyArray<TraceEvent>): TraceComparison {
  const pairsA = deliveredPairs(a);
  const pairsB = deliveredPairs(b);
  const onlyInA = [...pairsA].filter((pair) => !pairsB.has(pair)).sort();
  const onlyInB = [...pairsB].filter((pair) => !pairsA.has(pair)).sort();
  const topicsA = topicCounts(a);
  const topicsB = topicCounts(b);
  const topicNames = [...new Set([...topicsA.keys(), ...topicsB.keys()])].sort();
  return {
    deliveredA: pairsA.size,
    deliveredB: pairsB.size,
    onlyInA,
    onlyInB,
    isEqual: onlyInA.length === 0 && onlyInB.length === 0,
    topics: topicNames.map((topic) => ({ topic, a: topicsA.get(topic) ?? 0, b: topicsB.get(topic) ?? 0 })),
    latencyA: summarizeTrace(a).latencyMs,
    latencyB: summarizeTrace(b).latencyMs,
  };
}
