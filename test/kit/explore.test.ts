// Exhaustive exploration: the crash-timing bug of the de-duplicating counter on 3 nodes is found
// with a shortest schedule that replays from its file; the fixed counter holds on every schedule.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explore, gCounterChecker, KitError, simulate } from '../../kit/index.js';
import { counterCase } from './engines/planted.js';

const root = join(import.meta.dirname, '..', '..');
const failuresDir = join(root, 'test', '.output', 'kit-failures', 'explore');
const counter = counterCase;
const bounds = { crashesMax: 1, restartAfterMs: 100, failuresDir, baseDir: root };

describe('explore', () => {
  it('finds the crash-timing bug on 3 nodes with a shortest schedule, written as a file that replays', async () => {
    const result = await explore(counter(false), [gCounterChecker], { ...bounds, decisionsMax: 24 });
    expect(result.verdict).toBe('failed');
    expect(result.deviations).toBe(1);
    expect(result.choices!.at(-1)).toBe(3); // crash the receiver of that frame
    const replay = spawnSync(process.execPath, [join(root, 'cli', 'netmachine.js'), 'run', result.failure!.file, '--allow-modules-outside'], { cwd: root, encoding: 'utf8' });
    expect(replay.stdout).toMatch(/g-counter: \d+ bad reads/);
    expect(replay.status).toBe(1);
  });

  it('the fixed counter holds on every schedule within the bounds', async () => {
    const result = await explore(counter(true), [gCounterChecker], { ...bounds, decisionsMax: 8 });
    expect(result.verdict).toBe('exhausted');
    expect(result.runs).toBeGreaterThan(100);
  });

  it('checks its options, and a schedule with an unknown choice is a located error', async () => {
    await expect(explore(counter(true), [gCounterChecker], { delaysMs: [] })).rejects.toBeInstanceOf(KitError);
    await expect(simulate({ ...counter(true), schedule: { delays: ['1ms', '5ms'], choices: [0, 9] } }, { baseDir: root })).rejects.toThrow(/schedule\.choices\[1\]|schedule.choices.1/);
  });
});
