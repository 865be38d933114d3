// PubSub and Storage deployed on real QUIC (in-process, loopback): same engines, same expectations.
import { describe, expect, it } from 'vitest';
import { loadScenarioText } from '../../scenarios/index.js';
import { deployPlan } from '../../transports/index.js';
import { deliveries, publications } from './plan.js';

const PUBSUB = `
name: pubsub-quic
seed: 6
# Generous for a loaded CI machine: in-process QUIC start-up and handshakes take real time.
duration: 7000ms
topology:
  nodes: [hub, a, b, c]
  links: [[hub, a], [hub, b], [b, c]]
engines:
  - { on: all, kind: pubsub, params: { heartbeatMs: 200 } }
  - { on: hub, kind: publisher, params: { topic: news, intervalMs: 150, count: 8 } }
  - { on: [a, b, c], kind: subscriber, params: { topic: news } }
`;

const STORAGE = `
name: storage-quic
seed: 12
duration: 6000ms
topology:
  nodes: [n1, n2, n3, n4]
  links: [[n1, n2], [n1, n3], [n1, n4], [n2, n3]]
engines:
  - { on: all, kind: storage }
  - { on: n1, kind: storage-client, params: { blocks: 4, replication: 2, putAtMs: 500, lookupAtMs: 3000 } }
`;

describe('networking engines on QUIC', () => {
  it('I2 S16: PubSub over QUIC — every subscriber (one of them two hops away) gets every event once, in order', async () => {
    const plan = await loadScenarioText(PUBSUB, 'pubsub-quic.yaml');
    const real = await deployPlan(plan, { transport: 'quic', isInProcess: true });
    expect(real.header.backend).toBe('quic');
    const published = publications(real.events, 'news');
    expect(published).toHaveLength(8);
    for (const node of ['a', 'b', 'c']) expect(deliveries(real.events, node, 'subscriber'), node).toEqual(published);
  });

  it('Storage over QUIC — blocks are stored with signed receipts and retrieved', async () => {
    const plan = await loadScenarioText(STORAGE, 'storage-quic.yaml');
    const real = await deployPlan(plan, { transport: 'quic', isInProcess: true });
    const logs = real.events.filter((event) => event.kind === 'log' && event.node === 'n1' && event.engine === 'storage-client').map((event) => event.text);
    expect(logs.filter((text) => text === 'stored')).toHaveLength(4);
    expect(logs.filter((text) => text === 'retrieved')).toHaveLength(4);
  });
});
