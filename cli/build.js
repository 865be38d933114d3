// `npm run build` (and `prepare`, which `npm ci` and `npm pack` run): compiles the package's library
// and the command to JavaScript + .d.ts in dist/ (cli/tsconfig.build.json), copies the report's
// browser assets next to the compiled viz/, and stamps the build. `isBuildCurrent()` tells the
// launcher (cli/netmachine.js) and the test setup whether dist/ is at least as new as the sources.
// Plain JavaScript, so that it runs before anything is compiled.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
/** Written after a successful build with the build's start time as its mtime. */
const STAMP = join(dist, '.build-stamp');
/** Folders whose TypeScript is compiled (scenario examples are data, not compiled). */
const SOURCE_FOLDERS = ['core', 'sim', 'transports', 'scenarios', 'viz', 'kit', 'cli'];
const SKIPPED = new Set(['node_modules', 'examples']);
const CONFIG_FILES = ['tsconfig.json', join('cli', 'tsconfig.build.json'), join('cli', 'build.js')];

/** True when this is a checkout with TypeScript sources (an installed package ships only dist/). */
export function hasSources() {
  return existsSync(join(root, 'cli', 'main.ts'));
}

/** True when dist/ was built after the last change to any compiled source, asset or build setting. */
export function isBuildCurrent() {
  if (!hasSources()) return existsSync(join(dist, 'cli', 'main.js'));
  const stamp = statSync(STAMP, { throwIfNoEntry: false });
  if (stamp === undefined) return false;
  const builtMs = stamp.mtimeMs;
  const isNewer = (path) => (statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? 0) > builtMs;
  if (CONFIG_FILES.some((file) => isNewer(join(root, file)))) return false;
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        if (!SKIPPED.has(entry.name) && !walk(join(dir, entry.name))) return false;
      } else if (isNewer(join(dir, entry.name))) return false;
    }
    return true;
  };
  return SOURCE_FOLDERS.every((folder) => !existsSync(join(root, folder)) || walk(join(root, folder)));
}

/** Builds dist/ from scratch; returns tsc's exit status (type errors are printed, JavaScript is still emitted). */
export function build() {
  const startedMs = Date.now();
  rmSync(dist, { recursive: true, force: true });
  // typescript's exports hide bin/tsc; its package.json sits in the same package folder.
  const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'cli', 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
  if (!existsSync(join(dist, 'cli', 'main.js'))) return result.status === 0 ? 1 : (result.status ?? 1);
  cpSync(join(root, 'viz', 'assets'), join(dist, 'viz', 'assets'), { recursive: true });
  if (result.status === 0) {
    writeFileSync(STAMP, '');
    utimesSync(STAMP, new Date(startedMs), new Date(startedMs));
  }
  return result.status ?? 1;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) process.exitCode = build();
