// What each simulated node's configuration says about the others: the signed NodeAdverts of the
// peers it knows (node-key signed, one address `sim://<name>`) and the engine locations of those
// peers. A node's identity store starts from this at every boot, as a real node starts from its
// configuration file; everything else it learns comes from protocol messages. Each advert is signed
// once, when first needed, and the same immutable object goes into every store.
import { assert, IdentityStore, signAdvert, type Crypto, type Id, type NodeAdvert, type PlanIdentities, type PlanNode } from '../core/index.js';
import { simAddress } from './connections.js';

export class Knowledge {
  private readonly adverts = new Map<string, NodeAdvert>();
  private readonly planNodes: ReadonlyMap<string, PlanNode>;
  /** Every engine's node, shared by all stores (each sees those of the nodes it knows). */
  readonly engineNodes = new Map<Id, Id>();

  constructor(
    private readonly crypto: Crypto,
    private readonly identities: PlanIdentities,
    nodes: ReadonlyArray<PlanNode>,
    /** Link neighbours, the knowledge of a node whose plan entry names none. */
    private readonly neighbors: (name: string) => ReadonlyArray<string>,
  ) {
    this.planNodes = new Map(nodes.map((node) => [node.name, node]));
    for (const node of nodes) {
      const nodeId = identities.nodeKeys.get(node.name)!.id;
      for (const engine of node.engines) this.engineNodes.set(identities.engineKeys.get(`${node.name}/${engine.name}`)!.id, nodeId);
    }
  }

  /** A booting node's store: empty, then filled from its configuration. */
  storeFor(name: string): IdentityStore {
    const store = new IdentityStore({ configuredEngines: this.engineNodes, self: this.identities.nodeKeys.get(name)!.id });
    this.configure(store, name);
    return store;
  }

  /** Names of the nodes `name` knows (never itself), in configuration order. */
  known(name: string): ReadonlyArray<string> {
    const knows = this.planNodes.get(name)?.knows;
    if (knows === undefined) return this.neighbors(name);
    return knows.includes(name) ? knows.filter((peer) => peer !== name) : knows;
  }

  /** Fills a store with the signed adverts of the peers `name` knows; their engines' locations come with them. */
  private configure(store: IdentityStore, name: string): void {
    const knows = this.planNodes.get(name)?.knows ?? this.neighbors(name);
    for (const peer of knows) if (peer !== name) store.configureVerified(this.advertOf(peer));
  }

  /** The node's signed advert (version 1, created at time 0: addresses never change in a run). */
  advertOf(name: string): NodeAdvert {
    let advert = this.adverts.get(name);
    if (advert === undefined) {
      const key = this.identities.nodeKeys.get(name);
      assert(key !== undefined, `no node "${name}" in the plan`);
      // Signed by the node's own key here, so stores take it without verifying it again.
      advert = signAdvert(this.crypto, key, { kind: 'node', id: key.id, version: 1, created: 0, addresses: [{ address: simAddress(name), weight: 1 }] });
      this.adverts.set(name, advert);
    }
    return advert;
  }
}
