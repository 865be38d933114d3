// The underlay end to end: scenarios with multi-hop paths, routers and regions run in the simulator.
import { describe, expect, it } from 'vitest';
import { loadScenarioText } from '../../scenarios/index.js';
import { simulate } from '../../sim/index.js';

const line = (bandwidth: string): string => `name: line
duration: 3s
defaults: { link: { bandwidth: ${bandwidth} } }
topology:
  nodes: [n1, n2, n3, n4, n5]
  links:
    - { between: [n1, n2], latency: 10ms }
    - { between: [n2, n3], latency: 20ms }
    - { between: [n3, n4], latency: 30ms }
    - { between: [n4, n5], latency: 40ms }
knows: [{ on: n1, peers: [n5] }]
connections: { permanent: known }
events:
  - { at: 1s, send: { from: n1, to: n5, size: 200 } }
`;

describe('multi-hop paths in a simulation', () => {
  for (const [bandwidth, bytesPerSecond] of [['unlimited', 0], ['1Mbps', 125_000]] as const) {
    it(`on a line of 10/20/30/40 ms links (${bandwidth}), a message from the first node to the last is one transmit/receive pair 100 ms apart plus serialization`, async () => {
      const { events } = simulate(await loadScenarioText(line(bandwidth), 'line.yaml'));
      const sent = events.find((event) => event.kind === 'send' && event.node === 'n1' && event.t === 1000)!;
      const frames = events.filter((event) => event.msg === sent.msg && (event.kind === 'transmit' || event.kind === 'receive'));
      expect(frames.map((event) => [event.kind, event.node, event.peer])).toEqual([
        ['transmit', 'n1', 'n5'],
        ['receive', 'n5', 'n1'],
      ]);
      const [transmit, receive] = frames as [typeof sent, typeof sent];
      const serializationMs = bytesPerSecond === 0 ? 0 : (receive.bytes! * 1000) / bytesPerSecond;
      expect(receive.t - transmit.t).toBeCloseTo(100 + serializationMs, 6);
      expect(receive.hops).toBe(4);
      expect(events.some((event) => event.kind === 'deliver' && event.msg === sent.msg && event.node === 'n5')).toBe(true);
    });
  }
});
