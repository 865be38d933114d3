// The CLI on hostile or broken input files: validate runs nothing, replay asks before running
// modules and cuts long lines, run never ends in a stack trace.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'cli', 'netmachine.js');
const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 60_000, cwd: root });

describe('validate runs nothing', () => {
  it('checks a module engine by its export names without importing it, and says what it left to run time', () => {
    const dir = mkdtempSync(join(tmpdir(), 'netmachine-validate-'));
    const marker = join(dir, 'ran');
    writeFileSync(join(dir, 'engine.mjs'), `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'ran');\nexport const flood = () => ({ handle() {} });\n`);
    writeFileSync(join(dir, 's.yaml'), 'name: s\ntopology: { nodes: [a] }\nengines: [{ on: all, kind: flood, module: ./engine.mjs }]\n');
    const result = run('validate', join(dir, 's.yaml'));
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('note:');
    expect(result.stdout).toContain('validate does not run modules');
    expect(existsSync(marker)).toBe(false);
    expect(run('validate', '--run-modules', join(dir, 's.yaml')).status).toBe(0);
    expect(existsSync(marker)).toBe(true);
  });

  it('prints every problem with its code and exits 2', () => {
    const result = run('validate', join(root, 'test', 'scenarios', 'broken', 'both-stages.yaml'));
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(2);
    expect(result.stderr).toContain('[scenario/bad-unit]');
    expect(result.stderr).toContain('[scenario/unknown-node]');
  });
});

describe('run on broken input', () => {
  it('a storage-client without storage, or a factory that throws, is a located error with exit 2, not a stack trace', () => {
    const result = run('run', '--quiet', join(root, 'test', 'scenarios', 'broken', 'storage-client-alone.yaml'));
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('[scenario/missing-engine]');
    expect(result.stderr).not.toMatch(/\n\s+at /);
    const dir = mkdtempSync(join(tmpdir(), 'netmachine-throws-'));
    writeFileSync(join(dir, 'engine.mjs'), "export const bad = () => { throw new Error('no luck'); };\n");
    writeFileSync(join(dir, 's.yaml'), 'name: s\ntopology: { nodes: [a] }\nengines: [{ on: all, kind: bad, module: ./engine.mjs }]\n');
    const thrown = run('run', '--quiet', join(dir, 's.yaml'));
    expect(thrown.status).toBe(2);
    expect(thrown.stderr).toMatch(/s\.yaml:3:\d+ engines\[0\]: engine "bad" on node "a" could not start: no luck \[engine\/start-failed\]/);
  });

  it('a non-scenario file gives a short error, not the file', () => {
    const result = run('run', join(root, 'README.md'));
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('[input/not-yaml]');
    expect(result.stderr.length).toBeLessThan(3000);
  });
});

describe('replay of a trace from someone else', () => {
  it('refuses to run the modules a trace names without --allow-modules', () => {
    const dir = mkdtempSync(join(tmpdir(), 'netmachine-replay-'));
    const marker = join(dir, 'ran');
    writeFileSync(join(dir, 'engine.mjs'), `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'ran');\nexport const quiet = () => ({ handle() {} });\n`);
    writeFileSync(join(dir, 's.yaml'), 'name: s\nduration: 1s\ntopology: { nodes: [a] }\nengines: [{ on: all, kind: quiet, module: ./engine.mjs }]\n');
    const trace = join(dir, 't.jsonl');
    expect(run('run', join(dir, 's.yaml'), '--trace', trace, '--quiet').status).toBe(0);
    rmSync(marker);
    const refused = run('replay', trace);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('--allow-modules');
    expect(refused.stderr).toContain('engines[0].module');
    expect(existsSync(marker)).toBe(false);
    expect(run('replay', trace, '--allow-modules').status).toBe(0);
    expect(existsSync(marker)).toBe(true);
  });

  it('shows the first differing field and a window of a huge line, labelled trace vs replay', () => {
    const dir = mkdtempSync(join(tmpdir(), 'netmachine-replay-'));
    const trace = join(dir, 't.jsonl');
    expect(run('run', '--trace', trace, '--quiet', '--until', '2s').status).toBe(0);
    const lines = readFileSync(trace, 'utf8').split('\n');
    lines[5] = lines[5]!.replace(/"node":"([^"]+)"/, `"node":"$1${'x'.repeat(2_000_000)}"`);
    writeFileSync(trace, lines.join('\n'));
    const result = run('replay', trace);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('DIFFERENT at line 6 (event 4)');
    expect(result.stdout).toContain('first in field "node"');
    expect(result.stdout).toMatch(/in the trace: .*x{10}.*more chars\)/);
    expect(result.stdout).toMatch(/replayed: {5}/);
    expect(result.stdout.length).toBeLessThan(2000);
  });
});

describe('limit and module flags reach every command that loads a scenario', () => {
  // 3 engines over the limit of 2: refused by default, accepted with --limits engines=3, in the
  // main thread and in check's worker threads alike (and the module below sits outside the folder).
  const dir = mkdtempSync(join(tmpdir(), 'netmachine-flags-'));
  const scenario = join(dir, 'scenarios', 's.yaml');
  writeFileSync(join(dir, 'engine.mjs'), 'export const quiet = () => ({ handle() {} });\n');
  spawnSync('mkdir', [join(dir, 'scenarios')]);
  writeFileSync(scenario, 'name: s\nduration: 1s\ntopology: { nodes: [a, b, c] }\nengines: [{ on: all, kind: quiet, module: ../engine.mjs }]\nexpect: { events: [{ kind: drop, atMost: 0 }] }\n');
  const limits = ['--limits', 'engines=3', '--allow-modules-outside'];

  it('check, in this thread and in workers', () => {
    const refused = run('check', scenario, '--seeds', '1..2', '--limits', 'engines=2', '--allow-modules-outside');
    expect(refused.status, refused.stderr).toBe(2);
    expect(refused.stderr).toContain('limits/engines');
    expect(run('check', scenario, '--seeds', '1..2', '--limits', 'engines=3').stderr).toContain('--allow-modules-outside');
    for (const workers of ['0', '2']) {
      const result = run('check', scenario, '--seeds', '1..2', '--workers', workers, ...limits);
      expect(result.status, result.stderr + result.stdout).toBe(0);
      expect(result.stdout).toContain('2 seeds checked');
    }
  });

  it('check --emit carries the flags into the commands it writes', () => {
    const result = run('check', scenario, '--seeds', '1..8', '--emit', 'github', '--shards', '2', ...limits);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('--limits engines=3 --allow-modules-outside');
  });

  it('deploy', () => {
    expect(run('deploy', scenario, '--in-process', '--quiet', '--limits', 'engines=3').stderr).toContain('--allow-modules-outside');
    const result = run('deploy', scenario, '--in-process', '--quiet', '--until', '300ms', ...limits);
    expect(result.status, result.stderr).toBe(0);
  });

  it('collect --scenario', () => {
    const trace = join(dir, 'a.jsonl');
    expect(run('run', scenario, '--quiet', '--trace', trace, ...limits).status).toBe(0);
    expect(run('collect', join(dir, 'out.jsonl'), trace, '--scenario', scenario, '--quiet').stderr).toContain('--allow-modules-outside');
    const result = run('collect', join(dir, 'out.jsonl'), trace, '--scenario', scenario, '--quiet', ...limits);
    expect(result.status, result.stderr).toBe(0);
  });
});
