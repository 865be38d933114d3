// A node's schedule (NodeSpec.schedule), run by the node itself: a node that boots after the shared
// start catches up (down until its next restart when its last crash is past, its earlier workload
// skipped and traced as started-late), later events run on time, and it stops at the end. And the
// host map `netmachine node --resolve` dials through.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../core/index.js';
import { scratchFolders } from './cluster-run.js';
import { hostResolver, NodeSpecSchema, readNodeTraceFile, runScheduledNode } from '../../transports/index.js';

/** Temporary folders (they hold emitted keys): removed when the file's tests end. */
const scratch = scratchFolders();

describe('runScheduledNode', () => {
  it('boots late: catches up on a past crash, comes back at its restart, stops at the end', async () => {
    const tracePath = join(scratch(join(tmpdir(), 'netmachine-schedule-')), 'a.jsonl');
    const originMs = Date.now() - 1500; // the run began 1.5 s before this node booted
    const spec = NodeSpecSchema.parse({
      name: 'a',
      secret: toHex(new Uint8Array(32).fill(7)),
      transport: 'tls',
      listen: { host: '127.0.0.1', tls: 0 },
      clockOrigin: originMs,
      engines: [{ name: 'echo', kind: 'echo' }],
      schedule: {
        durationMs: 3000,
        links: [],
        events: [
          { atMs: 200, kind: 'send', from: 'a/echo', to: 'a/echo', sizeBytes: 10 },
          { atMs: 1000, kind: 'crash', node: 'a' },
          { atMs: 2200, kind: 'restart', node: 'a' },
          { atMs: 2500, kind: 'crash', node: 'b' }, // another node's: ignored
        ],
      },
    });
    const startedMs = Date.now();
    await runScheduledNode(spec, { tracePath });
    const elapsedMs = Date.now() - startedMs;
    expect(elapsedMs).toBeGreaterThan(1000); // waited for t = 3000 ms
    const { header, events } = readNodeTraceFile(tracePath);
    expect(header).toMatchObject({ node: 'a', started: originMs, emulated: expect.arrayContaining(['partition']) });
    const late = events.find((event) => event.reason === 'started-late');
    expect(late?.text).toMatch(/^started \d+ ms after the origin: 2 earlier events taken as done \(1 of this node's skipped\); down until its next restart$/);
    expect(events.filter((event) => event.kind === 'crash' || event.kind === 'restart').map((event) => [event.kind, event.node])).toEqual([['restart', 'a']]);
    const restart = events.find((event) => event.kind === 'restart')!;
    expect(restart.t).toBeGreaterThanOrEqual(2200);
    expect(restart.t).toBeLessThan(3000);
  });

  it('a config without a schedule is refused by runScheduledNode', async () => {
    const spec = NodeSpecSchema.parse({ name: 'a', secret: toHex(new Uint8Array(32).fill(1)) });
    await expect(runScheduledNode(spec)).rejects.toMatchObject({ code: 'node/no-schedule' });
  });
});

describe('hostResolver', () => {
  it('exact names before wildcards, case-insensitive; other hosts unchanged', () => {
    const resolve = hostResolver([
      { pattern: '*.run.sims.svc.cluster.local', address: '127.0.0.1' },
      { pattern: 'N2.run.sims.svc.cluster.local', address: '127.0.0.2' },
      { pattern: 'n3', address: '::1' },
    ]);
    expect(resolve('n1.run.sims.svc.cluster.local')).toBe('127.0.0.1');
    expect(resolve('n2.RUN.sims.svc.cluster.local')).toBe('127.0.0.2');
    expect(resolve('n3')).toBe('::1');
    expect(resolve('run.sims.svc.cluster.local')).toBe('run.sims.svc.cluster.local'); // the suffix alone is no match
    expect(resolve('example.org')).toBe('example.org');
  });
});
