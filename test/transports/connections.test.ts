// The engine connection API (ctx.connections, SPEC §4.2) behaves the same on every backend: an
// engine that watches gets node-connected / node-disconnected / node-connect-failed in the same
// order, with the same typed results, on the simulator, TLS and QUIC (real loopback sockets).
import { afterEach, describe, expect, it } from 'vitest';
import { CONNECTION_DEFAULTS, type Engine, type EngineFactory, type Id } from '../../core/index.js';
import { simulate } from '../../sim/index.js';
import { custom, engine, graphPlan } from '../engines/plan.js';
import { closeAll, engineKeyOf, startNodes, waitFor, type TestNode } from './helpers.js';

/**
 * Connects to b; once connected, disconnects; once disconnected, connects to d (which is down).
 * Records each result and notice (reasons of failed dials differ by transport, so they are left out).
 */
function watcher(peers: () => { b: Id; d: Id }, seen: string[]): Engine {
  return {
    handle(input, ctx) {
      const { b, d } = peers();
      const name = (node: Id): string => (node === b ? 'b' : node === d ? 'd' : '?');
      if (input.kind === 'start') {
        ctx.connections.watch();
        seen.push(`connect b: ${ctx.connections.connect(b)}`);
      }
      if (input.kind !== 'notice') return;
      const notice = input.notice;
      if (notice.kind === 'node-connected') {
        seen.push(`node-connected ${name(notice.node)}; list ${ctx.connections.list().map((entry) => name(entry.node)).join()}`);
        seen.push(`disconnect b: ${ctx.connections.disconnect(notice.node)}`);
      }
      if (notice.kind === 'node-disconnected') {
        seen.push(`node-disconnected ${name(notice.node)} ${notice.reason}; list ${ctx.connections.list().length}`);
        seen.push(`connect d: ${ctx.connections.connect(d)}`);
      }
      if (notice.kind === 'node-connect-failed') seen.push(`node-connect-failed ${name(notice.node)}`);
    },
  };
}

const EXPECTED = ['connect b: dialling', 'node-connected b; list b', 'disconnect b: disconnected', 'node-disconnected b requested; list 0', 'connect d: dialling', 'node-connect-failed d'];

describe('connection notices are the same on every backend', () => {
  let nodes: TestNode[] = [];
  afterEach(async () => {
    await closeAll(nodes);
    nodes = [];
  });

  it('simulator', () => {
    const seen: string[] = [];
    const factory: EngineFactory = (_params, env) => watcher(() => ({ b: env.nodeId!('n1')!, d: env.nodeId!('n2')! }), seen);
    const plan = graphPlan(3, [[0, 1], [0, 2]], (i) => (i === 0 ? [custom('watcher', factory)] : [engine('echo')]), { durationMs: 10_000, events: [{ atMs: 0, kind: 'crash', node: 'n2' }] });
    simulate({ ...plan, connections: { ...CONNECTION_DEFAULTS, permanent: 'none' } });
    expect(seen).toEqual(EXPECTED);
  });

  for (const scheme of ['tls', 'quic'] as const) {
    it(`${scheme} (loopback)`, async () => {
      nodes = await startNodes(['a', 'b', 'd'], [scheme]);
      const [a, b, d] = nodes as [TestNode, TestNode, TestNode];
      await d.real.close(); // a still has d's advert: dialling it fails
      const seen: string[] = [];
      a.real.node.addEngine('watcher', engineKeyOf('a/watcher'), watcher(() => ({ b: b.real.id, d: d.real.id }), seen));
      a.real.node.start();
      await waitFor(() => seen.length === EXPECTED.length, 'the connect, disconnect and failed connect');
      expect(seen).toEqual(EXPECTED);
      // The trace record of the failed dial says why, not only where (the driver's message names the address too).
      const failed = a.trace.find((record) => record.kind === 'connect-failed');
      expect(failed?.text).toContain(d.real.addresses[0]!);
      expect(failed?.text?.length).toBeGreaterThan(d.real.addresses[0]!.length);
    });
  }
});
