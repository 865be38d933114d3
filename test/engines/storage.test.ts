// Storage (SPEC §4.5, §5.5): I13, I14, S24, and survival of r - 1 holder crashes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromUtf8, jsonBody, STORAGE_PROTOCOL, toHex, type EngineEnv, type Engine, type StorageMessage, type StorageReceipt, type TraceEvent } from '../../core/index.js';
import { signDomainAdvertAs as signDomainAdvert } from '../support/domains.js';
import { simulate } from '../../sim/index.js';
import { connectedEdges, custom, engine, graphPlan } from './plan.js';

const count = (events: ReadonlyArray<TraceEvent>, text: string): number => events.filter((event) => event.kind === 'log' && event.text === text).length;

/** A client on n0 that puts one block at 100 ms and looks it up at `lookupAtMs`, recording what it learns. */
function client(record: { receipts: StorageReceipt[]; retrieved: boolean }, put: Partial<Extract<StorageMessage, { op: 'put' }>>, lookupAtMs: number) {
  return (_params: unknown, env: EngineEnv): Engine => {
    const storage = env.resolve(`${env.nodeName}/storage`);
    return {
      handle(input, ctx) {
        if (!storage.ok) return;
        const ask = (message: StorageMessage): void => void ctx.send({ kind: 'engine', ...storage.value }, jsonBody(message), { protocol: STORAGE_PROTOCOL });
        const content = new Uint8Array(64).fill(7);
        if (input.kind === 'start') {
          ctx.setTimer(100, 'put');
          ctx.setTimer(lookupAtMs, 'lookup');
        }
        if (input.kind === 'timer' && input.tag === 'put') ask({ op: 'put', content: toHex(content), replication: 1, ...put });
        if (input.kind === 'timer' && input.tag === 'lookup') ask({ op: 'lookup', id: toHex(ctx.hash(content)), random: true });
        if (input.kind !== 'message') return;
        const answer = JSON.parse(fromUtf8(input.message.body)) as StorageMessage;
        if (answer.op === 'put-result') record.receipts.push(...answer.receipts);
        if (answer.op === 'block' && answer.content === toHex(content)) record.retrieved = true;
      },
    };
  };
}

describe('storage', () => {
  it('a block put with replication r survives any r - 1 of its holders crashing (generated topologies)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 4, max: 9 }).chain((size) =>
          fc.record({
            size: fc.constant(size),
            parents: fc.tuple(...Array.from({ length: size - 1 }, (_, i) => fc.integer({ min: 0, max: i }))),
            extra: fc.array(fc.tuple(fc.integer({ min: 0, max: size - 1 }), fc.integer({ min: 0, max: size - 1 })), { maxLength: 2 * size }),
            replication: fc.integer({ min: 1, max: 3 }),
            survivor: fc.nat(),
            seed: fc.integer({ min: 1, max: 500 }),
          }),
        ),
        ({ size, parents, extra, replication, survivor, seed }) => {
          const edges = connectedEdges(parents, extra);
          const run = (crashes: string[]) => {
            const record = { receipts: [] as StorageReceipt[], retrieved: false };
            const plan = graphPlan(size, edges, (i) => [engine('storage'), ...(i === 0 ? [custom('client', client(record, { replication }, 1500))] : [])], {
              seed,
              durationMs: 3000,
              events: crashes.map((node) => ({ atMs: 1000, kind: 'crash' as const, node })),
            });
            simulate(plan);
            return record;
          };
          const first = run([]);
          const degree = edges.filter(([a, b]) => a === 0 || b === 0).length;
          expect(first.receipts).toHaveLength(Math.min(replication, degree));
          // Crash every holder but one (the property's r - 1), chosen by the generator.
          const names = first.receipts.map((receipt) => `n${[...Array(size).keys()].find((i) => simulateNodeId(size, edges, seed, i) === receipt.node)}`);
          const kept = survivor % names.length;
          const second = run(names.filter((_, index) => index !== kept));
          expect(second.retrieved).toBe(true);
        },
      ),
      { numRuns: 20 },
    );
  });

  it('I14: an expired block is never served', () => {
    const record = { receipts: [] as StorageReceipt[], retrieved: false };
    const plan = graphPlan(3, [[0, 1], [1, 2], [0, 2]], (i) => [engine('storage'), ...(i === 0 ? [custom('client', client(record, { replication: 2, expiryMs: 500 }, 1500))] : [])]);
    simulate(plan);
    expect(record.receipts).toHaveLength(2);
    expect(record.retrieved).toBe(false);
  });

  it('I13: a store whose id is not the hash of the content is refused (no receipt)', () => {
    const receipts: Array<StorageReceipt | null> = [];
    const liar = (_params: unknown, env: EngineEnv): Engine => ({
      handle(input, ctx) {
        const target = env.resolve('n1/storage');
        if (input.kind === 'start' && target.ok) ctx.send({ kind: 'engine', ...target.value }, jsonBody({ op: 'store', req: 1, id: '00'.repeat(32), content: 'ff', expiry: 10_000, minTrust: 0 } satisfies StorageMessage), { protocol: STORAGE_PROTOCOL });
        if (input.kind === 'message') receipts.push((JSON.parse(fromUtf8(input.message.body)) as Extract<StorageMessage, { op: 'stored' }>).receipt);
      },
    });
    simulate(graphPlan(2, [[0, 1]], (i) => (i === 0 ? [custom('storage', liar)] : [engine('storage')])));
    expect(receipts).toEqual([null]);
  });

  it('S24: lookup answers locally when it can, and the example scenario retrieves every block after two crashes', () => {
    const plan = graphPlan(2, [[0, 1]], (i) => [engine('storage'), ...(i === 0 ? [engine('storage-client', { blocks: 3, replication: 1, lookupAtMs: 500 })] : [])]);
    const { events } = simulate(plan);
    expect(count(events, 'stored')).toBe(3);
    expect(count(events, 'retrieved')).toBe(3);
  });
});

describe('storage search along a topic tree', () => {
  it('S24: a topic search climbs the topic tree towards the publisher and finds a block held upstream', () => {
    // Line n0 (publisher) – n1 – n2 – n3 – n4. n0 puts a block with replication 1: only n1 holds it.
    // n4 has no receipt and no holder nearby; its topic search climbs n4 → n3 → n2 → n1.
    const results: Array<string | null> = [];
    const searcher = (_params: unknown, env: EngineEnv): Engine => ({
      handle(input, ctx) {
        const storage = env.resolve('n4/storage');
        if (!storage.ok) return;
        if (input.kind === 'start') ctx.setTimer(1500, 'lookup');
        if (input.kind === 'timer') {
          const content = new Uint8Array(64).fill(7);
          ctx.send({ kind: 'engine', ...storage.value }, jsonBody({ op: 'lookup', id: toHex(ctx.hash(content)), topic: env.topic('feed') } satisfies StorageMessage), { protocol: STORAGE_PROTOCOL });
        }
        if (input.kind === 'message') results.push((JSON.parse(fromUtf8(input.message.body)) as Extract<StorageMessage, { op: 'block' }>).content);
      },
    });
    const record = { receipts: [] as StorageReceipt[], retrieved: false };
    const plan = graphPlan(5, [[0, 1], [1, 2], [2, 3], [3, 4]], (i) => [
      engine('pubsub'),
      engine('storage'),
      ...(i === 0 ? [engine('publisher', { topic: 'feed', intervalMs: 1000, count: 1 }), custom('client', client(record, { replication: 1 }, 100_000))] : []),
      ...(i === 4 ? [custom('searcher', searcher)] : []),
    ]);
    simulate(plan);
    expect(record.receipts.map((receipt) => receipt.node)).toEqual([simulateNodeId(5, [[0, 1], [1, 2], [2, 3], [3, 4]], 1, 1)]);
    expect(results).toEqual([toHex(new Uint8Array(64).fill(7))]);
  });

  it('S24: without topic or random, a lookup that misses locally and has no known holder is not found', () => {
    const results: Array<string | null> = [];
    const searcher = (_params: unknown, env: EngineEnv): Engine => ({
      handle(input, ctx) {
        const storage = env.resolve('n1/storage');
        if (input.kind === 'start' && storage.ok) ctx.send({ kind: 'engine', ...storage.value }, jsonBody({ op: 'lookup', id: '11'.repeat(32) } satisfies StorageMessage), { protocol: STORAGE_PROTOCOL });
        if (input.kind === 'message') results.push((JSON.parse(fromUtf8(input.message.body)) as Extract<StorageMessage, { op: 'block' }>).content);
      },
    });
    const { events } = simulate(graphPlan(2, [[0, 1]], (i) => [engine('storage'), ...(i === 1 ? [custom('searcher', searcher)] : [])]));
    expect(results).toEqual([null]);
    expect(events.filter((event) => event.kind === 'transmit')).toEqual([]); // never left the node
  });
});

const idCache = new Map<string, string>();
/** The node id of `n{index}` in a plan with this seed (keys derive from the seed and the name). */
function simulateNodeId(size: number, edges: ReadonlyArray<readonly [number, number]>, seed: number, index: number): string {
  const key = `${seed}/${index}`;
  if (!idCache.has(key)) {
    const { header } = simulate(graphPlan(size, edges, () => [], { seed, durationMs: 1 }));
    for (const [name, id] of Object.entries(header.nodes)) idCache.set(`${seed}/${name.slice(1)}`, id);
  }
  return idCache.get(key)!;
}

describe('storage search confined to a domain', () => {
  it('S24: a random walk confined to a domain only visits that domain\'s member nodes', () => {
    const walkTargets = (domain: string | undefined, seed: number): string[] => {
      const lookup = (_params: unknown, env: EngineEnv): Engine => {
        const storage = env.resolve(`${env.nodeName}/storage`);
        return {
          handle(input, ctx) {
            if (!storage.ok) return;
            if (input.kind === 'start' && domain !== undefined) {
              // n0 serves no domain: its own identity store learns the domain's members from its
              // configuration (the advert signed by the domain key), as every node's store is its own.
              ctx.offerAdvert(signDomainAdvert(ctx, env.domainKey!(domain), ['n1', 'n2'].map((name) => env.nodeId!(name)!)));
            }
            if (input.kind === 'start') ctx.setTimer(500, 'lookup');
            if (input.kind !== 'timer') return;
            const message: StorageMessage = { op: 'lookup', id: 'ab'.repeat(32), random: true, ...(domain !== undefined && { domain: env.domainKey!(domain).id }) };
            ctx.send({ kind: 'engine', ...storage.value }, jsonBody(message), { protocol: STORAGE_PROTOCOL });
          },
        };
      };
      // A star around n0 plus a ring n1–n2–n3–n4–n1, so a walk can go on from any node.
      const edges = [[0, 1], [0, 2], [0, 3], [0, 4], [1, 2], [2, 3], [3, 4], [4, 1]] as const;
      const plan = graphPlan(5, edges, (i) => [engine('storage'), ...(i === 0 ? [custom('client', lookup)] : [])], { seed, durationMs: 3000 });
      const { events } = simulate(plan);
      // Storage-to-storage sends after the lookup: walk steps, and answers travelling back along the
      // path to the requester n0 (which is not a member and is never a walk step: it is on the path).
      return events
        .filter((event) => event.kind === 'send' && event.engine === 'storage' && event.t >= 500 && event.to?.endsWith('/storage') === true)
        .map((event) => event.to!.split('/')[0]!)
        .filter((node) => node !== 'n0');
    };
    const confined = [1, 2, 3, 4, 5, 6].flatMap((seed) => walkTargets('shelf', seed));
    expect(confined.length).toBeGreaterThan(6);
    expect(new Set(confined)).toEqual(new Set(['n1', 'n2']));
    const free = [1, 2, 3, 4, 5, 6].flatMap((seed) => walkTargets(undefined, seed));
    expect(free.some((node) => node === 'n3' || node === 'n4')).toBe(true);
  });
});
