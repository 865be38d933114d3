// The transport commands end to end, in process: keygen, node config errors, deploy + compare.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.js';

const SCENARIO = `
name: cli-parity
seed: 9
duration: 1200ms
topology:
  nodes: [n1, n2]
  links: [[n1, n2]]
engines:
  - { on: all, kind: echo }
  - { on: [n1], kind: ping, params: { targets: [n2], intervalMs: 200, count: 3 } }
expect:
  noVerifyFailures: true
`;

describe('transport commands', () => {
  let dir: string;
  const output: string[] = [];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'netmachine-cli-'));
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (output.push(String(chunk)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (output.push(String(chunk)), true));
  });
  afterAll(() => {
    vi.restoreAllMocks();
    process.exitCode = 0;
  });
  const run = async (...args: string[]): Promise<number> => {
    process.exitCode = 0;
    return main(['node', 'netmachine', ...args]);
  };

  it('keygen writes a key and prints the node id; refuses to overwrite', async () => {
    const file = join(dir, 'n.key');
    expect(await run('keygen', '--out', file)).toBe(0);
    expect(readFileSync(file, 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);
    expect(output.join('')).toMatch(/node:[0-9a-f]{64}/);
    expect(await run('keygen', '--out', file)).toBe(2);
  });

  it('node: a bad config is a located error, exit 2', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'name: a\nsecret: "1234"\nlisten: { quic: 70000 }\n');
    output.length = 0;
    expect(await run('node', '--config', file)).toBe(2);
    expect(output.join('')).toContain(`${file}:2:9 secret: expected 64 lowercase hex digits`);
    expect(output.join('')).toContain(`${file}:3:17 listen.quic`);
  });

  it('deploy --in-process over TLS and run in the simulator deliver the same set (compare exits 0)', async () => {
    const scenario = join(dir, 'parity.yaml');
    writeFileSync(scenario, SCENARIO);
    expect(await run('run', scenario, '--quiet', '--trace', join(dir, 'sim.jsonl'))).toBe(0);
    expect(await run('deploy', scenario, '--in-process', '--transport', 'tls', '--trace', join(dir, 'tls.jsonl'))).toBe(0);
    output.length = 0;
    expect(await run('compare', join(dir, 'sim.jsonl'), join(dir, 'tls.jsonl'))).toBe(0);
    expect(output.join('')).toContain('the application engines received the same messages');
    const header = JSON.parse(readFileSync(join(dir, 'tls.jsonl'), 'utf8').split('\n')[0]!) as { backend: string; emulated: string[] };
    expect(header.backend).toBe('tls');
    expect(header.emulated).toContain('partition');
  });
});
