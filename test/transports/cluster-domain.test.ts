// A domain on cluster-style nodes: the configs `deploy --emit` writes (planCluster), read as
// `netmachine node --config` reads them and run by their schedules (runScheduledNode), each node
// listening on the wildcard host and advertised by its DNS name. The Topology engine hands out the
// node's own signed advert when it joins, so the members' views must take in each other, not only
// the bootstrap node. And a node process started again on the same trace file keeps the earlier
// process's part of it (the file is appended to, each process's part under its own header).
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { main } from '../../cli/main.js';
import { loadNodeConfig } from '../../cli/node-config.js';
import { loadScenarioText } from '../../scenarios/index.js';
import { hostResolver, planCluster, readNodeTraceFile, readNodeTraceParts, runScheduledNode } from '../../transports/index.js';
import { scratchFolders } from './cluster-run.js';

const scratch = scratchFolders();

const MEMBERS = ['n2', 'n3', 'n4', 'n5'];
const SCENARIO = `name: cluster-domain
seed: 3
duration: 7s
topology:
  generate: [{ kind: mesh, nodes: 5 }]
knows:
  - { on: all, peers: all }
connections: { permanent: none }
engines:
  - { on: n1, kind: domain, params: { domain: city, owner: { policy: open } } }
  - { on: [${MEMBERS.join(', ')}], kind: domain, params: { domain: city, join: true, contacts: [n1], joinDelayMs: 500 } }
  - { on: [n1, ${MEMBERS.join(', ')}], kind: topology, params: { domain: city, contacts: [n1], shuffleMs: 1000 } }
`;

/** Writes each node's config and keys as the manifests lay them out (config/node.yaml, keys/…) and returns the configs' paths. */
async function emitted(dir: string, originMs: number): Promise<Map<string, string>> {
  const plan = await loadScenarioText(SCENARIO, 'cluster-domain.yaml');
  const portBase = 20_000 + 2 * Math.floor(Math.random() * 10_000);
  const cluster = planCluster(plan, { transport: 'tls', originMs, portBase, addressOf: (label) => `${label}.cluster-domain.test`, keyPath: '../keys' });
  const configs = new Map<string, string>();
  for (const node of cluster.nodes) {
    mkdirSync(join(dir, node.name, 'config'), { recursive: true });
    mkdirSync(join(dir, node.name, 'keys'), { recursive: true });
    for (const [file, content] of node.secrets) writeFileSync(join(dir, node.name, 'keys', file), content, { mode: 0o600 });
    const path = join(dir, node.name, 'config', 'node.yaml');
    writeFileSync(path, stringify(node.config, { lineWidth: 0 }));
    configs.set(node.name, path);
  }
  return configs;
}

describe('a domain on cluster nodes', () => {
  it('each scheduled node hands out its own signed advert, so HyParView views take in members other than the bootstrap node', async () => {
    const dir = scratch(join(tmpdir(), 'netmachine-cluster-domain-'));
    const configs = await emitted(dir, Date.now() + 2500);
    const resolveHost = hostResolver([{ pattern: '*.cluster-domain.test', address: '127.0.0.1' }]);
    await Promise.all([...configs].map(([name, path]) => runScheduledNode(loadNodeConfig(path), { tracePath: join(dir, `${name}.jsonl`), resolveHost })));
    const traces = new Map([...configs.keys()].map((name) => [name, readNodeTraceFile(join(dir, `${name}.jsonl`))]));
    const boot = traces.get('n1')!.header!.nodes['n1'];
    for (const [name, trace] of traces) {
      expect(trace.events.filter((event) => event.text === 'topology: this node has no advert to hand out'), name).toEqual([]);
      expect(trace.events.filter((event) => event.kind === 'verify-fail'), name).toEqual([]);
    }
    for (const name of MEMBERS) {
      const viewed = traces.get(name)!.events.filter((event) => event.engine === 'topology' && event.text === 'view added').map((event) => event.data?.['peer']);
      expect(viewed, `${name}'s view`).toContain(boot);
      expect(viewed.filter((peer) => peer !== boot).length, `${name}'s view beyond the bootstrap node`).toBeGreaterThan(0);
    }
  }, 60_000);

  it('a node process started again on the same trace file appends its part under a new header; collect reads both, readers that expect one part say so', async () => {
    const dir = scratch(join(tmpdir(), 'netmachine-cluster-domain-'));
    const configs = await emitted(dir, Date.now() + 300);
    const tracePath = join(dir, 'n2.jsonl');
    const spec = loadNodeConfig(configs.get('n2')!);
    const short = { ...spec, schedule: { ...spec.schedule!, durationMs: 1200 } };
    await runScheduledNode(short, { tracePath });
    const first = readFileSync(tracePath, 'utf8');
    appendFileSync(tracePath, '{"t":1100,"kind":"log","node":"n2","te'); // the process was killed mid-line
    await runScheduledNode(short, { tracePath }); // the orchestrator started it again
    const both = readFileSync(tracePath, 'utf8');
    expect(both.startsWith(first)).toBe(true);
    const parts = readNodeTraceParts(tracePath);
    expect(parts.map((part) => part.header?.node)).toEqual(['n2', 'n2']);
    expect(parts[1]!.events.some((event) => event.reason === 'started-late')).toBe(true);
    expect(readNodeTraceFile(tracePath).events).toHaveLength(parts[0]!.events.length + parts[1]!.events.length);
    // collect takes each part as an input; viz, which reads one part, points to collect.
    const out = join(dir, 'run.jsonl');
    const output: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => (output.push(String(chunk)), true)) as typeof process.stdout.write;
    const errors = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => (output.push(String(chunk)), true)) as typeof process.stderr.write;
    try {
      expect(await main(['node', 'netmachine', 'collect', out, tracePath]), output.join('')).toBe(0);
      expect(await main(['node', 'netmachine', 'viz', tracePath, '-o', join(dir, 'run.html')])).toBe(2);
    } finally {
      process.stdout.write = write;
      process.stderr.write = errors;
    }
    expect(output.join('')).toMatch(new RegExp(`${tracePath}:\\d+: a second header: this node trace holds the parts of 2 processes`));
    const collected = readFileSync(out, 'utf8').trim().split('\n');
    expect(collected).toHaveLength(1 + parts[0]!.events.length + parts[1]!.events.length);
  }, 60_000);
});
