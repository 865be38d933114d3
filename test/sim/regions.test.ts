// The region underlay: latency and loss from the region matrix, reachability without links, and the
// per-node counter-based streams it draws from.
import { describe, expect, it } from 'vitest';
import { createRng, type PlanRegions } from '../../core/index.js';
import { NodeStreams } from '../../sim/index.js';
import { settle, spec, testNetwork } from './underlay-net.js';

// One-way settings, row-major from → to: eu→eu, eu→us, us→eu, us→us.
const regions: PlanRegions = {
  names: ['eu', 'us'],
  pairs: [spec({ latencyMs: 5 }), spec({ latencyMs: 40, lossProbability: 0.2 }), spec({ latencyMs: 35 }), spec({ latencyMs: 10 })],
};
const hosts = ['e1', 'e2', 'u1', 'u2'];
const regionOf = { e1: 'eu', e2: 'eu', u1: 'us', u2: 'us' };

describe('region underlay', () => {
  it('a frame takes one hop with the latency of its (from-region, to-region) entry; round trips add both directions', () => {
    const network = testNetwork({ hosts, regions, regionOf });
    const { net } = network;
    expect(settle(network, [network.send('e1', 'e2'), network.send('u2', 'u1'), network.send('u1', 'e1')]).flat()).toEqual([
      [5, 1],
      [10, 1],
      [35, 1],
    ]);
    expect(net.roundTripMs(net.indexOf('e1'), net.indexOf('u2'))).toBe(75);
    expect(net.roundTripMs(net.indexOf('u1'), net.indexOf('u2'))).toBe(20);
    expect(net.regionOf('u2')).toBe('us');
    expect(net.neighbors('e1')).toEqual([]);
  });

  it('loss comes from the pair entry, drawn from the sender\'s stream', () => {
    const network = testNetwork({ hosts, regions, regionOf, seed: 5 });
    const frames = 10_000;
    const arrived = settle(network, network.send('e1', 'u1', 100, frames)).length;
    const sd = Math.sqrt(frames * 0.2 * 0.8);
    expect(Math.abs(frames - arrived - frames * 0.2)).toBeLessThan(4.5 * sd);
    expect(settle(network, network.send('u1', 'e1', 100, 100))).toHaveLength(100);
  });

  it('every pair of up hosts is reachable unless a partition or a crash says otherwise', () => {
    const { net } = testNetwork({ hosts, regions, regionOf });
    expect(net.isReachable(0, 3)).toBe(true);
    net.partition([['e1', 'e2']], false);
    expect([net.isReachable(0, 1), net.isReachable(0, 2)]).toEqual([true, false]);
    net.heal();
    net.crash('u2');
    expect(net.isReachable(0, 3)).toBe(false);
  });
});

describe('per-node streams', () => {
  const draws = (streams: NodeStreams, index: number, count: number): number[] => Array.from({ length: count }, () => streams.next(index));

  it('a node\'s draws depend on its name and the seed, not on the other nodes', () => {
    const first = new NodeStreams(createRng(1));
    const second = new NodeStreams(createRng(1));
    first.add('x');
    first.add('y');
    second.add('z');
    second.add('w');
    second.add('y');
    expect(draws(second, 2, 5)).toEqual(draws(first, 1, 5));
    const sameSeed = new NodeStreams(createRng(1));
    const otherSeed = new NodeStreams(createRng(2));
    sameSeed.add('y');
    otherSeed.add('y');
    expect(draws(otherSeed, 0, 5)).not.toEqual(draws(sameSeed, 0, 5));
  });

  it('draws are uniform on [0, 1) and uncorrelated with the next draw', () => {
    const streams = new NodeStreams(createRng(7));
    streams.add('n1');
    const values = draws(streams, 0, 100_000);
    const bins = new Array<number>(10).fill(0);
    for (const value of values) bins[Math.floor(value * 10)]!++;
    const expected = values.length / 10;
    const chiSquare = bins.reduce((sum, count) => sum + (count - expected) ** 2 / expected, 0);
    expect(chiSquare).toBeLessThan(33.7); // 9 degrees of freedom, p = 1e-4
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
    let covariance = 0;
    let variance = 0;
    for (let i = 0; i + 1 < values.length; i++) covariance += (values[i]! - mean) * (values[i + 1]! - mean);
    for (const value of values) variance += (value - mean) ** 2;
    expect(Math.abs(covariance / variance)).toBeLessThan(0.015);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
  });
});
