// The container image definition (Dockerfile, .dockerignore) linted without docker: dockerfile-utils'
// validator finds no problem, and the house rules hold — base images pinned to an exact version
// (never `latest`), no ADD (so no URL fetched at build time), a non-root USER, a HEALTHCHECK (or
// HEALTHCHECK NONE with its reason), `netmachine` as the exec-form entry point, every COPY source
// present and not hidden by .dockerignore, and the runtime stage carrying what the package ships.
// The rules are checked against bad Dockerfiles too, so that they can fail.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Copy, DockerfileParser, type Instruction } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const DOCKERFILE = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const DOCKERIGNORE = readFileSync(join(ROOT, '.dockerignore'), 'utf8');

interface Stage {
  readonly image: string;
  readonly name?: string;
  readonly instructions: ReadonlyArray<Instruction>;
}

function stagesOf(text: string): Stage[] {
  const stages: Array<{ image: string; name?: string; instructions: Instruction[] }> = [];
  for (const instruction of DockerfileParser.parse(text).getInstructions()) {
    if (instruction.getKeyword() === 'FROM') {
      const [image = '', as, name] = (instruction.getArgumentsContent() ?? '').split(/\s+/);
      stages.push({ image, ...(as?.toUpperCase() === 'AS' && name !== undefined && { name }), instructions: [] });
    } else stages.at(-1)?.instructions.push(instruction);
  }
  return stages;
}

/** The house rules; each problem names its line. */
function houseRules(text: string): string[] {
  const problems: string[] = [];
  const stages = stagesOf(text);
  if (stages.length === 0) return ['no FROM'];
  const names = new Set(stages.flatMap((stage) => (stage.name === undefined ? [] : [stage.name])));
  for (const from of DockerfileParser.parse(text).getFROMs()) {
    const line = from.getRange().start.line + 1;
    const image = from.getImageName() ?? '';
    if (names.has(image)) continue; // an earlier stage
    const tag = from.getImageTag();
    if (from.getImageDigest() === null && (tag === null || tag === 'latest' || !/^\d+\.\d+\.\d+/.test(tag))) problems.push(`line ${line}: FROM ${from.getImage()}: pin the base image to an exact version (x.y.z) or a digest`);
  }
  for (const instruction of DockerfileParser.parse(text).getInstructions()) {
    const line = instruction.getRange().start.line + 1;
    if (instruction.getKeyword() === 'ADD') problems.push(`line ${line}: ADD: use COPY (ADD fetches URLs and unpacks archives)`);
    if (instruction.getKeyword() === 'RUN' && /\b(curl|wget)\b/.test(instruction.getArgumentsContent() ?? '')) problems.push(`line ${line}: RUN downloads with curl/wget; install from the lockfile only`);
  }
  const final = stages.at(-1)!;
  const keywords = (keyword: string): Instruction[] => final.instructions.filter((instruction) => instruction.getKeyword() === keyword);
  const user = keywords('USER').at(-1)?.getArgumentsContent()?.split(':')[0];
  if (user === undefined) problems.push('final stage: no USER (the image would run as root)');
  else if (user === 'root' || user === '0') problems.push(`final stage: USER ${user} is root`);
  if (keywords('HEALTHCHECK').length === 0) problems.push('final stage: no HEALTHCHECK (write HEALTHCHECK NONE and say why when there is none)');
  const entrypoint = keywords('ENTRYPOINT').at(-1)?.getArgumentsContent() ?? undefined;
  if (entrypoint === undefined || !entrypoint.startsWith('[')) problems.push('final stage: no exec-form ENTRYPOINT');
  else if (!(JSON.parse(entrypoint) as string[]).some((part) => part.endsWith('cli/netmachine.js'))) problems.push(`final stage: ENTRYPOINT ${entrypoint} does not run netmachine`);
  return problems;
}

/** True when .dockerignore hides `path` (its patterns are simple: names, `*.ext`, `**\/*.ext`). */
function isIgnored(path: string): boolean {
  return DOCKERIGNORE.split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .some((pattern) => {
      const body = pattern
        .split('**/')
        .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*'))
        .join('(?:.*/)?');
      return new RegExp(`^${body}(?:/.*)?$`).test(path);
    });
}

describe('the Dockerfile', () => {
  it('has no problem dockerfile-utils finds', () => {
    expect(validate(DOCKERFILE).map((diagnostic) => `line ${diagnostic.range.start.line + 1}: ${diagnostic.message}`)).toEqual([]);
  });

  it('keeps the house rules: pinned bases, no ADD or downloads, a non-root USER, a HEALTHCHECK, netmachine as entry point', () => {
    expect(houseRules(DOCKERFILE)).toEqual([]);
    expect(stagesOf(DOCKERFILE).map((stage) => stage.image)).toEqual(['node:20.20.2-bookworm-slim', 'node:20.20.2-bookworm-slim']);
  });

  it('the rules catch a Dockerfile that breaks them', () => {
    const bad = 'FROM node:latest\nADD https://example.org/x.tgz /x\nRUN curl -sSL https://example.org/install.sh | sh\nCMD ["node"]\n';
    expect(houseRules(bad)).toEqual([
      'line 1: FROM node:latest: pin the base image to an exact version (x.y.z) or a digest',
      'line 2: ADD: use COPY (ADD fetches URLs and unpacks archives)',
      'line 3: RUN downloads with curl/wget; install from the lockfile only',
      'final stage: no USER (the image would run as root)',
      'final stage: no HEALTHCHECK (write HEALTHCHECK NONE and say why when there is none)',
      'final stage: no exec-form ENTRYPOINT',
    ]);
    expect(houseRules('FROM node:20\nUSER 0\nHEALTHCHECK NONE\nENTRYPOINT ["node", "/app/cli/netmachine.js"]\n')).toEqual([
      'line 1: FROM node:20: pin the base image to an exact version (x.y.z) or a digest',
      'final stage: USER 0 is root',
    ]);
    expect(validate('FROM node:20.20.2\nWORKDIR app\nENTRYPOINT [\'node\']\n').length).toBeGreaterThan(0);
  });

  it('copies only sources that exist and that .dockerignore lets through', () => {
    const sources = stagesOf(DOCKERFILE)
      .flatMap((stage) => stage.instructions)
      .filter((instruction) => instruction instanceof Copy && instruction.getFromFlag() === null)
      .flatMap((instruction) => instruction.getArguments().slice(0, -1).map((argument) => argument.getValue()));
    expect(sources.length).toBeGreaterThan(5);
    for (const source of sources) {
      expect(existsSync(join(ROOT, source)), source).toBe(true);
      expect(isIgnored(source), source).toBe(false);
    }
    for (const hidden of ['node_modules', 'dist/cli/main.js', '.git', 'alice.key', 'keys/nodes/n1.key', 'traces/n1.jsonl']) expect(isIgnored(hidden), hidden).toBe(true);
  });

  it('the runtime stage carries the package\'s shipped files (dist/, the launcher, the examples), built in the first stage', () => {
    const runtime = stagesOf(DOCKERFILE).at(-1)!;
    const copies = runtime.instructions.filter((instruction): instruction is Copy => instruction instanceof Copy);
    const copied = copies.map((instruction) => `${instruction.getFromFlag() === null ? '' : `--from=${instruction.getFromFlag()!.getValue()} `}${instruction.getArgumentsContent() ?? ''}`);
    expect(copied).toContain('--from=build /src/dist ./dist');
    const files = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { files: string[] }).files.filter((file) => !['docs/', 'README.md'].includes(file));
    for (const file of files) expect(copied.some((line) => line.split(/\s+/).some((part) => part.replace(/\/$/, '').endsWith(file.replace(/\/$/, '')))), file).toBe(true);
    const runs = runtime.instructions.filter((instruction) => instruction.getKeyword() === 'RUN').map((instruction) => instruction.getArgumentsContent() ?? '');
    expect(runs.some((run) => run.includes('npm ci --omit=dev'))).toBe(true);
  });
});
