// The package's public entry: plain Node ESM imports `netmachine` by name (compiled JS + .d.ts).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

describe('package exports', () => {
  beforeAll(() => {
    // `npm ci` builds dist/ through the `prepare` script; build here too when it is missing.
    if (!existsSync(join(root, 'dist', 'kit', 'index.js'))) {
      const build = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'cli/tsconfig.build.json'], { cwd: root, encoding: 'utf8' });
      expect(build.status, build.stdout + build.stderr).toBe(0);
    }
  });

  it('plain Node ESM imports the kit by package name, with type declarations next to it', () => {
    const run = spawnSync(process.execPath, [join(import.meta.dirname, 'package-import.mjs')], { cwd: root, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const out = JSON.parse(run.stdout) as { events: number; isOk: boolean };
    expect(out.isOk).toBe(true);
    expect(out.events).toBeGreaterThan(0);
    expect(existsSync(join(root, 'dist', 'kit', 'index.d.ts'))).toBe(true);
  });
});
