// The identities of a plan for a seed: every key derives from (seed, kind, name), so the same plan
// and seed give the same node, engine, topic and domain ids — and trace names — on every backend.
// A simulation of 10⁵–10⁶ nodes holds them as dense tables (a node or engine is an index into the
// plan) and derives each key on first use, so nothing is kept per identity beyond its key pair.
import { assert } from './assert.js';
import { deriveSecret } from './keys.js';
import type { Id } from './ids.js';
import type { NetworkPlan } from './plan.js';
import type { Crypto, KeyPair } from './ports.js';
import type { KeyRegistry } from './crypto.js';

export interface PlanIdentities {
  readonly crypto: Crypto;
  /** How many nodes the plan has (indexes 0 … nodeCount − 1, in plan order). */
  readonly nodeCount: number;
  /** The plan index of node `name`, or −1. */
  nodeIndex(name: string): number;
  /** The key pair of the node at plan index `index` (derived on first use). */
  nodeKeyAt(index: number): KeyPair;
  /** Node `name`'s key pair, if the plan has that node. */
  nodeKey(name: string): KeyPair | undefined;
  /** The key pair of engine `node/engine`, if the plan declares it. */
  engineKey(reference: string): KeyPair | undefined;
  /**
   * The entity index of engine `k` (in plan order) of the node at plan index `node`: the key
   * source index a node's `addEngine` takes to derive the key only when first needed.
   */
  engineEntity(node: number, k: number): number;
  /** The key pair of entity `entity` (a node's plan index, or an `engineEntity`), derived on first use. */
  keyAt(entity: number): KeyPair;
  /** Whether the plan declares engine `engine` on node `node`, without deriving a key. */
  hasEngineOn(node: string, engine: string): boolean;
  /** Engine `node/engine`'s id and its node's id, if the plan declares it. */
  locateEngine(reference: string): { readonly engine: Id; readonly node: Id } | undefined;
  /** `locateEngine(`${node}/${engine}`)` without the reference string. */
  locateEngineOn(node: string, engine: string): { readonly engine: Id; readonly node: Id } | undefined;
  /** The node (id) that a plan engine with this id runs on. */
  engineNode(engine: Id): Id | undefined;
  /** Display name of an id (`node`, `node/engine`, a topic or a domain name), for traces. */
  nameOf(id: Id): string | undefined;
  /** Every node's id by name, in plan order (derives every node key). */
  nodeIds(): Array<readonly [string, Id]>;
  /** Every engine's id by `node/engine`, in plan order (derives every engine key). */
  engineIds(): Array<readonly [string, Id]>;
  topic(name: string): Id;
  /** The topic's key pair (held by its publisher). */
  topicKey(name: string): KeyPair;
  /** The domain's key pair (configuration hands it to the members). */
  domainKey(name: string): KeyPair;
}

/**
 * The identities of `plan` for `seed` with `crypto` (names are stable: adding one changes no other).
 * A key is derived when it is first asked for; an id can only be known once its key is derived, so
 * `nameOf` and `engineNode` answer for every id in circulation.
 */
export function derivePlanIdentities(plan: NetworkPlan, seed: number, crypto: Crypto): PlanIdentities {
  return new DenseIdentities(plan, seed, crypto);
}

/** Node i is entity i; engine k of node i is entity nodeCount + engineStart[i] + k. */
class DenseIdentities implements PlanIdentities {
  readonly nodeCount: number;
  private readonly indexByName = new Map<string, number>();
  private readonly engineStart: Int32Array;
  /** Key pairs by entity, made on first use. */
  private readonly keys: Array<KeyPair | undefined>;
  /**
   * Entity of every id derived so far: by the crypto's registry index when it has one (entity + 1,
   * 0 = none: four bytes per key instead of a map entry), else by id.
   */
  private entityByRegistry = new Int32Array(0);
  private readonly entityById = new Map<Id, number>();
  private readonly registry: KeyRegistry['registryIndex'] | undefined;
  /** Names of the topic and domain ids derived so far. */
  private readonly otherNames = new Map<Id, string>();
  private readonly topicKeys = new Map<string, KeyPair>();
  private readonly domainKeys = new Map<string, KeyPair>();

  constructor(
    private readonly plan: NetworkPlan,
    private readonly seed: number,
    readonly crypto: Crypto,
  ) {
    const nodes = plan.nodes;
    this.nodeCount = nodes.length;
    this.engineStart = new Int32Array(nodes.length + 1);
    for (let i = 0; i < nodes.length; i++) {
      this.indexByName.set(nodes[i]!.name, i);
      this.engineStart[i + 1] = this.engineStart[i]! + nodes[i]!.engines.length;
    }
    this.keys = new Array<KeyPair | undefined>(nodes.length + this.engineStart[nodes.length]!);
    const registry = (crypto as Partial<KeyRegistry>).registryIndex;
    this.registry = registry === undefined ? undefined : (id) => registry(id);
  }

  /** The entity of a derived id, or undefined. */
  private entityOf(id: Id): number | undefined {
    const index = this.registry?.(id);
    if (index !== undefined) {
      const entity = index < this.entityByRegistry.length ? this.entityByRegistry[index]! - 1 : -1;
      return entity < 0 ? undefined : entity;
    }
    return this.entityById.get(id);
  }

  private remember(id: Id, entity: number): void {
    const index = this.registry?.(id);
    if (index === undefined) return void this.entityById.set(id, entity);
    if (index >= this.entityByRegistry.length) {
      const grown = new Int32Array(Math.max(index + 1, this.entityByRegistry.length * 2, 1024));
      grown.set(this.entityByRegistry);
      this.entityByRegistry = grown;
    }
    this.entityByRegistry[index] = entity + 1;
  }

  nodeIndex(name: string): number {
    return this.indexByName.get(name) ?? -1;
  }

  nodeKeyAt(index: number): KeyPair {
    return this.keys[index] ?? this.derive(index, 'node', this.plan.nodes[index]!.name);
  }

  nodeKey(name: string): KeyPair | undefined {
    const index = this.indexByName.get(name);
    return index === undefined ? undefined : this.nodeKeyAt(index);
  }

  engineKey(reference: string): KeyPair | undefined {
    const node = this.nodeOfReference(reference);
    const k = node < 0 ? -1 : this.engineOfReference(node, reference);
    return k < 0 ? undefined : this.engineKeyAt(node, k);
  }

  locateEngine(reference: string): { readonly engine: Id; readonly node: Id } | undefined {
    const node = this.nodeOfReference(reference);
    const k = node < 0 ? -1 : this.engineOfReference(node, reference);
    return k < 0 ? undefined : { engine: this.engineKeyAt(node, k).id, node: this.nodeKeyAt(node).id };
  }

  locateEngineOn(nodeName: string, engine: string): { readonly engine: Id; readonly node: Id } | undefined {
    const node = this.indexByName.get(nodeName);
    if (node === undefined) return undefined;
    const engines = this.plan.nodes[node]!.engines;
    for (let k = 0; k < engines.length; k++) if (engines[k]!.name === engine) return { engine: this.engineKeyAt(node, k).id, node: this.nodeKeyAt(node).id };
    return undefined;
  }

  /** The node index of `node/engine`, or −1. */
  private nodeOfReference(reference: string): number {
    const slash = reference.indexOf('/');
    return slash < 0 ? -1 : (this.indexByName.get(reference.slice(0, slash)) ?? -1);
  }

  /** The index among node `node`'s engines of the one `reference` names, or −1. */
  private engineOfReference(node: number, reference: string): number {
    const engines = this.plan.nodes[node]!.engines;
    const start = reference.indexOf('/') + 1;
    for (let k = 0; k < engines.length; k++) {
      const name = engines[k]!.name;
      if (name.length === reference.length - start && reference.endsWith(name)) return k;
    }
    return -1;
  }

  private engineKeyAt(node: number, k: number): KeyPair {
    const entity = this.nodeCount + this.engineStart[node]! + k;
    return this.keys[entity] ?? this.derive(entity, 'eng', `${this.plan.nodes[node]!.name}/${this.plan.nodes[node]!.engines[k]!.name}`);
  }

  engineEntity(node: number, k: number): number {
    assert(node >= 0 && node < this.nodeCount && k >= 0 && k < this.plan.nodes[node]!.engines.length, `no engine ${k} on node ${node} in the plan`);
    return this.nodeCount + this.engineStart[node]! + k;
  }

  keyAt(entity: number): KeyPair {
    const key = this.keys[entity];
    if (key !== undefined) return key;
    assert(Number.isInteger(entity) && entity >= 0 && entity < this.keys.length, `no plan entity ${entity} (the plan has ${this.keys.length})`);
    if (entity < this.nodeCount) return this.nodeKeyAt(entity);
    const node = this.ownerOf(entity);
    return this.engineKeyAt(node, entity - this.nodeCount - this.engineStart[node]!);
  }

  hasEngineOn(nodeName: string, engine: string): boolean {
    const node = this.indexByName.get(nodeName);
    if (node === undefined) return false;
    const engines = this.plan.nodes[node]!.engines;
    for (let k = 0; k < engines.length; k++) if (engines[k]!.name === engine) return true;
    return false;
  }

  private derive(entity: number, kind: 'node' | 'eng', name: string): KeyPair {
    const key = this.crypto.keyPair(deriveSecret(this.seed, kind, name));
    this.keys[entity] = key;
    this.remember(key.id, entity);
    return key;
  }

  /** The node index of engine entity `entity` (binary search of the engine offsets). */
  private ownerOf(entity: number): number {
    const engine = entity - this.nodeCount;
    let low = 0;
    let high = this.nodeCount - 1;
    while (low < high) {
      const middle = (low + high + 1) >>> 1;
      if (this.engineStart[middle]! <= engine) low = middle;
      else high = middle - 1;
    }
    return low;
  }

  engineNode(engine: Id): Id | undefined {
    const entity = this.entityOf(engine);
    return entity === undefined || entity < this.nodeCount ? undefined : this.nodeKeyAt(this.ownerOf(entity)).id;
  }

  nameOf(id: Id): string | undefined {
    const entity = this.entityOf(id);
    if (entity === undefined) return this.otherNames.get(id);
    if (entity < this.nodeCount) return this.plan.nodes[entity]!.name;
    const node = this.ownerOf(entity);
    return `${this.plan.nodes[node]!.name}/${this.plan.nodes[node]!.engines[entity - this.nodeCount - this.engineStart[node]!]!.name}`;
  }

  nodeIds(): Array<readonly [string, Id]> {
    return this.plan.nodes.map((node, index) => [node.name, this.nodeKeyAt(index).id] as const);
  }

  engineIds(): Array<readonly [string, Id]> {
    const ids: Array<readonly [string, Id]> = [];
    this.plan.nodes.forEach((node, index) => node.engines.forEach((engine, k) => ids.push([`${node.name}/${engine.name}`, this.engineKeyAt(index, k).id])));
    return ids;
  }

  topic(name: string): Id {
    return this.topicKey(name).id;
  }

  topicKey(name: string): KeyPair {
    return this.keyOf(this.topicKeys, 'topic', name);
  }

  domainKey(name: string): KeyPair {
    return this.keyOf(this.domainKeys, 'dom', name);
  }

  private keyOf(cache: Map<string, KeyPair>, kind: 'topic' | 'dom', name: string): KeyPair {
    let key = cache.get(name);
    if (key === undefined) {
      key = this.crypto.keyPair(deriveSecret(this.seed, kind, name));
      cache.set(name, key);
      // A plan entity's name wins (as when both were in one map, entities first).
      if (this.entityOf(key.id) === undefined) this.otherNames.set(key.id, name);
    }
    return key;
  }
}
