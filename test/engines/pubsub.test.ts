// PubSub across nodes (SPEC §4.4, §5.4, §5.8) and the Router's topic service (§5.1.4), named by the
// SPEC §8 properties they check.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Engine, type EngineEnv, type TraceEvent } from '../../core/index.js';
import { decodePubSubMessage, encodeAdvert, encodeEngineMessage, encodePubSubMessage, PUBSUB_PROTOCOL, signAdvert, signEvent, type PubSubMessage } from '../../core/index.js';
import { TREE_PATH_MAX } from '../../core/pubsub-wire.js';
import { simulate } from '../../sim/index.js';
import { connectedEdges, custom, deliveries, engine, graphPlan, publications } from './plan.js';

const logs = (events: ReadonlyArray<TraceEvent>, node: string, engineName: string): string[] =>
  events.filter((event) => event.kind === 'log' && event.node === node && event.engine === engineName).map((event) => event.text ?? '');

/** An engine that runs `steps` (one per timer tick) and logs every notice it gets. */
function scripted(steps: ReadonlyArray<(ctx: Parameters<Engine['handle']>[1], env: EngineEnv) => void>) {
  return (_params: unknown, env: EngineEnv): Engine => {
    let step = 0;
    return {
      handle(input, ctx) {
        if (input.kind === 'start' || input.kind === 'timer') {
          steps[step++]?.(ctx, env);
          if (step < steps.length) ctx.setTimer(10, 'step');
        }
        if (input.kind === 'notice') {
          const notice = input.notice;
          ctx.log(notice.kind === 'topic-result' ? `${notice.op} ${notice.result}` : notice.kind);
        }
      },
    };
  };
}

describe('Router topic service', () => {
  it('S9 S10 I15: create twice → topic/exists; only the creator deletes; unknown → topic/unknown', () => {
    const plan = graphPlan(1, [], () => [
      custom('owner', scripted([(ctx, env) => ctx.createTopic(env.topicKey!('t')), (ctx, env) => ctx.createTopic(env.topicKey!('t')), () => {}, (ctx, env) => ctx.deleteTopic(env.topic('t')), (ctx, env) => ctx.deleteTopic(env.topic('t'))])),
      custom('other', scripted([() => {}, (ctx, env) => ctx.subscribe(env.topic('t'), { scope: 'local' }), (ctx, env) => ctx.deleteTopic(env.topic('t'))])),
    ]);
    const { events } = simulate(plan);
    expect(logs(events, 'n0', 'owner').filter((text) => !text.startsWith('topic'))).toEqual(['create ok', 'create topic/exists', 'delete ok', 'delete topic/unknown']);
    expect(logs(events, 'n0', 'other')).toEqual(['subscribe ok', 'delete topic/not-creator']);
    // S10: deleting removed the subscriber too.
    expect(events.filter((event) => event.kind === 'unsubscribe' && event.engine === 'other')).toHaveLength(1);
  });

  it('S11 Q9: local scope on an unknown topic → topic/unknown; twice → already-subscribed; unsubscribe twice → not-subscribed', () => {
    const plan = graphPlan(1, [], () => [
      custom('app', scripted([
        (ctx, env) => ctx.subscribe(env.topic('x'), { scope: 'local' }),
        (ctx, env) => ctx.subscribe(env.topic('x'), { scope: 'any' }),
        (ctx, env) => ctx.subscribe(env.topic('x'), { scope: 'any' }),
        (ctx, env) => ctx.unsubscribe(env.topic('x'), {}),
        (ctx, env) => ctx.unsubscribe(env.topic('x'), {}),
      ])),
    ]);
    expect(logs(simulate(plan).events, 'n0', 'app')).toEqual(['subscribe topic/unknown', 'subscribe ok', 'subscribe topic/already-subscribed', 'unsubscribe ok', 'unsubscribe topic/not-subscribed']);
  });

  it('S11 S12: network scope hands the topic to the PubSub bridge (start-advert before the create result; subscribe forwarded)', () => {
    const seen: string[] = [];
    const bridge = (): Engine => ({
      handle(input, ctx) {
        if (input.kind === 'start') ctx.bridgeTopics();
        if (input.kind === 'notice' && input.notice.kind === 'pubsub-request') seen.push(`${input.notice.op}${input.notice.advert ? ' (signed advert)' : ''}`);
      },
    });
    const app = scripted([(ctx, env) => ctx.createTopic(env.topicKey!('mine'), { scope: 'any' }), (ctx, env) => ctx.subscribe(env.topic('theirs')), (ctx, env) => ctx.unsubscribe(env.topic('theirs')), (ctx, env) => ctx.deleteTopic(env.topic('mine'))]);
    const plan = graphPlan(1, [], () => [custom('app', app), custom('bridge', bridge)]);
    const { events } = simulate(plan);
    expect(seen).toEqual(['start-advert (signed advert)', 'subscribe', 'unsubscribe', 'stop-advert']);
    expect(logs(events, 'n0', 'app').filter((text) => !text.startsWith('topic'))).toEqual(['create ok', 'delete ok']);
  });
});

function pubsubPlan(count: number, edges: ReadonlyArray<readonly [number, number]>, publisher: number, subscribers: ReadonlySet<number>, options: Parameters<typeof graphPlan>[3] & { fanoutMax?: number; publications?: number } = {}) {
  return graphPlan(
    count,
    edges,
    (i) => [
      engine('pubsub', { fanoutMax: options.fanoutMax ?? 2, heartbeatMs: 200 }),
      ...(i === publisher ? [engine('publisher', { topic: 'feed', intervalMs: 50, count: options.publications ?? 20 })] : []),
      ...(subscribers.has(i) ? [engine('subscriber', { topic: 'feed' })] : []),
    ],
    options,
  );
}

/** Checks I2 and S16 for every subscriber: each publication exactly once, in publisher order. */
function expectExactlyOnceInOrder(events: ReadonlyArray<TraceEvent>, subscribers: Iterable<string>): void {
  const published = publications(events, 'feed');
  expect(published.length).toBeGreaterThan(0);
  for (const node of subscribers) expect(deliveries(events, node, 'subscriber'), node).toEqual(published);
}

describe('PubSub across nodes', () => {
  it('S13: Subscribe is acked and the subscriber hears topic-subscribed; Unsubscribe is acked with topic-unsubscribed (I16)', () => {
    const listener = scripted([(ctx, env) => ctx.subscribe(env.topic('feed'))]);
    const plan = graphPlan(2, [[0, 1]], (i) => [engine('pubsub'), ...(i === 0 ? [engine('publisher', { topic: 'feed', intervalMs: 100, count: 30 })] : [custom('listener', listener)])], {
      durationMs: 4000,
      events: [{ atMs: 2000, kind: 'unsubscribe', engine: 'n1/listener', topic: 'feed' }],
    });
    const { events } = simulate(plan);
    expect(logs(events, 'n1', 'listener')).toEqual(['topic-subscribed', 'topic-unsubscribed']);
    const unsubscribedAt = events.find((event) => event.kind === 'unsubscribe' && event.node === 'n1')!.t;
    const late = events.filter((event) => event.kind === 'deliver' && event.node === 'n1' && event.engine === 'listener' && event.t > unsubscribedAt);
    expect(late).toEqual([]);
    expect(deliveries(events, 'n1', 'listener').length).toBeGreaterThan(15);
  });

  it('I2 S16 I3: over generated connected topologies with loss and duplication, every subscriber gets every event once, in order', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 14 }).chain((count) =>
          fc.record({
            count: fc.constant(count),
            parents: fc.tuple(...Array.from({ length: count - 1 }, (_, i) => fc.integer({ min: 0, max: i }))),
            extra: fc.array(fc.tuple(fc.integer({ min: 0, max: count - 1 }), fc.integer({ min: 0, max: count - 1 })), { maxLength: count }),
            publisher: fc.integer({ min: 0, max: count - 1 }),
            subscribers: fc.subarray(Array.from({ length: count }, (_, i) => i), { minLength: 1 }),
            lossProbability: fc.constantFrom(0, 0.02, 0.05),
            duplicateProbability: fc.constantFrom(0, 0.05),
            seed: fc.integer({ min: 1, max: 1000 }),
          }),
        ),
        ({ count, parents, extra, publisher, subscribers, lossProbability, duplicateProbability, seed }) => {
          const plan = pubsubPlan(count, connectedEdges(parents, extra), publisher, new Set(subscribers), {
            seed,
            durationMs: 5000,
            link: { latencyMs: 5, jitter: { kind: 'uniform', maxMs: 4 }, lossProbability, duplicateProbability },
          });
          const { events } = simulate(plan);
          expectExactlyOnceInOrder(events, subscribers.filter((i) => i !== publisher).map((i) => `n${i}`));
        },
      ),
      { numRuns: 25 },
    );
  });

  it('multi-hop: fan-out limit holds where joiners have alternatives, and the tree repairs when a parent crashes', () => {
    // A 3x4 grid; the publisher at a corner. Crash the node on the subscriber's path at 1.2 s.
    const edges: Array<readonly [number, number]> = [];
    for (let r = 0; r < 3; r++) for (let c = 0; c < 4; c++) {
      const i = r * 4 + c;
      if (c < 3) edges.push([i, i + 1]);
      if (r < 2) edges.push([i, i + 4]);
    }
    const subscribers = new Set([3, 6, 7, 10, 11]);
    const probe = simulate(pubsubPlan(12, edges, 0, subscribers, { durationMs: 1000, publications: 60 }));
    // Which node does n11 use as its parent? the sender of its first Subscribe.
    const firstJoin = probe.events.find((event) => event.kind === 'send' && event.node === 'n11' && event.engine === 'pubsub' && event.dst === 'engine' && event.to?.startsWith('n'));
    const parent = firstJoin!.to!.split('/')[0]!;
    expect(['n7', 'n10']).toContain(parent);
    const crashed = simulate(pubsubPlan(12, edges, 0, subscribers, { durationMs: 6000, publications: 60, events: [{ atMs: 1200, kind: 'crash', node: parent }] }));
    const survivors = [...subscribers].map((i) => `n${i}`).filter((node) => node !== parent);
    expectExactlyOnceInOrder(crashed.events, survivors);
    expect(crashed.events.some((event) => event.kind === 'log' && event.text === 'pubsub parent silent, repairing')).toBe(true);
  });

  it('fan-out limit: on the 200-node example no node takes more than fanoutMax children except forced joins, and every node is reached', async () => {
    const { loadScenario } = await import('../../scenarios/index.js');
    const scenario = await loadScenario(new URL('../../scenarios/examples/pubsub-tree.yaml', import.meta.url).pathname);
    const { events } = simulate(scenario.plan);
    const added = events.filter((event) => event.kind === 'log' && event.text === 'pubsub child added');
    expect(added.length).toBeGreaterThanOrEqual(199);
    const unforcedMax = Math.max(...added.filter((event) => event.data?.isForced === false).map((event) => Number(event.data?.children)));
    expect(unforcedMax).toBeLessThanOrEqual(4);
    expect(added.filter((event) => event.data?.isForced === true).length).toBeLessThanOrEqual(added.length / 10);
    expectExactlyOnceInOrder(events, Array.from({ length: 199 }, (_, i) => `p${i + 2}`));
  });

  it('S15 I4: an event not signed by the advertised publisher is dropped and never forwarded', () => {
    // n0 publishes; n1 hosts a forged "pubsub" engine that injects a self-signed event into n2.
    const forger = (_params: unknown, env: EngineEnv): Engine => ({
      handle(input, ctx) {
        if (input.kind === 'start') ctx.setTimer(1500, 'forge');
        if (input.kind !== 'timer') return;
        const target = env.resolve('n2/pubsub');
        if (!target.ok) return;
        const body = new Uint8Array(8);
        const event = signEvent(ctx.sign, { topic: env.topic('feed'), publisher: ctx.self, seq: 1_000, deps: [], body });
        ctx.send({ kind: 'engine', ...target.value }, encodePubSubMessage({ kind: 'event', event }), { protocol: PUBSUB_PROTOCOL });
      },
    });
    const plan = graphPlan(4, [[0, 1], [1, 2], [0, 2], [2, 3]], (i) =>
      i === 1 ? [custom('pubsub', forger)] : [engine('pubsub'), ...(i === 0 ? [engine('publisher', { topic: 'feed', intervalMs: 100, count: 20 })] : [engine('subscriber', { topic: 'feed' })])],
    );
    const { events } = simulate(plan);
    expectExactlyOnceInOrder(events, ['n2', 'n3']);
    const forgedAt = events.find((event) => event.kind === 'timer' && event.node === 'n1')!.t;
    // n2 forwards nothing to n3 because of the forged event (n3's deliveries are all real publications).
    expect(events.filter((event) => event.kind === 'receive' && event.node === 'n3' && event.t > forgedAt && event.t < forgedAt + 20).length).toBeLessThanOrEqual(2);
  });

  it('I4: an authorised publisher cannot smuggle a message for another topic inside its events', () => {
    // n0's "pubsub" holds the key of topic `feed` and authorises itself; it wraps a genuine message
    // that n0/app published to topic `secret` in a `feed` event. n1 subscribes to both topics.
    const forger = (_params: unknown, env: EngineEnv): Engine => ({
      handle(input, ctx) {
        const target = env.resolve('n1/pubsub');
        if (!target.ok) return;
        const to = { kind: 'engine' as const, ...target.value };
        if (input.kind === 'start') {
          const key = env.topicKey!('feed');
          const advert = signAdvert({ scheme: 'engine', keyPair: () => key, sign: ctx.signAs, verify: ctx.verify, hash: ctx.hash }, key, { kind: 'topic', id: key.id, version: 1, created: 0, publishers: [ctx.self], relays: [ctx.node], tags: [] });
          ctx.send(to, encodePubSubMessage({ kind: 'advert', hops: 0, advert: encodeAdvert(advert) }), { protocol: PUBSUB_PROTOCOL });
          ctx.subscribe(env.topic('secret'));
          return;
        }
        if (input.kind !== 'message' || input.message.dst.kind !== 'topic') return;
        const event = signEvent(ctx.sign, { topic: env.topic('feed'), publisher: ctx.self, seq: 1, deps: [], body: encodeEngineMessage(input.message) });
        ctx.send(to, encodePubSubMessage({ kind: 'event', event }), { protocol: PUBSUB_PROTOCOL });
      },
    });
    const app = (_params: unknown, env: EngineEnv): Engine => ({
      handle(input, ctx) {
        if (input.kind === 'start') ctx.setTimer(500, 'publish');
        if (input.kind === 'timer') ctx.publish(env.topic('secret'), new Uint8Array(4));
      },
    });
    const plan = graphPlan(2, [[0, 1]], (i) =>
      i === 0 ? [custom('pubsub', forger), custom('app', app)] : [engine('pubsub'), engine('subscriber', { topic: 'feed' }, 'feed-sub'), engine('subscriber', { topic: 'secret' }, 'secret-sub')],
    );
    const { events } = simulate(plan);
    expect(events.some((event) => event.kind === 'log' && event.node === 'n1' && event.text === 'topic advert received')).toBe(true);
    expect(deliveries(events, 'n1', 'secret-sub')).toEqual([]);
    expect(deliveries(events, 'n1', 'feed-sub')).toEqual([]);
    expect(events.some((event) => event.kind === 'log' && event.node === 'n1' && event.text === 'pubsub event for another topic dropped')).toBe(true);
  });
});

describe('PubSub heartbeats', () => {
  it('an event forwarded to a child stands in for every other heartbeat; the child still receives every event in order', () => {
    // n0 publishes every 250 ms for 10 s to n1's subscriber; heartbeats every 500 ms. Without the
    // stand-in n0 sends n1 two heartbeats a second on top of four events; with it, one.
    const plan = graphPlan(2, [[0, 1]], (i) => [engine('pubsub', { heartbeatMs: 500 }), i === 0 ? engine('publisher', { topic: 'feed', intervalMs: 250, count: 40 }) : engine('subscriber', { topic: 'feed' })], { durationMs: 11_000 });
    const { events } = simulate(plan);
    expect(deliveries(events, 'n1', 'subscriber')).toHaveLength(40);
    const toSubscriber = events.filter((event) => event.kind === 'send' && event.node === 'n0' && event.engine === 'pubsub' && event.to === 'n1/pubsub' && event.t > 1000 && event.t < 10_000);
    // 9 s: about 36 events and 9 heartbeats (18 without the stand-in).
    expect(toSubscriber.length).toBeGreaterThanOrEqual(36 + 7);
    expect(toSubscriber.length).toBeLessThanOrEqual(36 + 11);
  });
});

describe('PubSub peer messages', () => {
  const id = (i: number): string => i.toString(16).padStart(64, '0');

  it('round-trips every message, the tree paths and depths included', () => {
    const topic = id(7);
    const messages: PubSubMessage[] = [
      { kind: 'hello' },
      { kind: 'hello', topic },
      { kind: 'subscribe', topic, fromSeq: 3, isForced: true },
      { kind: 'subscribe-ack', topic, firstSeq: 1, path: [] },
      { kind: 'subscribe-ack', topic, firstSeq: 9, path: [id(1), id(2)] },
      { kind: 'subscribe-nack', topic, reason: 'unknown' },
      { kind: 'subscribe-nack', topic, reason: 'full' },
      { kind: 'subscribe-nack', topic, reason: 'loop' },
      { kind: 'heartbeat', topic, lastSeq: 4 },
      { kind: 'heartbeat', topic, lastSeq: 4, path: [] },
      { kind: 'heartbeat', topic, lastSeq: 0, path: [id(1), id(2), id(3)] },
      { kind: 'position', topic },
      { kind: 'position', topic, depth: 0 },
      { kind: 'position', topic, depth: 12 },
    ];
    for (const message of messages) expect(decodePubSubMessage(encodePubSubMessage(message))).toEqual({ ok: true, value: message });
  });

  it('refuses a path longer than the bound and an unknown nack reason, with a typed error', () => {
    const long = encodePubSubMessage({ kind: 'heartbeat', topic: id(7), lastSeq: 1, path: Array.from({ length: TREE_PATH_MAX + 1 }, (_, i) => id(i)) });
    const decoded = decodePubSubMessage(long);
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.error.code).toBe('codec/too-large');
    const nack = encodePubSubMessage({ kind: 'subscribe-nack', topic: id(7), reason: 'loop' });
    nack[nack.length - 1] = 9;
    const bad = decodePubSubMessage(nack);
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.code).toBe('codec/bad-tag');
  });
});
