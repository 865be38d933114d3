// The kit must find a planted bug, shrink it to a small scenario and write a file that replays it.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkProperty, failed, held, PropertyFailedError, scenarioArbitrary, scenarioSize, type Invariant, type ScenarioDocumentInput } from '../../kit/index.js';
import { acceptedOnce } from './broken-flood.js';

const root = join(import.meta.dirname, '..', '..');
const failuresDir = join(root, 'test', '.output', 'kit-failures', 'broken-engine');
const module = join(import.meta.dirname, 'broken-flood.ts');

const eachRumourAcceptedOnce: Invariant = function eachRumourAcceptedOnce(trace) {
  const outcome = acceptedOnce(trace.events);
  return outcome === true ? held('eachRumourAcceptedOnce', 'every rumour accepted once per node') : failed('eachRumourAcceptedOnce', `${outcome.length} repeated accepts`, outcome, []);
};

const floodScenarios = (isFixed: boolean) =>
  scenarioArbitrary({
    name: isFixed ? 'flood-fixed' : 'flood-broken',
    topology: { nodesMin: 1, nodesMax: 7, extraLinksMax: 3, link: { latencyMsMax: 30, jitterMsMax: 10 } },
    faults: { kinds: ['crash', 'loss-burst', 'clock-skew'], faultsMax: 3 },
    workload: { workloadsMax: 3, messagesMax: 4 },
    durationMsMin: 300,
    durationMsMax: 2000,
    engines: [{ on: 'all', kind: 'flood', name: 'sink', module, params: { isFixed } }],
  });

describe('kit on a broken engine', () => {
  it('finds the repeated accept, shrinks it to a triangle, and the written file replays the failure', async () => {
    rmSync(failuresDir, { recursive: true, force: true });
    const error = await checkProperty(floodScenarios(false), [eachRumourAcceptedOnce], {
      numRuns: 100,
      seed: 8,
      failuresDir,
      baseDir: root,
      replayCheck: { module, function: 'acceptedOnce' },
    }).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(PropertyFailedError);
    const failure = (error as PropertyFailedError).failure;
    const size = scenarioSize(failure.scenario as ScenarioDocumentInput);
    console.log(`broken flood engine shrunk to ${JSON.stringify(size)} seed ${failure.seed} after ${failure.numShrinks} shrinks`);
    expect(size.nodes).toBeLessThanOrEqual(3);
    expect(size.faults).toBe(0);
    expect((error as Error).message).toContain(`netmachine run `);
    expect((error as Error).message).toContain(`--seed ${failure.seed} --report `);
    expect((error as Error).message).toContain('--allow-modules-outside');
    expect(existsSync(failure.file)).toBe(true);
    expect(readFileSync(failure.file, 'utf8')).toContain('check:');

    const replay = spawnSync(process.execPath, [join(root, 'cli', 'netmachine.js'), 'run', failure.file, '--seed', String(failure.seed), '--report', failure.report, '--allow-modules-outside'], { cwd: root, encoding: 'utf8' });
    expect(replay.stdout).toContain('accepted rumour');
    expect(replay.status).toBe(1);
    expect(existsSync(failure.report)).toBe(true);
  });

  it('the fixed engine passes the same property', async () => {
    await expect(checkProperty(floodScenarios(true), [eachRumourAcceptedOnce], { numRuns: 30, seed: 8, failuresDir, baseDir: root })).resolves.toMatchObject({ numRuns: 30 });
  });
});
