// The ids and names of a plan for a seed, derived exactly as the simulator derives them (keys from
// (seed, kind, name)), so the same plan + seed gives the same node/engine/topic ids and trace names
// on every backend: that is what makes simulator and real traces comparable.
import { createNodeCrypto, deriveSecret, withVerifyCache, type Crypto, type Id, type KeyPair, type NetworkPlan } from '../core/index.js';

export interface PlanIdentities {
  readonly crypto: Crypto;
  readonly nodeKeys: ReadonlyMap<string, KeyPair>;
  /** By `node/engine`. */
  readonly engineKeys: ReadonlyMap<string, KeyPair>;
  readonly names: Map<Id, string>;
  topic(name: string): Id;
}

/** Derives every key of `plan` from `seed`. Real networks always use Ed25519. */
export function derivePlanIdentities(plan: NetworkPlan, seed: number): PlanIdentities {
  // Real networks need real public keys (certificates carry them): sim-keyed plans run on Ed25519.
  // Real networks need real public keys (certificates carry them): sim-keyed plans run on Ed25519 here.
  const crypto = withVerifyCache(createNodeCrypto());
  const nodeKeys = new Map<string, KeyPair>();
  const engineKeys = new Map<string, KeyPair>();
  const names = new Map<Id, string>();
  for (const node of plan.nodes) {
    const key = crypto.keyPair(deriveSecret(seed, 'node', node.name));
    nodeKeys.set(node.name, key);
    names.set(key.id, node.name);
    for (const engine of node.engines) {
      const reference = `${node.name}/${engine.name}`;
      const engineKey = crypto.keyPair(deriveSecret(seed, 'eng', reference));
      engineKeys.set(reference, engineKey);
      names.set(engineKey.id, reference);
    }
  }
  const topics = new Map<string, Id>();
  return {
    crypto,
    nodeKeys,
    engineKeys,
    names,
    topic(name) {
      let id = topics.get(name);
      if (id === undefined) {
        id = crypto.keyPair(deriveSecret(seed, 'topic', name)).id;
        topics.set(name, id);
        names.set(id, name);
      }
      return id;
    },
  };
}

/** Names of the nodes linked to `name`, in link declaration order (as the simulator lists them). */
export function planNeighbors(plan: NetworkPlan, name: string): string[] {
  const out: string[] = [];
  for (const link of plan.links) {
    if (link.a === name) out.push(link.b);
    else if (link.b === name) out.push(link.a);
  }
  return out;
}
