// The crypto of a node on a real network: Ed25519 on node:crypto with cached KeyObjects, and no
// verify cache. On a real node each message is verified once (the Router verifies a frame once and
// fans it out; PubSub verifies the event and the bridge then checks a different signature, the
// publisher's), so a cache never hits there; it only pays in the simulator, where every node shares
// one crypto and a pub/sub event is verified on many nodes. Measured: a 4,096-entry cache (≈ 2 MB of
// copied messages surviving young-generation collections) cost ≈ 10% of the full stack's
// throughput over TLS (README.md "Real networks", benchmarks).
import { createNodeCrypto, type Crypto } from '../core/index.js';

/** A fresh crypto port for one real node. */
export function createRealNodeCrypto(): Crypto {
  return createNodeCrypto();
}
