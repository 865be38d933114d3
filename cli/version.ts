// The package's version, from its package.json: `../package.json` from the sources in cli/,
// `../../package.json` from the compiled dist/cli/.
import { readFileSync } from 'node:fs';

/** `0.1.0`, or `unknown` when no netmachine package.json is found (never throws). */
export function packageVersion(): string {
  for (const path of ['../package.json', '../../package.json']) {
    try {
      const manifest = JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as { name?: unknown; version?: unknown };
      if (manifest.name === 'netmachine' && typeof manifest.version === 'string') return manifest.version;
    } catch {
      // not this one
    }
  }
  return 'unknown';
}
