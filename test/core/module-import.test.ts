// User modules: JavaScript and TypeScript, in ESM and CommonJS folders, and one-line errors that
// name the user's file.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { importModuleFile, ModuleLoadError } from '../../core/index.js';

let esm = '';
let cjs = '';

async function failure(file: string): Promise<ModuleLoadError> {
  const error = await importModuleFile(file).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ModuleLoadError);
  expect((error as ModuleLoadError).code).toBe('module/load-failed');
  expect((error as ModuleLoadError).message).not.toContain('\n');
  return error as ModuleLoadError;
}

describe('importModuleFile', () => {
  beforeAll(() => {
    const dir = mkdtempSync(join(tmpdir(), 'netmachine-modules-'));
    esm = join(dir, 'esm');
    cjs = join(dir, 'cjs');
    for (const [folder, manifest] of [[esm, { type: 'module' }], [cjs, {}]] as const) {
      mkdirSync(folder);
      writeFileSync(join(folder, 'package.json'), JSON.stringify(manifest));
      writeFileSync(join(folder, 'engine.ts'), "import { helper } from './helper.js';\nexport const engine = (x: number): number => helper(x);\n");
      writeFileSync(join(folder, 'helper.ts'), 'export function helper(x: number): number {\n  return x + 1;\n}\n');
      writeFileSync(join(folder, 'plain.js'), 'export const plain = 7;\n');
      writeFileSync(join(folder, 'syntax.ts'), 'export const ok = 1;\nexport const bad = (;\n');
      writeFileSync(join(folder, 'throws.ts'), "const limit: number = 1;\nif (limit > 0) throw new Error('refusing to load');\nexport const never = limit;\n");
      writeFileSync(join(folder, 'dependency.ts'), "import { nothing } from 'no-such-package-netmachine';\nexport const value = nothing;\n");
    }
  });

  it('loads TypeScript (with relative .js imports of .ts files) and JavaScript, in ESM and CommonJS folders', async () => {
    for (const folder of [esm, cjs]) {
      const engine = (await importModuleFile(join(folder, 'engine.ts')))['engine'] as (x: number) => number;
      expect(engine(1)).toBe(2);
      expect((await importModuleFile(join(folder, 'plain.js')))['plain']).toBe(7);
    }
  });

  it('a syntax error is located in the file', async () => {
    for (const folder of [esm, cjs]) expect((await failure(join(folder, 'syntax.ts'))).message).toBe('syntax error at 2:20: Unexpected ";"');
  });

  it('a missing file, a missing import and a module that throws say so', async () => {
    expect((await failure(join(esm, 'absent.ts'))).message).toBe('file not found');
    expect((await failure(join(esm, 'absent.js'))).message).toBe('file not found');
    for (const folder of [esm, cjs]) expect((await failure(join(folder, 'dependency.ts'))).message).toMatch(/no-such-package-netmachine.*dependency\.ts/);
    // The line comes from source maps where the host enables them (plain Node with tsx does, vitest's worker may not).
    for (const folder of [esm, cjs]) expect((await failure(join(folder, 'throws.ts'))).message).toMatch(new RegExp(`^refusing to load \\(at ${join(folder, 'throws.ts')}:\\d+:\\d+\\)$`));
  });
});
