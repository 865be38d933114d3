// What each simulated node's configuration says about the others: the signed NodeAdverts of the
// peers it knows (node-key signed, one address `sim://<name>`) and the engine locations of those
// peers. A node's identity store starts from this at every boot, as a real node starts from its
// configuration file; everything else it learns comes from protocol messages. Each advert is signed
// once, when first needed, and the same immutable object goes into every store.
import { assert, configuredRecordOf, IdentityStore, signAdvert, type ConfiguredNodeTable, type Crypto, type EngineLocations, type Id, type NodeAdvert, type NodeRecord, type PlanIdentities, type PlanNode, type PlanPeerTable } from '../core/index.js';
import { simAddress } from './connections.js';

/**
 * Every node's configured peers as one table: node i knows the plan nodes `peers[offsets[i]]` …
 * `peers[offsets[i + 1] − 1]` (configuration order, no repeats, never itself), and its store holds
 * that slice of the table rather than a list of its own. A peer's record is made the first time a
 * store needs it (a dial, a lookup), then shared by every store that knows that peer.
 */
export class Knowledge implements ConfiguredNodeTable {
  /** Each node's configured record (its signed advert inside) by plan index, made on first use. */
  private readonly records: Array<NodeRecord | undefined>;
  private readonly offsets: Int32Array;
  private readonly peers: Int32Array;
  /** Every engine's node, shared by all stores (each sees those of the nodes it knows). */
  readonly engineNodes: EngineLocations;

  constructor(
    private readonly crypto: Crypto,
    private readonly identities: PlanIdentities,
    /** The plan's nodes, in plan order. */
    private readonly planNodes: ReadonlyArray<PlanNode>,
    /** Link neighbours, the knowledge of a node whose plan entry names none. */
    private readonly neighbors: (name: string) => ReadonlyArray<string>,
    /** The plan's table of the same lists by index, if it has one (used when made for these nodes). */
    table?: PlanPeerTable,
  ) {
    this.engineNodes = new PlanEngineLocations(identities);
    this.records = new Array<NodeRecord | undefined>(planNodes.length);
    [this.offsets, this.peers] = table !== undefined && table.nodes === planNodes && table.offsets.length === planNodes.length + 1 ? [table.offsets, table.peers] : peerTable(identities, planNodes, neighbors);
  }

  /** A booting node's store: empty, then filled from its configuration. */
  storeFor(name: string): IdentityStore {
    const index = this.identities.nodeIndex(name);
    const from = this.offsets[index]!;
    return new IdentityStore({ configuredEngines: this.engineNodes, self: this.identities.nodeKeyAt(index).id, configuredSlots: { table: this, from, count: this.offsets[index + 1]! - from } });
  }

  /** Names of the nodes `name` knows (never itself), in configuration order. */
  known(name: string): ReadonlyArray<string> {
    return this.knownAt(this.identities.nodeIndex(name));
  }

  /** `known` of the node at plan index `index`. */
  knownAt(index: number): ReadonlyArray<string> {
    const node = this.planNodes[index]!;
    const knows = node.knows;
    if (knows === undefined) return this.neighbors(node.name);
    return knows.includes(node.name) ? knows.filter((peer) => peer !== node.name) : knows;
  }

  /**
   * Whether every node that the node at plan index `index` knows runs an engine called `engine`
   * (a workload on each of 10⁵ nodes checks its targets at boot: a table per engine name instead
   * of 8 lookups by name each).
   */
  knownRunAt(index: number, engine: string): boolean {
    const runs = this.runsOf(engine);
    for (let slot = this.offsets[index]!; slot < this.offsets[index + 1]!; slot++) if (runs[this.peers[slot]!] === 0) return false;
    return true;
  }

  /** 1 for each node (by plan index) that runs an engine called `engine`: made once per name, in plan order. */
  private runsOf(engine: string): Uint8Array {
    let runs = this.runs.get(engine);
    if (runs === undefined) {
      runs = new Uint8Array(this.planNodes.length);
      for (let index = 0; index < this.planNodes.length; index++) {
        const engines = this.planNodes[index]!.engines;
        for (let k = 0; k < engines.length; k++) if (engines[k]!.name === engine) runs[index] = 1;
      }
      this.runs.set(engine, runs);
    }
    return runs;
  }
  private readonly runs = new Map<string, Uint8Array>();

  /** ConfiguredNodeTable: the id of the peer at `slot`. */
  idAt(slot: number): Id {
    return this.identities.nodeKeyAt(this.peers[slot]!).id;
  }

  /** ConfiguredNodeTable: the record of the peer at `slot`. */
  recordAt(slot: number): NodeRecord {
    return this.recordOf(this.peers[slot]!);
  }

  /** The node's signed advert (version 1, created at time 0: addresses never change in a run). */
  advertOf(name: string): NodeAdvert {
    const index = this.identities.nodeIndex(name);
    assert(index >= 0, `no node "${name}" in the plan`);
    return this.recordOf(index).advert!;
  }

  /**
   * A copy of `sig` as a view into a shared chunk: a signature of its own is a typed array with its
   * own buffer (≈ 260 bytes of heap for 64 bytes), a view ≈ 100.
   */
  private keepSignature(sig: Uint8Array): Uint8Array {
    if (this.signatures.length - this.signaturesUsed < sig.length) {
      this.signatures = new Uint8Array(Math.max(sig.length, SIGNATURE_CHUNK_BYTES));
      this.signaturesUsed = 0;
    }
    const view = this.signatures.subarray(this.signaturesUsed, this.signaturesUsed + sig.length);
    view.set(sig);
    this.signaturesUsed += sig.length;
    return view;
  }
  private signatures = new Uint8Array(0);
  private signaturesUsed = 0;

  private recordOf(index: number): NodeRecord {
    let record = this.records[index];
    if (record === undefined) {
      const key = this.identities.nodeKeyAt(index);
      // Signed by the node's own key here, so stores take it without verifying it again.
      const advert = signAdvert(this.crypto, key, { kind: 'node', id: key.id, version: 1, created: 0, addresses: [{ address: simAddress(this.planNodes[index]!.name), weight: 1 }] });
      // Rebuilt as a literal: the spread that signAdvert returns gets a hidden class of its own per
      // object (≈ 280 bytes each, measured), a literal shares one.
      record = configuredRecordOf({ kind: 'node', id: advert.id, version: advert.version, created: advert.created, addresses: advert.addresses, sig: this.keepSignature(advert.sig) });
      this.records[index] = record;
    }
    return record;
  }
}

/** Engine → node as the plan says (every store reads it; each sees only the engines of the nodes it knows). */
class PlanEngineLocations implements EngineLocations {
  constructor(private readonly identities: PlanIdentities) {}
  get(engine: Id): Id | undefined {
    return this.identities.engineNode(engine);
  }
}

/** Every node's configured peers as plan indexes (see Knowledge): the offsets and one exactly sized table. */
function peerTable(identities: PlanIdentities, planNodes: ReadonlyArray<PlanNode>, neighbors: (name: string) => ReadonlyArray<string>): [Int32Array, Int32Array] {
  const offsets = new Int32Array(planNodes.length + 1);
  let peers = new Int32Array(Math.max(16, planNodes.length * 8));
  let used = 0;
  for (let index = 0; index < planNodes.length; index++) {
    const node = planNodes[index]!;
    const knows = node.knows ?? neighbors(node.name);
    if (used + knows.length > peers.length) {
      const grown = new Int32Array(Math.max(peers.length * 2, used + knows.length));
      grown.set(peers.subarray(0, used));
      peers = grown;
    }
    const first = used;
    const seen = knows.length > CHECK_REPEATS_BY_SCAN_MAX ? new Set<number>() : undefined;
    for (const peer of knows) {
      const peerIndex = identities.nodeIndex(peer);
      assert(peerIndex >= 0, `no node "${peer}" in the plan`);
      if (peerIndex === index) continue;
      if (seen !== undefined) {
        if (seen.has(peerIndex)) continue;
        seen.add(peerIndex);
      } else if (peers.subarray(first, used).includes(peerIndex)) continue;
      peers[used++] = peerIndex;
    }
    offsets[index + 1] = used;
  }
  return [offsets, peers.slice(0, used)];
}

/** Up to this many configured peers, repeats are found by scanning those kept so far. */
const CHECK_REPEATS_BY_SCAN_MAX = 16;

/** Signatures kept per shared chunk (1,024 Ed25519-sized ones). */
const SIGNATURE_CHUNK_BYTES = 64 * 1024;
