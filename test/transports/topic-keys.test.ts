// Secret keys on real nodes never come from public data. An attacker who knows the scenario (its
// seed and topic names) derives the topic key as the simulator does, signs a TopicAdvert of the
// highest version naming itself the publisher and feeds its own events. In the simulator, whose
// keys are that derivation, it takes the topic over (the control: the attack is real). Deployed on
// real nodes, whose keys are random, its advert is for another topic and it gets nowhere.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createNodeCrypto, deriveSecret, type TraceEvent } from '../../core/index.js';
import { loadScenarioText } from '../../scenarios/index.js';
import { simulate } from '../../sim/index.js';
import { deployPlan } from '../../transports/index.js';

const SCENARIO = `name: topic-takeover
seed: 6
duration: 3s
defaults: { link: { latency: 5ms } }
topology:
  nodes: [n1, n2, m]
  links: [[n1, n2], [n2, m]]
engines:
  - { on: [n1, n2], kind: pubsub, params: { heartbeatMs: 200 } }
  - { on: n1, kind: publisher, params: { topic: news, intervalMs: 100, count: 20 } }
  - { on: n2, kind: subscriber, params: { topic: news } }
  # The attacker poses as m's PubSub engine, so n2's PubSub talks to it.
  - { on: m, kind: topicThief, name: pubsub, module: ./fixtures/topic-thief.ts, params: { seed: 6, topic: news } }
`;

const mallory = createNodeCrypto().keyPair(deriveSecret('mallory', 'eng', 'publisher')).id.slice(0, 12);

function subscriberDeliveries(events: ReadonlyArray<TraceEvent>): { stolen: number; genuine: number } {
  const delivered = events.filter((event) => event.kind === 'deliver' && event.node === 'n2' && event.engine === 'subscriber');
  const stolen = delivered.filter((event) => event.msg?.startsWith(`${mallory}:`)).length;
  return { stolen, genuine: delivered.length - stolen };
}

describe('topic keys on real nodes', () => {
  it('control: with keys derived from the seed (the simulator), the attacker takes the topic over', async () => {
    const plan = await loadScenarioText(SCENARIO, join(import.meta.dirname, 'topic-takeover.yaml'));
    const { stolen } = subscriberDeliveries(simulate(plan).events);
    expect(stolen).toBeGreaterThan(10);
  });

  it('deployed (random keys), the same attacker gets nowhere: the subscriber gets every genuine event and none of its', async () => {
    const plan = await loadScenarioText(SCENARIO, join(import.meta.dirname, 'topic-takeover.yaml'));
    const real = await deployPlan(plan, { transport: 'tls', isInProcess: true });
    expect(subscriberDeliveries(real.events)).toEqual({ stolen: 0, genuine: 20 });
  }, 30_000);
});
