// VirtualNetwork's frame interface (indexOf, carry, isReachable, roundTripMs, onChange), driven
// directly on a scheduler without nodes or engines.
import { describe, expect, it } from 'vitest';
import { createRng, LINK_DEFAULTS, type LinkSpec, type TraceRecord } from '../../core/index.js';
import { Scheduler, VirtualNetwork } from '../../sim/index.js';

function network(links: ReadonlyArray<readonly [string, string, Partial<LinkSpec>?]>, names: ReadonlyArray<string>) {
  const scheduler = new Scheduler();
  const records: TraceRecord[] = [];
  const net = new VirtualNetwork(scheduler, createRng(1).fork('network'), (record) => records.push(record));
  for (const name of names) net.addNode(name, `id-${name}`);
  for (const [a, b, spec] of links) net.addLink({ a, b, ab: { ...LINK_DEFAULTS, ...spec }, ba: { ...LINK_DEFAULTS, ...spec } });
  return { scheduler, records, net };
}

describe('VirtualNetwork.carry', () => {
  it('indexes hosts densely in the order they were added', () => {
    const { net } = network([], ['a', 'b', 'c']);
    expect(['a', 'b', 'c'].map((name) => net.indexOf(name))).toEqual([0, 1, 2]);
  });

  it('calls arrive(hops) at arrival time after latency plus serialization', () => {
    const { net, scheduler } = network([['a', 'b', { latencyMs: 25, bandwidthBytesPerSecond: 1000 }]], ['a', 'b']);
    const arrivals: Array<[number, number]> = [];
    net.carry(0, 1, new Uint8Array(100), { msg: 'm1' }, (hops) => arrivals.push([scheduler.now(), hops]));
    scheduler.run(1000);
    expect(arrivals).toEqual([[125, 1]]);
  });

  it('traces each drop with its reason at the sender, and a crash of the receiver drops frames in flight', () => {
    const { net, scheduler, records } = network([['a', 'b', { latencyMs: 10, frameSizeMaxBytes: 50 }]], ['a', 'b', 'c']);
    const arrived: string[] = [];
    const arrive = (label: string) => () => arrived.push(label);
    net.carry(0, 1, new Uint8Array(51), { msg: 'big' }, arrive('big'));
    net.carry(0, 2, new Uint8Array(10), { msg: 'far' }, arrive('far'));
    scheduler.schedule(5, () => net.carry(0, 1, new Uint8Array(10), { msg: 'late', expiryMs: 1 }, arrive('late')));
    net.carry(0, 1, new Uint8Array(10), { msg: 'inflight' }, arrive('inflight'));
    scheduler.schedule(5, () => net.crash('b'));
    scheduler.run(100);
    expect(arrived).toEqual([]);
    expect(records.map((record) => [record.msg, record.node, record.reason])).toEqual([
      ['big', 'a', 'too-large'],
      ['far', 'a', 'unreachable'],
      ['late', 'a', 'expired'],
      ['inflight', 'b', 'crashed'],
    ]);
  });

  it('isReachable and roundTripMs follow link state, crashes and partitions; onChange fires on each change', () => {
    const { net } = network([['a', 'b', { latencyMs: 7 }]], ['a', 'b', 'c']);
    let changes = 0;
    net.onChange(() => changes++);
    expect(net.isReachable(0, 1)).toBe(true);
    expect(net.roundTripMs(0, 1)).toBe(14);
    expect(net.isReachable(0, 2)).toBe(false);
    expect(net.roundTripMs(0, 2)).toBeUndefined();
    net.setLink('a', 'b', { latencyMs: 20 });
    expect(net.roundTripMs(1, 0)).toBe(40);
    net.setLinkUp('a', 'b', false);
    expect(net.isReachable(0, 1)).toBe(false);
    net.setLinkUp('a', 'b', true);
    net.partition([['a'], ['b']], true);
    expect([net.isReachable(0, 1), net.isReachable(1, 0)]).toEqual([false, true]);
    net.heal();
    net.crash('b');
    expect(net.isReachable(0, 1)).toBe(false);
    net.restart('b');
    expect(net.isReachable(0, 1)).toBe(true);
    expect(changes).toBe(7);
  });
});
