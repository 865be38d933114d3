// The graph underlay: routing on the lowest-latency path, per-hop draws, serialization at the
// bottleneck and at access links, and path changes after faults.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../core/index.js';
import { settle, testNetwork } from './underlay-net.js';

const line5 = { hosts: ['n1', 'n2', 'n3', 'n4', 'n5'], links: [['n1', 'n2', { latencyMs: 10 }], ['n2', 'n3', { latencyMs: 20 }], ['n3', 'n4', { latencyMs: 30 }], ['n4', 'n5', { latencyMs: 40 }]] as const };

describe('graph underlay', () => {
  it('a line of 10/20/30/40 ms links carries a frame end to end in 100 ms, plus serialization at the bottleneck', () => {
    const network = testNetwork(line5);
    expect(settle(network, network.send('n1', 'n5'))).toEqual([[100, 4]]);
    expect(network.net.roundTripMs(0, 4)).toBe(200);
    const slow = testNetwork({ ...line5, links: line5.links.map(([a, b, s], i) => [a, b, { ...s, bandwidthBytesPerSecond: i === 2 ? 1000 : 10_000 }] as const) });
    // 500 bytes pay 500 ms once, at the 1,000 B/s hop; the other hops add only their latency.
    expect(settle(slow, slow.send('n1', 'n5', 500))).toEqual([[600, 4]]);
  });

  it('loss compounds per hop: over 10,000 frames on 3 hops of 1% the loss rate is within a binomial bound of 1 − 0.99³', () => {
    const network = testNetwork({ hosts: ['a', 'b', 'c', 'd'], links: [['a', 'b', { lossProbability: 0.01 }], ['b', 'c', { lossProbability: 0.01 }], ['c', 'd', { lossProbability: 0.01 }]], seed: 3 });
    const frames = 10_000;
    const arrived = settle(network, network.send('a', 'd', 100, frames)).length;
    const p = 1 - 0.99 ** 3;
    const sd = Math.sqrt(frames * p * (1 - p));
    // 4.5 standard deviations: a false failure has probability < 1e-5 (and the seed is fixed anyway).
    expect(Math.abs(frames - arrived - frames * p)).toBeLessThan(4.5 * sd);
    expect(network.records.filter((record) => record.reason === 'loss')).toHaveLength(frames - arrived);
    expect(network.records.every((record) => record.node === 'a' && record.peer === 'd')).toBe(true);
  });

  it('ties break by hop count, then by the lower index of the node a path comes from, whatever the link order', () => {
    // a→d: directly (20 ms, 1 hop) or via b or c (10 + 10 ms, 2 hops). The direct link wins on hops;
    // without it, b (index 1) wins over c (index 2). A lossy hop shows which path a frame took.
    const links = [['a', 'b', { latencyMs: 10 }], ['b', 'd', { latencyMs: 10, lossProbability: 1 }], ['a', 'c', { latencyMs: 10 }], ['c', 'd', { latencyMs: 10 }]] as const;
    const withDirect = testNetwork({ hosts: ['a', 'b', 'c', 'd'], links: [...links, ['a', 'd', { latencyMs: 20 }]] });
    expect(settle(withDirect, withDirect.send('a', 'd'))).toEqual([[20, 1]]);
    for (const order of [links, [...links].reverse()]) {
      const viaB = testNetwork({ hosts: ['a', 'b', 'c', 'd'], links: order });
      expect(settle(viaB, viaB.send('a', 'd'))).toEqual([]);
      const viaC = testNetwork({ hosts: ['a', 'c', 'b', 'd'], links: order });
      expect(settle(viaC, viaC.send('a', 'd'))).toEqual([[20, 2]]);
    }
  });

  it('paths are recomputed after link-down, link-up and set-link', () => {
    const network = testNetwork({ hosts: ['a', 'b', 'c'], links: [['a', 'b', { latencyMs: 10 }], ['b', 'c', { latencyMs: 10 }], ['a', 'c', { latencyMs: 50 }]] });
    const { net, scheduler } = network;
    const at = (): number => scheduler.now();
    const timeline: Array<[number, number, number]> = [];
    const sendAt = (ms: number, before?: () => void): void => {
      scheduler.schedule(ms, () => {
        before?.();
        const sentMs = at();
        net.carry(0, 2, new Uint8Array(10), { msg: `at-${ms}` }, (hops) => timeline.push([sentMs, at() - sentMs, hops]));
      });
    };
    sendAt(0);
    sendAt(100, () => net.setLinkUp('a', 'b', false));
    sendAt(200, () => net.setLinkUp('a', 'b', true));
    sendAt(300, () => net.setLink('a', 'c', { latencyMs: 5 }));
    sendAt(400, () => net.setLinkUp('a', 'c', false));
    sendAt(500, () => net.setLinkUp('b', 'c', false));
    scheduler.run(10_000);
    expect(timeline).toEqual([
      [0, 20, 2],
      [100, 50, 1],
      [200, 20, 2],
      [300, 5, 1],
      [400, 20, 2],
    ]);
    // The last frame had no path left; the link to c that is down is named as the reason.
    expect(network.records.map((record) => [record.t, record.reason])).toEqual([[500, 'link-down']]);
    expect(net.isReachable(0, 2)).toBe(false);
    expect(net.roundTripMs(0, 2)).toBeUndefined();
  });

  it('routers forward but run nothing; a crashed router is routed around, and the only one cuts the path', () => {
    const network = testNetwork({ hosts: ['a', 'b'], routers: ['r1', 'r2'], links: [['a', 'r1', { latencyMs: 5 }], ['r1', 'b', { latencyMs: 5 }], ['a', 'r2', { latencyMs: 20 }], ['r2', 'b', { latencyMs: 20 }]] });
    const { net } = network;
    expect(net.indexOf('r1')).toBe(-1);
    expect(net.neighbors('a')).toEqual([]);
    expect(settle(network, network.send('a', 'b'))).toEqual([[10, 2]]);
    net.crash('r1');
    expect(net.roundTripMs(0, 1)).toBe(80);
    net.crash('r2');
    expect(net.isReachable(0, 1)).toBe(false);
    network.send('a', 'b');
    expect(network.records.at(-1)).toMatchObject({ node: 'a', peer: 'b', reason: 'unreachable' });
    net.restart('r1');
    expect(net.isReachable(0, 1)).toBe(true);
  });

  it('once a graph has routers, only routers forward: a host is never on another pair\'s path', () => {
    const network = testNetwork({ hosts: ['a', 'm', 'b'], routers: ['r'], links: [['a', 'm', { latencyMs: 1 }], ['m', 'b', { latencyMs: 1 }], ['a', 'r', { latencyMs: 10 }], ['r', 'b', { latencyMs: 10 }]] });
    const { net } = network;
    expect(net.pathBetween(0, 2)).toEqual(['a', 'r', 'b']);
    expect(net.pathBetween(0, 1)).toEqual(['a', 'm']);
    net.crash('r');
    expect([net.isReachable(0, 2), net.isReachable(0, 1), net.isReachable(1, 2)]).toEqual([false, true, true]);
    expect(settle(network, network.send('a', 'b'))).toEqual([]);
    expect(network.records.map((record) => record.reason)).toEqual(['unreachable']);
  });

  it('partitions cut multi-hop paths by the endpoints\' groups, whatever the nodes on the way', () => {
    const network = testNetwork({ hosts: ['a', 'm', 'b'], links: [['a', 'm'], ['m', 'b']] });
    const { net } = network;
    net.partition([['a', 'm'], ['b']], false);
    expect([net.isReachable(0, 2), net.isReachable(0, 1)]).toEqual([false, true]);
    expect(settle(network, network.send('a', 'b'))).toEqual([]);
    expect(network.records.map((record) => record.reason)).toEqual(['partition']);
    net.partition([['m'], ['a', 'b']], false);
    expect(settle(network, network.send('a', 'b'))).toEqual([[20, 2]]);
    net.heal();
    expect(net.isReachable(0, 2)).toBe(true);
  });

  it('access links serialize at the sender\'s upload and the receiver\'s download, FIFO and bounded', () => {
    const access = { a: { uploadBytesPerSecond: 1000, downloadBytesPerSecond: 0, queueBytesMax: 250 }, b: { uploadBytesPerSecond: 0, downloadBytesPerSecond: 500, queueBytesMax: 1 << 20 } };
    const network = testNetwork({ hosts: ['a', 'b'], links: [['a', 'b', { latencyMs: 10 }]], access });
    // 100 B: 100 ms up, 10 ms on the wire, 200 ms down. The second waits 100 ms for the uplink and
    // 200 ms for the downlink; the third finds 200 B queued ahead of its 100 B (limit 250): dropped.
    expect(settle(network, network.send('a', 'b', 100, 3))).toEqual([
      [310, 1],
      [510, 1],
    ]);
    expect(network.records.map((record) => [record.t, record.node, record.reason])).toEqual([[0, 'a', 'queue-full']]);
  });

  it('a frame larger than the smallest frame limit on its path is dropped as too-large', () => {
    const network = testNetwork({ hosts: ['a', 'b', 'c'], links: [['a', 'b'], ['b', 'c', { frameSizeMaxBytes: 200 }]] });
    expect(settle(network, network.send('a', 'c', 201))).toEqual([]);
    expect(settle(network, network.send('a', 'b', 201))).toEqual([[10, 1]]);
    expect(network.records.map((record) => record.reason)).toEqual(['too-large']);
  });
});

describe('routing on random graphs', () => {
  it('path latency and hop count match an all-pairs reference, and do not depend on what was asked before', () => {
    fc.assert(
      fc.property(fc.integer({ min: 8, max: 60 }), fc.nat(10_000), (n, seed) => {
        const rng = createRng(seed);
        const hosts = Array.from({ length: n }, (_, i) => `h${i}`);
        const links: Array<readonly [string, string, { latencyMs: number }]> = [];
        const seen = new Set<string>();
        for (let i = 1; i < n; i++) links.push([hosts[rng.int(i)]!, hosts[i]!, { latencyMs: 1 + rng.int(4) }]);
        for (let extra = 0; extra < n; extra++) {
          const a = rng.int(n);
          const b = rng.int(n);
          if (a !== b) links.push([hosts[a]!, hosts[b]!, { latencyMs: 1 + rng.int(4) }]);
        }
        const unique = links.filter(([a, b]) => {
          const key = a < b ? `${a}|${b}` : `${b}|${a}`;
          return !seen.has(key) && seen.add(key);
        });
        // Lexicographic (latency, hops) all-pairs shortest paths: Floyd–Warshall.
        const latency = hosts.map((_, i) => hosts.map((_, j) => (i === j ? 0 : Infinity)));
        const hops = hosts.map((_, i) => hosts.map((_, j) => (i === j ? 0 : Infinity)));
        for (const [a, b, spec] of unique) {
          const [i, j] = [hosts.indexOf(a), hosts.indexOf(b)];
          latency[i]![j] = latency[j]![i] = spec.latencyMs;
          hops[i]![j] = hops[j]![i] = 1;
        }
        for (let k = 0; k < n; k++)
          for (let i = 0; i < n; i++)
            for (let j = 0; j < n; j++) {
              const l = latency[i]![k]! + latency[k]![j]!;
              const h = hops[i]![k]! + hops[k]![j]!;
              if (l < latency[i]![j]! || (l === latency[i]![j]! && h < hops[i]![j]!)) {
                latency[i]![j] = l;
                hops[i]![j] = h;
              }
            }
        const shared = testNetwork({ hosts, links: unique });
        const pairs = Array.from({ length: 30 }, () => [rng.int(n), rng.int(n)] as const).filter(([i, j]) => i !== j);
        for (const [i, j] of pairs) {
          const sentMs = shared.scheduler.now();
          const arrivals = settle(shared, shared.send(hosts[i]!, hosts[j]!));
          expect(arrivals).toEqual([[sentMs + latency[i]![j]!, hops[i]![j]!]]);
          expect(shared.net.roundTripMs(i, j)).toBe(2 * latency[i]![j]!);
          const path = shared.net.pathBetween(i, j);
          expect(path).toHaveLength(hops[i]![j]! + 1);
          expect(testNetwork({ hosts, links: unique }).net.pathBetween(i, j)).toEqual(path);
        }
      }),
      { numRuns: 30 },
    );
  });
});
