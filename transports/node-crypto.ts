// The crypto of a node on a real network: Ed25519 on node:crypto with cached KeyObjects, behind a
// SMALL verify cache. The cache still absorbs the re-verification of a message seen twice in quick
// succession (a pub/sub event checked by the PubSub engine and again when the bridge re-publishes
// it locally), but every entry dies young: 4,096 entries (≈ 2 MB of copied messages) survived
// young-generation collections and cost ≈ 10% of the full stack's throughput over TLS
// (README.md "Real networks", benchmarks).
import { createNodeCrypto, withVerifyCache, type Crypto } from '../core/index.js';

export const REAL_NODE_VERIFY_CACHE_ENTRIES = 256;

/** A fresh crypto port for one real node (or one process's nodes). */
export function createRealNodeCrypto(): Crypto & { readonly hits: () => number } {
  return withVerifyCache(createNodeCrypto(), REAL_NODE_VERIFY_CACHE_ENTRIES);
}
