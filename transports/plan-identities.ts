// The ids and names of a plan for a seed, derived exactly as the simulator derives them (keys from
// (seed, kind, name)), so the same plan + seed gives the same node/engine/topic ids and trace names
// on every backend: that is what makes simulator and real traces comparable.
import { createNodeCrypto, derivePlanIdentities as deriveIdentitiesWith, withVerifyCache, type NetworkPlan, type PlanIdentities } from '../core/index.js';

export type { PlanIdentities };

/** Derives every key of `plan` from `seed`. Real networks always use Ed25519: certificates carry the keys. */
export function derivePlanIdentities(plan: NetworkPlan, seed: number): PlanIdentities {
  return deriveIdentitiesWith(plan, seed, withVerifyCache(createNodeCrypto()));
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
