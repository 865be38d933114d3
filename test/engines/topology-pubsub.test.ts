// PubSub and Storage over the Topology's view: with `domain`, trees and walks use the live overlay
// instead of static link neighbours (a region underlay has none), and a tree repairs itself when
// the view changes under it.
import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../core/index.js';
import { loadScenarioText, topicDelivery } from '../../scenarios/index.js';
import { simulate } from '../../sim/index.js';
import { domainOverlayScenario } from './domain-overlay-scenario.js';

function scenario(count: number, duration: string, engines: string, events: ReadonlyArray<string> = []): string {
  return domainOverlayScenario({ name: 'topology-pubsub-test', seed: 5, count, duration, engines, events });
}

const PUBSUB = (params: string): string => `  - { on: all, kind: pubsub, params: { ${params} } }
  - { on: n1, kind: publisher, params: { topic: feed, intervalMs: 500 } }
  - { on: all, kind: subscriber, params: { topic: feed } }`;

/** For each publication sent in [fromMs, toMs): how many subscriber engines received it. */
function receivedEach(events: ReadonlyArray<TraceEvent>, fromMs: number, toMs: number): number[] {
  const counts = new Map<string, number>();
  for (const event of events) if (event.kind === 'deliver' && event.engine === 'subscriber' && event.msg !== undefined) counts.set(event.msg, (counts.get(event.msg) ?? 0) + 1);
  return events.filter((event) => event.kind === 'send' && event.dst === 'topic' && event.t >= fromMs && event.t < toMs).map((event) => counts.get(event.msg!) ?? 0);
}

describe('PubSub over the Topology view', () => {
  it('30 members: every subscriber receives every event over the overlay; without domain (static neighbours, none here) nobody remote does', async () => {
    const over = simulate(await loadScenarioText(scenario(30, '20s', PUBSUB('domain: city')), 'pubsub.yaml')).events;
    const delivery = topicDelivery(over, 'feed');
    // Everything published before the last second reached all 30 other subscribers.
    expect(receivedEach(over, 0, 19_000).every((count) => count === 31)).toBe(true);
    expect(delivery.delivered / delivery.expected).toBeGreaterThan(0.97);
    const flat = simulate(await loadScenarioText(scenario(30, '20s', PUBSUB('')), 'pubsub.yaml')).events;
    expect(receivedEach(flat, 0, 19_000).every((count) => count === 1)).toBe(true); // the publisher's own node only
  });

  it('a third of the members crash at once: trees repair around the removed view peers and the survivors receive every later event', async () => {
    const crashed = Array.from({ length: 10 }, (_, i) => `n${3 * i + 2}`); // n2, n5, …, n29; the publisher n1 survives
    const events = simulate(await loadScenarioText(scenario(30, '40s', PUBSUB('domain: city'), crashed.map((name) => `{ at: 15s, crash: ${name} }`)), 'pubsub.yaml')).events;
    expect(events.some((event) => event.kind === 'log' && event.text === 'pubsub parent left the view, repairing')).toBe(true);
    // 21 survivors (boot, and 20 members with the publisher) receive every event from 25 s on.
    expect(receivedEach(events, 25_000, 39_000)).toEqual(Array.from({ length: 28 }, () => 21));
    // Events published during the repair are recovered from the parents' logs.
    const delivery = topicDelivery(events, 'feed');
    expect(delivery.delivered / delivery.expected).toBeGreaterThan(0.97);
  });
});

describe('Storage over the Topology view', () => {
  it('replicas go to three view peers, each answering with a signed receipt, and lookups fetch the blocks back; without domain there is nobody to store on', async () => {
    const engines = `  - { on: all, kind: storage, params: { domain: city } }
  - { on: n1, kind: storage-client, params: { blocks: 4, replication: 3, putAtMs: 12000, lookupAtMs: 14000, random: true } }`;
    const events = simulate(await loadScenarioText(scenario(20, '20s', engines), 'storage.yaml')).events;
    const logs = (node: string, engine: string, text: string) => events.filter((event) => event.kind === 'log' && event.node === node && event.engine === engine && event.text === text);
    expect(logs('n1', 'storage-client', 'stored')).toHaveLength(4);
    expect(logs('n1', 'storage-client', 'retrieved')).toHaveLength(4);
    const flat = simulate(await loadScenarioText(scenario(20, '20s', engines.replace('params: { domain: city }', '')), 'storage.yaml')).events;
    expect(flat.filter((event) => event.kind === 'log' && event.node === 'n1' && event.text === 'stored')).toHaveLength(0);
  });
});
