// A failure file for built-in invariants carries a check module that `netmachine run` loads.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFailureFile } from '../../kit/index.js';

const root = join(import.meta.dirname, '..', '..');
// One folder per test file: broken-engine.test.ts clears its own folder while this one runs.
const failuresDir = join(root, 'test', '.output', 'kit-failures', 'failure-file');

describe('failure files', () => {
  it('re-check built-in invariants through expect.check when replayed', () => {
    const scenario = {
      name: 'replay me',
      duration: '1s',
      crypto: 'sim-keyed',
      topology: { nodes: ['a', 'b'], links: [{ between: ['a', 'b'], latency: '5ms' }] },
      workloads: [{ name: 'hello', from: ['a'], to: 'neighbors', rate: '10/s', count: 3 }],
    };
    const written = writeFailureFile({ scenario, seed: 9, failuresDir, baseDir: root, name: 'replay me', comment: ['test'], builtinInvariants: ['atMostOnceDelivery', 'causalOrder'] });
    expect(written.command).toMatch(/^netmachine run test\/\.output\/kit-failures\/failure-file\/replay-me-[0-9a-f]{10}\.yaml --seed 9 --report test\/\.output\/kit-failures\/failure-file\/replay-me-[0-9a-f]{10}\.html$/);
    const text = readFileSync(written.file, 'utf8');
    expect(text).toMatch(/^# test\nname: replay me\nseed: 9\n/);
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
    const written = writeFailureFile({ scenario, seed: 1, failuresDir, baseDir: root, name: 'remote reader', comment: ['test'], builtinInvariants: ['pubsubSubscribersReceiveAll'] });
    const run = spawnSync(process.execPath, [join(root, 'cli', 'netmachine.js'), 'run', written.file, '--seed', '1'], { cwd: root, encoding: 'utf8' });
    expect(run.stdout).toMatch(/pubsubSubscribersReceiveAll\(network\): \d+ of \d+ subscriber deliveries missing/);
    expect(run.stdout).toMatch(/#\d+ t=[\d.]+ms send a\/news msg=\S+ to=news: never delivered to subscriber b\/reader/);
    expect(run.status).toBe(1);
  });
});
