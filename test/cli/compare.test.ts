// `netmachine compare`: the verdict is over what application engines received; protocol-internal
// deliveries are listed apart; messages in flight when a trace ended are not differences; ids sort
// by number.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'cli', 'netmachine.js');
const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 120_000, cwd: root });
const example = join(root, 'scenarios', 'examples', 'pubsub-star.yaml');

interface Event {
  t: number;
  kind: string;
  node: string;
  engine?: string;
  msg?: string;
}

let dir = '';
let header = '';
let events: Event[] = [];
const simTrace = (): string => join(dir, 'sim.jsonl');

function write(name: string, list: ReadonlyArray<Event>): string {
  const file = join(dir, name);
  writeFileSync(file, [header, ...list.map((event) => JSON.stringify(event))].join('\n') + '\n');
  return file;
}

describe('netmachine compare', () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'netmachine-compare-'));
    expect(run('run', example, '--trace', simTrace(), '--quiet').status).toBe(0);
    const lines = readFileSync(simTrace(), 'utf8').trim().split('\n');
    header = lines[0]!;
    events = lines.slice(1).map((line) => JSON.parse(line) as Event);
  });

  it('a trace compared with itself is the same, application and protocol alike', () => {
    const result = run('compare', simTrace(), simTrace());
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/to application engines\s+160\s+160/);
    expect(result.stdout).toMatch(/ {2}engine subscriber\s+160\s+160/);
    expect(result.stdout).toMatch(/ {2}topic news\s+160\s+160/);
    expect(result.stdout).toContain('the application engines received the same messages');
    expect(run('compare', simTrace(), simTrace(), '--all').stdout).toContain('every delivery is the same');
  });

  it('protocol-internal messages with other ids (timing) are listed apart and do not fail the comparison', () => {
    // The PubSub engines number their messages differently, as on a real network with other timing.
    const prefix = publisherPrefix();
    const renumbered = events.map((event) => (event.msg !== undefined && !event.msg.startsWith(prefix) ? { ...event, msg: event.msg.replace(/:(\d+)$/, (_, n: string) => `:${Number(n) + 7}`) } : event));
    const other = write('renumbered.jsonl', renumbered);
    const result = run('compare', simTrace(), other);
    expect(result.stdout).toMatch(/protocol-internal deliveries differ: \d+ only in A, \d+ only in B \(not part of the verdict/);
    expect(result.stdout).toContain('the application engines received the same messages');
    expect(result.status).toBe(0);
    const strict = run('compare', simTrace(), other, '--all');
    expect(strict.stdout).toMatch(/protocol-internal deliveries only in A \(\d+\):\n {2}\S+:\d+ → s\d\/pubsub/);
    expect(strict.stdout).toContain('deliveries differ');
    expect(strict.status).toBe(1);
  });

  it('a subscriber delivery missing mid-run fails it; one missing because the trace ended is in flight', () => {
    const deliveries = events.filter((event) => event.kind === 'deliver' && event.engine === 'subscriber');
    const middle = deliveries[Math.floor(deliveries.length / 2)]!;
    const missing = run('compare', simTrace(), write('missing.jsonl', events.filter((event) => event !== middle)));
    expect(missing.status).toBe(1);
    expect(missing.stdout).toContain(`A: ${simTrace()} (sim)`);
    expect(missing.stdout).toContain('application deliveries only in A (1):');
    // Messages are named after their source engine (real networks give engines other ids).
    expect(missing.stdout).toContain(`  s1/publisher${middle.msg!.slice(middle.msg!.lastIndexOf(':'))} → ${middle.node}/subscriber`);
    expect(missing.stdout).toContain('the application engines received different messages');
    // Cut the trace just before the last subscriber delivery: that message was on its way.
    const last = deliveries[deliveries.length - 1]!;
    const cut = run('compare', simTrace(), write('cut.jsonl', events.filter((event) => event.t < last.t)));
    expect(cut.stdout).toMatch(/delivered in A only, still in flight when B ended \(\d+\):/);
    expect(cut.stdout).toMatch(/the application engines received the same messages \(\d+ messages? in flight at an end not counted\)/);
    expect(cut.status).toBe(0);
  });

  it('lists message ids in numeric order (…:9 before …:10)', () => {
    const dropped = new Set(events.filter((event) => event.kind === 'deliver' && event.engine === 'subscriber' && event.node === 's2' && /:(9|10|11)$/.test(event.msg ?? '')));
    expect(dropped.size).toBe(3);
    const result = run('compare', simTrace(), write('gaps.jsonl', events.filter((event) => !dropped.has(event))));
    const listed = result.stdout.split('\n').filter((line) => / → s2\/subscriber$/.test(line)).map((line) => Number(/:(\d+) →/.exec(line)![1]));
    expect(listed).toEqual([9, 10, 11]);
  });

  it('pubsub-star on the simulator and on QUIC: the same topic events reached every subscriber', () => {
    const quic = join(dir, 'quic.jsonl');
    const deploy = run('deploy', example, '--in-process', '--trace', quic, '--quiet');
    expect(deploy.status, deploy.stdout + deploy.stderr).toBe(0);
    const result = run('compare', simTrace(), quic);
    expect(result.stdout).toMatch(/ {2}engine subscriber\s+160\s+160/);
    expect(result.stdout).toContain('the application engines received the same messages');
    expect(result.status).toBe(0);
  }, 120_000);
});

function publisherPrefix(): string {
  const publish = events.find((event) => event.kind === 'send' && event.engine === 'publisher');
  return publish!.msg!.split(':')[0]!;
}
