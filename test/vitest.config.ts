import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The config lives in test/ because the repository's top level is fixed (DESIGN.md).
export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    globalSetup: ['test/support/build.ts'],
  },
});
