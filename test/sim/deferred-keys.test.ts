// Engine keys given to a node by index: derived when the engine first signs or is addressed (a
// simulation boots 10⁵ nodes whose engines mostly have not yet), and every message still arrives
// signed and verified.
import { describe, expect, it } from 'vitest';
import { createKeyedSimCrypto, createNode, createRng, IdentityStore, NetmachineError, type Crypto, type KeyPair } from '../../core/index.js';
import { loadScenarioText } from '../../scenarios/index.js';
import { Scheduler, simulate } from '../../sim/index.js';

/** Counts the key pairs a run's crypto makes. */
function counting(made: { count: number }): (crypto: Crypto) => Crypto {
  return (crypto) => ({ ...crypto, keyPair: (secret: Uint8Array): KeyPair => (made.count++, crypto.keyPair(secret)) });
}

const scenario = (events: string): string => `name: t
seed: 2
crypto: sim-keyed
duration: 1s
topology: { nodes: [a, b, c], links: [[a, b], [b, c]] }
engines: [{ on: all, kind: sink }, { on: [a], kind: echo }]
events: ${events}
`;

describe('engine keys derived when first needed', () => {
  it('a run whose engines never sign or receive derives only the node keys', async () => {
    const made = { count: 0 };
    const result = simulate(await loadScenarioText(scenario('[]'), 't.yaml'), { isRecording: false, wrapCrypto: counting(made) });
    expect(result.summary.delivered).toBe(0);
    expect(made.count).toBe(3);
  });

  it('a send derives the sender and the target, and the message arrives verified', async () => {
    const made = { count: 0 };
    const result = simulate(await loadScenarioText(scenario('[{ at: 100ms, send: { from: a/echo, to: b/sink, size: 10 } }]'), 't.yaml'), { wrapCrypto: counting(made) });
    expect(result.events.filter((event) => event.kind === 'deliver' && event.node === 'b' && event.engine === 'sink')).toHaveLength(1);
    expect(result.events.filter((event) => event.kind === 'verify-fail')).toHaveLength(0);
    // 3 node keys, a/echo (it signs) and b/sink (addressed); a/sink is never needed.
    expect(made.count).toBe(5);
  });

  it('a key index without a key source is a clear error', () => {
    const crypto = createKeyedSimCrypto();
    const key = crypto.keyPair(new Uint8Array(32).fill(1));
    const node = createNode(
      { clock: new Scheduler(), rng: createRng(1), crypto, trace: { emit: () => {} }, transport: { send: () => {}, connect: () => {}, disconnect: () => {}, onFrame: () => {}, onEvent: () => {} } },
      { name: 'x', key, directory: new IdentityStore(), session: 1 },
    );
    expect(() => node.addEngine('e', 0, { handle: () => {} })).toThrow(NetmachineError);
    expect(() => node.addEngine('e', 0, { handle: () => {} })).toThrow(/no `keys`/);
  });
});
