// The identities of a plan for a seed: every key derives from (seed, kind, name), so the same plan
// and seed give the same node, engine, topic and domain ids — and trace names — on every backend.
import { deriveSecret } from './keys.js';
import type { Id } from './ids.js';
import type { NetworkPlan } from './plan.js';
import type { Crypto, KeyPair } from './ports.js';

export interface PlanIdentities {
  readonly crypto: Crypto;
  readonly nodeKeys: ReadonlyMap<string, KeyPair>;
  /** By `node/engine`. */
  readonly engineKeys: ReadonlyMap<string, KeyPair>;
  /** Id → display name, for traces (topics and domains are added as they are first asked for). */
  readonly names: Map<Id, string>;
  topic(name: string): Id;
  /** The topic's key pair (held by its publisher). */
  topicKey(name: string): KeyPair;
  /** The domain's key pair (configuration hands it to the members). */
  domainKey(name: string): KeyPair;
}

/** Derives every key of `plan` from `seed` with `crypto` (names are stable: adding one changes no other). */
export function derivePlanIdentities(plan: NetworkPlan, seed: number, crypto: Crypto): PlanIdentities {
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
  const keysOf = (kind: 'topic' | 'dom'): ((name: string) => KeyPair) => {
    const cache = new Map<string, KeyPair>();
    return (name) => {
      let key = cache.get(name);
      if (key === undefined) {
        key = crypto.keyPair(deriveSecret(seed, kind, name));
        cache.set(name, key);
        names.set(key.id, name);
      }
      return key;
    };
  };
  const topicKey = keysOf('topic');
  return { crypto, nodeKeys, engineKeys, names, topic: (name) => topicKey(name).id, topicKey, domainKey: keysOf('dom') };
}
