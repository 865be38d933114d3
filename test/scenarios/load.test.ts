import { describe, expect, it } from 'vitest';
import { InputError, loadDefaultScenario, loadScenarioText, parseBandwidth, parseDuration, parseProbability, parseSize } from '../../scenarios/index.js';

async function problemsOf(text: string): Promise<string[]> {
  try {
    await loadScenarioText(text, 'x.yaml');
  } catch (error) {
    if (error instanceof InputError) return error.problems.map((problem) => `${problem.line}:${problem.column} ${problem.path}: ${problem.message}`);
    throw error;
  }
  return [];
}

const base = `name: t
topology:
  nodes: [a, b, c]
  links:
    - [a, b]
    - { between: [b, c], latency: 5ms }
engines:
  - { on: all, kind: echo }
`;

describe('units', () => {
  it('parses human units and rejects the rest with the expected form', () => {
    expect(parseDuration('20ms')).toEqual({ ok: true, value: 20 });
    expect(parseDuration('1.5s')).toEqual({ ok: true, value: 1500 });
    expect(parseDuration(7)).toEqual({ ok: true, value: 7 });
    expect(parseDuration('fast')).toEqual({ ok: false, error: 'expected a duration like "20ms" or "1.5s", got "fast"' });
    expect(parseBandwidth('10Mbps')).toEqual({ ok: true, value: 1_250_000 });
    expect(parseBandwidth('1MB/s')).toEqual({ ok: true, value: 1_000_000 });
    expect(parseBandwidth('unlimited')).toEqual({ ok: true, value: 0 });
    expect(parseSize('4KiB')).toEqual({ ok: true, value: 4096 });
    expect(parseProbability('1%')).toEqual({ ok: true, value: 0.01 });
    expect(parseProbability(0.25)).toEqual({ ok: true, value: 0.25 });
    expect(parseProbability('150%').ok).toBe(false);
  });
});

describe('scenario loading', () => {
  it('the default scenario resolves', async () => {
    const plan = await loadDefaultScenario();
    expect(plan.nodes).toHaveLength(8);
    expect(plan.links).toHaveLength(8);
    expect(plan.links[3]!.ab.lossProbability).toBe(0.05);
  });

  it('layers defaults, classes, link fields and per-direction overrides', async () => {
    const plan = await loadScenarioText(
      `name: t
defaults: { link: { latency: 50ms, loss: 1% } }
linkClasses: { lan: { latency: 1ms, bandwidth: 1Gbps } }
topology:
  nodes: [a, b]
  links:
    - { between: [a, b], class: lan, loss: 2%, backward: { latency: 3ms } }
`,
      'x.yaml',
    );
    const link = plan.links[0]!;
    expect(link.ab).toMatchObject({ latencyMs: 1, lossProbability: 0.02, bandwidthBytesPerSecond: 125_000_000 });
    expect(link.ba).toMatchObject({ latencyMs: 3, lossProbability: 0.02 });
  });

  it('reports a bad unit at its file, line, column and field path', async () => {
    expect(await problemsOf(base.replace('latency: 5ms', 'latency: fast'))).toEqual(['6:35 topology.links[1].latency: expected a duration like "20ms" or "1.5s", got "fast"']);
  });

  it('reports unknown fields, unknown nodes, duplicate links, unknown engine kinds — all at once', async () => {
    const problems = await problemsOf(`name: t
topology:
  nodes: [a, b]
  links:
    - [a, b]
    - [b, a]
    - [a, zz]
engines:
  - { on: all, kind: nope }
`);
    expect(problems).toEqual([
      '6:7 topology.links[1].between: link b–a is declared twice',
      '7:11 topology.links[2].between[1]: node "zz" is not declared in topology.nodes',
      expect.stringMatching(/^9:22 engines\[0\]\.kind: unknown engine kind "nope" \(built-in kinds: ping, echo, /),
    ]);
    expect(await problemsOf(base + 'colour: blue\n')).toEqual([expect.stringMatching(/^9:1 : unknown field "colour"; expected one of description, seed, /)]);
  });

  it('reports YAML syntax errors with a position', async () => {
    const problems = await problemsOf('name: t\ntopology: { nodes: [a, b\n');
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]).toMatch(/^\d+:\d+/);
  });

  it('selectors: globs, lists, samples, and a pattern that matches nothing is an error', async () => {
    const plan = await loadScenarioText(
      `name: t
topology: { nodes: [edge-1, edge-2, core-1, core-2, core-3] }
engines:
  - { on: "edge-*", kind: echo }
  - { on: { sample: 2, from: "core-*" }, kind: echo, name: sampled }
`,
      'x.yaml',
    );
    expect(plan.nodes.filter((node) => node.engines.some((engine) => engine.name === 'echo')).map((node) => node.name)).toEqual(['edge-1', 'edge-2']);
    expect(plan.nodes.filter((node) => node.engines.some((engine) => engine.name === 'sampled'))).toHaveLength(2);
    expect(await problemsOf(base.replace('on: all', 'on: "x*"'))).toEqual(['8:11 engines[0].on: "x*" matches no declared node']);
  });

  it('bad engine parameters are reported at load, located at the field, with a near name', async () => {
    expect(await problemsOf(base.replace('kind: echo', 'kind: ping, params: { intervalMs: -1, engin: echo }'))).toEqual([
      '8:36 engines[0].params: unknown field "engin" (did you mean "engine"?)',
      '8:50 engines[0].params.intervalMs: must be > 0, got -1',
    ]);
  });

  it('an explicit link over a generated one overrides its settings; partitions may name their groups', async () => {
    const plan = await loadScenarioText(
      `name: t
defaults: { link: { latency: 5ms } }
topology:
  generate: [{ kind: ring, nodes: 4 }]
  links:
    - { between: [n3, n2], loss: 10%, forward: { latency: 50ms } }
events:
  - { at: 1s, partition: { west: [n1, n2], east: [n3] } }
`,
      'x.yaml',
    );
    expect(plan.links).toHaveLength(4);
    const link = plan.links.find((l) => l.a === 'n3' && l.b === 'n2')!;
    expect(link.ab).toMatchObject({ latencyMs: 50, lossProbability: 0.1 });
    expect(link.ba).toMatchObject({ latencyMs: 5, lossProbability: 0.1 });
    expect(plan.events[0]).toMatchObject({ kind: 'partition', groups: [['n1', 'n2'], ['n3']] });
  });
});
