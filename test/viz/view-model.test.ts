import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { summarizeTrace, type TraceEvent, type TraceRecord } from '../../core/index.js';
import { loadScenario } from '../../scenarios/index.js';
import { simulate } from '../../sim/index.js';
import { buildViewModel, causalChildren, causalFuture, causalPast, connectionsAt, findLink, latencyPercentiles, nodeStateAt, type ViewModel } from '../../viz/index.js';
import { CRASH_MS, HEAL_MS, PARTITION_MS, RESTART_MS, handHeader, ringTrace } from './scenario.js';

const HEADER = handHeader({ a: '00', b: '01', c: '02' });

function numbered(records: ReadonlyArray<TraceRecord>): TraceEvent[] {
  return records.map((record, seq) => ({ ...record, seq }));
}

describe('view model of a hand-written trace', () => {
  // m1: a → b delivered; m2: a → b lost at the sender; m3: a → c dropped at c (crashed);
  // m4: b → c duplicated (two arrivals); m5: c → a received then rejected; m6: a → b still in flight.
  const events = numbered([
    { t: 0, kind: 'send', node: 'a', engine: 'p', msg: 'm1', dst: 'engine', to: 'b/e', bytes: 5 },
    { t: 0, kind: 'transmit', node: 'a', msg: 'm1', peer: 'b', bytes: 50 },
    { t: 1, kind: 'send', node: 'a', engine: 'p', msg: 'm2', dst: 'engine', to: 'b/e', bytes: 5 },
    { t: 1, kind: 'transmit', node: 'a', msg: 'm2', peer: 'b', bytes: 50 },
    { t: 1, kind: 'drop', node: 'a', msg: 'm2', peer: 'b', bytes: 50, reason: 'loss' },
    { t: 2, kind: 'send', node: 'a', engine: 'p', msg: 'm3', dst: 'engine', to: 'c/e', bytes: 5 },
    { t: 2, kind: 'transmit', node: 'a', msg: 'm3', peer: 'c', bytes: 50 },
    { t: 3, kind: 'crash', node: 'c' },
    { t: 10, kind: 'receive', node: 'b', msg: 'm1', peer: 'a', bytes: 50 },
    { t: 10, kind: 'deliver', node: 'b', engine: 'e', msg: 'm1', bytes: 5, peer: 'a' },
    { t: 10, kind: 'send', node: 'b', engine: 'e', msg: 'm4', dst: 'engine', to: 'a/p', bytes: 5, cause: 'm1' },
    { t: 10, kind: 'transmit', node: 'b', msg: 'm4', peer: 'a', bytes: 51 },
    { t: 12, kind: 'drop', node: 'c', msg: 'm3', peer: 'a', bytes: 50, reason: 'crashed' },
    { t: 15, kind: 'restart', node: 'c' },
    { t: 20, kind: 'receive', node: 'a', msg: 'm4', peer: 'b', bytes: 51 },
    { t: 20, kind: 'deliver', node: 'a', engine: 'p', msg: 'm4', bytes: 5, peer: 'b' },
    { t: 21, kind: 'receive', node: 'a', msg: 'm4', peer: 'b', bytes: 51 },
    { t: 21, kind: 'drop', node: 'a', msg: 'm4', peer: 'b', reason: 'replay' },
    { t: 22, kind: 'send', node: 'c', engine: 'q', msg: 'm5', dst: 'node', to: 'a', bytes: 5, cause: 'm4' },
    { t: 22, kind: 'transmit', node: 'c', msg: 'm5', peer: 'a', bytes: 52 },
    { t: 32, kind: 'receive', node: 'a', msg: 'm5', peer: 'c', bytes: 52 },
    { t: 32, kind: 'verify-fail', node: 'a', msg: 'm5', peer: 'c', bytes: 52, reason: 'engine-signature' },
    { t: 40, kind: 'send', node: 'a', engine: 'p', msg: 'm6', dst: 'engine', to: 'b/e', bytes: 5 },
    { t: 40, kind: 'transmit', node: 'a', msg: 'm6', peer: 'b', bytes: 50 },
    { t: 45, kind: 'timer', node: 'a', engine: 'p', text: 'tick' },
  ]);
  const model = buildViewModel(HEADER, events);
  const flightOf = (id: string): ReadonlyArray<ViewModel['flights'][number]> => model.flights.filter((flight) => model.messages[flight.message]!.id === id);
  const reason = (index: number): string | undefined => model.reasons[index];

  it('counts events by kind, messages and frames', () => {
    expect(model.counts.events).toBe(events.length);
    expect(model.counts.byKind).toMatchObject({ send: 6, transmit: 6, receive: 4, deliver: 2, drop: 3, 'verify-fail': 1, timer: 1, crash: 1, restart: 1 });
    expect(model.counts.messages).toBe(6);
    expect(model.counts.dropsByReason).toEqual({ loss: 1, crashed: 1, replay: 1 });
    expect(model.nodes).toEqual(['a', 'b', 'c']);
    expect(model.endMs).toBe(45);
  });

  it('pairs each transmit with its receive or drop', () => {
    expect(flightOf('m1')).toMatchObject([{ from: 0, to: 1, startMs: 0, endMs: 10, status: 'delivered', bytes: 50 }]);
    const [lost] = flightOf('m2');
    expect(lost).toMatchObject({ status: 'dropped', startMs: 1, endMs: 1 });
    expect(reason(lost!.reason)).toBe('loss');
    const [crashed] = flightOf('m3');
    expect(crashed).toMatchObject({ status: 'dropped', from: 0, to: 2, endMs: 12 });
    expect(reason(crashed!.reason)).toBe('crashed');
    expect(flightOf('m6')).toMatchObject([{ status: 'in-flight', endMs: 45 }]);
  });

  it('draws a second arrival as a duplicate flight and marks post-receive rejections', () => {
    const duplicated = flightOf('m4');
    expect(duplicated.map((flight) => [flight.isDuplicate, flight.status, flight.endMs])).toEqual([
      [false, 'delivered', 20],
      [true, 'rejected', 21],
    ]);
    const [rejected] = flightOf('m5');
    expect(rejected!.status).toBe('rejected');
    expect(reason(rejected!.reason)).toBe('engine-signature');
  });

  it('keeps flights sorted by start and ties every drop marker to the flight it ended', () => {
    const starts = model.flights.map((flight) => flight.startMs);
    expect(starts).toEqual([...starts].sort((x, y) => x - y));
    const drops = model.markers.filter((marker) => marker.kind === 'drop' || marker.kind === 'verify-fail');
    expect(drops).toHaveLength(4);
    for (const marker of drops) {
      const flight = model.flights[marker.flight]!;
      expect(flight.message).toBe(marker.message);
      expect(flight.reason).toBe(marker.reason);
    }
    expect(model.markers.find((marker) => marker.kind === 'timer')).toMatchObject({ node: 0, flight: -1, text: 'tick' });
  });

  it('builds the causality graph from cause links', () => {
    const index = (id: string): number => model.messages.findIndex((message) => message.id === id);
    expect(model.messages[index('m4')]!.parent).toBe(index('m1'));
    expect(causalPast(model.messages, index('m5'))).toEqual([index('m4'), index('m1')]);
    expect(causalFuture(causalChildren(model.messages), index('m1'))).toEqual([index('m4'), index('m5')]);
    expect(causalPast(model.messages, index('m2'))).toEqual([]);
  });

  it('aggregates traffic per link and direction', () => {
    expect(model.links.map((link) => [link.a, link.b])).toEqual([[0, 1], [0, 2]]);
    const ab = findLink(model.links, 1, 0)!;
    expect(ab.ab).toEqual({ frames: 3, bytes: 150, delivered: 1, dropped: 1 });
    expect(ab.ba).toEqual({ frames: 2, bytes: 102, delivered: 1, dropped: 1 });
    const ac = findLink(model.links, 0, 2)!;
    expect(ac.ab).toEqual({ frames: 1, bytes: 50, delivered: 0, dropped: 1 });
    expect(ac.ba).toEqual({ frames: 1, bytes: 52, delivered: 0, dropped: 1 });
  });

  it('tracks node state over time', () => {
    expect(nodeStateAt(model, 2, 2.9).isUp).toBe(true);
    expect(nodeStateAt(model, 2, 3).isUp).toBe(false);
    expect(nodeStateAt(model, 2, 14.9).isUp).toBe(false);
    expect(nodeStateAt(model, 2, 15).isUp).toBe(true);
    expect(nodeStateAt(model, 0, 100)).toEqual({ t: 0, isUp: true, group: -1 });
  });

  it('measures send → deliver latency of first deliveries', () => {
    expect(model.deliveries.map((delivery) => [delivery.latencyMs, delivery.isDuplicate])).toEqual([
      [10, false],
      [10, false],
    ]);
    expect(latencyPercentiles(model)).toEqual({ count: 2, p50: 10, p90: 10, p99: 10, max: 10 });
  });

  it('treats an id sent again after a restart as a new message', () => {
    const reused = buildViewModel(
      HEADER,
      numbered([
        { t: 0, kind: 'send', node: 'a', engine: 'p', msg: 'x:1', dst: 'engine', to: 'b/e', bytes: 5 },
        { t: 0, kind: 'transmit', node: 'a', msg: 'x:1', peer: 'b', bytes: 50 },
        { t: 5, kind: 'receive', node: 'b', msg: 'x:1', peer: 'a', bytes: 50 },
        { t: 5, kind: 'deliver', node: 'b', engine: 'e', msg: 'x:1', bytes: 5 },
        { t: 6, kind: 'crash', node: 'a' },
        { t: 7, kind: 'restart', node: 'a' },
        { t: 8, kind: 'send', node: 'a', engine: 'p', msg: 'x:1', dst: 'engine', to: 'b/e', bytes: 5 },
        { t: 8, kind: 'transmit', node: 'a', msg: 'x:1', peer: 'b', bytes: 50 },
        { t: 10, kind: 'receive', node: 'b', msg: 'x:1', peer: 'a', bytes: 50 },
        { t: 10, kind: 'deliver', node: 'b', engine: 'e', msg: 'x:1', bytes: 5 },
      ]),
    );
    expect(reused.messages.map((message) => [message.id, message.sentMs])).toEqual([['x:1', 0], ['x:1', 8]]);
    expect(reused.flights.map((flight) => [flight.message, flight.status])).toEqual([[0, 'delivered'], [1, 'delivered']]);
    expect(reused.deliveries.map((delivery) => [delivery.message, delivery.latencyMs, delivery.isDuplicate])).toEqual([[0, 5, false], [1, 2, false]]);
  });

  it('sorts out-of-order events by time, then seq', () => {
    const shuffled = [...events].reverse();
    expect(buildViewModel(HEADER, shuffled)).toEqual(model);
  });
});

describe('connections over time', () => {
  // a–b opens at 1 (both ends), b closes its end at 5 (half-open), a its end at 6; a–c opens at 2,
  // c crashes at 8 (its end closes with it, a's stays: half-open), a closes at 9; a dials b again at 12.
  const model = buildViewModel(
    HEADER,
    numbered([
      { t: 1, kind: 'connect', node: 'a', peer: 'b' },
      { t: 1, kind: 'connect', node: 'b', peer: 'a' },
      { t: 2, kind: 'connect', node: 'c', peer: 'a' },
      { t: 2, kind: 'connect', node: 'a', peer: 'c' },
      { t: 3, kind: 'connect', node: 'a', peer: 'b' }, // already open: no second span
      { t: 5, kind: 'disconnect', node: 'b', peer: 'a', reason: 'closed' },
      { t: 6, kind: 'disconnect', node: 'a', peer: 'b', reason: 'closed' },
      { t: 7, kind: 'disconnect', node: 'b', peer: 'c', reason: 'closed' }, // never opened: ignored
      { t: 8, kind: 'crash', node: 'c' },
      { t: 9, kind: 'disconnect', node: 'a', peer: 'c', reason: 'idle-timeout' },
      { t: 12, kind: 'connect', node: 'a', peer: 'b' },
      { t: 12, kind: 'connect', node: 'b', peer: 'a' },
      { t: 14, kind: 'timer', node: 'a', text: 'end' },
    ]),
  );
  const at = (t: number): number[] => Array.from(connectionsAt(model, t));

  it('has one pair per connected couple of nodes and one span per end opened', () => {
    expect(model.connectionPairs).toEqual([{ a: 0, b: 1 }, { a: 0, b: 2 }]);
    expect(model.connections.map((span) => [span.pair, span.isEndA, span.startMs, span.endMs])).toEqual([
      [0, true, 1, 6],
      [0, false, 1, 5],
      [1, false, 2, 8],
      [1, true, 2, 9],
      [0, true, 12, Number.POSITIVE_INFINITY],
      [0, false, 12, Number.POSITIVE_INFINITY],
    ]);
  });

  it('counts the open ends of each pair at the scrubbed time: open, half-open after a close or a crash, closed', () => {
    expect(at(0)).toEqual([0, 0]);
    expect(at(1)).toEqual([2, 0]);
    expect(at(4)).toEqual([2, 2]);
    expect(at(5)).toEqual([1, 2]);
    expect(at(6.5)).toEqual([0, 2]);
    expect(at(8)).toEqual([0, 1]);
    expect(at(9)).toEqual([0, 0]);
    expect(at(14)).toEqual([2, 0]);
  });
});

describe('connections of scenarios/examples/overlay-keeper.yaml', () => {
  it('n4\'s connections go half-open at its crash (2 s) and close when its peers time them out (1 s idle), and the keepers\' replacements open', async () => {
    const scenario = await loadScenario(join(import.meta.dirname, '..', '..', 'scenarios', 'examples', 'overlay-keeper.yaml'));
    const { header, events } = simulate(scenario.plan);
    const model = buildViewModel(header, events);
    const n4 = model.nodes.indexOf('n4');
    const ofN4 = model.connectionPairs.flatMap((pair, index) => (pair.a === n4 || pair.b === n4 ? [index] : []));
    expect(ofN4.length).toBeGreaterThan(0);
    const ends = (t: number, pairs: ReadonlyArray<number>): number[] => pairs.map((pair) => connectionsAt(model, t)[pair]!);
    expect(ends(1999, ofN4)).toEqual(ofN4.map(() => 2));
    expect(ends(2001, ofN4)).toEqual(ofN4.map(() => 1));
    expect(ends(3001, ofN4)).toEqual(ofN4.map(() => 0));
    const opened = (t0: number, t1: number): number => model.connections.filter((span) => span.startMs > t0 && span.startMs <= t1).length;
    expect(opened(3000, 6000)).toBeGreaterThan(0);
  });
});

describe('view model of a simulated ring (crash, restart, partition, loss, pub/sub)', () => {
  let trace: ReturnType<typeof ringTrace>;
  let model: ViewModel;
  beforeAll(() => {
    trace = ringTrace();
    model = buildViewModel(trace.header, trace.events);
  });
  const count = (predicate: (event: TraceEvent) => boolean): number => trace.events.filter(predicate).length;

  it('agrees with the core trace summary', () => {
    const summary = summarizeTrace(trace.events);
    expect(model.counts.events).toBe(summary.events);
    expect(model.counts.delivered).toBe(summary.delivered);
    expect(model.counts.dropped).toBe(summary.dropped);
    expect(model.counts.dropsByReason).toEqual(summary.dropsByReason);
    expect(model.nodes).toEqual(Object.keys(trace.header.nodes));
    expect(latencyPercentiles(model)).toEqual(summary.latencyMs);
  });

  it('has one flight per transmit, every one resolved', () => {
    expect(model.flights).toHaveLength(count((event) => event.kind === 'transmit'));
    const statuses = new Map<string, number>();
    for (const flight of model.flights) statuses.set(flight.status, (statuses.get(flight.status) ?? 0) + 1);
    expect(statuses.get('delivered')).toBe(count((event) => event.kind === 'receive'));
    expect(statuses.get('dropped')).toBe(count((event) => event.kind === 'drop' && event.peer !== undefined && event.msg !== undefined));
    expect(statuses.get('dropped')).toBeGreaterThan(0);
  });

  it('sums per-link loads to the traffic between each pair', () => {
    expect(model.links).toHaveLength(6);
    for (const link of model.links) {
      const [a, b] = [model.nodes[link.a]!, model.nodes[link.b]!];
      expect(link.ab.frames).toBe(count((event) => event.kind === 'transmit' && event.node === a && event.peer === b));
      expect(link.ba.frames).toBe(count((event) => event.kind === 'transmit' && event.node === b && event.peer === a));
      expect(link.ab.delivered + link.ba.delivered).toBe(count((event) => event.kind === 'receive' && ((event.node === a && event.peer === b) || (event.node === b && event.peer === a))));
    }
  });

  it('links every echo reply to the ping that caused it', () => {
    const replies = model.messages.filter((message) => message.sourceEngine >= 0 && model.engines[message.sourceEngine] === 'echo');
    expect(replies.length).toBeGreaterThan(0);
    for (const reply of replies) {
      const ping = model.messages[reply.parent]!;
      expect(model.engines[ping.sourceEngine]).toBe('ping');
      expect(model.nodes[ping.sourceNode]).toBe(reply.to.split('/')[0]);
    }
  });

  it('shows the crash, the restart and the partition groups at the right times', () => {
    const n2 = model.nodes.indexOf('n2');
    expect(nodeStateAt(model, n2, CRASH_MS - 1).isUp).toBe(true);
    expect(nodeStateAt(model, n2, CRASH_MS).isUp).toBe(false);
    expect(nodeStateAt(model, n2, RESTART_MS).isUp).toBe(true);
    expect(nodeStateAt(model, model.nodes.indexOf('n0'), PARTITION_MS + 1).group).toBe(0);
    expect(nodeStateAt(model, model.nodes.indexOf('n4'), PARTITION_MS + 1).group).toBe(1);
    expect(nodeStateAt(model, model.nodes.indexOf('n4'), HEAL_MS).group).toBe(-1);
    expect(model.partitions).toEqual([{ startMs: PARTITION_MS, endMs: HEAL_MS, groups: [['n0', 'n1', 'n2'], ['n3', 'n4', 'n5']] }]);
  });

  it('shows the connections at each time: all open, the crashed node\'s half-open until they are replaced after its restart', () => {
    const state = (t: number): Record<string, number> => {
      const ends = connectionsAt(model, t);
      return Object.fromEntries(model.connectionPairs.map((pair, index) => [`${model.nodes[pair.a]}|${model.nodes[pair.b]}`, ends[index]!]));
    };
    const opens = count((event) => event.kind === 'connect');
    expect(model.connections).toHaveLength(opens);
    expect(Object.values(state(0))).toEqual([0, 0, 0, 0, 0, 0]);
    expect(Object.values(state(CRASH_MS - 1))).toEqual([2, 2, 2, 2, 2, 2]);
    expect(state(CRASH_MS + 1)).toMatchObject({ 'n1|n2': 1, 'n2|n3': 1, 'n0|n1': 2, 'n3|n4': 2 });
    expect(Object.values(state(trace.header.durationMs ?? 5000))).toEqual([2, 2, 2, 2, 2, 2]);
  });

  it('counts pub/sub deliveries per topic', () => {
    expect(model.topicStats).toHaveLength(1);
    const [news] = model.topicStats;
    expect(news!.topic).toBe('news');
    expect(news!.published).toBe(count((event) => event.kind === 'send' && event.dst === 'topic'));
    expect(news!.delivered).toBe(news!.expected);
    expect(news!.ratio).toBe(1);
  });
});
