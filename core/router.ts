// Routing decisions as pure functions over a table (STYLE rule 5); core/node.ts applies them.
import type { IdentityStore, Measurements } from './directory.js';
import type { Id } from './ids.js';
import type { Destination, RoutingScope, TransportPrefs } from './message.js';

/** What a preference left unspecified means: ordered, reliable, direct. */
export const TRANSPORT_PREFS_DEFAULT: TransportPrefs = { isOrdered: true, isReliable: true, security: 'direct' };

/** S22: the message's preferences, else the peer record's, else the node's defaults, field by field. */
export function resolveTransportPrefs(message: TransportPrefs | undefined, record: Partial<TransportPrefs> | undefined, defaults: Partial<TransportPrefs> | undefined): TransportPrefs | undefined {
  if (message === undefined && record === undefined && defaults === undefined) return undefined;
  return { ...TRANSPORT_PREFS_DEFAULT, ...defaults, ...record, ...message };
}

/** Where a message goes next. */
export type RouteDecision =
  | { readonly kind: 'local-engine'; readonly engine: Id }
  | { readonly kind: 'local-node' }
  | { readonly kind: 'local-topic'; readonly topic: Id }
  | { readonly kind: 'remote'; readonly node: Id }
  | { readonly kind: 'drop'; readonly reason: 'no-route' | 'no-engine' | 'scope-local' | 'scope-domain' | 'banned' | 'unsupported' };

/** The Router's view: local engines and the identity store. */
export interface RoutingTable {
  readonly self: Id;
  /** The engines hosted on this node (a map, or any table that answers `has`). */
  readonly localEngines: { has(engine: Id): boolean };
  readonly directory: IdentityStore;
  /** Local engines serving a domain (anycast targets on this node), in registration order. */
  readonly domainServers?: ReadonlyMap<Id, ReadonlyArray<Id>>;
  /** Current time, ms (anycast suspicion expires). */
  now(): number;
  /** True when this node knows `node` as a member of `domain` (scope `Domain(d)`); absent = knows none. */
  isDomainMember?(domain: Id, node: Id): boolean;
}

/**
 * Decides where an outgoing message from a local engine goes (SPEC §5.1.1, Q1, Q11): a message
 * scoped `Local` never leaves the node, one scoped `Domain(d)` goes only to a node this node knows
 * as a member of d.
 */
export function routeOutgoing(table: RoutingTable, destination: Destination, scope: RoutingScope | undefined): RouteDecision {
  const decision = routeDestination(table, destination);
  if (decision.kind !== 'remote') return decision;
  if (scope?.kind === 'local') return { kind: 'drop', reason: 'scope-local' };
  if (scope?.kind === 'domain' && table.isDomainMember?.(scope.domain, decision.node) !== true) return { kind: 'drop', reason: 'scope-domain' };
  if (table.directory.trust(decision.node) === 0) return { kind: 'drop', reason: 'banned' };
  return decision;
}

/** Decides where a verified inbound message goes: only ever to this node (I1). */
export function routeIncoming(table: RoutingTable, destination: Destination): RouteDecision {
  if (destination.kind === 'domain') {
    const server = table.domainServers?.get(destination.domain)?.[0];
    return server === undefined ? { kind: 'drop', reason: 'no-engine' } : { kind: 'local-engine', engine: server };
  }
  const decision = routeDestination(table, destination);
  return decision.kind === 'remote' ? { kind: 'drop', reason: 'no-route' } : decision;
}

/** A member whose request failed is suspected for this long, doubled per consecutive failure (ms). */
export const ANYCAST_SUSPICION_MS = 1000;
/** The longest suspicion: a member is always tried again after this long (ms). */
export const ANYCAST_SUSPICION_MS_MAX = 60_000;

/** Until when (ms) a member with `failures` consecutive failures, the last at `failedAtMs`, is suspected. */
export function suspectedUntilMs(measurements: Measurements | undefined): number {
  if (measurements === undefined || measurements.failures === 0) return -Infinity;
  const spanMs = Math.min(ANYCAST_SUSPICION_MS_MAX, ANYCAST_SUSPICION_MS * 2 ** (measurements.failures - 1));
  return (measurements.failedAtMs ?? 0) + spanMs;
}

/**
 * Anycast (SPEC §2.3 Domain): one member of the domain's advert — this node when it serves the
 * domain; else, among members not suspected now, the lowest measured RTT (unmeasured last), then
 * advert order; when every member is suspected, the one whose suspicion ends first. A failure makes
 * a member suspected for a while that doubles with each consecutive failure (so it is tried again
 * later: the choice forgets), and any success resets its count (so it learns). Banned (trust 0)
 * members never.
 */
export function chooseDomainMember(table: RoutingTable, domain: Id): Id | undefined {
  if ((table.domainServers?.get(domain)?.length ?? 0) > 0) return table.self;
  const members = table.directory.advert('domain', domain)?.nodes ?? [];
  const nowMs = table.now();
  let best: { node: Id; suspectedUntilMs: number; rttMs: number } | undefined;
  for (const node of members) {
    if (node === table.self || table.directory.trust(node) === 0) continue;
    const measurements = table.directory.node(node)?.measurements;
    const candidate = { node, suspectedUntilMs: Math.max(nowMs, suspectedUntilMs(measurements)), rttMs: measurements?.rttMs ?? Infinity };
    // Earlier end of suspicion first (every unsuspected member ties at now), then RTT; advert order breaks ties.
    if (best === undefined || candidate.suspectedUntilMs < best.suspectedUntilMs || (candidate.suspectedUntilMs === best.suspectedUntilMs && candidate.rttMs < best.rttMs)) best = candidate;
  }
  return best?.node;
}

function routeDestination(table: RoutingTable, destination: Destination): RouteDecision {
  switch (destination.kind) {
    case 'engine': {
      const node = destination.node ?? (table.localEngines.has(destination.engine) ? table.self : table.directory.engineNode(destination.engine));
      if (node === undefined) return { kind: 'drop', reason: 'no-route' };
      if (node !== table.self) return { kind: 'remote', node };
      return table.localEngines.has(destination.engine) ? { kind: 'local-engine', engine: destination.engine } : { kind: 'drop', reason: 'no-engine' };
    }
    case 'node':
      return destination.node === table.self ? { kind: 'local-node' } : { kind: 'remote', node: destination.node };
    case 'topic':
      return { kind: 'local-topic', topic: destination.topic };
    case 'domain': {
      const member = chooseDomainMember(table, destination.domain);
      if (member === undefined) return { kind: 'drop', reason: 'no-route' };
      return member === table.self ? routeIncoming(table, destination) : { kind: 'remote', node: member };
    }
  }
}

/** Local pub/sub: subscribers per topic in subscription order (SPEC S8, I5). */
export class TopicTable {
  private readonly subscribers = new Map<Id, Id[]>();

  /** Adds `engine`; false when it was already subscribed. */
  subscribe(topic: Id, engine: Id): boolean {
    const list = this.subscribers.get(topic);
    if (list === undefined) {
      this.subscribers.set(topic, [engine]);
      return true;
    }
    if (list.includes(engine)) return false;
    list.push(engine);
    return true;
  }

  /** Removes `engine`; false when it was not subscribed. */
  unsubscribe(topic: Id, engine: Id): boolean {
    const list = this.subscribers.get(topic);
    const index = list?.indexOf(engine) ?? -1;
    if (list === undefined || index < 0) return false;
    list.splice(index, 1);
    if (list.length === 0) this.subscribers.delete(topic);
    return true;
  }

  /** True when `engine` subscribes to `topic`. */
  has(topic: Id, engine: Id): boolean {
    return this.subscribers.get(topic)?.includes(engine) ?? false;
  }

  /** True when `topic` has a local entry (a subscriber). */
  isKnown(topic: Id): boolean {
    return this.subscribers.has(topic);
  }

  /** Removes the topic and every subscriber (S10); returns the removed subscribers. */
  remove(topic: Id): Id[] {
    const list = this.subscribers.get(topic) ?? [];
    this.subscribers.delete(topic);
    return list;
  }

  /** Local subscribers of `topic` except `sender`: never echo back (I5). */
  fanOut(topic: Id, sender: Id | undefined): Id[] {
    const list = this.subscribers.get(topic) ?? [];
    return sender === undefined ? list.slice() : list.filter((engine) => engine !== sender);
  }
}

/** Anti-replay window per sending node (IPsec style): accepts each (session, seq) at most once. */
export class ReplayWindow {
  static readonly SIZE = 1024;
  private session = -1;
  private highest = 0;
  /**
   * One bit per sequence number in the window (128 bytes), made only when a number arrives out of
   * order. Until then the window is dense: the numbers accepted in this session are exactly
   * 1…highest, in order, which is how a sender's frames usually arrive (a node keeps one window
   * per sender it hears from, so a million-node run holds a million of them).
   */
  private seen: Uint32Array | undefined;

  /** True (and records it) when (session, seq) is new and not too old; false for replays. */
  accept(session: number, seq: number): boolean {
    if (session < this.session) return false;
    if (session > this.session) {
      this.session = session;
      this.highest = 0;
      this.seen = undefined;
    }
    if (this.seen === undefined) {
      if (seq === this.highest + 1) {
        this.highest = seq;
        return true;
      }
      this.seen = this.denseBits();
    }
    if (seq <= this.highest - ReplayWindow.SIZE) return false;
    if (seq > this.highest) {
      const advance = Math.min(seq - this.highest, ReplayWindow.SIZE);
      for (let i = 1; i <= advance; i++) this.clear((this.highest + i) % ReplayWindow.SIZE);
      this.highest = seq;
    } else if (this.isSet(seq % ReplayWindow.SIZE)) {
      return false;
    }
    this.set(seq % ReplayWindow.SIZE);
    return true;
  }

  /** The bits of a dense window: 1…highest accepted, the last SIZE of them still in the window. */
  private denseBits(): Uint32Array {
    const seen = new Uint32Array(ReplayWindow.SIZE / 32);
    this.seen = seen;
    for (let seq = Math.max(1, this.highest - ReplayWindow.SIZE + 1); seq <= this.highest; seq++) this.set(seq % ReplayWindow.SIZE);
    return seen;
  }

  private isSet(bit: number): boolean {
    return (this.seen![bit >>> 5]! & (1 << (bit & 31))) !== 0;
  }
  private set(bit: number): void {
    this.seen![bit >>> 5]! |= 1 << (bit & 31);
  }
  private clear(bit: number): void {
    this.seen![bit >>> 5]! &= ~(1 << (bit & 31));
  }
}
