// One node's view of the network at a moment (`netmachine run --view <node>`): what its own
// identity store holds — known nodes with their addresses, trust and local measurements — and its
// open connections. Plain data, for printing and for tests.
import type { Id } from '../core/index.js';
import type { SimConnections } from './connections.js';

export interface NodeView {
  readonly node: string;
  /** False when the node is crashed (a crashed node holds nothing). */
  readonly isUp: boolean;
  readonly identities: ReadonlyArray<IdentityView>;
  readonly connections: ReadonlyArray<ConnectionView>;
}

export interface IdentityView {
  readonly name: string;
  readonly id: Id;
  readonly addresses: ReadonlyArray<string>;
  readonly trust: number;
  /** The advert came from the node's configuration. */
  readonly isConfigured: boolean;
  readonly rttMs?: number;
  readonly failures: number;
  readonly lastSeenMs?: number;
  /** Reached through this relay node. */
  readonly via?: string;
}

export interface ConnectionView {
  readonly peer: string;
  readonly isPermanent: boolean;
  /** Time since the last frame either way (ms). */
  readonly idleMs: number;
}

/** The view of host `index` (named `node`) now. */
export function nodeView(connections: SimConnections, index: number, node: string, nameOf: (id: Id) => string): NodeView {
  const host = connections.hostAt(index);
  if (host === undefined) return { node, isUp: false, identities: [], connections: [] };
  const identities = [...host.directory.allNodes()].map((record): IdentityView => ({
    name: nameOf(record.id),
    id: record.id,
    addresses: record.addresses,
    trust: record.trust,
    isConfigured: record.isConfigured === true,
    ...(record.measurements?.rttMs !== undefined && { rttMs: record.measurements.rttMs }),
    failures: record.measurements?.failures ?? 0,
    ...(record.measurements?.lastSeenMs !== undefined && { lastSeenMs: record.measurements.lastSeenMs }),
    ...(record.via !== undefined && { via: nameOf(record.via) }),
  }));
  return { node, isUp: true, identities, connections: connections.connectionsOf(index).map((open) => ({ peer: nameOf(open.peer), isPermanent: open.isPermanent, idleMs: open.sinceActivityMs })) };
}
