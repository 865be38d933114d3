// The documentation works as written: every shell command it shows runs (against the built CLI, in a
// temporary folder), every scenario file it names exists and validates, every relative link and
// anchor resolves, and the reference pages cover the schema and the built-in engines. A block that
// cannot run here (it runs until stopped, or for minutes) says so with a marker before it:
//   <!-- docs-test: skip (reason) -->   or   <!-- docs-test: exit 1 -->   (an expected exit code)
// and a block that shows a file of the repository says which, and must stay a verbatim copy of it:
//   <!-- docs-test: file scenarios/examples/modules/gossip.ts -->
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { NodeConfigSchema } from '../../cli/node-config.js';
import { BUILTIN_ENGINE_SPECS } from '../../core/engines/index.js';
import { scenarioJsonSchema } from '../../scenarios/index.js';
import { readPage, yamlMentions, type Page, type ShellBlock } from './markdown.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'cli', 'netmachine.js');
const COMMAND_TIMEOUT_MS = 30_000;
/** What a runnable block starts with; `npx netmachine` and `netmachine` run the built CLI. */
const RUNNABLE = /^(npx netmachine|netmachine|npm run)(\s|$)/;

const PAGE_FILES = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((name) => name.endsWith('.md')).sort().map((name) => `docs/${name}`)];
const PAGES: ReadonlyArray<Page> = PAGE_FILES.map((file) => readPage(join(ROOT, file)));
const run = promisify(execFile);
/** The repository's top-level files and folders (not what runs leave there): a path starting with one is the repository's. */
const REPOSITORY_ENTRIES = new Set(readdirSync(ROOT).filter((entry) => !['node_modules', 'dist', 'out', 'failures'].includes(entry) && !entry.startsWith('.')));

const scratch = mkdtempSync(join(tmpdir(), 'netmachine-docs-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const where = (page: Page, line: number): string => `${relative(ROOT, page.file)}:${line}`;

/** A folder where the docs' relative paths work: the repository's folders linked in, `netmachine` on the PATH. */
function workFolder(name: string): string {
  const folder = join(scratch, name.replace(/[^\w.-]/g, '_'));
  mkdirSync(join(folder, 'node_modules'), { recursive: true });
  for (const entry of ['scenarios', 'test', 'docs']) symlinkSync(join(ROOT, entry), join(folder, entry));
  symlinkSync(ROOT, join(folder, 'node_modules', 'netmachine'));
  const bin = join(folder, '.bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'netmachine'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`, { mode: 0o755 });
  return folder;
}

/** Runs one command line of a page as a user would type it; returns a problem, or undefined. */
async function runCommand(command: string, folder: string, block: ShellBlock): Promise<string | undefined> {
  const line = command.replace(/^npx netmachine\b/, 'netmachine').replace(/^npm run\b/, `npm --prefix "${ROOT}" run`);
  const env = { ...process.env, PATH: `${join(folder, '.bin')}:${process.env['PATH'] ?? ''}`, NO_COLOR: '1' };
  try {
    await run('sh', ['-c', line], { cwd: folder, env, timeout: COMMAND_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 });
    return block.exitCode === 0 ? undefined : `\`${command}\` exited 0, expected ${block.exitCode}`;
  } catch (error) {
    const failure = error as { code?: number | string; killed?: boolean; stderr?: string; stdout?: string };
    if (failure.killed === true) return `\`${command}\` took longer than ${COMMAND_TIMEOUT_MS / 1000} s (mark the block <!-- docs-test: skip (reason) --> if it is meant to)`;
    if (failure.code === block.exitCode) return undefined;
    const output = `${failure.stderr ?? ''}${failure.stdout ?? ''}`.trim().split('\n').slice(-6).join('\n  ');
    return `\`${command}\` exited ${String(failure.code)}, expected ${block.exitCode}:\n  ${output}`;
  }
}

function isRunnable(block: ShellBlock): boolean {
  return block.commands.length > 0 && RUNNABLE.test(block.commands[0]!);
}

describe('the docs run as written', () => {
  it('markers before shell blocks are well formed and say why a block is skipped', () => {
    const problems: string[] = [];
    for (const page of PAGES)
      for (const block of page.blocks) {
        if (block.badMarker !== undefined) problems.push(`${where(page, block.line)}: unknown marker "docs-test: ${block.badMarker}" (expected "skip (reason)" or "exit N")`);
        if (block.skipReason !== undefined && !isRunnable(block)) problems.push(`${where(page, block.line)}: a skip marker on a block that would not run anyway`);
      }
    for (const page of PAGES) for (const bad of page.badMarkers) problems.push(`${where(page, bad.line)}: marker "docs-test: ${bad.marker}" before a block it cannot apply to`);
    expect(problems).toEqual([]);
  });

  for (const page of PAGES) {
    const blocks = page.blocks.filter((block) => isRunnable(block) && block.skipReason === undefined);
    if (blocks.length === 0) continue;
    it.concurrent(`${relative(ROOT, page.file)}: every command runs`, { timeout: 120_000 }, async () => {
      // One folder per page, blocks in order: a later block may read what an earlier one wrote.
      const folder = workFolder(relative(ROOT, page.file));
      const problems: string[] = [];
      for (const block of blocks)
        for (const command of block.commands) {
          const problem = await runCommand(command, folder, block);
          if (problem !== undefined) problems.push(`${where(page, block.line)}: ${problem}`);
        }
      expect(problems).toEqual([]);
    });
  }

  it('every scenario file the docs name exists and passes netmachine validate', { timeout: 60_000 }, async () => {
    const missing: string[] = [];
    const scenarios = new Map<string, string>();
    for (const page of PAGES)
      for (const mention of yamlMentions(page.text)) {
        const file = scenarioFile(mention.path, page);
        if (file === null) continue; // a file the reader writes (alice.yaml)
        if (file === undefined) missing.push(`${where(page, mention.line)}: ${mention.path} does not exist`);
        else if (isScenario(file) && !scenarios.has(file)) scenarios.set(file, where(page, mention.line));
      }
    expect(missing).toEqual([]);
    expect(scenarios.size).toBeGreaterThan(10);
    const files = [...scenarios.keys()];
    const result = await run(process.execPath, [CLI, 'validate', ...files], { cwd: ROOT }).then(
      () => 'ok',
      (error: { stdout?: string; stderr?: string }) => `${error.stdout ?? ''}${error.stderr ?? ''}`,
    );
    expect(result, `named at ${[...scenarios.values()].join(', ')}`).toBe('ok');
  });

  it('blocks marked as copies of a repository file are verbatim copies', () => {
    const problems: string[] = [];
    for (const page of PAGES)
      for (const block of page.fileBlocks) {
        const file = join(ROOT, block.path);
        if (!existsSync(file)) problems.push(`${where(page, block.line)}: ${block.path} does not exist`);
        else if (readFileSync(file, 'utf8') !== block.content) problems.push(`${where(page, block.line)}: the block differs from ${block.path} (copy the file again)`);
      }
    expect(problems).toEqual([]);
  });

  it('every relative link and anchor resolves', () => {
    const problems: string[] = [];
    const anchorsOf = new Map(PAGES.map((page) => [page.file, page.anchors]));
    for (const page of PAGES)
      for (const link of page.links) {
        const [path, anchor] = splitHref(link.href);
        const target = path === '' ? page.file : resolve(dirname(page.file), decodeURIComponent(path));
        if (!target.startsWith(ROOT + '/')) problems.push(`${where(page, link.line)}: ${link.href} points outside the repository`);
        else if (!existsSync(target)) problems.push(`${where(page, link.line)}: ${link.href}: ${relative(ROOT, target)} does not exist`);
        else if (anchor !== undefined) {
          const anchors = anchorsOf.get(target) ?? (target.endsWith('.md') ? readPage(target).anchors : undefined);
          if (anchors === undefined) problems.push(`${where(page, link.line)}: ${link.href}: an anchor into a file that is not a Markdown page`);
          else if (!anchors.has(anchor)) problems.push(`${where(page, link.line)}: ${link.href}: no heading "#${anchor}" in ${relative(ROOT, target)}`);
        }
      }
    expect(problems).toEqual([]);
  });

  it('docs/README.md indexes every page of docs/', () => {
    const index = PAGES.find((page) => page.file === join(ROOT, 'docs', 'README.md'))!;
    const linked = new Set(index.links.map((link) => resolve(join(ROOT, 'docs'), splitHref(link.href)[0])));
    const pages = PAGE_FILES.filter((file) => file.startsWith('docs/') && file !== 'docs/README.md');
    expect(pages.filter((file) => !linked.has(join(ROOT, file)))).toEqual([]);
  });

  it('the docs speak of the repository only: no design-document ids, no outside notes', () => {
    const problems: string[] = [];
    const outside: ReadonlyArray<readonly [RegExp, string]> = [
      [/\bSPEC\b|§\s?\d/, 'a reference to the specification document (say what it means instead)'],
      [/(?<![\w-])[SQI]\d{1,2}(?![\w-])/, 'a specification id (S12, Q13, I8)'],
      [/FACTS\.md|DESIGN\.md|STYLE\.md/, 'a file outside the repository'],
      [/\bissues? #?\d+/i, 'an issue number'],
      [/\bthis session\b/i, 'the circumstances of writing'],
    ];
    for (const page of PAGES)
      page.text.split('\n').forEach((content, index) => {
        for (const [pattern, what] of outside) if (pattern.test(content)) problems.push(`${where(page, index + 1)}: ${what}: ${content.trim().slice(0, 100)}`);
      });
    expect(problems).toEqual([]);
  });
});

describe('the reference pages cover what they describe', () => {
  const codeSpans = (file: string): Set<string> => new Set([...readFileSync(join(ROOT, file), 'utf8').matchAll(/`([^`\n]+)`/g)].flatMap((match) => match[1]!.split(/[:\s{}[\],]+/)));

  it('docs/scenarios.md names every field of the scenario schema', () => {
    const named = codeSpans('docs/scenarios.md');
    const fields = new Set<string>();
    const collect = (schema: unknown, depth: number): void => {
      if (typeof schema !== 'object' || schema === null || depth > 6) return;
      const node = schema as { properties?: Record<string, unknown>; items?: unknown; anyOf?: unknown[]; oneOf?: unknown[]; additionalProperties?: unknown };
      for (const [key, value] of Object.entries(node.properties ?? {})) {
        fields.add(key);
        collect(value, depth + 1);
      }
      for (const child of [node.items, node.additionalProperties, ...(node.anyOf ?? []), ...(node.oneOf ?? [])]) collect(child, depth + 1);
    };
    collect(scenarioJsonSchema(), 0);
    expect(fields.size).toBeGreaterThan(80);
    expect([...fields].filter((field) => !named.has(field)).sort()).toEqual([]);
  });

  it('docs/real-networks.md has a row for every field of the node config', () => {
    const page = readFileSync(join(ROOT, 'docs/real-networks.md'), 'utf8');
    const fields = Object.keys(NodeConfigSchema.shape);
    expect(fields.length).toBeGreaterThan(15);
    expect(fields.filter((field) => !page.includes(`| \`${field}\` |`))).toEqual([]);
  });

  it('docs/engines.md names every built-in engine kind and each of its params', () => {
    const page = readFileSync(join(ROOT, 'docs/engines.md'), 'utf8');
    const problems: string[] = [];
    for (const [kind, spec] of BUILTIN_ENGINE_SPECS) {
      const section = new RegExp(`^### \`${kind}\`$([\\s\\S]*?)(?=^##)`, 'm').exec(page)?.[1];
      if (section === undefined) {
        problems.push(`no "### \`${kind}\`" section`);
        continue;
      }
      const shape = (spec.params as unknown as { def?: { shape?: Record<string, unknown> }; shape?: Record<string, unknown> }).shape ?? {};
      for (const param of Object.keys(shape)) if (!section.includes(`\`${param}\``)) problems.push(`${kind}: param \`${param}\` not described`);
    }
    expect(problems).toEqual([]);
  });
});

function splitHref(href: string): [string, string | undefined] {
  const hash = href.indexOf('#');
  return hash < 0 ? [href, undefined] : [href.slice(0, hash), decodeURIComponent(href.slice(hash + 1))];
}

/**
 * The file a YAML path in a page means: relative to the repository (or to the page), a bare name of
 * an example, or `node_modules/netmachine/…` of an installed package. null: a file the reader makes
 * (a bare name that is no example, or a path into a folder the repository does not have).
 */
function scenarioFile(path: string, page: Page): string | null | undefined {
  const inPackage = path.replace(/^node_modules\/netmachine\//, '').replace(/^\.\//, '');
  const first = inPackage.split('/')[0]!;
  if (inPackage.includes('/') && !first.startsWith('..') && !REPOSITORY_ENTRIES.has(first)) return null; // failures/…, cjs-folder/…
  const candidates = [join(ROOT, inPackage), resolve(dirname(page.file), path), join(ROOT, 'scenarios', 'examples', path)];
  const found = candidates.find((file) => existsSync(file) && statSync(file).isFile());
  if (found !== undefined) return found;
  return path.includes('/') ? undefined : null;
}

/** A scenario file (not a node config, an advert or a file broken on purpose). */
function isScenario(file: string): boolean {
  return !file.includes('/broken/') && /^topology:/m.test(readFileSync(file, 'utf8'));
}
