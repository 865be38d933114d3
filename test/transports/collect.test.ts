// `netmachine collect`: per-node traces of one real run become one trace that viz, compare and the
// expectation checker accept — tested on unit inputs and on a loopback run of three `netmachine
// node` processes over QUIC, compared with the same network in the simulator.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TRACE_FORMAT, TRACE_VERSION, type TraceEvent, type TraceHeader } from '../../core/index.js';
import { collectTraces } from '../../transports/index.js';
import { freePort, netmachine, startNode } from './node-processes.js';

const header = (node: string, started: number, ids: Record<string, string>): TraceHeader => ({
  format: TRACE_FORMAT, version: TRACE_VERSION, backend: 'tls', seed: 0, scenario: null, started, crypto: 'ed25519', nodes: ids, engines: {}, node,
});
const event = (t: number, seq: number, node: string, kind: TraceEvent['kind'] = 'log'): TraceEvent => ({ t, seq, kind, node });

describe('collectTraces', () => {
  it('puts traces on one time axis, breaks ties by node name whatever the input order, renumbers seq', () => {
    const b = { source: 'b.jsonl', header: header('b', 1000, { b: 'bb', a: 'aa' }), events: [event(0, 0, 'b'), event(5, 1, 'b')] };
    const a = { source: 'a.jsonl', header: header('a', 1005, { a: 'aa' }), events: [event(0, 0, 'a'), event(0, 1, 'a', 'send')] };
    for (const inputs of [[a, b], [b, a]]) {
      const collected = collectTraces(inputs);
      expect(collected.header.started).toBe(1000);
      expect(collected.header.nodes).toEqual({ a: 'aa', b: 'bb' });
      expect(collected.events.map((e) => [e.t, e.seq, e.node, e.kind])).toEqual([[0, 0, 'b', 'log'], [5, 1, 'a', 'log'], [5, 2, 'a', 'send'], [5, 3, 'b', 'log']]);
    }
  });

  it('refuses traces whose ids disagree (other runs) and a mix of simulator and real traces', () => {
    const a = { source: 'a.jsonl', header: header('a', 0, { a: 'aa' }), events: [] };
    expect(() => collectTraces([a, { source: 'x.jsonl', header: header('x', 0, { a: 'zz' }), events: [] }])).toThrow(/x\.jsonl: node "a" has id zz…, but aa… in a\.jsonl/);
    expect(() => collectTraces([a, { source: 's.jsonl', header: { ...header('s', 0, {}), backend: 'sim' }, events: [] }])).toThrow(/cannot be collected/);
  });
});

const SCENARIO = `name: three-nodes
seed: 1
duration: 3s
topology:
  nodes: [n1, n2, n3]
  links: [[n1, n2], [n1, n3]]
engines:
  - { on: all, kind: echo }
  - { on: n1, kind: ping, params: { targets: [n2, n3], intervalMs: 200, count: 3 } }
expect:
  noVerifyFailures: true
  events:
    - { kind: deliver, node: n2, engine: echo, atLeast: 3, atMost: 3 }
    - { kind: deliver, node: n3, engine: echo, atLeast: 3, atMost: 3 }
    - { kind: deliver, node: n1, engine: ping, atLeast: 6, atMost: 6 }
`;

async function waitForFile(path: string, isDone: (text: string) => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(existsSync(path) && isDone(readFileSync(path, 'utf8')))) {
    if (Date.now() > end) throw new Error(`${path} not complete within ${timeoutMs} ms:\n${existsSync(path) ? readFileSync(path, 'utf8') : '(absent)'}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('netmachine collect on a real run', () => {
  it('three node processes over QUIC: the collected trace renders, meets the scenario\'s expectations and delivers what the simulator delivers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netmachine-collect-'));
    const names = ['n1', 'n2', 'n3'];
    const ports = new Map<string, number>();
    for (const name of names) {
      ports.set(name, await freePort());
      const engines = name === 'n1' ? ['--engine', 'echo', '--engine', 'ping'] : ['--engine', 'echo'];
      expect(netmachine(dir, 'keygen', '--out', `${name}.key`, '--address', `quic://127.0.0.1:${ports.get(name)}`, ...engines)).toMatchObject({ status: 0 });
    }
    const config = (name: string, peers: string[], engines: string): void =>
      writeFileSync(join(dir, `${name}.yaml`), `name: ${name}\nkey: ${name}.key\ntransport: quic\nsession: 1\nlisten: { quic: ${ports.get(name)} }\npeers:\n${peers.map((peer) => `  - file: ${peer}.advert.yaml\n`).join('')}engines:\n${engines}`);
    config('n1', ['n2', 'n3'], '  - { name: echo, kind: echo }\n  - { name: ping, kind: ping, params: { targets: [n2, n3], intervalMs: 200, count: 3 } }\n');
    config('n2', ['n1'], '  - { name: echo, kind: echo }\n');
    config('n3', ['n1'], '  - { name: echo, kind: echo }\n');
    writeFileSync(join(dir, 'three-nodes.yaml'), SCENARIO);
    const servers = ['n2', 'n3'].map((name) => startNode(dir, '--config', `${name}.yaml`, '--trace', `${name}.jsonl`));
    let n1: ReturnType<typeof startNode> | undefined;
    try {
      await Promise.all(servers.map((server) => server.waitFor(/listening on quic:/)));
      n1 = startNode(dir, '--config', 'n1.yaml', '--trace', 'n1.jsonl');
      await waitForFile(join(dir, 'n1.jsonl'), (text) => (text.match(/"kind":"deliver","node":"n1","engine":"ping"/g) ?? []).length === 6, 30_000);
    } finally {
      for (const stopped of await Promise.all([n1, ...servers].filter((node) => node !== undefined).map((node) => node!.stop()))) expect(stopped, stopped.stderr).toMatchObject({ code: 0 });
    }
    const collected = netmachine(dir, 'collect', 'run.jsonl', 'n3.jsonl', 'n1.jsonl', 'n2.jsonl', '--scenario', 'three-nodes.yaml');
    expect(collected.stdout, collected.stdout + collected.stderr).toContain('all 4 expectations hold');
    expect(collected.status).toBe(0);
    const [first, ...lines] = readFileSync(join(dir, 'run.jsonl'), 'utf8').trim().split('\n');
    const merged = JSON.parse(first!) as TraceHeader;
    expect(Object.keys(merged.nodes)).toEqual(['n1', 'n2', 'n3']);
    expect(Object.keys(merged.engines)).toEqual(['n1/echo', 'n1/ping', 'n2/echo', 'n3/echo']);
    expect(merged.backend).toBe('quic');
    const events = lines.map((line) => JSON.parse(line) as TraceEvent);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, index) => index));
    for (let i = 1; i < events.length; i++) expect(events[i]!.t).toBeGreaterThanOrEqual(events[i - 1]!.t);
    expect(netmachine(dir, 'viz', 'run.jsonl', '-o', 'run.html')).toMatchObject({ status: 0 });
    expect(netmachine(dir, 'run', 'three-nodes.yaml', '--quiet', '--trace', 'sim.jsonl')).toMatchObject({ status: 0 });
    const compared = netmachine(dir, 'compare', 'sim.jsonl', 'run.jsonl');
    expect(compared.stdout, compared.stdout + compared.stderr).toContain('run.jsonl (quic)');
    expect(compared.stdout, compared.stdout).toContain('the application engines received the same messages');
  }, 120_000);
});
