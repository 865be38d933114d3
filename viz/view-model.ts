// trace → view model, in one pass over the events in time order. Pure: the same trace gives the same
// model, whatever the backend that wrote it.
import type { TraceEvent, TraceHeader } from '../core/trace.js';
import { FlightMatcher } from './flights.js';
import { Interner } from './interner.js';
import { aggregateLinks } from './links.js';
import { NodeStateTracker } from './node-state.js';
import { TopicTracker } from './topics.js';
import type { Delivery, Marker, MarkerKind, VizMessage, ViewModel } from './types.js';

type MutableMessage = { -readonly [K in keyof VizMessage]: VizMessage[K] };

const MARKER_KINDS: ReadonlySet<string> = new Set<MarkerKind>(['drop', 'verify-fail', 'timer', 'crash', 'restart', 'link', 'connect-failed']);

/** Builds the view model of a trace. Events need not be sorted; ties keep their `seq` order. */
export function buildViewModel(header: TraceHeader, events: ReadonlyArray<TraceEvent>): ViewModel {
  const ordered = sortedByTime(events);
  const nodes = new Interner();
  for (const name of Object.keys(header.nodes)) nodes.intern(name);
  const engines = new Interner();
  const topics = new Interner();
  const reasons = new Interner();
  const messages: MutableMessage[] = [];
  const messageIndex = new Map<string, number>();
  const flights = new FlightMatcher();
  const states = new NodeStateTracker();
  const topicTracker = new TopicTracker();
  const markers: Omit<Marker, 'flight'>[] = [];
  const markerFlights: number[] = [];
  const deliveries: Delivery[] = [];
  const delivered = new Set<string>();
  const byKind: Record<string, number> = {};
  const dropsByReason: Record<string, number> = {};
  let endMs = 0;
  let startMs = 0;

  const messageOf = (id: string, node: number): number => {
    let index = messageIndex.get(id);
    if (index === undefined) {
      index = messages.length;
      messageIndex.set(id, index);
      messages.push({ id, sourceNode: node, sourceEngine: -1, destinationKind: '?', to: '', destinationEngine: -1, topic: -1, bytes: 0, sentMs: Number.NaN, parent: -1, expectedDeliveries: 0 });
    }
    return index;
  };

  for (const event of ordered) {
    byKind[event.kind] = (byKind[event.kind] ?? 0) + 1;
    endMs = Math.max(endMs, event.t);
    startMs = Math.min(startMs, event.t);
    if (event.node === '*') {
      if (event.kind === 'partition') states.partition(event.t, parseGroups(event.text), nodes);
      if (event.kind === 'heal') states.heal(event.t);
      continue;
    }
    const node = nodes.intern(event.node);
    const engine = engines.optional(event.engine);
    const peer = nodes.optional(event.peer);
    let message = event.msg === undefined ? -1 : messageOf(event.msg, event.kind === 'receive' ? peer : node);
    let flight = -1;
    switch (event.kind) {
      case 'send': {
        // Message ids restart with a node's session, so a second `send` of an id is a new message.
        if (message >= 0 && !Number.isNaN(messages[message]!.sentMs)) {
          messageIndex.delete(event.msg!);
          message = messageOf(event.msg!, node);
        }
        const record = messages[message];
        if (record === undefined) break;
        const isTopic = event.dst === 'topic';
        const topic = isTopic && event.to !== undefined ? topics.intern(event.to) : -1;
        Object.assign(record, {
          sourceNode: node,
          sourceEngine: engine,
          destinationKind: event.dst ?? '?',
          to: event.to ?? '',
          destinationEngine: event.dst === 'engine' ? engines.optional(engineOf(event.to)) : -1,
          topic,
          bytes: event.bytes ?? 0,
          sentMs: event.t,
          parent: event.cause === undefined ? -1 : messageOf(event.cause, -1),
          expectedDeliveries: topic < 0 ? 0 : topicTracker.subscribersExcept(topic, `${event.node}/${event.engine ?? ''}`),
        });
        break;
      }
      case 'transmit':
        if (message >= 0 && peer >= 0) flights.transmit(message, node, peer, event.t, event.bytes ?? 0);
        break;
      case 'receive':
        if (message >= 0 && peer >= 0) flights.receive(message, peer, node, event.t, event.bytes ?? 0);
        break;
      case 'drop':
      case 'verify-fail': {
        const reason = reasons.intern(event.reason ?? 'unknown');
        if (event.kind === 'drop') dropsByReason[reasons.values[reason]!] = (dropsByReason[reasons.values[reason]!] ?? 0) + 1;
        if (peer < 0) break;
        flight = message >= 0 && event.kind === 'drop' ? flights.drop(message, node, peer, event.t, reason, event.reason === 'crashed') : flights.reject(node, peer, event.t, reason);
        break;
      }
      case 'deliver': {
        if (message < 0) break;
        const key = `${message}|${node}|${engine}`;
        const isDuplicate = delivered.has(key);
        delivered.add(key);
        deliveries.push({ message, node, engine, t: event.t, latencyMs: event.t - messages[message]!.sentMs, isDuplicate });
        if (!isDuplicate && messages[message]!.topic >= 0 && event.engine !== 'router') topicTracker.delivered(messages[message]!.topic);
        break;
      }
      case 'crash':
        states.crash(event.t, node);
        topicTracker.crash(`${event.node}/`);
        break;
      case 'restart':
        states.restart(event.t, node);
        break;
      case 'subscribe':
      case 'unsubscribe':
        if (event.topic !== undefined) topicTracker.subscription(topics.intern(event.topic), `${event.node}/${event.engine ?? ''}`, event.kind === 'subscribe');
        break;
      default:
        break;
    }
    if (MARKER_KINDS.has(event.kind)) {
      markers.push({
        kind: event.kind as MarkerKind,
        node,
        t: event.t,
        reason: event.kind === 'drop' || event.kind === 'verify-fail' ? reasons.find(event.reason ?? 'unknown') : -1,
        engine,
        message,
        peer,
        text: event.text ?? '',
      });
      markerFlights.push(flight);
    }
  }
  for (const record of messages) if (record.topic >= 0) topicTracker.published(record.topic, record.expectedDeliveries);
  if (endMs <= startMs) endMs = startMs + 1;
  const finished = flights.finish(endMs);
  const flightOfMarker = markerFlights.map((original) => (original < 0 ? -1 : finished.order[original]!));
  return {
    startMs,
    endMs,
    nodes: nodes.values,
    engines: engines.values,
    topics: topics.values,
    reasons: reasons.values,
    messages,
    flights: finished.flights,
    markers: markers.map((marker, index) => ({ ...marker, flight: flightOfMarker[index]! })),
    deliveries,
    nodeStates: states.finish(nodes.values.length, startMs),
    partitions: states.partitionSpans(endMs),
    links: aggregateLinks(finished.flights, markers.filter((marker) => marker.kind === 'link')),
    topicStats: topicTracker.stats(topics.values),
    counts: {
      events: ordered.length,
      byKind,
      messages: messages.length,
      flights: finished.flights.length,
      delivered: byKind['deliver'] ?? 0,
      dropped: byKind['drop'] ?? 0,
      dropsByReason,
    },
  };
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
