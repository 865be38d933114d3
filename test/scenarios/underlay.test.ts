// The underlay parts of the scenario language: routers, the empty and attach generators, access
// links and the region model, with their located errors.
import { describe, expect, it } from 'vitest';
import { BUILTIN_RTT_MATRICES, describeTopology, InputError, loadScenarioText } from '../../scenarios/index.js';

async function problemsOf(text: string): Promise<string[]> {
  try {
    await loadScenarioText(text, 'x.yaml');
  } catch (error) {
    if (error instanceof InputError) return error.problems.map((problem) => `${problem.line}:${problem.column} ${problem.path}: ${problem.message}`);
    throw error;
  }
  return [];
}

const routed = `name: t
topology:
  nodes: [a, b, { name: r1, router: true }]
  routers: [r2]
  generate:
    - { kind: ring, nodes: 3, name: "core{i}", router: true, link: { latency: 15ms } }
    - { kind: attach, nodes: 4, name: "h{i}", to: "core*", links: 2, link: { latency: 2ms } }
  links: [[a, r1], [r1, r2], [r2, b], [r2, core1]]
  access:
    - { on: all, upload: 8Mbps, download: 16Mbps }
    - { on: [a], download: 800kbps, queueMax: 64KiB }
engines: [{ on: all, kind: echo }]
`;

describe('routers and generators', () => {
  it('routers run no engines and are not plan nodes; attach links each new node to distinct drawn targets', async () => {
    const plan = await loadScenarioText(routed, 'x.yaml');
    expect(plan.routers).toEqual(['r1', 'r2', 'core1', 'core2', 'core3']);
    expect(plan.nodes.map((node) => node.name)).toEqual(['a', 'b', 'h1', 'h2', 'h3', 'h4']);
    expect(plan.nodes.every((node) => node.engines.length === 1)).toBe(true);
    for (const host of ['h1', 'h2', 'h3', 'h4']) {
      const targets = plan.links.filter((link) => link.a === host).map((link) => link.b);
      expect(new Set(targets).size).toBe(2);
      expect(targets.every((target) => target.startsWith('core'))).toBe(true);
      expect(plan.links.find((link) => link.a === host)!.ab.latencyMs).toBe(2);
    }
    const again = await loadScenarioText(routed, 'x.yaml');
    expect(again.links.map((link) => `${link.a}-${link.b}`)).toEqual(plan.links.map((link) => `${link.a}-${link.b}`));
  });

  it('the topology report counts routers as graph nodes', async () => {
    const report = describeTopology(await loadScenarioText(routed, 'x.yaml'));
    expect(report).toMatchObject({ nodes: 11, routers: 5, links: 15, components: 1 });
    expect(report.regions).toBeUndefined();
  });

  it('access entries layer field by field; hosts with equal links share one object', async () => {
    const plan = await loadScenarioText(routed, 'x.yaml');
    const access = new Map(plan.nodes.map((node) => [node.name, node.access]));
    expect(access.get('a')).toEqual({ uploadBytesPerSecond: 1_000_000, downloadBytesPerSecond: 100_000, queueBytesMax: 65_536 });
    expect(access.get('b')).toEqual({ uploadBytesPerSecond: 1_000_000, downloadBytesPerSecond: 2_000_000, queueBytesMax: 16 << 20 });
    expect(access.get('h1')).toBe(access.get('b'));
  });

  it('the empty generator declares nodes without links', async () => {
    const plan = await loadScenarioText('name: t\ntopology: { generate: [{ kind: empty, nodes: 3 }], regions: { rtt: { x: { x: 10ms } }, assign: [{ on: all, region: x }] } }\n', 'x.yaml');
    expect(plan.nodes.map((node) => node.name)).toEqual(['n1', 'n2', 'n3']);
    expect(plan.links).toEqual([]);
  });

  it('a router named where a host is needed is a located error that says so', async () => {
    const text = `name: t
topology: { nodes: [a, b, { name: r, router: true }], links: [[a, r], [r, b]] }
engines: [{ on: [r], kind: echo }]
events:
  - { at: 1s, send: { from: a, to: r } }
  - { at: 1s, partition: [[a, r]] }
  - { at: 1s, clock-skew: { node: r, by: 5ms } }
  - { at: 2s, crash: r }
`;
    expect(await problemsOf(text)).toEqual([
      '3:17 engines[0].on: "r" is a router: routers run no engines and have no access link, region or knowledge',
      '5:36 events[0].send.to: "r" is a router: routers run no engines',
      '6:31 events[1].partition[0][1]: "r" is a router: partitions group hosts (a frame is cut by the groups of its two ends)',
      '7:35 events[2].clock-skew.node: "r" is a router: routers have no clock',
    ]);
  });

  it('attach needs as many distinct targets as links per node, and a declared pool', async () => {
    const base = 'name: t\ntopology: { nodes: [a, b], generate: [{ kind: attach, nodes: 2, to: [a, b], links: 3 }] }\n';
    expect(await problemsOf(base)).toEqual(['2:84 topology.generate[0].links: cannot link each node to 3 distinct nodes of the 2 that "to" selects']);
    expect(await problemsOf(base.replace('[a, b], links: 3', '"x*"'))).toEqual(['2:69 topology.generate[0].to: "x*" matches no declared node']);
  });

  it('an access entry must set something and select hosts', async () => {
    const base = 'name: t\ntopology: { nodes: [a, { name: r, router: true }], links: [[a, r]], access: [{ on: a }] }\n';
    expect(await problemsOf(base)).toEqual(['2:78 topology.access[0]: an access entry needs upload:, download: or queueMax:']);
    expect(await problemsOf(base.replace('{ on: a }', '{ on: r, upload: 1Mbps }'))).toEqual([
      '2:84 topology.access[0].on: "r" is a router: routers run no engines and have no access link, region or knowledge',
    ]);
    expect(await problemsOf(base.replace('{ on: a }', '{ on: a, upload: fast }'))).toEqual(['2:95 topology.access[0].upload: expected a bandwidth like "10Mbps", "1MB/s" or "unlimited", got "fast"']);
  });
});

const regional = (regions: string, extra = ''): string => `name: t
topology:
  generate: [{ kind: empty, nodes: 200, name: "n{i}" }]
  regions:
${regions}
${extra}`;

describe('region underlay', () => {
  it('the continents matrix is symmetric and gives one-way latencies of half its round trips', async () => {
    const continents = BUILTIN_RTT_MATRICES.get('continents')!;
    continents.rttMs.forEach((row, i) => row.forEach((ms, j) => expect(ms).toBe(continents.rttMs[j]![i])));
    const plan = await loadScenarioText(regional('    rtt: continents\n    assign: [{ weights: { europe: 1, asia: 1 } }]\n    link: { loss: 1% }\n    intra: { jitter: 2ms }\n    pairs: [{ between: [asia, europe], loss: 3% }]'), 'x.yaml');
    const { names, pairs } = plan.regions!;
    expect(names).toEqual(continents.names);
    const pair = (from: string, to: string) => pairs[names.indexOf(from) * names.length + names.indexOf(to)]!;
    expect(pair('europe', 'asia')).toMatchObject({ latencyMs: 85, lossProbability: 0.03, jitter: { kind: 'none' }, bandwidthBytesPerSecond: 0 });
    expect(pair('europe', 'europe')).toMatchObject({ latencyMs: 12.5, lossProbability: 0.01, jitter: { kind: 'uniform', maxMs: 2 } });
    expect(pair('oceania', 'africa')).toMatchObject({ latencyMs: 165, lossProbability: 0.01 });
  });

  it('hosts take the region of the first entry that selects them; weighted draws are per host name', async () => {
    const assign = '    rtt: { eu: { eu: 10ms, us: 80ms }, us: { us: 20ms } }\n    assign:\n      - { on: ["n1", "n2"], region: us }\n      - { weights: { eu: 3, us: 1 } }';
    const plan = await loadScenarioText(regional(assign), 'x.yaml');
    const regions = plan.nodes.map((node) => node.region);
    expect(regions.slice(0, 2)).toEqual(['us', 'us']);
    const europeans = regions.filter((region) => region === 'eu').length;
    // 198 draws at 3:1: the expected 148.5 within about 4.5 standard deviations (≈ 27).
    expect(Math.abs(europeans - 148.5)).toBeLessThan(27);
    // More hosts: the first 200 keep their regions.
    const more = await loadScenarioText(regional(assign).replace('nodes: 200', 'nodes: 300'), 'x.yaml');
    expect(more.nodes.slice(0, 200).map((node) => node.region)).toEqual(regions);
    expect(plan.regions!.pairs.map((spec) => spec.latencyMs)).toEqual([5, 40, 40, 10]);
    expect(describeTopology(plan).regions).toEqual([['eu', europeans], ['us', 200 - europeans]]);
  });

  it('every bad matrix, assignment or mix with links is a located error', async () => {
    expect(await problemsOf(regional('    rtt: planets\n    assign: [{ on: all, region: x }]'))).toEqual(['5:10 topology.regions.rtt: unknown built-in matrix "planets" (built-in: continents; or give the round trips inline)']);
    expect(await problemsOf(regional('    rtt: { eu: { eu: 10ms, us: 80ms } }\n    assign: [{ on: all, region: eu }]'))).toEqual([
      '5:10 topology.regions.rtt: no round trip between "us" and "us" (give rtt.us.us: the round trip within the region)',
    ]);
    expect(await problemsOf(regional('    rtt: { eu: { eu: 10ms, us: 80ms }, us: { eu: 90ms, us: 5ms } }\n    assign: [{ on: all, region: eu }]'))).toEqual([
      '5:50 topology.regions.rtt.us.eu: the round trip us–eu is given twice, as 80 ms and 90 ms (give each pair once)',
    ]);
    const matrix = '    rtt: { eu: { eu: 10ms, us: 80ms }, us: { us: 5ms } }\n';
    expect(await problemsOf(regional(matrix + '    assign: [{ on: "n1*", region: eu }, { on: n2, region: mars }]'))).toEqual([
      '6:59 topology.regions.assign[1].region: unknown region "mars" (regions: eu, us)',
    ]);
    expect(await problemsOf(regional(matrix + '    assign: [{ on: "n1*", region: eu }]'))).toEqual([
      '6:13 topology.regions.assign: 89 hosts have no region ("n2" first); add an entry such as { weights: { eu: 1 } } for the rest',
    ]);
    expect(await problemsOf(regional(matrix + '    assign: [{ weights: { eu: 1, mars: 2 } }]'))).toEqual(['6:40 topology.regions.assign[0].weights.mars: unknown region "mars" (regions: eu, us)']);
    expect(await problemsOf(regional(matrix + '    assign: [{ on: all, region: eu }]\n    pairs: [{ between: [eu, us], latency: 5ms }]'))).toEqual([
      '7:34 topology.regions.pairs[0]: unknown field "latency"; expected one of jitter, loss, duplicate, frameSizeMax',
    ]);
    expect(await problemsOf(regional(matrix + '    assign: [{ on: all, region: eu }]', '  routers: [r]\n  links: [[n1, n2]]\n'))).toEqual([
      '5:5 topology.regions: a region underlay has no links, but the topology declares 1 (declare nodes with topology.nodes or a generator of kind "empty")',
      '5:5 topology.regions: a region underlay has no routers, but the topology declares 1 ("r" first)',
    ]);
  });
});
