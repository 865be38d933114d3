// Parity: a loss-free scenario delivers the same (message, destination) pairs in the simulator and
// deployed on real QUIC and TLS; and a deployment with one process per node.
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenarioText } from '../../scenarios/index.js';
import { simulate } from '../../sim/index.js';
import { compareTraces, createDeploymentKeys, deployPlan, NodeBootError } from '../../transports/index.js';

const SCENARIO = `
name: parity
seed: 3
duration: 1500ms
defaults:
  link: { latency: 5ms }
topology:
  nodes: [n1, n2, n3]
  links: [[n1, n2], [n2, n3], [n3, n1]]
engines:
  - { on: all, kind: echo }
  # Each echo engine hears one pinger: reply ids do not depend on which ping wins a race.
  - { on: [n1], kind: ping, params: { targets: [n2], intervalMs: 200, count: 3 } }
  - { on: [n2], kind: ping, params: { targets: [n3], intervalMs: 200, count: 3 } }
  - { on: [n3], kind: ping, params: { targets: [n1], intervalMs: 200, count: 3 } }
  - { on: [n1], kind: publisher, params: { topic: news, intervalMs: 100, count: 4 } }
  - { on: [n1], kind: subscriber, params: { topic: news } }
`;

describe('deploy', () => {
  for (const transport of ['quic', 'tls'] as const) {
    it(`parity: simulator and in-process ${transport} deliver the same (message, destination) pairs`, async () => {
      const plan = await loadScenarioText(SCENARIO, 'parity.yaml');
      const sim = simulate(plan);
      const real = await deployPlan(plan, { transport, isInProcess: true });
      const comparison = compareTraces(sim, real);
      expect(comparison.deliveredA).toBe(22);
      expect({ onlyInSim: comparison.onlyInA, onlyInReal: comparison.onlyInB }).toEqual({ onlyInSim: [], onlyInReal: [] });
      expect(real.header.backend).toBe(transport);
      // Same names, other keys: a real deployment's keys are random, never the simulator's derivation.
      expect(Object.keys(real.header.nodes)).toEqual(Object.keys(sim.header.nodes));
      for (const name of Object.keys(sim.header.nodes)) expect(real.header.nodes[name]).not.toBe(sim.header.nodes[name]);
    });
  }
});

describe('deploy keys', () => {
  it('a topic key goes only to the node whose engine claims it when built; every topic named is known', async () => {
    const plan = await loadScenarioText(SCENARIO, 'parity.yaml');
    const keys = createDeploymentKeys(plan);
    expect([...keys.topicKeys.keys()]).toEqual(['news']);
    expect([...keys.topicHolders.get('news')!]).toEqual(['n1']);
    expect(keys.domainKeys.size).toBe(0);
  });

  it('random per run; with a key directory, created there once (mode 0600) and the same ids on the next run', async () => {
    const plan = await loadScenarioText(SCENARIO, 'parity.yaml');
    const options = { transport: 'tls', isInProcess: true, durationMs: 300 } as const;
    const [first, second] = [await deployPlan(plan, options), await deployPlan(plan, options)];
    expect(first.header.nodes['n1']).not.toBe(second.header.nodes['n1']);
    const keyDir = mkdtempSync(join(tmpdir(), 'netmachine-keys-'));
    const [kept, again] = [await deployPlan(plan, { ...options, keyDir }), await deployPlan(plan, { ...options, keyDir })];
    expect(again.header.nodes).toEqual(kept.header.nodes);
    expect(again.header.engines).toEqual(kept.header.engines);
    expect(readdirSync(join(keyDir, 'nodes')).sort()).toEqual(['n1.key', 'n2.key', 'n3.key']);
    expect(readdirSync(join(keyDir, 'topics'))).toEqual(['news.key']);
    expect(statSync(join(keyDir, 'nodes', 'n1.key')).mode & 0o777).toBe(0o600);
  });
});

const CRASH_SCENARIO = `
name: crash-restart
seed: 5
# Long enough for a restarted child process to boot (tsx start-up) on a loaded 2-core CI machine.
duration: 6000ms
topology:
  nodes: [n1, n2]
  links: [[n1, n2]]
engines:
  - { on: all, kind: echo }
  - { on: [n1], kind: ping, params: { targets: [n2], intervalMs: 100, count: 55 } }
events:
  - { at: 500ms, crash: n2 }
  - { at: 900ms, restart: n2 }
`;

describe('deploy, one process per node', () => {
  it('parity over QUIC across processes', async () => {
    const plan = await loadScenarioText(SCENARIO, 'parity.yaml');
    const sim = simulate(plan);
    const real = await deployPlan(plan, { transport: 'quic', startupTimeoutMs: 30_000 });
    const comparison = compareTraces(sim, real);
    expect({ onlyInSim: comparison.onlyInA, onlyInReal: comparison.onlyInB }).toEqual({ onlyInSim: [], onlyInReal: [] });
  }, 60_000);

  it('a real crash (SIGKILL) and restart: peers trace the disconnect, traffic resumes', async () => {
    const plan = await loadScenarioText(CRASH_SCENARIO, 'crash.yaml');
    const real = await deployPlan(plan, { transport: 'tls', startupTimeoutMs: 30_000 });
    const kinds = real.events.map((event) => event.kind);
    expect(kinds).toContain('crash');
    expect(kinds).toContain('restart');
    expect(real.events.some((event) => event.kind === 'disconnect' && event.node === 'n1' && event.peer === 'n2')).toBe(true);
    const restartAt = real.events.find((event) => event.kind === 'restart')!.t;
    expect(real.events.some((event) => event.kind === 'deliver' && event.node === 'n2' && event.engine === 'echo' && event.t > restartAt)).toBe(true);
  }, 60_000);

  it('boots its nodes a few at a time, with progress lines; a node that cannot boot is named with its reason, and nothing runs', async () => {
    const module = join(import.meta.dirname, 'fixtures', 'fail-at-boot.ts');
    const plan = await loadScenarioText(
      `name: fails-to-boot
seed: 1
duration: 1s
topology: { generate: [{ kind: line, nodes: 5 }] }
engines:
  - { on: all, kind: echo }
  - { on: [n4], kind: failAtBoot, module: ${module} }
`,
      join(import.meta.dirname, 'fails-to-boot.yaml'),
      { isModuleOutsideAllowed: true },
    );
    const lines: string[] = [];
    const deployed = deployPlan(plan, { transport: 'tls', startupTimeoutMs: 30_000, bootConcurrency: 2, log: (line) => lines.push(line) });
    await expect(deployed).rejects.toBeInstanceOf(NodeBootError);
    await expect(deployed).rejects.toMatchObject({ code: 'deploy/boot-failed', node: 'n4' });
    await expect(deployed).rejects.toThrow(/^node n4 failed to boot: it exited with code 1 before listening: .*cannot load engine module .*fail-at-boot\.ts: this module refuses to load in a node process/);
    expect(lines[0]).toMatch(/^booting 5 nodes, 2 at a time/);
    expect(lines.filter((line) => /^node n\d listening on tls:\/\/127\.0\.0\.1:\d+ \(\d\/5\)$/.test(line)).length).toBeGreaterThanOrEqual(2);
    expect(lines.some((line) => line.includes('nodes listening after'))).toBe(false);
  }, 60_000);
});
