// The command's rough edges: version, help, closed pipes, quiet failures, flag ranges, plurals and
// the run summary's wording.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'cli', 'netmachine.js');
const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 60_000, cwd: root });
const example = (name: string): string => join(root, 'scenarios', 'examples', name);
const scratch = (name: string, text: string): string => {
  const file = join(mkdtempSync(join(tmpdir(), 'netmachine-edges-')), name);
  writeFileSync(file, text);
  return file;
};

describe('netmachine --version and --help', () => {
  it('--version and -V print the package version', () => {
    const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const result = run(flag);
      expect(result.status).toBe(0);
      expect(result.stdout).toBe(`${version}\n`);
    }
  });

  it('--help lists every command; a command help lists its options', () => {
    const help = run('--help');
    expect(help.status).toBe(0);
    for (const command of ['run', 'check', 'validate', 'replay', 'topology', 'schema', 'viz', 'keygen', 'node', 'deploy', 'compare', 'collect']) expect(help.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    expect(run('help', 'run').stdout).toContain('--seed <n>');
    expect(run('rnu').stderr).toContain('Did you mean run?');
  });

  it('required options are in the usage line and marked (required)', () => {
    for (const [command, usage, option, next] of [
      ['viz', 'netmachine viz --out <file> [options] <trace>', '-o, --out <file>', '-h, --help'],
      ['node', 'netmachine node --config <file> [options]', '--config <file>', '--transport <kind>'],
    ] as const) {
      const help = run(command, '--help').stdout;
      expect(help).toContain(`Usage: ${usage}`);
      // The option's description (wrapped or not) ends with "(required)".
      expect(help.slice(help.indexOf(`  ${option}`), help.indexOf(`  ${next}`)).trimEnd()).toMatch(/\(required\)$/);
    }
    expect(run('run', '--help').stdout).not.toContain('(required)');
  });
});

describe('netmachine run: output and flags', () => {
  it('stdout closed early (`| head -1`): no EPIPE stack trace, and the run still finishes with its exit status', () => {
    // 1,500 nodes listed with --verbose: far more than a pipe buffer holds.
    const file = scratch('ring.yaml', 'name: ring\nduration: 50ms\ntopology:\n  generate:\n    - { kind: ring, nodes: 1500 }\n');
    const result = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${bin}" run "${file}" --verbose | head -1`], { encoding: 'utf8', timeout: 60_000 });
    expect(result.stdout).toMatch(/^scenario ring /);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('--quiet still prints the expectations that failed, with the verdict over all of them', () => {
    const file = scratch('strict.yaml', readFileSync(example('workload-expectations.yaml'), 'utf8').replace('atLeast: 97%', 'atLeast: 100%').replace('p99: 60ms', 'p99: 1ms'));
    const result = run('run', file, '--quiet');
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/latency p99\(requests\) ≤ 1ms\s+FAILED/);
    expect(result.stdout).not.toMatch(/\sok\s/);
    expect(result.stdout).toContain('2 of 5 expectations FAILED');
    const passing = run('run', example('workload-expectations.yaml'), '--quiet');
    expect(passing.status).toBe(0);
    expect(passing.stdout).toBe('');
  });

  it('--until must be greater than 0; --seed names its range', () => {
    for (const zero of ['0', '0s', '0ms']) {
      const result = run('run', '--until', zero);
      expect(result.status).toBe(2);
      expect(result.stderr).toBe(`netmachine: --until: the run length must be greater than 0, got "${zero}"\n`);
    }
    const seed = run('run', '--seed', '4294967296');
    expect(seed.status).toBe(2);
    expect(seed.stderr).toContain('--seed: expected an integer from 0 to 4294967295, got "4294967296"');
    expect(run('run', '--seed', '4294967295', '--until', '1s', '--quiet').status).toBe(0);
    expect(run('check', example('gen-ring.yaml'), '--seeds', '4294967290..4294967296').stderr).toContain('from 0 to 4294967295');
  });

  it('counts read in the singular for one (link, node, seed, worker)', () => {
    const file = scratch('pair.yaml', 'name: pair\nduration: 1s\ntopology:\n  nodes: [a, b]\n  links: [[a, b]]\nworkloads:\n  - { name: hello, from: [a], to: [b], rate: 1/s, count: 1 }\nexpect:\n  delivered:\n    - { workload: hello, atLeast: 100% }\n');
    const result = run('run', file);
    expect(result.stdout).toContain('\n1 link, both directions');
    expect(result.stdout).toContain('the expectation holds');
    const check = run('check', file, '--seeds', '3', '--workers', '64');
    expect(check.stdout).toMatch(/^summary: 1 seed, 1 passed, 0 failed in 0 groups$/m);
    expect(check.stdout).toMatch(/^1 seed checked in [\d.]+s with 1 worker$/m);
    expect(run('check', file, '--seeds', '1..2', '--workers', '0').stdout).toMatch(/2 seeds checked in [\d.]+s in this thread/);
  });

  it('the summary explains how the run ended, gives frame sizes a unit and accounts for every message', () => {
    const result = run('run', example('pubsub-star.yaml'));
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/virtual time 6000ms {2}\(ran its full duration\)/);
    expect(result.stdout).toMatch(/largest frame\n/);
    expect(result.stdout).toMatch(/s1→s2 .* 1 MiB\n/);
    // 40 publishes reach 4 subscribers (and the hub's PubSub bridge): more deliveries than sends, said why.
    expect(result.stdout).toMatch(/sent\s+\d+\s+\d+ to engines or nodes, 40 to topics/);
    expect(result.stdout).toMatch(/delivered\s+\d+\s+\d+ engine\/node messages \+ 200 more \(a topic message reaches every subscribed engine; duplicates count again\)/);
    const accounting = /in flight at the end\s+(\d+)\s+(\d+) engine\/node messages = (\d+) delivered \+ (\d+) dropped \+ (\d+) in flight/.exec(result.stdout);
    expect(accounting).not.toBeNull();
    const [, inFlight, sent, delivered, dropped, inFlightAgain] = accounting!.map(Number);
    expect(inFlight).toBe(inFlightAgain);
    expect(delivered! + dropped! + inFlight!).toBe(sent);
    const cut = run('run', example('pubsub-star.yaml'), '--until', '2050ms');
    expect(cut.stdout).toMatch(/virtual time 2050ms {2}\(ran its full duration\)/);
    const idle = run('run', scratch('idle.yaml', 'name: idle\nduration: 5s\ntopology:\n  nodes: [a]\n'));
    expect(idle.stdout).toContain('(ended early: nothing was left to happen before 5000ms)');
  });
});
