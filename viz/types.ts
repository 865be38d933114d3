// The view model: what the report draws, derived from a trace alone. Entities refer to each other by
// index (node, engine, topic, reason, message) so the model embeds compactly as columns.

/** A message, from its `send` event (or first sighting when the trace has no `send` for it). */
export interface VizMessage {
  /** Trace id `<12 hex of source engine>:<message id>`. */
  readonly id: string;
  /** Node index of the sender, -1 when unknown. */
  readonly sourceNode: number;
  /** Engine name index of the sender, -1 when unknown. */
  readonly sourceEngine: number;
  /** `engine`, `node`, `topic`, or `?` when the trace has no `send` event for the message. */
  readonly destinationKind: string;
  /** Destination as traced (`n4/echo`, a topic name, a node name), '' when unknown. */
  readonly to: string;
  /** Engine name index of an engine destination, -1 otherwise. */
  readonly destinationEngine: number;
  /** Topic index for pub/sub messages, -1 otherwise. */
  readonly topic: number;
  /** Body size in bytes. */
  readonly bytes: number;
  /** Time of the `send` event (ms), NaN when unknown. */
  readonly sentMs: number;
  /** Index of the message whose handling caused this one (`cause`), -1 for none. */
  readonly parent: number;
  /** Pub/sub: subscribers (other than the publisher) known when it was published. */
  readonly expectedDeliveries: number;
}

/** What became of one transmitted frame. */
export type FlightStatus = 'delivered' | 'dropped' | 'rejected' | 'in-flight';

/** One frame between two nodes: an arrow in the time-space diagram. */
export interface Flight {
  readonly message: number;
  readonly from: number;
  readonly to: number;
  /** Transmit time (ms). */
  readonly startMs: number;
  /** Receive or drop time (ms); the trace end for frames still in flight. */
  readonly endMs: number;
  readonly status: FlightStatus;
  /** Reason index for dropped / rejected frames, -1 otherwise. */
  readonly reason: number;
  /** Frame size in bytes. */
  readonly bytes: number;
  /** A second arrival of the same frame (link duplication). */
  readonly isDuplicate: boolean;
}

export type MarkerKind = 'drop' | 'verify-fail' | 'timer' | 'crash' | 'restart' | 'link' | 'connect-failed';

/** A point event drawn on a node's lane. */
export interface Marker {
  readonly kind: MarkerKind;
  readonly node: number;
  readonly t: number;
  /** Reason index (drops, verify failures), -1 otherwise. */
  readonly reason: number;
  /** Engine name index, -1 when none. */
  readonly engine: number;
  /** Message index, -1 when none. */
  readonly message: number;
  /** Node index of the other end, -1 when none. */
  readonly peer: number;
  readonly text: string;
  /** Index of the flight this drop or rejection ended (drawn on its arrow), -1 for none. */
  readonly flight: number;
}

/** A message reaching an engine. */
export interface Delivery {
  readonly message: number;
  readonly node: number;
  readonly engine: number;
  readonly t: number;
  /** send → deliver (ms), NaN when the send is not in the trace. */
  readonly latencyMs: number;
  /** The same message already reached this engine (duplication). */
  readonly isDuplicate: boolean;
}

/** A node's state from `t` until its next change. */
export interface NodeStateChange {
  readonly t: number;
  readonly isUp: boolean;
  /** Partition group index, -1 when not partitioned (or in the implicit rest group). */
  readonly group: number;
}

/** A partition in force from `startMs` to `endMs` (trace end when never healed). */
export interface PartitionSpan {
  readonly startMs: number;
  readonly endMs: number;
  readonly groups: ReadonlyArray<ReadonlyArray<string>>;
}

/** Traffic of one direction of a link. */
export interface DirectionLoad {
  readonly frames: number;
  readonly bytes: number;
  readonly delivered: number;
  readonly dropped: number;
}

/** A link between two nodes (a < b), seen in traffic or link events. */
export interface LinkAggregate {
  readonly a: number;
  readonly b: number;
  readonly ab: DirectionLoad;
  readonly ba: DirectionLoad;
}

/** Two nodes (a < b) that had a connection at some time of the trace. */
export interface ConnectionPair {
  readonly a: number;
  readonly b: number;
}

/** One end of a connection, held open by one node from `startMs` until `endMs` (+Infinity: open at the trace end). */
export interface ConnectionSpan {
  /** Index into `connectionPairs`. */
  readonly pair: number;
  /** The end is node `a`'s (else `b`'s). */
  readonly isEndA: boolean;
  readonly startMs: number;
  readonly endMs: number;
}

/** Nearest-rank percentiles (ms). */
export interface LatencyPercentiles {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

/** Pub/sub delivery per topic. */
export interface TopicStats {
  readonly topic: string;
  readonly published: number;
  readonly expected: number;
  readonly delivered: number;
  /** delivered / expected, NaN when nothing was expected. */
  readonly ratio: number;
}

export interface ViewCounts {
  readonly events: number;
  readonly byKind: Readonly<Record<string, number>>;
  readonly messages: number;
  readonly flights: number;
  readonly delivered: number;
  readonly dropped: number;
  readonly dropsByReason: Readonly<Record<string, number>>;
}

export interface ViewModel {
  readonly startMs: number;
  readonly endMs: number;
  /** Node names; index = node id in the model. Header order first, then first sighting. */
  readonly nodes: ReadonlyArray<string>;
  /** Engine names (`ping`, `echo`, `router`, …), by first sighting. */
  readonly engines: ReadonlyArray<string>;
  readonly topics: ReadonlyArray<string>;
  /** Drop and verify-fail reasons, by first sighting. */
  readonly reasons: ReadonlyArray<string>;
  readonly messages: ReadonlyArray<VizMessage>;
  /** Sorted by start time. */
  readonly flights: ReadonlyArray<Flight>;
  /** Sorted by time. */
  readonly markers: ReadonlyArray<Marker>;
  /** Sorted by time. */
  readonly deliveries: ReadonlyArray<Delivery>;
  /** Per node, changes in time order; the first entry is at `startMs`. */
  readonly nodeStates: ReadonlyArray<ReadonlyArray<NodeStateChange>>;
  readonly partitions: ReadonlyArray<PartitionSpan>;
  /** Configured links (trace header) first, then pairs seen in traffic. */
  readonly links: ReadonlyArray<LinkAggregate>;
  /** Node pairs connected at some time (connect events), in first-sighting order. */
  readonly connectionPairs: ReadonlyArray<ConnectionPair>;
  /** Connection ends over time (connect → disconnect, or the node's crash), sorted by start. */
  readonly connections: ReadonlyArray<ConnectionSpan>;
  /** Events the report could not draw, as sentences (with a count of the rest). */
  readonly skipped: ReadonlyArray<string>;
  /** Per topic, in first-sighting order. */
  readonly topicStats: ReadonlyArray<TopicStats>;
  readonly counts: ViewCounts;
}
