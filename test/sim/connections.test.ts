// The simulated Transport's connections (sim/connections.ts) and the engine connection API
// (ctx.connections): S17, S18, S19, S20, S21 in virtual time.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONNECTION_DEFAULTS, type ConnectionSettings, type EngineContext, type EngineFactory, type Id, type NetworkPlan, type PlanEvent, type TraceEvent } from '../../core/index.js';
import { simulate } from '../../sim/index.js';
import { custom, engine, graphPlan } from '../engines/plan.js';

/** What a scripted engine saw: results of its calls and notices, with their virtual time. */
type Seen = Array<{ t: number; what: string }>;

/** An engine that watches connections and runs `script[tag]` at `atMs` (tags in order of time). */
function scripted(seen: Seen, steps: ReadonlyArray<{ atMs: number; run: (ctx: EngineContext, peer: (name: string) => Id) => string | undefined }>): EngineFactory {
  return (_params, env) => ({
    handle(input, ctx) {
      const peer = (name: string): Id => env.nodeId!(name)!;
      const names = new Map((env.nodeNames ?? []).map((name) => [peer(name), name]));
      if (input.kind === 'start') {
        ctx.connections.watch();
        steps.forEach((step, index) => ctx.setTimer(step.atMs, String(index)));
      }
      if (input.kind === 'timer') {
        const result = steps[Number(input.tag)]!.run(ctx, peer);
        if (result !== undefined) seen.push({ t: ctx.now(), what: result });
      }
      if (input.kind === 'notice' && 'node' in input.notice && input.notice.kind.startsWith('node-')) {
        const notice = input.notice as { kind: string; node: Id; reason?: string };
        seen.push({ t: ctx.now(), what: `${notice.kind} ${names.get(notice.node)}${notice.reason === undefined ? '' : ` ${notice.reason}`}` });
      }
    },
  });
}

/** Two linked nodes a–b (5 ms), `a` running `factory`, b an echo; no connections at boot. */
function pair(factory: EngineFactory, options: { events?: PlanEvent[]; connections?: Partial<ConnectionSettings>; durationMs?: number } = {}): NetworkPlan {
  const plan = graphPlan(2, [[0, 1]], (i) => (i === 0 ? [custom('app', factory)] : [engine('echo')]), { durationMs: options.durationMs ?? 20_000, ...(options.events !== undefined && { events: options.events }) });
  return { ...plan, nodes: plan.nodes.map((node, i) => ({ ...node, name: i === 0 ? 'a' : 'b' })), links: plan.links.map((link) => ({ ...link, a: 'a', b: 'b' })), connections: { ...CONNECTION_DEFAULTS, permanent: 'none', ...options.connections } };
}

const ofKind = (events: ReadonlyArray<TraceEvent>, kind: string, reason?: string): TraceEvent[] => events.filter((event) => event.kind === kind && (reason === undefined || event.reason === reason));

describe('connections on demand', () => {
  it('S20: connect answers dialling then connected; list and disconnect follow the connection', () => {
    const seen: Seen = [];
    const plan = pair(
      scripted(seen, [
        { atMs: 10, run: (ctx, peer) => ctx.connections.connect(peer('b')) },
        { atMs: 11, run: (ctx, peer) => `${ctx.connections.connect(peer('b'))} ${ctx.connections.list().length}` },
        { atMs: 50, run: (ctx, peer) => `${ctx.connections.connect(peer('b'))} ${ctx.connections.list().map((entry) => entry.address).join()}` },
        { atMs: 60, run: (ctx, peer) => ctx.connections.connect(peer('a')) },
        { atMs: 70, run: (ctx, peer) => ctx.connections.disconnect(peer('b')) },
        { atMs: 80, run: (ctx, peer) => `${ctx.connections.disconnect(peer('b'))} ${ctx.connections.isConnected(peer('b'))}` },
      ]),
    );
    simulate(plan);
    // The handshake costs one round trip: 10 ms on a 5 ms link.
    expect(seen).toEqual([
      { t: 10, what: 'dialling' },
      { t: 11, what: 'dialling 0' },
      { t: 20, what: 'node-connected b' },
      { t: 50, what: 'connected sim://b' },
      { t: 60, what: 'connect/self' },
      { t: 70, what: 'disconnected' },
      { t: 70, what: 'node-disconnected b requested' },
      { t: 80, what: 'disconnect/not-connected false' },
    ]);
  });

  it('S17: a node without the peer\'s advert cannot dial it (connect/no-address, no frames sent)', () => {
    const seen: Seen = [];
    const plan = pair(scripted(seen, [{ atMs: 10, run: (ctx, peer) => ctx.connections.connect(peer('b')) }]));
    const { events } = simulate({ ...plan, nodes: plan.nodes.map((node) => ({ ...node, knows: [] })) });
    expect(seen).toEqual([{ t: 10, what: 'connect/no-address' }]);
    expect(ofKind(events, 'connect')).toEqual([]);
  });

  it('the accepting side learns the dialler from the connection and answers without its advert', () => {
    const plan = graphPlan(2, [[0, 1]], (i) => (i === 0 ? [engine('ping', { targets: ['n1'], intervalMs: 100, count: 3 })] : [engine('echo')]), { durationMs: 1000 });
    // n0 knows n1; n1 knows nobody, yet its echo engine answers every ping over the connection.
    const { events } = simulate({ ...plan, nodes: [{ ...plan.nodes[0]!, knows: ['n1'] }, { ...plan.nodes[1]!, knows: [] }] });
    expect(ofKind(events, 'log').filter((event) => event.node === 'n0' && event.text === 'rtt')).toHaveLength(3);
    expect(ofKind(events, 'drop')).toEqual([]);
  });
});

describe('partitions, queues and expiry (S18)', () => {
  const cut = (atMs: number): PlanEvent => ({ atMs, kind: 'partition', groups: [['a'], ['b']], isOneWay: false });

  it('a partition that cuts the only path makes a connect fail after the connect timeout', () => {
    const seen: Seen = [];
    const plan = pair(scripted(seen, [{ atMs: 100, run: (ctx, peer) => ctx.connections.connect(peer('b')) }]), { events: [cut(50)], durationMs: 5200 });
    const { events } = simulate(plan);
    expect(seen).toEqual([
      { t: 100, what: 'dialling' },
      { t: 5100, what: 'node-connect-failed b dial/timeout' },
    ]);
    expect(ofKind(events, 'connect-failed', 'dial/timeout').map((event) => [event.node, event.peer, event.t])).toEqual([['a', 'b', 5100]]);
  });

  it('frames wait for the connection and are delivered after the heal', () => {
    const send: EngineFactory = (_params, env) => ({
      handle(input, ctx) {
        const echo = env.resolve('b/echo');
        if (input.kind === 'start') ctx.setTimer(100, 'send');
        if (input.kind === 'timer' && echo.ok) for (let i = 0; i < 3; i++) ctx.send({ kind: 'engine', ...echo.value }, new Uint8Array([i]));
      },
    });
    // The heal comes after the first dial timed out: the queued frames wait for the re-dial (back-off).
    const { events } = simulate(pair(send, { events: [cut(50), { atMs: 7000, kind: 'heal' }], durationMs: 9000 }));
    const delivered = ofKind(events, 'deliver').filter((event) => event.node === 'b');
    expect(delivered).toHaveLength(3);
    expect(delivered.every((event) => event.t > 7000)).toBe(true);
    expect(ofKind(events, 'log', 'queued').filter((event) => event.node === 'a')).toHaveLength(3);
    expect(ofKind(events, 'connect-failed', 'dial/timeout').length).toBeGreaterThanOrEqual(1);
    expect(ofKind(events, 'drop').filter((event) => event.node === 'a')).toEqual([]);
  });

  it('frames whose expiry passes while the peer is unreachable are dropped as expired, at their expiry', () => {
    const send: EngineFactory = (_params, env) => ({
      handle(input, ctx) {
        const echo = env.resolve('b/echo');
        if (input.kind === 'start') ctx.setTimer(100, 'send');
        if (input.kind === 'timer' && echo.ok) ctx.send({ kind: 'engine', ...echo.value }, new Uint8Array(1), { expiryMs: 1000 });
      },
    });
    const { events } = simulate(pair(send, { events: [cut(50), { atMs: 3000, kind: 'heal' }], durationMs: 4000 }));
    const expired = ofKind(events, 'drop', 'expired');
    expect(expired.map((event) => [event.node, event.peer, event.t])).toEqual([['a', 'b', 1100]]);
    expect(ofKind(events, 'deliver').filter((event) => event.node === 'b')).toEqual([]);
  });

  it('a bounded queue: frames beyond queueFrames are dropped as queue-full', () => {
    const send: EngineFactory = (_params, env) => ({
      handle(input, ctx) {
        const echo = env.resolve('b/echo');
        if (input.kind === 'start' && echo.ok) for (let i = 0; i < 5; i++) ctx.send({ kind: 'engine', ...echo.value }, new Uint8Array(1));
      },
    });
    const { events } = simulate(pair(send, { connections: { queueFramesMax: 3 }, durationMs: 500 }));
    expect(ofKind(events, 'drop', 'queue-full')).toHaveLength(2);
    expect(ofKind(events, 'deliver').filter((event) => event.node === 'b')).toHaveLength(3);
  });
});

describe('detection and permanence (S19, S21)', () => {
  it('a crashed peer is detected after the idle timeout; a permanent connection is re-dialled and comes back after the restart', () => {
    const seen: Seen = [];
    const plan = pair(scripted(seen, [{ atMs: 10, run: (ctx, peer) => ctx.connections.connect(peer('b'), { isPermanent: true }) }]), {
      events: [{ atMs: 1000, kind: 'crash', node: 'b' }, { atMs: 20_000, kind: 'restart', node: 'b' }],
      durationMs: 40_000,
    });
    const { events } = simulate(plan);
    expect(seen[0]).toEqual({ t: 10, what: 'dialling' });
    expect(seen[1]).toEqual({ t: 20, what: 'node-connected b' });
    expect(seen[2]).toEqual({ t: 1000 + CONNECTION_DEFAULTS.idleTimeoutMs, what: 'node-disconnected b idle-timeout' });
    // While b is down every re-dial times out; the one in progress at the restart completes.
    const failures = seen.filter((entry) => entry.what === 'node-connect-failed b dial/timeout');
    expect(failures.length).toBeGreaterThanOrEqual(1);
    expect(failures.every((entry) => entry.t > 7000 && entry.t < 20_000)).toBe(true);
    const back = seen.find((entry) => entry.what === 'node-connected b' && entry.t > 20_000);
    expect(back).toBeDefined();
    expect(seen.at(-1)).toEqual(back);
    expect(ofKind(events, 'connect').filter((event) => event.node === 'b').length).toBe(2);
  });

  it('a partition shorter than the idle timeout leaves the connection open; frames into the cut are dropped as partition', () => {
    const plan = graphPlan(2, [[0, 1]], (i) => (i === 0 ? [engine('ping', { targets: ['n1'], intervalMs: 100 })] : [engine('echo')]), {
      durationMs: 6000,
      events: [{ atMs: 1000, kind: 'partition', groups: [['n0'], ['n1']], isOneWay: false }, { atMs: 3000, kind: 'heal' }],
    });
    const { events } = simulate(plan);
    expect(ofKind(events, 'disconnect')).toEqual([]);
    expect(ofKind(events, 'connect')).toHaveLength(2); // dialled at boot, both ends
    expect(ofKind(events, 'drop', 'partition').length).toBeGreaterThanOrEqual(15);
    expect(ofKind(events, 'log').filter((event) => event.text === 'rtt' && event.t > 3100).length).toBeGreaterThan(20);
  });

  it('S21: an idle ephemeral connection is closed (idle at the closing end, closed at the other); a permanent end re-dials', () => {
    const seen: Seen = [];
    const plan = pair(
      scripted(seen, [
        { atMs: 10, run: (ctx, peer) => ctx.connections.connect(peer('b')) },
        { atMs: 5000, run: (ctx, peer) => ctx.connections.connect(peer('b'), { isPermanent: true }) },
      ]),
      { connections: { ephemeralIdleMs: 2000 }, durationMs: 20_000 },
    );
    const { events } = simulate(plan);
    expect(seen.slice(0, 5)).toEqual([
      { t: 10, what: 'dialling' },
      { t: 20, what: 'node-connected b' },
      { t: 2020, what: 'node-disconnected b idle' },
      { t: 5000, what: 'dialling' },
      { t: 5010, what: 'node-connected b' },
    ]);
    // Permanence is local, as on real transports: b's end of the connection is ephemeral and closes
    // when idle; a, which keeps it permanent, never closes it and dials again after each close.
    const later = seen.slice(5);
    expect(later.length).toBeGreaterThan(4);
    later.forEach((entry, index) => expect(entry.what).toBe(index % 2 === 0 ? 'node-disconnected b closed' : 'node-connected b'));
    expect(ofKind(events, 'disconnect').filter((event) => event.node === 'a').map((event) => event.reason)).toEqual(['idle', ...later.filter((entry) => entry.what.startsWith('node-disconnected')).map(() => 'closed')]);
    expect(ofKind(events, 'disconnect').filter((event) => event.node === 'b').every((event) => event.reason === (event.t < 5000 ? 'closed' : 'idle'))).toBe(true);
  });

  it('simultaneous dials make one connection: each end sees node-connected once', () => {
    const plan = graphPlan(2, [[0, 1]], () => [engine('echo')], { durationMs: 1000 });
    const { events } = simulate(plan); // both nodes dial their neighbour at boot (permanent: neighbors)
    expect(ofKind(events, 'connect').map((event) => [event.node, event.peer, event.t])).toEqual([
      ['n0', 'n1', 10],
      ['n1', 'n0', 10],
    ]);
  });
});

describe('docs/overlay.md', () => {
  it('quotes the keeper engine of scenarios/examples/modules/keeper.ts verbatim (the example scenario runs it)', () => {
    const root = join(import.meta.dirname, '..', '..');
    const doc = readFileSync(join(root, 'docs', 'overlay.md'), 'utf8');
    const module = readFileSync(join(root, 'scenarios', 'examples', 'modules', 'keeper.ts'), 'utf8');
    const quoted = /```ts\n(export const keeper[\s\S]*?)```/.exec(doc)?.[1];
    expect(quoted).toBeDefined();
    expect(module.endsWith(quoted!)).toBe(true);
  });
});
