// `netmachine check`: seed sweeps in worker threads, failing seeds with replay commands, exit codes.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkSeeds, parseSeeds } from '../../cli/commands/check.js';

const root = join(import.meta.dirname, '..', '..');
const flaky = 'test/kit/fixtures/flaky.yaml';
const check = (...args: string[]) => spawnSync(process.execPath, [join(root, 'cli', 'netmachine.js'), 'check', ...args], { cwd: root, encoding: 'utf8' });

describe('netmachine check', () => {
  it('parses seed ranges and rejects bad ones', () => {
    expect(parseSeeds('1..3,7')).toEqual([1, 2, 3, 7]);
    expect(() => parseSeeds('9..2')).toThrow(/empty/);
    expect(() => parseSeeds('1-5')).toThrow(/expected a range/);
  });

  it('worker threads and the main thread give the same verdicts', async () => {
    const seeds = parseSeeds('1..24');
    const inline = await checkSeeds(flaky, seeds, { workers: 0, isFailFast: false });
    const threaded = await checkSeeds(flaky, seeds, { workers: 2, isFailFast: false });
    expect(threaded).toEqual(inline);
    expect(inline.some((verdict) => !verdict.isOk)).toBe(true);
    expect(inline.some((verdict) => verdict.isOk)).toBe(true);
  });

  it('lists failing seeds with their replay command and exits 1; exits 0 when all pass; 2 on bad input', () => {
    const failing = check(flaky, '--seeds', '1..20', '--workers', '2');
    expect(failing.status).toBe(1);
    expect(failing.stdout).toMatch(/seed \d+ FAILED\n  delivered\(hello\) ≥ 100%: \d\/6/);
    expect(failing.stdout).toMatch(/replay: netmachine run test\/kit\/fixtures\/flaky\.yaml --seed \d+ --report test\/kit\/fixtures\/flaky-seed\d+\.html/);
    expect(failing.stdout).toMatch(/20 seeds checked in .* with 2 workers: \d+ passed, \d+ failed/);

    const fast = check(flaky, '--seeds', '1..20', '--workers', '1', '--fail-fast');
    expect(fast.status).toBe(1);
    expect(fast.stdout).toContain('stopped early by --fail-fast');

    expect(check('test/kit/fixtures/steady.yaml', '--seeds', '1..8', '--workers', '2').status).toBe(0);
    const bad = check(flaky, '--seeds', '10..1');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--seeds: the range 10..1 is empty');
  });
});
