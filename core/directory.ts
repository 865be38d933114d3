// The Network Identity Store (SPEC §4.3, §5.3, Q14, Q15): one record per external identity —
// engine → node; node → advert, addresses in preference order, measurements, trust, reputation,
// transport and connection preferences; topic → TopicAdvert; domain → DomainAdvert — with
// `IdentityUpdated` notifications to subscribers (the Router at least, S6).
import { assert } from './assert.js';
import { verifyAdvert, type Advert, type DomainAdvert, type NodeAdvert, type TopicAdvert } from './adverts.js';
import type { Id } from './ids.js';
import type { TransportPrefs } from './message.js';
import type { Crypto } from './ports.js';

/** Default trust (SPEC §3.1: 0 = banned, 128 = default, 255 = fully trusted). */
export const TRUST_DEFAULT = 128;
/** Q15: adverts created further than this in the future are ignored. */
export const ADVERT_SKEW_MS_MAX = 5 * 60 * 1000;
/** Weight of a new RTT sample in the moving average (TCP's 1/8). */
const RTT_SAMPLE_WEIGHT = 1 / 8;

/** Local measurements of a peer (Q14). */
export interface Measurements {
  /** Exponentially weighted moving average of round-trip times, ms. */
  readonly rttMs?: number;
  readonly lastSeenMs?: number;
  /** Consecutive failures (reset by a success). */
  readonly failures: number;
  /** When the last of them was counted, ms. */
  readonly failedAtMs?: number;
}

/** What the store knows about a node. */
export interface NodeRecord {
  readonly id: Id;
  /** Transport addresses in preference order (e.g. `quic://127.0.0.1:7001`). */
  readonly addresses: ReadonlyArray<string>;
  readonly trust: number;
  readonly advert?: NodeAdvert;
  /** The advert came from this node's configuration: a network advert never replaces it (Q15). */
  readonly isConfigured?: boolean;
  readonly reputation?: number;
  /** Per-peer transport preferences (S22: between the message's and the defaults). */
  readonly tprefs?: Partial<TransportPrefs>;
  readonly cprefs?: 'ephemeral' | 'permanent';
  readonly measurements?: Measurements;
  /** Reach this node through the relay node `via` (no direct connection; SPEC §5.1.3). */
  readonly via?: Id;
}

/** The fields an `UpdateIdentityRequest` may change on a node record. */
export type NodeRecordPatch = Partial<Omit<NodeRecord, 'id' | 'isConfigured'>>;

/** `IdentityUpdated` (SPEC §4.3): which identity changed, and how. */
export interface IdentityUpdate {
  readonly id: Id;
  readonly kind: 'engine' | 'node' | 'topic' | 'domain';
}

/** Why an advert was or was not stored (I8, Q15). */
export type AdvertOutcome = 'stored' | 'stale' | 'bad-signature' | 'from-future' | 'configured';

/** A node advert's addresses by its own weight, highest first (Q14/Q16: weight 0 only as a last resort). */
function advertAddresses(advert: NodeAdvert): ReadonlyArray<string> {
  let addresses = ADDRESSES_BY_ADVERT.get(advert);
  if (addresses === undefined) {
    addresses = Object.freeze(advert.addresses.slice().sort((a, b) => b.weight - a.weight).map((entry) => entry.address));
    ADDRESSES_BY_ADVERT.set(advert, addresses);
  }
  return addresses;
}
/** Adverts are immutable: stores that hold the same advert share one address list. */
const ADDRESSES_BY_ADVERT = new WeakMap<NodeAdvert, ReadonlyArray<string>>();

/** The record of a node known from configuration only: one frozen object per advert, shared by the stores that hold it. */
function configuredRecord(advert: NodeAdvert, addresses: ReadonlyArray<string>): NodeRecord {
  let record = CONFIGURED_RECORD_BY_ADVERT.get(advert);
  if (record === undefined) {
    record = Object.freeze({ id: advert.id, addresses, trust: TRUST_DEFAULT, advert, isConfigured: true });
    CONFIGURED_RECORD_BY_ADVERT.set(advert, record);
  }
  return record;
}
const CONFIGURED_RECORD_BY_ADVERT = new WeakMap<NodeAdvert, NodeRecord>();

/**
 * The frozen record a store makes for a node advert from its configuration (the advert verified or
 * signed by the caller), for stores built with `configuredNodes`: a caller that hands the same
 * advert to many stores makes this once per advert and shares it.
 */
export function configuredRecordOf(advert: NodeAdvert): NodeRecord {
  return Object.freeze({ id: advert.id, addresses: Object.freeze(advert.addresses.slice().sort((a, b) => b.weight - a.weight).map((entry) => entry.address)), trust: TRUST_DEFAULT, advert, isConfigured: true });
}

function assertConfiguredRecord(record: NodeRecord): void {
  assert(record.isConfigured === true && record.advert?.id === record.id, `IdentityStore: configuredNodes takes records made by configuredRecordOf (node ${record.id})`);
}

/**
 * Node records from configuration, shared by many stores: each store sees `count` consecutive
 * slots from `from` (a simulator hands every node a slice of one table of 10⁶ × k peers). A record
 * is made (by `configuredRecordOf`) the first time a store asks for it, and shared from then on.
 */
export interface ConfiguredNodeTable {
  /** The node id at `slot`. */
  idAt(slot: number): Id;
  /** The configured record at `slot`. */
  recordAt(slot: number): NodeRecord;
}

/** Where engines run, as configuration says (engine → node), shared by many stores. */
export interface EngineLocations {
  get(engine: Id): Id | undefined;
}

/** A store's configured records handed over as a list. */
class ListTable implements ConfiguredNodeTable {
  constructor(private readonly records: ReadonlyArray<NodeRecord>) {}
  idAt(slot: number): Id {
    return this.records[slot]!.id;
  }
  recordAt(slot: number): NodeRecord {
    return this.records[slot]!;
  }
}

const NO_TABLE: ConfiguredNodeTable = new ListTable([]);
/** Up to this many configured records, a lookup scans the list (no index map per store). */
const CONFIGURED_SCAN_MAX = 16;

/**
 * Identity records of one node's view of the network. Every node has its own store (in the
 * simulator as on real networks); adverts are immutable and shared by reference between stores,
 * and everything else a store holds is created on first use, so a store of a node that knows k
 * peers costs about k small records.
 */
export class IdentityStore {
  /** Engine locations this store learnt itself (created on the first). */
  private engineNodes: Map<Id, Id> | undefined;
  /**
   * Engine locations from configuration, shared by many stores (engine → node): each store sees
   * only the engines of the nodes whose configured advert it holds, without a copy of its own.
   */
  private readonly configuredEngines: EngineLocations | undefined;
  /** The node whose store this is: its own engines' locations come from `configuredEngines` too. */
  private readonly self: Id | undefined;

  /**
   * Node records from configuration handed over at construction (`configuredRecordOf`), shared with
   * other stores: a node knowing k configured peers holds k slots of a shared table instead of a
   * map of its own. A record stored later for one of these ids (in `nodes`) takes its place.
   */
  private readonly configuredTable: ConfiguredNodeTable;
  private readonly configuredFrom: number;
  /** How many configured records (slots `configuredFrom` …). */
  private readonly configuredCount: number;
  /** Slot of each configured id, built on the first lookup when the list is long. */
  private configuredIndex: Map<Id, number> | undefined;
  /** Node records stored in this store (created on the first). */
  private nodes: Map<Id, NodeRecord> | undefined;
  /** Entries of `nodes` that replace a record of `configuredNodes`. */
  private replacedConfigured = 0;

  constructor(
    options: {
      readonly configuredEngines?: EngineLocations;
      readonly self?: Id;
      /** Configured records as a list, or `configuredSlots` of a shared table. */
      readonly configuredNodes?: ReadonlyArray<NodeRecord>;
      readonly configuredSlots?: { readonly table: ConfiguredNodeTable; readonly from: number; readonly count: number };
    } = {},
  ) {
    // Configured nodes: distinct ids, none of them `self`.
    this.configuredEngines = options.configuredEngines;
    this.self = options.self;
    assert(options.configuredNodes === undefined || options.configuredSlots === undefined, 'IdentityStore: configuredNodes or configuredSlots, not both');
    if (options.configuredNodes !== undefined) {
      for (const record of options.configuredNodes) assertConfiguredRecord(record);
      this.configuredTable = options.configuredNodes.length === 0 ? NO_TABLE : new ListTable(options.configuredNodes);
      this.configuredFrom = 0;
      this.configuredCount = options.configuredNodes.length;
    } else {
      this.configuredTable = options.configuredSlots?.table ?? NO_TABLE;
      this.configuredFrom = options.configuredSlots?.from ?? 0;
      this.configuredCount = options.configuredSlots?.count ?? 0;
    }
  }

  /** The slot of `id` among the configured records, or −1. */
  private configuredSlot(id: Id): number {
    const table = this.configuredTable;
    const from = this.configuredFrom;
    const end = from + this.configuredCount;
    if (this.configuredCount <= CONFIGURED_SCAN_MAX) {
      for (let slot = from; slot < end; slot++) if (table.idAt(slot) === id) return slot;
      return -1;
    }
    if (this.configuredIndex === undefined) {
      this.configuredIndex = new Map();
      for (let slot = from; slot < end; slot++) this.configuredIndex.set(table.idAt(slot), slot);
    }
    return this.configuredIndex.get(id) ?? -1;
  }

  /** The record for `id` from configuration at construction, if any. */
  private configuredNode(id: Id): NodeRecord | undefined {
    const slot = this.configuredSlot(id);
    return slot < 0 ? undefined : this.configuredTable.recordAt(slot);
  }

  /** Engine, topic and domain adverts by `kind:id` (node adverts live in their NodeRecord). */
  private adverts: Map<string, Advert> | undefined;
  /** Keys of `adverts` that came from configuration (Q15). */
  private configured: Set<string> | undefined;
  private listeners: Array<(update: IdentityUpdate) => void> | undefined;

  /** Subscribes to `IdentityUpdated`; returns the unsubscribe function. */
  onUpdated(listener: (update: IdentityUpdate) => void): () => void {
    (this.listeners ??= []).push(listener);
    return () => {
      const index = this.listeners?.indexOf(listener) ?? -1;
      if (index >= 0) this.listeners!.splice(index, 1);
    };
  }

  private updated(id: Id, kind: IdentityUpdate['kind']): void {
    if (this.listeners === undefined || this.listeners.length === 0) return;
    for (const listener of this.listeners.slice()) listener({ id, kind });
  }

  /** Records that `engine` runs on `node` (from a configured or received EngineAdvert). */
  setEngineNode(engine: Id, node: Id): void {
    if (this.engineNode(engine) === node) return;
    (this.engineNodes ??= new Map()).set(engine, node);
    this.updated(engine, 'engine');
  }

  /** The node `engine` runs on, if known. */
  engineNode(engine: Id): Id | undefined {
    const node = this.engineNodes?.get(engine);
    if (node !== undefined || this.configuredEngines === undefined) return node;
    const configured = this.configuredEngines.get(engine);
    if (configured === undefined) return undefined;
    if (configured === this.self) return configured;
    // node(configured)?.isConfigured, without making the configured record (configured records are).
    const stored = this.nodes?.get(configured);
    return (stored !== undefined ? stored.isConfigured === true : this.configuredCount > 0 && this.configuredSlot(configured) >= 0) ? configured : undefined;
  }

  /** Adds or replaces a node record. */
  setNode(record: NodeRecord): void {
    const nodes = (this.nodes ??= new Map());
    if (!nodes.has(record.id) && this.configuredCount > 0 && this.configuredSlot(record.id) >= 0) this.replacedConfigured++;
    nodes.set(record.id, record);
    this.updated(record.id, 'node');
  }

  /** `UpdateIdentityRequest` for a node: merges `patch` (creating the record when new). */
  updateNode(id: Id, patch: NodeRecordPatch): NodeRecord {
    const record: NodeRecord = { id, addresses: [], trust: TRUST_DEFAULT, ...this.node(id), ...patch };
    this.setNode(record);
    return record;
  }

  node(id: Id): NodeRecord | undefined {
    return this.nodes?.get(id) ?? (this.configuredCount === 0 ? undefined : this.configuredNode(id));
  }

  /** Trust in `node` (default when unknown). */
  trust(node: Id): number {
    return this.node(node)?.trust ?? TRUST_DEFAULT;
  }

  /** Every known node record, in insertion order. */
  *allNodes(): IterableIterator<NodeRecord> {
    // Configured records first (they were the first inserted), each as replaced since, then the rest.
    const end = this.configuredFrom + this.configuredCount;
    for (let slot = this.configuredFrom; slot < end; slot++) yield this.nodes?.get(this.configuredTable.idAt(slot)) ?? this.configuredTable.recordAt(slot);
    for (const record of this.nodes?.values() ?? []) if (this.configuredCount === 0 || this.configuredSlot(record.id) < 0) yield record;
  }

  /** Node records in the store. */
  get nodeCount(): number {
    return this.configuredCount + (this.nodes?.size ?? 0) - this.replacedConfigured;
  }

  /** Adds an RTT sample to the node's moving average and marks it seen (a success). */
  recordRtt(node: Id, rttMs: number, nowMs: number): void {
    const previous = this.node(node)?.measurements?.rttMs;
    const rtt = previous === undefined ? rttMs : previous + RTT_SAMPLE_WEIGHT * (rttMs - previous);
    this.updateNode(node, { measurements: { rttMs: rtt, lastSeenMs: nowMs, failures: 0 } });
  }

  /** Counts a failure (a timeout, a refused connection) at `nowMs`. */
  recordFailure(node: Id, nowMs: number): void {
    const measurements = this.node(node)?.measurements ?? { failures: 0 };
    this.updateNode(node, { measurements: { ...measurements, failures: measurements.failures + 1, failedAtMs: nowMs } });
  }

  /**
   * Stores a self-signed advert when valid and newer (I8, S26, Q15): equal or older versions are
   * ignored, a bad signature is rejected, `created` too far ahead of `nowMs` is ignored, and an
   * advert from configuration is never replaced by one from the network.
   */
  acceptAdvert(verify: Crypto['verify'], advert: Advert, nowMs: number, isConfigured = false): AdvertOutcome {
    if (!verifyAdvert(verify, advert)) return 'bad-signature';
    if (advert.created > nowMs + ADVERT_SKEW_MS_MAX) return 'from-future';
    return this.store(advert, isConfigured);
  }

  /**
   * Adds a node advert from configuration that the caller has verified already, or signed itself
   * (the simulator signs each node's advert once with that node's key, then hands the same object
   * to every node that knows it): the Q15 rules of `acceptAdvert` apply, without a verification.
   */
  configureVerified(advert: NodeAdvert): AdvertOutcome {
    return this.store(advert, true);
  }

  private store(advert: Advert, isConfigured: boolean): AdvertOutcome {
    if (advert.kind === 'node') return this.storeNodeAdvert(advert, isConfigured);
    const key = `${advert.kind}:${advert.id}`;
    const wasConfigured = this.configured?.has(key) === true;
    if (!isConfigured && wasConfigured) return 'configured';
    const adverts = (this.adverts ??= new Map());
    const stored = adverts.get(key);
    if (stored !== undefined && advert.version <= stored.version && !(isConfigured && !wasConfigured)) return 'stale';
    adverts.set(key, advert);
    if (isConfigured) (this.configured ??= new Set()).add(key);
    if (advert.kind === 'engine') (this.engineNodes ??= new Map()).set(advert.id, advert.node);
    this.updated(advert.id, advert.kind);
    return 'stored';
  }

  private storeNodeAdvert(advert: NodeAdvert, isConfigured: boolean): AdvertOutcome {
    const record = this.node(advert.id);
    const wasConfigured = record?.isConfigured === true;
    if (!isConfigured && wasConfigured) return 'configured';
    const stored = record?.advert;
    if (stored !== undefined && advert.version <= stored.version && !(isConfigured && !wasConfigured)) return 'stale';
    const addresses = advertAddresses(advert);
    // A record created from configuration is the same for every store that holds the advert, and
    // records are immutable (a change replaces the record): all those stores share one object.
    this.setNode(record === undefined ? (isConfigured ? configuredRecord(advert, addresses) : { id: advert.id, addresses, trust: TRUST_DEFAULT, advert }) : { ...record, advert, addresses, ...(isConfigured && { isConfigured }) });
    return 'stored';
  }

  /** The stored advert of `kind` for `id`. */
  advert(kind: 'topic', id: Id): TopicAdvert | undefined;
  advert(kind: 'domain', id: Id): DomainAdvert | undefined;
  advert(kind: 'node', id: Id): NodeAdvert | undefined;
  advert(kind: Advert['kind'], id: Id): Advert | undefined {
    if (kind === 'node') return this.node(id)?.advert;
    return this.adverts?.get(`${kind}:${id}`);
  }
}
