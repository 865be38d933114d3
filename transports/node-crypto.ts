// The crypto of a node on a real network: Ed25519 on node:crypto with cached KeyObjects, and no
// verify cache. On a real node each message is verified once (the Router verifies a frame once and
// fans it out; PubSub verifies the event and the bridge then checks a different signature, the
// publisher's), so a cache never hits there; it only pays in the simulator, where every node shares
// one crypto and a pub/sub event is verified on many nodes. Measured: a 4,096-entry cache (≈ 2 MB of
// copied messages surviving young-generation collections) cost ≈ 10% of the full stack's
// throughput over TLS (README.md "Real networks", benchmarks).
import { createNodeCrypto, type Crypto } from '../core/index.js';

/**
 * KeyObjects a real node keeps (each cache: private and public keys), least recently used out: its
 * own keys, its peers' and their engines' stay; random source ids a hostile peer makes up (each
 * verified once, then refused) cannot grow it (a million-entry cache grew by 145 MiB and was never
 * freed). A node verifying more distinct live keys than this re-imports some (≈ 10 µs each).
 */
export const REAL_NODE_KEY_OBJECTS_MAX = 4096;

/** A fresh crypto port for one real node (`keyObjectsMax`: its KeyObject caches' bound). */
export function createRealNodeCrypto(keyObjectsMax = REAL_NODE_KEY_OBJECTS_MAX): Crypto {
  return createNodeCrypto({ keyObjectsMax });
}
