// The Network Identity Store and adverts (SPEC §4.3, §4.8, §5.3, Q10, Q14, Q15): I8, I9, S5, S6, S15, S26.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createNode,
  createNodeCrypto,
  createRng,
  decodeAdvert,
  deriveSecret,
  encodeAdvert,
  configuredRecordOf,
  IdentityStore,
  signAdvert,
  type Advert,
  type ConfiguredNodeTable,
  type Engine,
  type EngineInput,
  type Id,
  type KeyPair,
  type TraceEvent,
  type Transport,
} from '../../core/index.js';
import { Scheduler } from '../../sim/index.js';

const crypto = createNodeCrypto();
const key = (name: string): KeyPair => crypto.keyPair(deriveSecret('directory-test', 'node', name));
const nodeKey = key('node');
const other = key('other');

function nodeAdvert(version: number, signer: KeyPair = nodeKey, created = 0): Advert {
  return signAdvert(crypto, signer, { kind: 'node', id: signer.id, version, created, addresses: [{ address: `quic://10.0.0.1:${version}`, weight: 1 }, { address: `tls://10.0.0.1:${version}`, weight: 9 }] });
}

describe('adverts', () => {
  it('I9: every advert kind encodes canonically and any tampered byte fails verification or decoding', () => {
    const adverts: Advert[] = [
      nodeAdvert(3),
      signAdvert(crypto, nodeKey, { kind: 'engine', id: nodeKey.id, version: 1, created: 5, node: other.id }),
      signAdvert(crypto, nodeKey, { kind: 'topic', id: nodeKey.id, version: 2, created: 5, publishers: [other.id], relays: [other.id], tags: ['news'] }),
      signAdvert(crypto, nodeKey, { kind: 'domain', id: nodeKey.id, version: 7, created: 9, nodes: [other.id, nodeKey.id] }),
    ];
    for (const advert of adverts) {
      const bytes = encodeAdvert(advert);
      const decoded = decodeAdvert(bytes);
      expect(decoded.ok).toBe(true);
      if (!decoded.ok) continue;
      expect(encodeAdvert(decoded.value)).toEqual(bytes);
      const store = new IdentityStore();
      expect(store.acceptAdvert(crypto.verify, decoded.value, 0)).toBe('stored');
      fc.assert(
        fc.property(fc.integer({ min: 0, max: bytes.length - 1 }), fc.integer({ min: 1, max: 255 }), (index, flip) => {
          const tampered = bytes.slice();
          tampered[index]! ^= flip;
          const result = decodeAdvert(tampered);
          if (result.ok) expect(new IdentityStore().acceptAdvert(crypto.verify, result.value, 0)).toBe('bad-signature');
        }),
        { numRuns: 60 },
      );
    }
  });

  it('S15: an advert signed by another key is rejected', () => {
    const forged = { ...nodeAdvert(1), sig: nodeAdvert(1, other).sig };
    expect(new IdentityStore().acceptAdvert(crypto.verify, forged, 0)).toBe('bad-signature');
  });

  it('I8 S26: the stored version only grows, and only validly signed adverts count', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ version: fc.integer({ min: 0, max: 20 }), isForged: fc.boolean() }), { maxLength: 30 }), (offers) => {
        const store = new IdentityStore();
        let highest = -1;
        for (const offer of offers) {
          const advert = offer.isForged ? { ...nodeAdvert(offer.version), sig: new Uint8Array(64) } : nodeAdvert(offer.version);
          const outcome = store.acceptAdvert(crypto.verify, advert, 0);
          if (offer.isForged) expect(outcome).toBe('bad-signature');
          else if (offer.version > highest) {
            expect(outcome).toBe('stored');
            highest = offer.version;
          } else expect(outcome).toBe('stale');
          expect(store.advert('node', nodeKey.id)?.version ?? -1).toBe(highest);
        }
      }),
      { numRuns: 50 },
    );
  });

  it('Q15 Q16: future adverts are ignored, configured adverts win, addresses follow weights', () => {
    const store = new IdentityStore();
    expect(store.acceptAdvert(crypto.verify, nodeAdvert(1, nodeKey, 10 * 60 * 1000), 0)).toBe('from-future');
    expect(store.acceptAdvert(crypto.verify, nodeAdvert(1), 0, true)).toBe('stored');
    expect(store.acceptAdvert(crypto.verify, nodeAdvert(5), 0)).toBe('configured');
    expect(store.node(nodeKey.id)?.addresses).toEqual(['tls://10.0.0.1:1', 'quic://10.0.0.1:1']);
  });
});

describe('a store built from shared configured records', () => {
  const third = key('third');
  const advertOf = (signer: KeyPair): Advert & { kind: 'node' } => signAdvert(crypto, signer, { kind: 'node', id: signer.id, version: 2, created: 0, addresses: [{ address: `quic://${signer.id.slice(0, 4)}`, weight: 1 }] }) as Advert & { kind: 'node' };

  it('answers as a store configured advert by advert, and a later record replaces the configured one in place', () => {
    const records = [configuredRecordOf(advertOf(nodeKey)), configuredRecordOf(advertOf(other))];
    const shared = new IdentityStore({ configuredNodes: records });
    const oneByOne = new IdentityStore();
    for (const record of records) oneByOne.configureVerified(record.advert!);
    for (const store of [shared, oneByOne]) {
      expect(store.nodeCount).toBe(2);
      expect(store.node(other.id)).toMatchObject({ id: other.id, isConfigured: true, addresses: [`quic://${other.id.slice(0, 4)}`] });
      expect(store.acceptAdvert(crypto.verify, signAdvert(crypto, other, { kind: 'node', id: other.id, version: 9, created: 0, addresses: [] }), 0)).toBe('configured');
      store.recordRtt(other.id, 40, 1);
      store.recordRtt(third.id, 10, 2);
      expect(store.node(other.id)?.measurements?.rttMs).toBe(40);
      expect(store.node(other.id)?.isConfigured).toBe(true);
      expect(store.nodeCount).toBe(3);
      expect([...store.allNodes()].map((record) => record.id)).toEqual([nodeKey.id, other.id, third.id]);
    }
    // The shared records themselves never change.
    expect(records[1]!.measurements).toBeUndefined();
    expect(new IdentityStore({ configuredNodes: records }).node(other.id)?.measurements).toBeUndefined();
  });

  it('finds records in a long list (an index past the scanned size) and refuses records not made for configuration', () => {
    const keys = Array.from({ length: 40 }, (_, i) => key(`peer-${i}`));
    const store = new IdentityStore({ configuredNodes: keys.map((peer) => configuredRecordOf(advertOf(peer))) });
    for (const peer of keys) expect(store.node(peer.id)?.id).toBe(peer.id);
    expect(store.node(third.id)).toBeUndefined();
    expect(() => new IdentityStore({ configuredNodes: [{ id: third.id, addresses: [], trust: 128 }] })).toThrow(/configuredRecordOf/);
  });

  it('sees only its slice of a shared table, and makes a record only when one is asked for', () => {
    const peers = [nodeKey, other, third];
    const made: number[] = [];
    const table: ConfiguredNodeTable = {
      idAt: (slot) => peers[slot]!.id,
      recordAt: (slot) => (made.push(slot), configuredRecordOf(advertOf(peers[slot]!))),
    };
    const engine = key('engine-on-third');
    const locations = new Map([[engine.id, third.id]]);
    const store = new IdentityStore({ configuredEngines: locations, configuredSlots: { table, from: 1, count: 2 } });
    expect(store.nodeCount).toBe(2);
    expect(store.engineNode(engine.id)).toBe(third.id);
    expect(made).toEqual([]);
    expect(store.node(nodeKey.id)).toBeUndefined();
    expect(store.node(third.id)).toMatchObject({ id: third.id, isConfigured: true });
    expect(made).toEqual([2]);
    expect([...store.allNodes()].map((record) => record.id)).toEqual([other.id, third.id]);
    // A record stored over a configured one without its configured flag hides the engines behind it.
    store.setNode({ id: third.id, addresses: [], trust: 1 });
    expect(store.engineNode(engine.id)).toBeUndefined();
    expect(store.nodeCount).toBe(2);
    expect(new IdentityStore({ configuredEngines: locations, configuredSlots: { table, from: 0, count: 2 } }).engineNode(engine.id)).toBeUndefined();
  });
});

describe('identity records', () => {
  it('Q14: RTT moving average, failures and last seen; S6 IdentityUpdated reaches subscribers', () => {
    const store = new IdentityStore();
    const updates: string[] = [];
    const stop = store.onUpdated((update) => updates.push(update.kind));
    store.recordRtt(other.id, 100, 1);
    store.recordRtt(other.id, 20, 2);
    store.recordFailure(other.id, 3);
    expect(store.node(other.id)?.measurements).toEqual({ rttMs: 90, lastSeenMs: 2, failures: 1, failedAtMs: 3 });
    store.updateNode(other.id, { trust: 0, reputation: 7, cprefs: 'permanent' });
    expect(store.trust(other.id)).toBe(0);
    stop();
    store.setEngineNode(nodeKey.id, other.id);
    expect(updates).toEqual(['node', 'node', 'node', 'node']);
  });
});

describe('Router parks messages while their destination is looked up (Q10)', () => {
  function twoNodes(resolveAfterMs: number | undefined) {
    const scheduler = new Scheduler();
    const events: TraceEvent[] = [];
    let seq = 0;
    const trace = { emit: (record: Omit<TraceEvent, 'seq'>) => events.push({ ...record, seq: seq++ }) };
    const handlers = new Map<Id, (from: Id, frame: Uint8Array) => void>();
    const a = key('a');
    const b = key('b');
    const transport = (self: Id): Transport => ({
      send: (node, frame) => void scheduler.schedule(scheduler.now() + 5, () => handlers.get(node)?.(self, frame)),
      connect: () => {},
      disconnect: () => {},
      onFrame: (handler) => void handlers.set(self, handler),
      onEvent: () => {},
    });
    const aStore = new IdentityStore();
    const bStore = new IdentityStore();
    const target = crypto.keyPair(deriveSecret('directory-test', 'eng', 'b/target'));
    const sender = crypto.keyPair(deriveSecret('directory-test', 'eng', 'a/app'));
    bStore.setEngineNode(sender.id, a.id);
    const received: EngineInput[] = [];
    const nodeA = createNode({ clock: scheduler, rng: createRng(1, 'a'), crypto, trace, transport: transport(a.id) }, { name: 'a', key: a, directory: aStore, session: 1 });
    const nodeB = createNode({ clock: scheduler, rng: createRng(1, 'b'), crypto, trace, transport: transport(b.id) }, { name: 'b', key: b, directory: bStore, session: 1 });
    const app: Engine = {
      handle(input, ctx) {
        if (input.kind === 'start') for (let i = 0; i < 3; i++) ctx.send({ kind: 'engine', engine: target.id }, new Uint8Array([i]));
      },
    };
    const resolver: Engine = {
      handle(input, ctx) {
        if (input.kind === 'start') ctx.resolveIdentities();
        if (input.kind === 'notice' && input.notice.kind === 'identity-lookup' && resolveAfterMs !== undefined) ctx.setTimer(resolveAfterMs, input.notice.id);
        // The answer: the target's self-signed EngineAdvert (as if fetched from a peer).
        if (input.kind === 'timer') ctx.offerAdvert(signAdvert(crypto, target, { kind: 'engine', id: target.id, version: 1, created: 0, node: b.id }));
      },
    };
    nodeA.addEngine('resolver', crypto.keyPair(deriveSecret('directory-test', 'eng', 'a/resolver')), resolver);
    nodeA.addEngine('app', sender, app);
    nodeB.addEngine('target', target, { handle: (input) => void (input.kind === 'message' && received.push(input)) });
    nodeA.start();
    nodeB.start();
    scheduler.run(10_000);
    return { events, received };
  }

  it('S5: a successful lookup releases the parked messages in order', () => {
    const { events, received } = twoNodes(100);
    expect(events.filter((event) => event.text === 'parked: destination being looked up')).toHaveLength(3);
    expect(received.map((input) => (input.kind === 'message' ? input.message.body[0] : -1))).toEqual([0, 1, 2]);
  });

  it('S5 S7: a lookup that never answers drops the parked messages (lookup-failed)', () => {
    const { events, received } = twoNodes(undefined);
    expect(received).toEqual([]);
    expect(events.filter((event) => event.kind === 'drop' && event.reason === 'lookup-failed')).toHaveLength(3);
  });
});
