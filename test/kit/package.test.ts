// The package as a user gets it: `npm pack`, installed into a fresh project, then used from plain
// Node, from vitest, from tsc (types) and as the `netmachine` command, with TypeScript engine modules.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isBuildCurrent } from '../../cli/build.js';

const root = join(import.meta.dirname, '..', '..');
const fixtures = join(import.meta.dirname, 'fixtures', 'consumer');
const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
let work = '';
let project = '';
let files: string[] = [];

function npm(args: ReadonlyArray<string>, cwd: string): SpawnSyncReturns<string> {
  return spawnSync('npm', args, { cwd, encoding: 'utf8', timeout: 240_000, env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' } });
}

const inProject = (command: string, args: ReadonlyArray<string>): SpawnSyncReturns<string> => spawnSync(command, args, { cwd: project, encoding: 'utf8', timeout: 120_000 });
const netmachine = (...args: string[]): SpawnSyncReturns<string> => inProject(join(project, 'node_modules', '.bin', 'netmachine'), args);

describe('the packed package installed into another project', () => {
  beforeAll(() => {
    // The vitest global setup has built dist/; packing without scripts keeps it in place for the
    // tests running beside this one (`npm pack` with scripts rebuilds it through `prepare`).
    expect(isBuildCurrent(), 'dist/ is older than the sources: fix the type errors `npm run build` prints').toBe(true);
    work = mkdtempSync(join(tmpdir(), 'netmachine-package-'));
    const pack = npm(['pack', '--ignore-scripts', '--json', '--pack-destination', work], root);
    expect(pack.status, pack.stderr).toBe(0);
    const [packed] = JSON.parse(pack.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
    files = packed!.files.map((file) => file.path);
    project = join(work, 'project');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    // From the npm cache when it has everything (no network), else the registry fills it once.
    const tarball = join(work, packed!.filename);
    let install = npm(['install', '--offline', tarball], project);
    if (install.status !== 0 && /ENOTCACHED/.test(install.stderr)) install = npm(['install', '--prefer-offline', tarball], project);
    expect(install.status, install.stderr).toBe(0);
    for (const file of readdirSync(fixtures)) cpSync(join(fixtures, file), join(project, file));
    // An example copied into a folder whose package.json has no "type": "module" (CommonJS scope).
    const folder = join(project, 'cjs-folder');
    cpSync(join(project, 'node_modules', 'netmachine', 'scenarios', 'examples', 'modules'), join(folder, 'modules'), { recursive: true });
    cpSync(join(project, 'node_modules', 'netmachine', 'scenarios', 'examples', 'user-engine.yaml'), join(folder, 'user-engine.yaml'));
    writeFileSync(join(folder, 'package.json'), JSON.stringify({ name: 'cjs-folder' }));
    cpSync(join(fixtures, 'cjs-engine.ts'), join(folder, 'cjs-engine.ts'));
    writeFileSync(join(folder, 'broken.ts'), 'export const broken = (;\n');
    writeFileSync(join(folder, 'broken.yaml'), 'name: broken\nduration: 1s\ntopology:\n  nodes: [{ name: a }]\nengines:\n  - { on: all, kind: broken, module: ./broken.ts }\n');
  }, 300_000);

  afterAll(() => {
    if (work !== '') rmSync(work, { recursive: true, force: true });
  });

  it('ships the compiled library, its declarations, the command and the licence, and no tests or sources', () => {
    for (const file of ['dist/kit/index.js', 'dist/kit/index.d.ts', 'dist/cli/main.js', 'dist/cli/check-worker.js', 'dist/transports/node-main.js', 'dist/transports/quic/worker-main.js', 'dist/viz/assets/report.css', 'cli/netmachine.js', 'LICENSE', 'package.json']) {
      expect(files).toContain(file);
    }
    expect(files.filter((file) => file.startsWith('test/'))).toEqual([]);
    expect(files.filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts') && !file.startsWith('scenarios/examples/'))).toEqual([]);
  });

  it('plain Node imports it by name and loads TypeScript engine modules, naming the file of a broken one', () => {
    const run = inProject(process.execPath, ['import.mjs']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const out = JSON.parse(run.stdout) as { events: number; isOk: boolean; heard: number; announced: number; body: number; moduleError: string };
    expect(out.isOk).toBe(true);
    expect(out.events).toBeGreaterThan(0);
    expect(out.heard).toBeGreaterThan(20);
    expect(out.announced).toBe(2);
    expect(out.body).toBe(7);
    expect(out.moduleError).toContain('scenario engines[0].module: ');
    expect(out.moduleError).toMatch(/cjs-folder\/broken\.ts: syntax error at 1:\d+: Unexpected ";"/);
    expect(out.moduleError).not.toContain('generated-scenario');
  });

  it('its declarations type-check a consumer engine (and reject a wrong one)', () => {
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const good = inProject(process.execPath, [tsc, '-p', 'tsconfig.json']);
    expect(good.stdout + good.stderr).toBe('');
    expect(good.status).toBe(0);
    const wrong = inProject(process.execPath, [tsc, '--ignoreConfig', '--strict', '--noEmit', '--target', 'es2022', '--module', 'nodenext', '--moduleResolution', 'nodenext', 'wrong.ts']);
    expect(wrong.stdout).toMatch(/wrong\.ts\(4,\d+\): error TS2322/);
    expect(wrong.status).not.toBe(0);
  });

  it('runs under vitest', () => {
    // The project uses this repository's vitest (linked) instead of downloading its own.
    symlinkSync(join(root, 'node_modules', 'vitest'), join(project, 'node_modules', 'vitest'), 'dir');
    const run = inProject(process.execPath, [join(project, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--root', project]);
    expect(run.stdout).toContain('1 passed');
    expect(run.status).toBe(0);
  });

  it('docs/install.md shows the files this test runs, and its plain Node example works', () => {
    const docs = readFileSync(join(root, 'docs', 'install.md'), 'utf8');
    const block = (first: string): string => {
      const found = docs.split(/^```\w*\n/m).find((part) => part.startsWith(first));
      expect(found, `a code block starting with ${first}`).toBeDefined();
      return found!.slice(first.length);
    };
    expect(block('// engine.ts\n')).toBe(readFileSync(join(fixtures, 'engine.ts'), 'utf8').replace(/^\/\/.*\n/, ''));
    expect(block('// kit.spec.ts\n')).toBe(readFileSync(join(fixtures, 'kit.spec.ts'), 'utf8').replace(/^\/\/.*\n/, ''));
    writeFileSync(join(project, 'run.mjs'), block('// run.mjs\n'));
    const run = inProject(process.execPath, ['run.mjs']);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^\d+ true\n$/);
    const report = netmachine('run', 'node_modules/netmachine/scenarios/examples/partition-heal.yaml', '--report', 'out.html');
    expect(report.status).toBe(0);
    expect(readFileSync(join(project, 'out.html'), 'utf8')).toContain('<html');
  });

  it('its command runs from the compiled JavaScript, with TypeScript modules in a CommonJS folder', () => {
    expect(netmachine('--version').stdout.trim()).toBe(version);
    const run = netmachine('run', join('cjs-folder', 'user-engine.yaml'));
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/check everyoneHeard\(\) from \.\/modules\/checks\.ts\s+ok/);
    expect(run.status).toBe(0);
    const broken = netmachine('run', join('cjs-folder', 'broken.yaml'));
    expect(broken.status).toBe(2);
    expect(broken.stderr).toMatch(/broken\.yaml:6:\d+ engines\[0\]\.module: cannot load module \S*cjs-folder\/broken\.ts: syntax error at 1:\d+: /);
  });
});
