import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'cli', 'netmachine.js');
const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 60_000, cwd: root });
const example = (name: string): string => join(root, 'scenarios', 'examples', name);

describe('netmachine run with expectations', () => {
  it('exits 1 and lists each failed expectation with its evidence', () => {
    const dir = mkdtempSync(join(tmpdir(), 'netmachine-'));
    const file = join(dir, 'strict.yaml');
    writeFileSync(
      file,
      readFileSync(example('workload-expectations.yaml'), 'utf8').replace('atLeast: 97%', 'atLeast: 100%').replace('p99: 60ms', 'p99: 1ms'),
    );
    const result = run('run', file);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/delivered\(requests\) ≥ 100%\s+FAILED\s+\d+\/\d+ = 9\d/);
    expect(result.stdout).toMatch(/latency p99\(requests\) ≤ 1ms\s+FAILED/);
    expect(result.stdout).toContain('2 of 5 expectations FAILED');
  });
});

describe('netmachine replay', () => {
  it('a recorded trace replays identically; a trace with one byte changed is reported at that event', () => {
    const dir = mkdtempSync(join(tmpdir(), 'netmachine-'));
    const trace = join(dir, 't.jsonl');
    expect(run('run', example('user-engine.yaml'), '--seed', '4', '--trace', trace, '--quiet').status).toBe(0);
    expect(run('replay', trace).status).toBe(2); // its scenario names modules: replay asks first
    const same = run('replay', trace, '--allow-modules');
    expect(same.status).toBe(0);
    expect(same.stdout).toMatch(/^identical: \d+ events replayed from seed 4/);
    const lines = readFileSync(trace, 'utf8').split('\n');
    lines[57] = lines[57]!.replace(/"seq":56/, '"seq":57');
    writeFileSync(trace, lines.join('\n'));
    const changed = run('replay', trace, '--allow-modules');
    expect(changed.status).toBe(1);
    expect(changed.stdout).toContain('DIFFERENT at line 58 (event 56)');
  });

  it('a hand-edited header or another format version is refused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'netmachine-'));
    const trace = join(dir, 't.jsonl');
    run('run', '--trace', trace, '--quiet', '--until', '2s');
    const lines = readFileSync(trace, 'utf8').split('\n');
    writeFileSync(trace, [lines[0]!.replace('"seed":1', '"seed":2'), ...lines.slice(1)].join('\n'));
    const edited = run('replay', trace);
    expect(edited.status).toBe(1);
    expect(edited.stdout).toContain('DIFFERENT at line 1 (the header)');
    writeFileSync(trace, [lines[0]!.replace('"version":1', '"version":99'), ...lines.slice(1)].join('\n'));
    expect(run('replay', trace).status).toBe(2);
  });
});

describe('netmachine validate, topology, schema', () => {
  it('validate accepts the examples and locates problems in broken files (exit 2)', () => {
    const ok = run('validate', example('gen-grid.yaml'), example('crash-restart.yaml'));
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('gen-grid.yaml: ok (12 nodes, 17 links');
    const bad = run('validate', join(root, 'test', 'scenarios', 'broken', 'unknown-node.yaml'));
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('unknown-node.yaml:5:15 topology.links[0].between[1]: node "c" is not declared');
  });

  it('topology prints degrees, diameter and components without running', () => {
    const result = run('topology', example('gen-grid.yaml'));
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('12 nodes, 17 links');
    expect(result.stdout).toContain('diameter: 5 hops');
    expect(result.stdout).toContain('connected components: 1');
  });

  it('schema prints a JSON Schema that names the scenario fields', () => {
    const result = run('schema');
    expect(result.status).toBe(0);
    const schema = JSON.parse(result.stdout) as { properties: Record<string, unknown> };
    for (const field of ['name', 'seed', 'duration', 'topology', 'engines', 'workloads', 'events', 'expect']) expect(schema.properties).toHaveProperty(field);
  });
});
