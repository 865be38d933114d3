// The view model as compact columns for the browser (arrays of numbers, string tables), and the
// escaping that lets it sit inside a <script> element.
import { Interner } from './interner.js';
import { layoutTopology } from './layout.js';
import type { FlightStatus, MarkerKind, ViewModel } from './types.js';

/** Bump when the browser script can no longer read older embedded data. */
export const REPORT_DATA_VERSION = 2;

export const FLIGHT_STATUSES: ReadonlyArray<FlightStatus> = ['delivered', 'dropped', 'rejected', 'in-flight'];
export const MARKER_KINDS: ReadonlyArray<MarkerKind> = ['drop', 'verify-fail', 'timer', 'crash', 'restart', 'link', 'connect-failed'];

/** Times to microseconds: enough for any trace and a third of the digits of a raw double. */
function time(t: number): number {
  return Math.round(t * 1000) / 1000;
}

function column<T>(rows: ReadonlyArray<T>, pick: (row: T) => number): number[] {
  const values = new Array<number>(rows.length);
  for (let index = 0; index < rows.length; index++) values[index] = pick(rows[index]!);
  return values;
}

/** Everything the browser script needs, as plain JSON-able columns. */
export function encodeModel(model: ViewModel, meta: { readonly title: string; readonly backend: string; readonly seed: number }): unknown {
  const destinations = new Interner();
  const texts = new Interner();
  const { messages, flights, markers, deliveries } = model;
  return {
    version: REPORT_DATA_VERSION,
    ...meta,
    // Rounded outwards so that every rounded event time lies inside the range.
    startMs: Math.floor(model.startMs * 1000) / 1000,
    endMs: Math.ceil(model.endMs * 1000) / 1000,
    nodes: model.nodes,
    engines: model.engines,
    topics: model.topics,
    reasons: model.reasons,
    statuses: FLIGHT_STATUSES,
    markerKinds: MARKER_KINDS,
    counts: model.counts,
    layout: Array.from(layoutTopology(model.nodes.length, layoutPairs(model)), (value) => Math.round(value * 10) / 10),
    links: { a: column(model.links, (link) => link.a), b: column(model.links, (link) => link.b) },
    connectionPairs: { a: column(model.connectionPairs, (pair) => pair.a), b: column(model.connectionPairs, (pair) => pair.b) },
    connections: {
      pair: column(model.connections, (span) => span.pair),
      endA: column(model.connections, (span) => (span.isEndA ? 1 : 0)),
      start: column(model.connections, (span) => time(span.startMs)),
      // -1: still open when the trace ends.
      end: column(model.connections, (span) => (Number.isFinite(span.endMs) ? time(span.endMs) : -1)),
    },
    states: model.nodeStates.map((changes) => changes.map((change) => [time(change.t), change.isUp ? 1 : 0, change.group])),
    partitions: model.partitions.map((span) => [time(span.startMs), time(span.endMs), span.groups]),
    messages: {
      id: messages.map((message) => message.id),
      source: column(messages, (message) => message.sourceNode),
      engine: column(messages, (message) => message.sourceEngine),
      kind: column(messages, (message) => ['engine', 'node', 'topic'].indexOf(message.destinationKind)),
      to: column(messages, (message) => destinations.intern(message.to)),
      toEngine: column(messages, (message) => message.destinationEngine),
      topic: column(messages, (message) => message.topic),
      bytes: column(messages, (message) => message.bytes),
      sent: column(messages, (message) => (Number.isNaN(message.sentMs) ? -1 : time(message.sentMs))),
      parent: column(messages, (message) => message.parent),
      expected: column(messages, (message) => message.expectedDeliveries),
    },
    toTable: destinations.values,
    flights: {
      message: column(flights, (flight) => flight.message),
      from: column(flights, (flight) => flight.from),
      to: column(flights, (flight) => flight.to),
      start: column(flights, (flight) => time(flight.startMs)),
      end: column(flights, (flight) => time(flight.endMs)),
      status: column(flights, (flight) => FLIGHT_STATUSES.indexOf(flight.status)),
      reason: column(flights, (flight) => flight.reason),
      bytes: column(flights, (flight) => flight.bytes),
      duplicate: column(flights, (flight) => (flight.isDuplicate ? 1 : 0)),
    },
    markers: {
      kind: column(markers, (marker) => MARKER_KINDS.indexOf(marker.kind)),
      node: column(markers, (marker) => marker.node),
      t: column(markers, (marker) => time(marker.t)),
      reason: column(markers, (marker) => marker.reason),
      engine: column(markers, (marker) => marker.engine),
      message: column(markers, (marker) => marker.message),
      peer: column(markers, (marker) => marker.peer),
      flight: column(markers, (marker) => marker.flight),
      text: column(markers, (marker) => (marker.text === '' ? -1 : texts.intern(marker.text.slice(0, 200)))),
    },
    texts: texts.values,
    deliveries: {
      message: column(deliveries, (delivery) => delivery.message),
      node: column(deliveries, (delivery) => delivery.node),
      engine: column(deliveries, (delivery) => delivery.engine),
      t: column(deliveries, (delivery) => time(delivery.t)),
      latency: column(deliveries, (delivery) => (Number.isFinite(delivery.latencyMs) ? time(delivery.latencyMs) : -1)),
      duplicate: column(deliveries, (delivery) => (delivery.isDuplicate ? 1 : 0)),
    },
  };
}

/** What the layout pulls together: the links, and the pairs that were ever connected (a region underlay has no links). */
function layoutPairs(model: ViewModel): Array<{ readonly a: number; readonly b: number }> {
  const seen = new Set<string>();
  const pairs: Array<{ readonly a: number; readonly b: number }> = [];
  for (const pair of [...model.links, ...model.connectionPairs]) {
    const key = `${pair.a}|${pair.b}`;
    if (seen.has(key)) continue;
    seen.add(key);
    pairs.push(pair);
  }
  return pairs;
}

/** JSON that is safe inside a <script> element: no `</script>`, `<!--` or line separators. */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** JavaScript source that is safe inside a <script> element (only `</script` and `<!--` matter). */
export function scriptSafeSource(source: string): string {
  return source.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}
