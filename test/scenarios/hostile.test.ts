// Hostile input files: YAML bombs, files that are not files, modules outside the folder, size bombs.
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { globMatches, InputError, loadScenario, loadScenarioText, parseYamlWithSchema, selectNodes } from '../../scenarios/index.js';

async function codesOf(load: Promise<unknown>): Promise<string[]> {
  const error = await load.then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(InputError);
  return (error as InputError).problems.map((problem) => problem.code);
}

const laughs = ['name: laughs', 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 9 }, (_, i) => `a${i + 1}: &a${i + 1} [${Array(10).fill(`*a${i}`).join(', ')}]`), 'topology: { nodes: *a9 }', ''].join('\n');

describe('YAML bombs', () => {
  it('a billion laughs is refused at its first alias, not expanded', async () => {
    const error = await loadScenarioText(laughs, 'laughs.yaml').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).problems[0]).toMatchObject({ code: 'input/alias-limit', line: 3, column: 10 });
  });

  it('deep nesting, nesting through aliases and circular aliases are located errors, never a stack overflow', async () => {
    expect(await codesOf(loadScenarioText(`name: d\ntopology: ${'['.repeat(50_000)}${']'.repeat(50_000)}\n`, 'd.yaml'))).toEqual(['input/too-deep']);
    const chain = ['name: chain', 'c0: &c0 [x]', ...Array.from({ length: 100 }, (_, i) => `c${i + 1}: &c${i + 1} [*c${i}]`), 'topology: { nodes: [a] }'].join('\n');
    expect(await codesOf(loadScenarioText(chain, 'chain.yaml'))).toEqual(['input/too-deep']);
    expect(await codesOf(loadScenarioText('name: c\nx: &a { b: *a }\ntopology: { nodes: [a] }\n', 'c.yaml'))).toEqual(['input/circular-alias']);
  });

  it('the same limits hold for any config parsed through the located parser (node configs)', () => {
    expect(() => parseYamlWithSchema(laughs, 'node.yaml', z.unknown())).toThrow(expect.objectContaining({ code: 'input/alias-limit' }));
    expect(() => parseYamlWithSchema('a: 1\n', 'node.yaml', z.unknown(), { fileBytes: 2 })).toThrow(expect.objectContaining({ code: 'input/too-large' }));
  });

  it('a few anchors and aliases in an ordinary file still work', async () => {
    const fine = await loadScenarioText('name: ok\nlinkClasses: { lan: &lan { latency: 3ms }, lan2: *lan }\ntopology: { nodes: [a, b], links: [{ between: [a, b], class: lan2 }] }\n', 'ok.yaml');
    expect(fine.links[0]!.ab.latencyMs).toBe(3);
  });
});

describe('files that are not scenario files', () => {
  it('/dev/zero and a folder are refused before reading; an oversize file by its size', async () => {
    expect(await codesOf(loadScenario('/dev/zero'))).toEqual(['scenario/not-a-file']);
    expect(await codesOf(loadScenario(tmpdir()))).toEqual(['scenario/not-a-file']);
    const dir = mkdtempSync(join(tmpdir(), 'netmachine-hostile-'));
    writeFileSync(join(dir, 'big.yaml'), `name: big\n# ${'x'.repeat(2000)}\ntopology: { nodes: [a] }\n`);
    expect(await codesOf(loadScenario(join(dir, 'big.yaml'), { limits: { fileBytes: 1000 } }))).toEqual(['input/too-large']);
    await expect(loadScenario(join(dir, 'big.yaml'))).resolves.toBeDefined();
  });
});

describe('engine modules', () => {
  const dir = mkdtempSync(join(tmpdir(), 'netmachine-modules-'));
  const marker = join(dir, 'ran');
  const module = `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'ran');\nexport const gossip = () => ({ handle() {} });\n`;
  mkdirSync(join(dir, 'scenario'));
  writeFileSync(join(dir, 'outside.mjs'), module);
  writeFileSync(join(dir, 'scenario', 'inside.mjs'), module);
  symlinkSync(join(dir, 'outside.mjs'), join(dir, 'scenario', 'link.mjs'));
  symlinkSync('/dev/zero', join(dir, 'scenario', 'zero.mjs'));
  const scenario = (module: string, kind = 'gossip'): string => {
    const file = join(dir, 'scenario', `s-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(file, `name: m\ntopology: { nodes: [a] }\nengines: [{ on: all, kind: ${kind}, module: ${JSON.stringify(module)} }]\n`);
    return file;
  };

  it('paths outside the scenario folder (relative, absolute, through a symlink) are refused unless allowed', async () => {
    expect(await codesOf(loadScenario(scenario('../outside.mjs')))).toEqual(['module/outside']);
    expect(await codesOf(loadScenario(scenario(join(dir, 'outside.mjs'))))).toEqual(['module/outside']);
    expect(await codesOf(loadScenario(scenario('./link.mjs')))).toEqual(['module/outside']);
    expect(existsSync(marker)).toBe(false);
    await expect(loadScenario(scenario('../outside.mjs'), { isModuleOutsideAllowed: true })).resolves.toBeDefined();
    expect(existsSync(marker)).toBe(true);
    rmSync(marker);
  });

  it('/dev/zero and other non-regular files are refused without being read, even when outside paths are allowed', async () => {
    expect(await codesOf(loadScenario(scenario('/dev/zero'), { isModuleOutsideAllowed: true }))).toEqual(['module/not-a-file']);
    expect(await codesOf(loadScenario(scenario('./zero.mjs'), { isModuleOutsideAllowed: true }))).toEqual(['module/not-a-file']);
  });

  it('inspect mode (validate) checks existence and export names without running the module', async () => {
    await expect(loadScenario(scenario('./inside.mjs'), { modules: 'inspect' })).resolves.toMatchObject({ notes: [expect.stringContaining('when the scenario runs')] });
    expect(await codesOf(loadScenario(scenario('./inside.mjs', 'gosip'), { modules: 'inspect' }))).toEqual(['module/no-factory']);
    expect(await codesOf(loadScenario(scenario('./missing.mjs'), { modules: 'inspect' }))).toEqual(['module/not-found']);
    expect(existsSync(marker)).toBe(false);
  });

  it('a module engine that exports <kind>Params has its params checked at load', async () => {
    // The module imports zod: from a temporary folder it resolves only through a node_modules there.
    if (!existsSync(join(dir, 'node_modules'))) symlinkSync(join(import.meta.dirname, '..', '..', 'node_modules'), join(dir, 'node_modules'));
    writeFileSync(join(dir, 'scenario', 'typed.ts'), "import { z } from 'zod';\nexport const typed = () => ({ handle() {} });\nexport const typedParams = z.strictObject({ rate: z.number().positive() });\n");
    const file = join(dir, 'scenario', 'typed.yaml');
    writeFileSync(file, 'name: t\ntopology: { nodes: [a] }\nengines: [{ on: all, kind: typed, module: ./typed.ts, params: { rate: -1 } }]\n');
    expect(await codesOf(loadScenario(file))).toEqual(['engine/bad-params']);
  });
});

describe('size bombs are refused before anything is built', () => {
  it('a 10⁷×10⁷ grid, a 5000-node mesh and a ping every 10⁻⁶ ms fail at once; limits can be raised', async () => {
    expect(await codesOf(loadScenarioText('name: g\ntopology: { generate: [{ kind: grid, rows: 10000000, cols: 10000000 }] }\n', 'g.yaml'))).toEqual(['limits/links', 'limits/nodes']);
    expect(await codesOf(loadScenarioText('name: m\ntopology: { generate: [{ kind: mesh, nodes: 5000 }] }\n', 'm.yaml'))).toEqual(['limits/links']);
    const storm = 'name: p\ntopology: { nodes: [a, b], links: [[a, b]] }\nengines: [{ on: all, kind: echo }, { on: all, kind: ping, params: { intervalMs: 0.000001 } }]\n';
    expect(await codesOf(loadScenarioText(storm, 'p.yaml'))).toEqual(['limits/sends']);
    expect(await codesOf(loadScenarioText('name: r\ntopology: { generate: [{ kind: ring, nodes: 10 }] }\n', 'r.yaml', { limits: { links: 5 } }))).toEqual(['limits/links']);
    await expect(loadScenarioText('name: r\ntopology: { generate: [{ kind: ring, nodes: 10 }] }\n', 'r.yaml', { limits: { links: 10 } })).resolves.toBeDefined();
  });
});

describe('node-name patterns', () => {
  it('match as globs: * any run, ? one character, everything else literally', () => {
    expect(globMatches('edge-*', 'edge-12')).toBe(true);
    expect(globMatches('edge-?', 'edge-12')).toBe(false);
    expect(globMatches('e*-1?', 'edge-12')).toBe(true);
    expect(globMatches('a.b', 'axb')).toBe(false);
    expect(globMatches('*', '')).toBe(true);
    expect(globMatches('**x**', 'x')).toBe(true);
    expect(globMatches('a*b', 'ab-c')).toBe(false);
  });

  it('a pattern built to backtrack (many stars, no match) is answered in linear steps, not exponential', () => {
    // As a regular expression, ^a.*a.*…a.*b$ against 5,000 "a"s takes longer than any test runs.
    const pattern = `${'a*'.repeat(40)}b`;
    const name = 'a'.repeat(5_000);
    const nodes = Array.from({ length: 20 }, () => name);
    expect(selectNodes(pattern, nodes, 1, 'hostile')).toMatchObject({ ok: false });
  });
});
