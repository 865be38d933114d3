// Ed25519 sign/verify rates of the two implementations, on 100-byte messages (the hot-path choice).
import { createNobleCrypto, createNodeCrypto, deriveSecret, type Crypto } from '../core/index.js';

export interface CryptoBenchRow {
  readonly implementation: string;
  readonly signPerSecond: number;
  readonly verifyPerSecond: number;
}

function rate(operation: () => void, durationMs: number): number {
  let count = 0;
  const start = performance.now();
  while (performance.now() - start < durationMs) {
    for (let i = 0; i < 20; i++) operation();
    count += 20;
  }
  return count / ((performance.now() - start) / 1000);
}

export function benchCrypto(durationMs = 1500): CryptoBenchRow[] {
  const message = new Uint8Array(100).fill(7);
  return ([['node:crypto (cached KeyObjects)', createNodeCrypto()], ['@noble/ed25519', createNobleCrypto()]] as const).map(([implementation, crypto]: readonly [string, Crypto]) => {
    const key = crypto.keyPair(deriveSecret('bench', 'eng', implementation));
    const signature = crypto.sign(key, message);
    return {
      implementation,
      signPerSecond: Math.round(rate(() => crypto.sign(key, message), durationMs)),
      verifyPerSecond: Math.round(rate(() => crypto.verify(key.id, message, signature), durationMs)),
    };
  });
}
