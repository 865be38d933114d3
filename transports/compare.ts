// Compares two traces of one scenario (sim vs real, or two seeds) by what was delivered: the set of
// (message, destination engine) pairs, split into what the application sees (deliveries to
// application engines: subscribers, sinks, pings…) and protocol-internal traffic (deliveries to the
// PubSub, storage and relay engines, whose message ids depend on timing: resends, acks). A pair
// missing from one trace only because that trace ended while the message was still on its way is
// counted as in flight, not as a difference. Messages are compared by their source engine's name,
// not its id: a real network's keys are random per run, so the same engine has another id there.
import { summarizeTrace, type Percentiles, type TraceEvent, type TraceHeader } from '../core/index.js';

/** Built-in engine kinds that carry other engines' traffic; deliveries to them are protocol-internal. */
export const PROTOCOL_ENGINE_KINDS: ReadonlySet<string> = new Set(['pubsub', 'storage', 'relay', 'relay-route']);

/** What compareTraces needs of a trace. */
export interface ComparedTrace {
  readonly header?: Pick<TraceHeader, 'scenario'>;
  readonly events: ReadonlyArray<TraceEvent>;
}

export interface CompareOptions {
  /** Extra margin (ms) before a trace's end in which a missing delivery still counts as in flight. */
  readonly toleranceMs?: number;
}

/** Pairs (`msg → node/engine`) delivered in one trace only, sorted by message id. */
export interface PairDifferences {
  readonly deliveredA: number;
  readonly deliveredB: number;
  readonly onlyInA: ReadonlyArray<string>;
  readonly onlyInB: ReadonlyArray<string>;
}

export interface TraceComparison extends PairDifferences {
  /** Deliveries to application engines: the verdict. */
  readonly application: PairDifferences;
  /** Deliveries to protocol engines (listed, not part of the verdict). */
  readonly internal: PairDifferences;
  /** Pairs delivered in the other trace only, excused because this one ended while they were on their way. */
  readonly inFlightAtEndOfA: ReadonlyArray<string>;
  readonly inFlightAtEndOfB: ReadonlyArray<string>;
  /** Application deliveries are the same (up to messages in flight at the end). */
  readonly isEqual: boolean;
  /** Every delivery is the same, protocol-internal ones included. */
  readonly isIdentical: boolean;
  /** Distinct messages delivered per application engine name, and per topic (to application engines). */
  readonly engines: ReadonlyArray<{ readonly engine: string; readonly a: number; readonly b: number }>;
  readonly topics: ReadonlyArray<{ readonly topic: string; readonly a: number; readonly b: number }>;
  readonly latencyA: Percentiles | undefined;
  readonly latencyB: Percentiles | undefined;
}

/** One delivered pair and what is needed to judge it. */
interface Delivery {
  readonly msg: string;
  readonly engine: string;
  readonly latencyMs: number | undefined;
}

/** What one trace shows. */
interface TraceFacts {
  readonly deliveries: Map<string, Delivery>;
  readonly sentAt: Map<string, number>;
  readonly topicOf: Map<string, string>;
  readonly dropped: Set<string>;
  readonly endMs: number;
}

const ARROW = ' → ';

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

function pairOf(msg: string, event: TraceEvent): string {
  return `${msg}${ARROW}${event.node}/${event.engine ?? '?'}`;
}

function factsOf(events: ReadonlyArray<TraceEvent>): TraceFacts {
  const facts: TraceFacts = { deliveries: new Map(), sentAt: new Map(), topicOf: new Map(), dropped: new Set(), endMs: 0 };
  const name = messageNamer(events);
  let endMs = 0;
  for (const raw of events) {
    if (raw.t > endMs) endMs = raw.t;
    if (raw.msg === undefined) continue;
    const event = { ...raw, msg: name(raw.msg) };
    if (event.kind === 'send' && !facts.sentAt.has(event.msg)) {
      facts.sentAt.set(event.msg, event.t);
      if (event.dst === 'topic' && event.to !== undefined) facts.topicOf.set(event.msg, event.to);
    }
    if (event.kind === 'drop') facts.dropped.add(event.msg);
    if (event.kind === 'deliver') {
      const pair = pairOf(event.msg, event);
      const sentAt = facts.sentAt.get(event.msg);
      if (!facts.deliveries.has(pair)) facts.deliveries.set(pair, { msg: event.msg, engine: event.engine ?? '?', latencyMs: sentAt === undefined ? undefined : event.t - sentAt });
    }
  }
  return { ...facts, endMs };
}

/** Engine name → kind, from the scenario inline in the trace header (names default to the kind). */
function engineKinds(header: ComparedTrace['header']): Map<string, string> {
  const kinds = new Map<string, string>();
  const scenario = header?.scenario as { engines?: unknown; workloads?: unknown } | undefined;
  if (Array.isArray(scenario?.engines)) {
    for (const entry of scenario.engines as Array<{ kind?: unknown; name?: unknown; module?: unknown }>) {
      if (typeof entry?.kind !== 'string') continue;
      const name = typeof entry.name === 'string' ? entry.name : entry.kind;
      // A module's kind is the user's own name: never one of the built-in protocol engines.
      if (!kinds.has(name)) kinds.set(name, entry.module === undefined ? entry.kind : `module:${entry.kind}`);
    }
  }
  return kinds;
}

/** A pair of `mine` missing from `other` because `other` ended before it could have been delivered. */
function isInFlightAtEnd(delivery: Delivery, mine: TraceFacts, other: TraceFacts, toleranceMs: number): boolean {
  if (other.dropped.has(delivery.msg)) return false;
  const sentAt = other.sentAt.get(delivery.msg) ?? mine.sentAt.get(delivery.msg);
  if (sentAt === undefined) return false;
  return sentAt + (delivery.latencyMs ?? 0) > other.endMs - toleranceMs;
}

/** `n1/ping:9 → …` before `n1/ping:10 → …`: messages by source engine, then by number, then destination. */
export function comparePairs(a: string, b: string): number {
  const split = (pair: string): [string, number, string] => {
    const arrow = pair.indexOf(ARROW);
    const msg = arrow < 0 ? pair : pair.slice(0, arrow);
    const colon = msg.lastIndexOf(':');
    return [msg.slice(0, colon), Number(msg.slice(colon + 1)), arrow < 0 ? '' : pair.slice(arrow)];
  };
  const [sourceA, numberA, toA] = split(a);
  const [sourceB, numberB, toB] = split(b);
  if (sourceA !== sourceB) return sourceA < sourceB ? -1 : 1;
  if (numberA !== numberB) return numberA - numberB;
  return toA < toB ? -1 : toA > toB ? 1 : 0;
}

function differences(pairsA: ReadonlyArray<string>, pairsB: ReadonlyArray<string>, onlyInA: ReadonlyArray<string>, onlyInB: ReadonlyArray<string>): PairDifferences {
  return { deliveredA: pairsA.length, deliveredB: pairsB.length, onlyInA: [...onlyInA].sort(comparePairs), onlyInB: [...onlyInB].sort(comparePairs) };
}

function countBy(pairs: ReadonlyArray<string>, facts: TraceFacts, key: (delivery: Delivery) => string | undefined): Map<string, number> {
  const counts = new Map<string, number>();
  for (const pair of pairs) {
    const name = key(facts.deliveries.get(pair)!);
    if (name !== undefined) counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return counts;
}

function sideBySide<K extends string>(label: K, a: Map<string, number>, b: Map<string, number>): Array<Record<K, string> & { a: number; b: number }> {
  return [...new Set([...a.keys(), ...b.keys()])].sort().map((name) => ({ [label]: name, a: a.get(name) ?? 0, b: b.get(name) ?? 0 }) as Record<K, string> & { a: number; b: number });
}

/** Compares what two traces delivered; the verdict (`isEqual`) is over application deliveries. */
export function compareTraces(a: ComparedTrace, b: ComparedTrace, options: CompareOptions = {}): TraceComparison {
  const toleranceMs = options.toleranceMs ?? 0;
  const factsA = factsOf(a.events);
  const factsB = factsOf(b.events);
  const kinds = new Map([...engineKinds(b.header), ...engineKinds(a.header)]);
  const isInternal = (pair: string, facts: TraceFacts): boolean => PROTOCOL_ENGINE_KINDS.has(kinds.get(facts.deliveries.get(pair)!.engine) ?? '');
  const split = (facts: TraceFacts, other: TraceFacts) => {
    const all = [...facts.deliveries.keys()];
    const missing = all.filter((pair) => !other.deliveries.has(pair));
    const inFlight = missing.filter((pair) => isInFlightAtEnd(facts.deliveries.get(pair)!, facts, other, toleranceMs));
    const excused = new Set(inFlight);
    const only = missing.filter((pair) => !excused.has(pair));
    return {
      all,
      application: all.filter((pair) => !isInternal(pair, facts)),
      internal: all.filter((pair) => isInternal(pair, facts)),
      onlyApplication: only.filter((pair) => !isInternal(pair, facts)),
      onlyInternal: only.filter((pair) => isInternal(pair, facts)),
      inFlight,
    };
  };
  const sideA = split(factsA, factsB);
  const sideB = split(factsB, factsA);
  const application = differences(sideA.application, sideB.application, sideA.onlyApplication, sideB.onlyApplication);
  const internal = differences(sideA.internal, sideB.internal, sideA.onlyInternal, sideB.onlyInternal);
  const all = differences(sideA.all, sideB.all, [...sideA.onlyApplication, ...sideA.onlyInternal], [...sideB.onlyApplication, ...sideB.onlyInternal]);
  const engineOf = (delivery: Delivery): string => delivery.engine;
  const topicIn = (facts: TraceFacts) => (delivery: Delivery): string | undefined => facts.topicOf.get(delivery.msg);
  return {
    ...all,
    application,
    internal,
    inFlightAtEndOfA: [...sideB.inFlight].sort(comparePairs),
    inFlightAtEndOfB: [...sideA.inFlight].sort(comparePairs),
    isEqual: application.onlyInA.length === 0 && application.onlyInB.length === 0,
    isIdentical: all.onlyInA.length === 0 && all.onlyInB.length === 0,
    engines: sideBySide('engine', countBy(sideA.application, factsA, engineOf), countBy(sideB.application, factsB, engineOf)),
    topics: sideBySide('topic', countBy(sideA.application, factsA, topicIn(factsA)), countBy(sideB.application, factsB, topicIn(factsB))),
    latencyA: summarizeTrace(a.events).latencyMs,
    latencyB: summarizeTrace(b.events).latencyMs,
  };
}
