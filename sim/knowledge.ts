// What each simulated node's configuration says about the others: the signed NodeAdverts of the
// peers it knows (node-key signed, one address `sim://<name>`) and the engine locations of those
// peers. A node's identity store starts from this at every boot, as a real node starts from its
// configuration file; everything else it learns comes from protocol messages. Each advert is signed
// once, when first needed, and the same immutable object goes into every store.
import { assert, configuredRecordOf, IdentityStore, signAdvert, type Crypto, type Id, type NodeAdvert, type NodeRecord, type PlanIdentities, type PlanNode } from '../core/index.js';
import { simAddress } from './connections.js';

export class Knowledge {
  /** Each node's configured record (its signed advert inside), made on first use and shared by every store that knows it. */
  private readonly records = new Map<string, NodeRecord>();
  /** Every engine's node, shared by all stores (each sees those of the nodes it knows). */
  readonly engineNodes = new Map<Id, Id>();

  constructor(
    private readonly crypto: Crypto,
    private readonly identities: PlanIdentities,
    /** The plan's nodes by name. */
    private readonly planNodes: ReadonlyMap<string, PlanNode>,
    /** Link neighbours, the knowledge of a node whose plan entry names none. */
    private readonly neighbors: (name: string) => ReadonlyArray<string>,
  ) {
    for (const node of planNodes.values()) {
      const nodeId = identities.nodeKeys.get(node.name)!.id;
      for (const engine of node.engines) this.engineNodes.set(identities.engineKeys.get(`${node.name}/${engine.name}`)!.id, nodeId);
    }
  }

  /** A booting node's store: empty, then filled from its configuration. */
  storeFor(name: string): IdentityStore {
    return new IdentityStore({ configuredEngines: this.engineNodes, self: this.identities.nodeKeys.get(name)!.id, configuredNodes: this.configuredNodes(name) });
  }

  /** Names of the nodes `name` knows (never itself), in configuration order. */
  known(name: string): ReadonlyArray<string> {
    const knows = this.planNodes.get(name)?.knows;
    if (knows === undefined) return this.neighbors(name);
    return knows.includes(name) ? knows.filter((peer) => peer !== name) : knows;
  }

  /**
   * The configured records of the peers `name` knows, in configuration order without repeats or
   * itself: a store holds this list (shared records, one array per boot) instead of a map of its
   * own; their engines' locations come with them (`configuredEngines`).
   */
  private configuredNodes(name: string): ReadonlyArray<NodeRecord> {
    const knows = this.planNodes.get(name)?.knows ?? this.neighbors(name);
    // Exactly sized (an array grown by push keeps ≈ 17 slots for 8 peers: 10⁶ stores hold one each).
    if (new Set(knows).size === knows.length && !knows.includes(name)) return knows.map((peer) => this.recordOf(peer));
    const records: NodeRecord[] = [];
    for (const peer of new Set(knows)) if (peer !== name) records.push(this.recordOf(peer));
    return records.slice();
  }

  /** The node's signed advert (version 1, created at time 0: addresses never change in a run). */
  advertOf(name: string): NodeAdvert {
    return this.recordOf(name).advert!;
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

  private recordOf(name: string): NodeRecord {
    let record = this.records.get(name);
    if (record === undefined) {
      const key = this.identities.nodeKeys.get(name);
      assert(key !== undefined, `no node "${name}" in the plan`);
      // Signed by the node's own key here, so stores take it without verifying it again.
      const advert = signAdvert(this.crypto, key, { kind: 'node', id: key.id, version: 1, created: 0, addresses: [{ address: simAddress(name), weight: 1 }] });
      // Rebuilt as a literal: the spread that signAdvert returns gets a hidden class of its own per
      // object (≈ 280 bytes each, measured), a literal shares one.
      record = configuredRecordOf({ kind: 'node', id: advert.id, version: advert.version, created: advert.created, addresses: advert.addresses, sig: this.keepSignature(advert.sig) });
      this.records.set(name, record);
    }
    return record;
  }
}

/** Signatures kept per shared chunk (1,024 Ed25519-sized ones). */
const SIGNATURE_CHUNK_BYTES = 64 * 1024;
