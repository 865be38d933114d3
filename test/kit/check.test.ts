// `netmachine check`: seed sweeps in worker threads, failures grouped by first violation and shrunk,
// progress when piped, shards merged into the single-machine report, emitted cluster and CI sweeps.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { checkSeeds, parseSeeds, parseShard } from '../../cli/commands/check.js';
import { etaSeconds } from '../../cli/sweep-progress.js';
import { groupFailures, shardSeeds } from '../../kit/index.js';

const root = join(import.meta.dirname, '..', '..');
const flaky = 'test/kit/fixtures/flaky.yaml';
const out = join(root, 'test', '.output', 'check');
const check = (...args: string[]) => spawnSync(process.execPath, [join(root, 'cli', 'netmachine.js'), 'check', ...args], { cwd: root, encoding: 'utf8' });
/** The report without its timing line. */
const reportOf = (stdout: string): string => stdout.split('\n').filter((line) => !/ checked in | merged from /.test(line)).join('\n');

describe('netmachine check', () => {
  it('parses seed ranges and shards and rejects bad ones', () => {
    expect(parseSeeds('1..3,7')).toEqual([1, 2, 3, 7]);
    expect(() => parseSeeds('9..2')).toThrow(/empty/);
    expect(() => parseSeeds('1-5')).toThrow(/expected a range/);
    expect(parseShard('2/3')).toEqual({ index: 2, count: 3 });
    expect(() => parseShard('4/3')).toThrow(/i\/n/);
    const seeds = parseSeeds('1..10');
    const shards = [1, 2, 3].map((index) => shardSeeds(seeds, index, 3));
    expect(shards).toEqual([[1, 4, 7, 10], [2, 5, 8], [3, 6, 9]]);
  });

  it('worker threads and the main thread give the same verdicts', async () => {
    const seeds = parseSeeds('1..24');
    const inline = await checkSeeds(flaky, seeds, { workers: 0, isFailFast: false });
    const threaded = await checkSeeds(flaky, seeds, { workers: 2, isFailFast: false });
    expect(threaded).toEqual(inline);
    expect(inline.some((verdict) => !verdict.isOk)).toBe(true);
    expect(inline.some((verdict) => verdict.isOk)).toBe(true);
  });

  it('groups failing seeds by first violation, shrinks the first of each group, saves its trace, and shows progress when piped', () => {
    rmSync(out, { recursive: true, force: true });
    const failing = check(flaky, '--seeds', '1..20', '--workers', '2', '--failures', join(out, 'failures'));
    expect(failing.status).toBe(1);
    expect(failing.stdout).toMatch(/^group 1: \d+ failing seeds — delivered\(hello\) ≥ N%: N\/N = N%\n  seeds: \d+(, \d+)*\n  seed \d+:\n    delivered\(hello\) ≥ 100%: \d\/6/m);
    expect(failing.stdout).toMatch(/replay: netmachine run test\/kit\/fixtures\/flaky\.yaml --seed \d+ --report test\/kit\/fixtures\/flaky-seed\d+\.html/);
    expect(failing.stdout).toMatch(/summary: 20 seeds, \d+ passed, \d+ failed in 1 group\n20 seeds checked in .* with 2 workers/);
    const shrunk = /shrunk \(\d+ moves, size (\d+) → (\d+)\): netmachine run (\S+) --seed (\d+)/.exec(failing.stdout)!;
    expect(Number(shrunk[2])).toBeLessThan(Number(shrunk[1]));
    const trace = /trace: (\S+)/.exec(failing.stdout)![1]!;
    expect(readFileSync(trace, 'utf8').split('\n')[0]).toContain('"format":"netmachine-trace"');
    expect(spawnSync(process.execPath, [join(root, 'cli', 'netmachine.js'), 'run', shrunk[3]!, '--seed', shrunk[4]!], { cwd: root, encoding: 'utf8' }).status).toBe(1);
    // Piped stderr: plain progress lines with the rate and an ETA.
    expect(failing.stderr).toMatch(/check: 20\/20 seeds, \d+ failed, [\d.]+ seeds\/s, ETA 0s/);

    const fast = check(flaky, '--seeds', '1..20', '--workers', '1', '--fail-fast', '--no-shrink');
    expect(fast.status).toBe(1);
    expect(fast.stdout).toContain('stopped early by --fail-fast');
    expect(check('test/kit/fixtures/steady.yaml', '--seeds', '1..8', '--workers', '2').status).toBe(0);
    const bad = check(flaky, '--seeds', '10..1');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--seeds: the range 10..1 is empty');
  });

  it('the ETA counts from the first finished seed', () => {
    expect(etaSeconds(1, 100, 0)).toBe(Infinity);
    expect(etaSeconds(11, 101, 10_000)).toBe(90); // 10 seeds in 10 s after the first → 90 left at 1/s
  });

  it('three shards merged give exactly the single-machine report', () => {
    mkdirSync(out, { recursive: true });
    const single = check(flaky, '--seeds', '1..30', '--workers', '0', '--no-shrink', '--json', join(out, 'all.json'));
    const shards = [1, 2, 3].map((index) => check(flaky, '--seeds', '1..30', '--shard', `${index}/3`, '--workers', '1', '--no-shrink', '--json', join(out, `shard-${index}.json`)));
    for (const shard of shards) expect(shard.stdout).toMatch(/\d+ seeds \(shard \d\/3 of 30\) checked/);
    const merged = check('--merge', ...[3, 1, 2].map((index) => join(out, `shard-${index}.json`)));
    expect(merged.status).toBe(single.status);
    expect(reportOf(merged.stdout)).toBe(reportOf(single.stdout));
    expect(merged.stdout).toContain('30 seeds merged from 3 shards');
    const all = JSON.parse(readFileSync(join(out, 'all.json'), 'utf8')) as { verdicts: unknown[] };
    expect(groupFailures(all.verdicts as never).length).toBe(1);

    const missing = check('--merge', join(out, 'shard-1.json'), join(out, 'shard-2.json'));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('shards 3/3 are missing');
    const twice = check('--merge', join(out, 'shard-1.json'), join(out, 'shard-1.json'), join(out, 'shard-2.json'));
    expect(twice.stderr).toContain('given twice');
    writeFileSync(join(out, 'junk.json'), '{"format":"other"}');
    expect(check('--merge', join(out, 'junk.json')).stderr).toContain('not a netmachine check result');
  });

  it('emits a Kubernetes Indexed Job and a GitHub Actions matrix that run the shards and merge them', () => {
    const k8s = check(flaky, '--seeds', '1..100000', '--emit', 'k8s', '--shards', '8', '--image', 'registry.example/netmachine:1');
    expect(k8s.status).toBe(0);
    const documents = parseAllDocuments(k8s.stdout).map((document) => document.toJS() as Record<string, any>);
    expect(documents.map((document) => document['kind'])).toEqual(['PersistentVolumeClaim', 'Job', 'Job']);
    const job = documents[1]!;
    expect(job['spec']).toMatchObject({ completionMode: 'Indexed', completions: 8, parallelism: 8 });
    expect(job['spec'].template.spec.containers[0].command[2]).toContain('netmachine check test/kit/fixtures/flaky.yaml --seeds 1..100000 --shard $((JOB_COMPLETION_INDEX + 1))/8 --json /results/shard-$((JOB_COMPLETION_INDEX + 1)).json');
    expect(documents[2]!['spec'].template.spec.containers[0].command[2]).toContain('netmachine check --merge /results/shard-*.json');
    const github = parse(check(flaky, '--seeds', '1..1000', '--emit', 'github', '--shards', '3').stdout) as Record<string, any>;
    expect(github['jobs'].shard.strategy.matrix.shard).toEqual([1, 2, 3]);
    expect(JSON.stringify(github['jobs'].shard.steps)).toContain('--shard ${{ matrix.shard }}/3 --json shard-${{ matrix.shard }}.json');
    expect(github['jobs'].merge.needs).toBe('shard');
    expect(JSON.stringify(github['jobs'].merge.steps)).toContain('netmachine check --merge shards/*.json');
    expect(check(flaky, '--emit', 'slurm').status).toBe(2);
    expect(existsSync(join(root, 'failures'))).toBe(false);
  });
});
