// Golden trace hashes: every example scenario (and the embedded default) runs with its own seed and
// its trace is written exactly as `netmachine run --trace` writes it; the SHA-256 of each trace file
// must match golden.json. A change that alters traces on purpose regenerates the hashes with
//   UPDATE_GOLDEN=1 npx vitest run --config test/vitest.config.ts test/sim/golden.test.ts
// and commits golden.json with a message that says why.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runScenario } from '../../cli/commands/run.js';
import { loadDefault, loadScenario, type LoadedScenario } from '../../scenarios/index.js';

const root = join(import.meta.dirname, '..', '..');
const goldenFile = join(import.meta.dirname, 'golden.json');
const isUpdating = process.env['UPDATE_GOLDEN'] === '1';
const DEFAULT_NAME = '<default>';

// Paths are the ones a user types from the repository root; they appear in the trace header.
const examples = readdirSync(join(root, 'scenarios', 'examples'))
  .filter((name) => name.endsWith('.yaml'))
  .sort()
  .map((name) => `scenarios/examples/${name}`);

const golden: Record<string, string> = isUpdating ? {} : (JSON.parse(readFileSync(goldenFile, 'utf8')) as Record<string, string>);
const actual: Record<string, string> = {};
const dir = mkdtempSync(join(tmpdir(), 'netmachine-golden-'));

async function traceHash(load: () => Promise<LoadedScenario>): Promise<string> {
  const trace = join(dir, 'trace.jsonl');
  await runScenario(await load(), { trace, quiet: true });
  return createHash('sha256').update(readFileSync(trace)).digest('hex');
}

describe('golden trace hashes', () => {
  const cwd = process.cwd();
  afterAll(() => {
    process.chdir(cwd);
    rmSync(dir, { recursive: true, force: true });
    if (isUpdating) writeFileSync(goldenFile, JSON.stringify(actual, null, 2) + '\n');
  });

  it('every example and the default scenario write the committed trace, byte for byte', async () => {
    process.chdir(root);
    actual[DEFAULT_NAME] = await traceHash(loadDefault);
    for (const file of examples) actual[file] = await traceHash(() => loadScenario(file));
    if (isUpdating) return;
    const names = [...new Set([...Object.keys(golden), ...Object.keys(actual)])].sort();
    const changed = names.filter((name) => golden[name] !== actual[name]).map((name) => `  ${name}: ${golden[name] ?? '(no golden hash)'} -> ${actual[name] ?? '(no such example)'}`);
    expect(
      changed,
      `${changed.length} trace(s) changed:\n${changed.join('\n')}\n` +
        'If the change is deliberate, regenerate the hashes with\n' +
        '  UPDATE_GOLDEN=1 npx vitest run --config test/vitest.config.ts test/sim/golden.test.ts\n' +
        'and commit test/sim/golden.json saying why the traces changed.',
    ).toEqual([]);
  }, 300_000);
});
