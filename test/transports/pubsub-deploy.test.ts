// Issue 5: local and remote pub/sub across processes — five real nodes in a line, one process each,
// the publisher at one end, subscribers two and four hops away and one on the publisher's node.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenarioText, topicDelivery } from '../../scenarios/index.js';
import { simulate } from '../../sim/index.js';
import { deployPlan, messageNamer } from '../../transports/index.js';

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
    // By the publisher's name: the real keys are random, so its id differs from the simulator's.
    const deliveredTo = (events: typeof sim.events, node: string, engine: string): string[] =>
      events.filter((event) => event.kind === 'deliver' && event.node === node && event.engine === engine).map((event) => messageNamer(events)(event.msg!)).sort();
    for (const [node, engine] of [['n1', 'local-reader'], ['n3', 'subscriber'], ['n5', 'subscriber']] as const) {
      expect(deliveredTo(real.events, node, engine)).toHaveLength(20);
      expect(deliveredTo(real.events, node, engine)).toEqual(deliveredTo(sim.events, node, engine));
    }
    expect(topicDelivery(real.events, 'news')).toEqual(topicDelivery(sim.events, 'news'));
  }, 90_000);

  it('user engine modules load in every node process (same module rule as scenario files)', async () => {
    const module = join(import.meta.dirname, '..', '..', 'scenarios', 'examples', 'modules', 'gossip.ts');
    const plan = await loadScenarioText(
      `name: gossip-3
seed: 2
duration: 2s
defaults: { link: { latency: 10ms } }
topology: { generate: [{ kind: line, nodes: 3 }] }
engines:
  - { on: all, kind: gossip, module: ${module} }
  - { on: [n1], kind: gossip, name: origin, module: ${module}, params: { origin: true } }
`,
      join(import.meta.dirname, 'gossip-3.yaml'),
      { isModuleOutsideAllowed: true },
    );
    const real = await deployPlan(plan, { transport: 'tls', startupTimeoutMs: 30_000 });
    const heard = real.events.filter((event) => event.kind === 'log' && event.engine === 'gossip' && event.text === 'heard').map((event) => event.node);
    expect(new Set(heard)).toEqual(new Set(['n1', 'n2', 'n3']));
  }, 60_000);

  it('--transport both: adverts list QUIC then TLS, the trace says quic+tls, and pub/sub delivers as in the simulator', async () => {
    const plan = await loadScenarioText(SCENARIO, 'pubsub-deploy.yaml');
    const real = await deployPlan(plan, { transport: 'both', isInProcess: true });
    expect(real.header.backend).toBe('quic+tls');
    expect(topicDelivery(real.events, 'news')).toEqual(topicDelivery(simulate(plan).events, 'news'));
  }, 60_000);
});
