// Every simulated node has its own Network Identity Store, built from its configuration at each
// boot: knowledge (`knows:`), local measurements and trust are that node's alone.
import { describe, expect, it } from 'vitest';
import { verifyAdvert, type EngineFactory, type Id } from '../../core/index.js';
import { signDomainAdvertAs as signDomainAdvert } from '../support/domains.js';
import { loadScenarioText } from '../../scenarios/index.js';
import { simulate } from '../../sim/index.js';
import { custom, engine, graphPlan } from '../engines/plan.js';

describe('per-node views', () => {
  it('a failure recorded by node A for member m2 does not change node B\'s anycast choice', () => {
    const choices: string[] = [];
    // Nodes n0 (A) and n1 (B) are clients; n2 (m1) and n3 (m2) the members, linked to both clients.
    const client: EngineFactory = (_params, env) => ({
      handle(input, ctx) {
        const domain = env.domainKey!('resolvers');
        const [m1, m2] = [env.nodeId!('n2')!, env.nodeId!('n3')!];
        if (input.kind === 'start') {
          ctx.offerAdvert(signDomainAdvert(ctx, domain, [m1, m2]));
          ctx.recordRtt(m1, 20);
          ctx.recordRtt(m2, 10); // m2 is closer for both clients
          ctx.setTimer(100, 'fail');
          ctx.setTimer(200, 'choose');
        }
        if (input.kind === 'timer' && input.tag === 'fail' && env.nodeName === 'n0') ctx.recordFailure(m2);
        if (input.kind === 'timer' && input.tag === 'choose') choices.push(`${env.nodeName}→${ctx.domains.anycastMember(domain.id) === m1 ? 'm1' : 'm2'}`);
      },
    });
    const plan = graphPlan(4, [[0, 2], [0, 3], [1, 2], [1, 3]], (i) => (i < 2 ? [custom('client', client)] : [engine('echo')]), { durationMs: 500 });
    const result = simulate(plan);
    expect(choices.sort()).toEqual(['n0→m1', 'n1→m2']);
    expect(result.nodeView('n0').identities.find((record) => record.name === 'n3')?.failures).toBe(1);
    expect(result.nodeView('n1').identities.find((record) => record.name === 'n3')?.failures).toBe(0);
  });

  it('a node starts from its configuration: the adverts of its link neighbours by default, signed and marked configured', () => {
    const result = simulate(graphPlan(4, [[0, 1], [1, 2], [2, 3]], () => [engine('echo')], { durationMs: 100 }));
    const view = result.nodeView('n1');
    expect(view.identities.map((record) => [record.name, record.addresses, record.isConfigured])).toEqual([
      ['n0', ['sim://n0'], true],
      ['n2', ['sim://n2'], true],
    ]);
    expect(view.connections.map((connection) => [connection.peer, connection.isPermanent])).toEqual([
      ['n0', true],
      ['n2', true],
    ]);
  });

  it('the configured adverts are signed by each node\'s own key', () => {
    const checked: string[] = [];
    const checker: EngineFactory = (_params, env) => ({
      handle(input, ctx) {
        if (input.kind !== 'start') return;
        for (const name of env.known ?? []) {
          const advert = ctx.lookupNode(env.nodeId!(name)!)?.advert;
          checked.push(`${name}:${advert !== undefined && advert.id === env.nodeId!(name) && verifyAdvert(ctx.verify, advert)}`);
        }
      },
    });
    simulate(graphPlan(3, [[0, 1], [1, 2]], (i) => (i === 1 ? [custom('checker', checker)] : []), { durationMs: 10, crypto: 'ed25519' }));
    expect(checked).toEqual(['n0:true', 'n2:true']);
  });

  it('a restart starts from configuration again: what the node changed at run time is gone', () => {
    const banner: EngineFactory = (_params, env) => ({
      handle(input, ctx) {
        const n1: Id = env.nodeId!('n1')!;
        if (input.kind === 'start' && ctx.session === 1) ctx.setTimer(100, 'ban');
        if (input.kind === 'timer') ctx.updateNode(n1, { trust: 0 });
      },
    });
    const plan = graphPlan(2, [[0, 1]], (i) => (i === 0 ? [custom('banner', banner), engine('ping', { targets: ['n1'], intervalMs: 50 })] : [engine('echo')]), {
      durationMs: 2000,
      events: [{ atMs: 1000, kind: 'crash', node: 'n0' }, { atMs: 1200, kind: 'restart', node: 'n0' }],
    });
    const result = simulate(plan);
    const banned = result.events.filter((event) => event.kind === 'drop' && event.reason === 'banned' && event.node === 'n0');
    expect(banned.length).toBeGreaterThan(10);
    expect(banned.every((event) => event.t < 1000)).toBe(true);
    expect(result.nodeView('n0').identities.find((record) => record.name === 'n1')?.trust).toBe(128);
    expect(result.events.some((event) => event.node === 'n0' && event.kind === 'log' && event.text === 'rtt' && event.t > 1200)).toBe(true);
  });
});

describe('knows:', () => {
  const yaml = (seed: number, knows: string): string => `name: knows\nseed: ${seed}\ntopology:\n  generate: [{ kind: ring, nodes: 40 }]\nknows:\n${knows}\n`;

  it('random: k gives each node k distinct other peers, drawn from the seed', async () => {
    const plan = await loadScenarioText(yaml(3, '  - { on: all, peers: { random: 8 } }'), 'knows.yaml');
    for (const node of plan.nodes) {
      expect(node.knows).toHaveLength(8);
      expect(new Set(node.knows).size).toBe(8);
      expect(node.knows).not.toContain(node.name);
    }
    const again = await loadScenarioText(yaml(3, '  - { on: all, peers: { random: 8 } }'), 'knows.yaml');
    expect(again.nodes.map((node) => node.knows)).toEqual(plan.nodes.map((node) => node.knows));
    const other = await loadScenarioText(yaml(4, '  - { on: all, peers: { random: 8 } }'), 'knows.yaml');
    expect(other.nodes.map((node) => node.knows)).not.toEqual(plan.nodes.map((node) => node.knows));
    // Each node's store holds exactly the adverts its configuration names.
    const view = simulate({ ...plan, durationMs: 10 }).nodeView('n5');
    expect(view.identities.map((record) => record.name)).toEqual(plan.nodes.find((node) => node.name === 'n5')!.knows);
  });

  it('entries add up per node; nodes no entry names keep their link neighbours; neighbors and all are accepted', async () => {
    const plan = await loadScenarioText(yaml(1, '  - { on: n1, peers: [n10, n20] }\n  - { on: n1, peers: neighbors }\n  - { on: n2, peers: all }'), 'knows.yaml');
    const knows = (name: string) => plan.nodes.find((node) => node.name === name)!.knows;
    expect(knows('n1')).toEqual(['n10', 'n20', 'n2', 'n40']);
    expect(knows('n2')).toHaveLength(40); // includes itself, ignored at boot
    expect(knows('n3')).toBeUndefined();
    const result = simulate({ ...plan, durationMs: 10 });
    expect(result.nodeView('n2').identities).toHaveLength(39);
    expect(result.nodeView('n3').identities.map((record) => record.name)).toEqual(['n2', 'n4']);
  });
});
