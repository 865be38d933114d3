// Enforces DESIGN.md's dependency direction and the determinism rule by reading the sources.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const ALLOWED: Readonly<Record<string, ReadonlyArray<string>>> = {
  core: ['core'],
  sim: ['sim', 'core'],
  transports: ['transports', 'core'],
  scenarios: ['scenarios', 'core'],
  viz: ['viz', 'core'],
  kit: ['kit', 'core', 'sim', 'transports', 'scenarios', 'viz'],
  cli: ['cli', 'kit', 'core', 'sim', 'transports', 'scenarios', 'viz'],
};

function sources(folder: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.(ts|js|mjs)$/.test(entry)) out.push(path);
    }
  };
  try {
    walk(join(root, folder));
  } catch {
    // folder not created yet
  }
  return out;
}

describe('architecture', () => {
  for (const [folder, allowed] of Object.entries(ALLOWED)) {
    it(`${folder}/ imports only from ${allowed.join(', ')}`, () => {
      const violations: string[] = [];
      for (const file of sources(folder)) {
        for (const match of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
          const target = relative(root, join(file, '..', match[1]!)).split('/')[0]!;
          if (!allowed.includes(target)) violations.push(`${relative(root, file)} imports ${match[1]}`);
        }
      }
      expect(violations).toEqual([]);
    });
  }

  it('other folders import core/ only through core/index.ts (and viz only trace types)', () => {
    const violations: string[] = [];
    for (const folder of ['sim', 'transports', 'scenarios', 'kit', 'cli']) {
      for (const file of sources(folder)) {
        for (const match of readFileSync(file, 'utf8').matchAll(/from\s*['"]((?:\.\.\/)+core\/[^'"]+)['"]/g)) {
          if (!match[1]!.endsWith('core/index.js')) violations.push(`${relative(root, file)} imports ${match[1]}`);
        }
      }
    }
    expect(violations).toEqual([]);
  });

  it('core/ and sim/ never read the wall clock, real timers or unseeded randomness', () => {
    const forbidden = /Math\.random|Date\.now|new Date\(|performance\.now|process\.hrtime|setTimeout|setInterval|setImmediate/;
    const hits = [...sources('core'), ...sources('sim')].flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .map((line, index) => ({ line, index }))
        .filter(({ line }) => forbidden.test(line) && !/^\s*(\/\/|\*)/.test(line))
        .map(({ index }) => `${relative(root, file)}:${index + 1}`),
    );
    expect(hits).toEqual([]);
  });
});
