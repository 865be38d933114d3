// Issue 5: local and remote pub/sub across processes — five real nodes in a line, one process each,
// the publisher at one end, subscribers two and four hops away and one on the publisher's node.
import { describe, expect, it } from 'vitest';
import { loadScenarioText, topicDelivery } from '../../scenarios/index.js';
import { simulate } from '../../sim/index.js';
import { deployPlan } from '../../transports/index.js';

const SCENARIO = `name: pubsub-deploy
seed: 6
duration: 4s
defaults: { link: { latency: 15ms } }
topology: { generate: [{ kind: line, nodes: 5 }] }
engines:
  - { on: all, kind: pubsub }
  - { on: n1, kind: publisher, params: { topic: news, intervalMs: 100, count: 20 } }
  - { on: [n3, n5], kind: subscriber, params: { topic: news } }
  - { on: [n1], kind: subscriber, name: local-reader, params: { topic: news } }
`;

describe('pub/sub on real nodes', () => {
  it('five processes over QUIC: every subscriber, local and remote, receives every event, as in the simulator', async () => {
    const plan = await loadScenarioText(SCENARIO, 'pubsub-deploy.yaml');
    const real = await deployPlan(plan, { transport: 'quic', startupTimeoutMs: 30_000 });
    const sim = simulate(plan);
    const deliveredTo = (events: typeof sim.events, node: string, engine: string): string[] =>
      events.filter((event) => event.kind === 'deliver' && event.node === node && event.engine === engine).map((event) => event.msg!).sort();
    for (const [node, engine] of [['n1', 'local-reader'], ['n3', 'subscriber'], ['n5', 'subscriber']] as const) {
      expect(deliveredTo(real.events, node, engine)).toHaveLength(20);
      expect(deliveredTo(real.events, node, engine)).toEqual(deliveredTo(sim.events, node, engine));
    }
    expect(topicDelivery(real.events, 'news')).toEqual(topicDelivery(sim.events, 'news'));
  }, 90_000);
});
