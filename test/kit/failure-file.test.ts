// A failure file for built-in invariants carries a check module that `netmachine run` loads.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allDeliveredWhenLossFreeWith, replayOf, runInvariant, simulate, writeFailureFile } from '../../kit/index.js';
import { fewerThanThreeDeliveries } from './fixtures/user-invariants.js';

const root = join(import.meta.dirname, '..', '..');
// One folder per test file: broken-engine.test.ts clears its own folder while this one runs.
const failuresDir = join(root, 'test', '.output', 'kit-failures', 'failure-file');

const run = (file: string, seed: number) => spawnSync(process.execPath, [join(root, 'cli', 'netmachine.js'), 'run', file, '--seed', String(seed)], { cwd: root, encoding: 'utf8' });

describe('failure files', () => {
  it('re-check built-in invariants through expect.check when replayed', () => {
    const scenario = {
      name: 'replay me',
      duration: '1s',
      crypto: 'sim-keyed',
      topology: { nodes: ['a', 'b'], links: [{ between: ['a', 'b'], latency: '5ms' }] },
      workloads: [{ name: 'hello', from: ['a'], to: 'neighbors', rate: '10/s', count: 3 }],
    };
    const written = writeFailureFile({ scenario, seed: 9, failuresDir, baseDir: root, name: 'replay me', comment: ['test'], replays: [{ builtin: 'atMostOnceDelivery' }, { builtin: 'causalOrder' }] });
    expect(written.command).toMatch(/^netmachine run test\/\.output\/kit-failures\/failure-file\/replay-me-[0-9a-f]{10}\.yaml --seed 9 --report test\/\.output\/kit-failures\/failure-file\/replay-me-[0-9a-f]{10}\.html$/);
    const text = readFileSync(written.file, 'utf8');
    expect(text).toMatch(/^# test\nname: replay me\nseed: 9\n/);
    // Portable: nothing names this machine's folders; the kit is imported by its package name.
    const check = readFileSync(written.file.replace(/\.yaml$/, '.check.mjs'), 'utf8');
    expect(text + check).not.toContain(root);
    expect(check).toContain("from 'netmachine'");
    const run = spawnSync(process.execPath, [join(root, 'cli', 'netmachine.js'), 'run', written.file, '--seed', '9'], { cwd: root, encoding: 'utf8' });
    expect(run.stdout).toMatch(/check check\(\) from \.\/replay-me-[0-9a-f]{10}\.check\.mjs\s+ok/);
    expect(run.status).toBe(0);
  });

  it('a replayed file whose built-in invariant fails exits 1 and prints the offending events', () => {
    // No pubsub engine: the Router's pub/sub stays on the publisher's node, so the remote reader
    // misses every event, which the network-scope invariant reports.
    const scenario = {
      name: 'remote reader',
      duration: '3s',
      crypto: 'sim-keyed',
      topology: { nodes: ['a', 'b'], links: [{ between: ['a', 'b'], latency: '5ms' }] },
      engines: [{ on: ['b'], kind: 'subscriber', name: 'reader', params: { topic: 'news' } }, { on: 'all', kind: 'sink' }],
      workloads: [{ name: 'news', from: ['a'], topic: 'news', rate: '10/s', count: 20, start: '1100ms' }],
    };
    const written = writeFailureFile({ scenario, seed: 1, failuresDir, baseDir: root, name: 'remote reader', comment: ['test'], replays: [{ builtin: 'pubsubSubscribersReceiveAll' }] });
    const run = spawnSync(process.execPath, [join(root, 'cli', 'netmachine.js'), 'run', written.file, '--seed', '1'], { cwd: root, encoding: 'utf8' });
    expect(run.stdout).toMatch(/pubsubSubscribersReceiveAll\(network\): \d+ of \d+ subscriber deliveries missing/);
    expect(run.stdout).toMatch(/#\d+ t=[\d.]+ms send a\/news msg=\S+ to=news: never delivered to subscriber b\/reader/);
    expect(run.status).toBe(1);
  });
});

describe('failure files re-check every failed invariant', () => {
  // Sends near the end stay in flight: with settleMs 0 the configured built-in fails, with the default it holds.
  const scenario = {
    name: 'late sends',
    duration: '1s',
    crypto: 'sim-keyed',
    topology: { nodes: ['a', 'b'], links: [{ between: ['a', 'b'], latency: '200ms' }] },
    workloads: [{ name: 'hello', from: ['a'], to: 'neighbors', rate: '10/s', count: 10, start: '400ms' }],
  };

  it('a configured built-in is rebuilt with its options', async () => {
    const invariant = allDeliveredWhenLossFreeWith({ settleMs: 0 });
    expect(replayOf(invariant)).toEqual({ builtin: 'allDeliveredWhenLossFreeWith', args: [{ settleMs: 0 }] });
    expect((await runInvariant(invariant, await simulate(scenario, { seed: 1 }))).isOk).toBe(false);
    const written = writeFailureFile({ scenario, seed: 1, failuresDir, baseDir: root, name: 'configured', comment: ['test'], replays: [replayOf(invariant)!] });
    const replay = run(written.file, 1);
    expect(replay.stdout).toContain('messages never delivered in a loss-free run');
    expect(replay.status).toBe(1);
  });

  it("a user invariant made replayable is imported from its module by a relative path", () => {
    const written = writeFailureFile({ scenario, seed: 1, failuresDir, baseDir: root, name: 'user', comment: ['test'], replays: [replayOf(fewerThanThreeDeliveries)!] });
    // It imports a TypeScript module, so it is itself TypeScript (loaded through netmachine's TypeScript loader).
    const check = readFileSync(written.file.replace(/\.yaml$/, '.check.ts'), 'utf8');
    expect(check).toContain('import * as module1 from "../../../kit/fixtures/user-invariants.ts";');
    const replay = run(written.file, 1);
    expect(replay.stdout).toMatch(/fewerThanThreeDeliveries: \d+ deliveries/);
    expect(replay.status).toBe(1);
  });
});
