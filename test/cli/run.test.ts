import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const bin = join(import.meta.dirname, '..', '..', 'cli', 'netmachine.js');
const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 60_000 });

describe('netmachine run', () => {
  it('runs the embedded default scenario and exits 0 with a summary and a trace', () => {
    const dir = mkdtempSync(join(tmpdir(), 'netmachine-'));
    const trace = join(dir, 'out.jsonl');
    const result = run('run', '--seed', '1', '--trace', trace);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/RTT \(ping\)\s+\d+\s+p50/);
    expect(result.stdout).toMatch(/dropped\s+\d+\s+loss=\d+/);
    const lines = readFileSync(trace, 'utf8').trim().split('\n');
    expect(JSON.parse(lines[0]!)).toMatchObject({ format: 'netmachine-trace', version: 1, backend: 'sim', seed: 1 });
    expect(lines.length).toBeGreaterThan(1000);
  });

  it('exits 2 with a located message on a bad scenario file, and on bad flags', () => {
    const dir = mkdtempSync(join(tmpdir(), 'netmachine-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'name: bad\ntopology:\n  nodes: [a]\nduration: soon\n');
    const bad = run('run', file);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain(`${file}:4:11 duration: expected a duration like "20ms" or "1.5s", got "soon"`);
    expect(run('run', '--seed', 'x').status).toBe(2);
    expect(run('run', '--until', 'forever').stderr).toContain('--until: expected a duration');
    expect(run('run', '--no-such-flag').status).toBe(2);
    expect(run('run', join(dir, 'missing.yaml')).status).toBe(2);
  });

  it('--view prints one node\'s identity store and connections; an unknown node exits 2', () => {
    const example = join(import.meta.dirname, '..', '..', 'scenarios', 'examples', 'anycast-fallback.yaml');
    const result = run('run', example, '--view', 'c');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('view of c: identity store (3 nodes)');
    expect(result.stdout).toMatch(/m2\s+sim:\/\/m2\s+128\s+configured\s+[\d.]+ms\s+[1-9]/); // c's own failure count for m2
    expect(result.stdout).toMatch(/connections of c \(3 open\)/);
    const unknown = run('run', example, '--view', 'nobody');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('--view: no node "nobody"');
  });

  it('--help describes every option', () => {
    const help = run('run', '--help');
    expect(help.status).toBe(0);
    for (const option of ['--seed', '--until', '--trace']) expect(help.stdout).toContain(option);
  });
});
