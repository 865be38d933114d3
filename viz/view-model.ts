// trace → view model, in one pass over the events in time order. Pure: the same trace gives the same
// model, whatever the backend that wrote it.
import type { TraceEvent, TraceHeader } from '../core/trace.js';
import { ConnectionTracker } from './connections.js';
import { FlightMatcher } from './flights.js';
import { Interner } from './interner.js';
import { aggregateLinks } from './links.js';
import { NodeStateTracker } from './node-state.js';
import { TopicTracker } from './topics.js';
import { REPORT_LIMITS, type ReportLimits } from './limits.js';
import type { Delivery, Marker, MarkerKind, VizMessage, ViewModel } from './types.js';

type MutableMessage = { -readonly [K in keyof VizMessage]: VizMessage[K] };

const MARKER_KINDS: ReadonlySet<string> = new Set<MarkerKind>(['drop', 'verify-fail', 'timer', 'crash', 'restart', 'link', 'connect-failed']);

/** Skipped events listed by name in the report. */
const SKIPPED_SHOWN_MAX = 5;

/**
 * Builds the view model of a trace. Events need not be sorted; ties keep their `seq` order. Events
 * at times the report cannot draw (beyond ±`limits.timeMs`) are skipped and listed; long strings are cut.
 */
export function buildViewModel(header: TraceHeader, events: ReadonlyArray<TraceEvent>, limits: ReportLimits = REPORT_LIMITS): ViewModel {
  const builder = new ModelBuilder(Object.keys(header.nodes).map((name) => cut(name, limits.fieldChars)));
  const skipped: string[] = [];
  let skippedCount = 0;
  for (const event of sortedByTime(events)) {
    if (Math.abs(event.t) > limits.timeMs) {
      if (skippedCount++ < SKIPPED_SHOWN_MAX) skipped.push(`event seq ${event.seq} (${cut(event.kind, 40)} at t=${event.t} ms) lies outside the drawable time range of ±${limits.timeMs} ms`);
      continue;
    }
    builder.add(cutFields(event, limits.fieldChars));
  }
  if (skippedCount > SKIPPED_SHOWN_MAX) skipped.push(`and ${skippedCount - SKIPPED_SHOWN_MAX} more events`);
  return builder.finish(configuredLinks(header, limits), skipped);
}

const CUT_FIELDS = ['node', 'engine', 'msg', 'cause', 'to', 'peer', 'reason', 'topic', 'text'] as const;

function cut(text: string, chars: number): string {
  return text.length > chars ? `${text.slice(0, chars)}…` : text;
}

/** The event with every string field at most `chars` long (a copy only when one is longer). */
function cutFields(event: TraceEvent, chars: number): TraceEvent {
  let copy: Record<string, unknown> | undefined;
  for (const field of CUT_FIELDS) {
    const value = event[field];
    if (typeof value === 'string' && value.length > chars) (copy ??= { ...event })[field] = cut(value, chars);
  }
  return (copy as TraceEvent | undefined) ?? event;
}

/** The header's configured links as name pairs (malformed entries ignored, at most `limits.links`). */
function configuredLinks(header: TraceHeader, limits: ReportLimits): Array<readonly [string, string]> {
  const links: unknown = header.links;
  if (!Array.isArray(links)) return [];
  const pairs: Array<readonly [string, string]> = [];
  for (const link of links.slice(0, limits.links)) {
    if (Array.isArray(link) && typeof link[0] === 'string' && typeof link[1] === 'string') pairs.push([cut(link[0], limits.fieldChars), cut(link[1], limits.fieldChars)]);
  }
  return pairs;
}

/** An event's node, engine, peer and message as model indices (-1 when absent). */
interface Resolved {
  readonly node: number;
  readonly engine: number;
  readonly peer: number;
  readonly message: number;
}

class ModelBuilder {
  private readonly nodes = new Interner();
  private readonly engines = new Interner();
  private readonly topics = new Interner();
  private readonly reasons = new Interner();
  private readonly messages: MutableMessage[] = [];
  /** Trace id → index of the latest message with that id. */
  private readonly messageIndex = new Map<string, number>();
  private readonly flights = new FlightMatcher();
  private readonly states = new NodeStateTracker();
  private readonly topicTracker = new TopicTracker();
  private readonly connections = new ConnectionTracker();
  private readonly markers: Omit<Marker, 'flight'>[] = [];
  /** Per marker, the flight (original index) it ended, or -1. */
  private readonly markerFlights: number[] = [];
  private readonly deliveries: Delivery[] = [];
  private readonly delivered = new Set<string>();
  private readonly byKind: Record<string, number> = {};
  private readonly dropsByReason: Record<string, number> = {};
  private eventCount = 0;
  private startMs = 0;
  private endMs = 0;

  constructor(nodeNames: ReadonlyArray<string>) {
    for (const name of nodeNames) this.nodes.intern(name);
  }

  add(event: TraceEvent): void {
    this.eventCount++;
    this.byKind[event.kind] = (this.byKind[event.kind] ?? 0) + 1;
    this.startMs = Math.min(this.startMs, event.t);
    this.endMs = Math.max(this.endMs, event.t);
    if (event.node === '*') return this.addGlobal(event);
    const node = this.nodes.intern(event.node);
    const peer = this.nodes.optional(event.peer);
    const resolved: Resolved = {
      node,
      engine: this.engines.optional(event.engine),
      peer,
      message: event.msg === undefined ? -1 : this.messageOf(event.msg, event.kind === 'receive' ? peer : node, event.kind === 'send'),
    };
    const flight = this.addByKind(event, resolved);
    if (MARKER_KINDS.has(event.kind)) this.addMarker(event, resolved, flight);
  }

  /** Applies the event; returns the (original) index of a flight it ended, or -1. */
  private addByKind(event: TraceEvent, { node, engine, peer, message }: Resolved): number {
    switch (event.kind) {
      case 'send':
        this.addSend(event, node, engine, message);
        return -1;
      case 'transmit':
        if (message >= 0 && peer >= 0) this.flights.transmit(message, node, peer, event.t, event.bytes ?? 0);
        return -1;
      case 'receive':
        if (message >= 0 && peer >= 0) this.flights.receive(message, peer, node, event.t, event.bytes ?? 0);
        return -1;
      case 'drop':
      case 'verify-fail':
        return this.addDrop(event, node, peer, message);
      case 'deliver':
        if (message >= 0) this.addDelivery(event, node, engine, message);
        return -1;
      case 'connect':
        if (peer >= 0) this.connections.connect(event.t, node, peer);
        return -1;
      case 'disconnect':
        if (peer >= 0) this.connections.disconnect(event.t, node, peer);
        return -1;
      case 'crash':
        this.states.crash(event.t, node);
        this.connections.crash(event.t, node);
        this.topicTracker.crash(`${event.node}/`);
        return -1;
      case 'restart':
        this.states.restart(event.t, node);
        return -1;
      case 'subscribe':
      case 'unsubscribe':
        if (event.topic !== undefined) this.topicTracker.subscription(this.topics.intern(event.topic), `${event.node}/${event.engine ?? ''}`, event.kind === 'subscribe');
        return -1;
      default:
        return -1;
    }
  }

  private addGlobal(event: TraceEvent): void {
    if (event.kind === 'partition') this.states.partition(event.t, parseGroups(event.text), this.nodes);
    if (event.kind === 'heal') this.states.heal(event.t);
  }

  /** The index of message `id`; a `send` of an id already sent starts a new message, because
   *  message ids restart with a node's session (after a crash and restart). */
  private messageOf(id: string, node: number, isSend: boolean): number {
    const known = this.messageIndex.get(id);
    if (known !== undefined && !(isSend && !Number.isNaN(this.messages[known]!.sentMs))) return known;
    const index = this.messages.length;
    this.messageIndex.set(id, index);
    this.messages.push({ id, sourceNode: node, sourceEngine: -1, destinationKind: '?', to: '', destinationEngine: -1, topic: -1, bytes: 0, sentMs: Number.NaN, parent: -1, expectedDeliveries: 0 });
    return index;
  }

  private addSend(event: TraceEvent, node: number, engine: number, message: number): void {
    const record = this.messages[message];
    if (record === undefined) return;
    const topic = event.dst === 'topic' && event.to !== undefined ? this.topics.intern(event.to) : -1;
    Object.assign(record, {
      sourceNode: node,
      sourceEngine: engine,
      destinationKind: event.dst ?? '?',
      to: event.to ?? '',
      destinationEngine: event.dst === 'engine' ? this.engines.optional(engineOf(event.to)) : -1,
      topic,
      bytes: event.bytes ?? 0,
      sentMs: event.t,
      parent: event.cause === undefined ? -1 : this.messageOf(event.cause, -1, false),
      expectedDeliveries: topic < 0 ? 0 : this.topicTracker.subscribersExcept(topic, `${event.node}/${event.engine ?? ''}`),
    });
    if (topic >= 0) this.topicTracker.published(topic, record.expectedDeliveries);
  }

  private addDrop(event: TraceEvent, node: number, peer: number, message: number): number {
    const reason = this.reasons.intern(event.reason ?? 'unknown');
    if (event.kind === 'drop') this.dropsByReason[this.reasons.values[reason]!] = (this.dropsByReason[this.reasons.values[reason]!] ?? 0) + 1;
    if (peer < 0) return -1;
    if (message >= 0 && event.kind === 'drop') return this.flights.drop(message, node, peer, event.t, reason, event.reason === 'crashed');
    return this.flights.reject(node, peer, event.t, reason);
  }

  private addDelivery(event: TraceEvent, node: number, engine: number, message: number): void {
    const key = `${message}|${node}|${engine}`;
    const isDuplicate = this.delivered.has(key);
    this.delivered.add(key);
    const record = this.messages[message]!;
    this.deliveries.push({ message, node, engine, t: event.t, latencyMs: event.t - record.sentMs, isDuplicate });
    if (!isDuplicate && record.topic >= 0 && event.engine !== 'router') this.topicTracker.delivered(record.topic);
  }

  private addMarker(event: TraceEvent, { node, engine, peer, message }: Resolved, flight: number): void {
    const hasReason = event.kind === 'drop' || event.kind === 'verify-fail';
    this.markers.push({ kind: event.kind as MarkerKind, node, t: event.t, reason: hasReason ? this.reasons.find(event.reason ?? 'unknown') : -1, engine, message, peer, text: event.text ?? '' });
    this.markerFlights.push(flight);
  }

  finish(configured: ReadonlyArray<readonly [string, string]>, skipped: ReadonlyArray<string>): ViewModel {
    const configuredLinks = configured.map(([a, b]) => [this.nodes.intern(a), this.nodes.intern(b)] as const);
    const endMs = this.endMs > this.startMs ? this.endMs : this.startMs + 1;
    const finished = this.flights.finish(endMs);
    const connections = this.connections.finish();
    const markers = this.markers.map((marker, index) => {
      const original = this.markerFlights[index]!;
      return { ...marker, flight: original < 0 ? -1 : finished.order[original]! };
    });
    return {
      startMs: this.startMs,
      endMs,
      nodes: this.nodes.values,
      engines: this.engines.values,
      topics: this.topics.values,
      reasons: this.reasons.values,
      messages: this.messages,
      flights: finished.flights,
      markers,
      deliveries: this.deliveries,
      nodeStates: this.states.finish(this.nodes.values.length, this.startMs),
      partitions: this.states.partitionSpans(endMs),
      links: aggregateLinks(finished.flights, markers.filter((marker) => marker.kind === 'link'), configuredLinks),
      connectionPairs: connections.pairs,
      connections: connections.spans,
      skipped,
      topicStats: this.topicTracker.stats(this.topics.values),
      counts: {
        events: this.eventCount,
        byKind: this.byKind,
        messages: this.messages.length,
        flights: finished.flights.length,
        delivered: this.byKind['deliver'] ?? 0,
        dropped: this.byKind['drop'] ?? 0,
        dropsByReason: this.dropsByReason,
      },
    };
  }
}

/** The events in (t, seq) order; a copy is made only when the input is out of order. */
function sortedByTime(events: ReadonlyArray<TraceEvent>): ReadonlyArray<TraceEvent> {
  for (let index = 1; index < events.length; index++) {
    if (events[index]!.t < events[index - 1]!.t) return [...events].sort((x, y) => x.t - y.t || x.seq - y.seq);
  }
  return events;
}

/** `node/engine` → `engine`; undefined for anything else. */
function engineOf(reference: string | undefined): string | undefined {
  const slash = reference?.indexOf('/') ?? -1;
  return slash < 0 ? undefined : reference!.slice(slash + 1);
}

/** A partition event's groups (`text` is their JSON); malformed text gives no groups. */
function parseGroups(text: string | undefined): string[][] {
  try {
    const value = JSON.parse(text ?? '[]') as unknown;
    if (!Array.isArray(value)) return [];
    return value.filter((group): group is unknown[] => Array.isArray(group)).map((group) => group.filter((name): name is string => typeof name === 'string'));
  } catch {
    return [];
  }
}
