// Writes a shrunk counterexample as a scenario file that `netmachine run` replays: the seed is
// set, engine module paths are made relative to the new file, and `expect.check` re-checks the
// failed invariants so the replay exits 1 and shows them. Nothing in the files is an absolute path:
// the check module imports the kit by its package name and user modules by relative paths.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Document, isScalar, visit } from 'yaml';
import type { InvariantReplay } from './invariants/index.js';

/** A module function `(events, header) => true | string[]`, as a scenario's `expect.check` names it. */
export interface ReplayCheck {
  /** Path of the module (absolute, or relative to the kit's `baseDir`). */
  readonly module: string;
  readonly function: string;
}

export interface FailureFileInput {
  readonly scenario: unknown;
  readonly seed: number;
  readonly failuresDir: string;
  readonly baseDir: string;
  readonly name: string;
  /** Comment lines for the top of the file. */
  readonly comment: ReadonlyArray<string>;
  /** The failed invariants to re-check on replay. */
  readonly replays: ReadonlyArray<InvariantReplay>;
  /** Check functions `(events, header) => true | string[]` to run on replay too. */
  readonly replayChecks?: ReadonlyArray<ReplayCheck>;
}

export interface FailureFile {
  readonly file: string;
  readonly report: string;
  /** `netmachine run <file> --seed <n> --report <file>.html` */
  readonly command: string;
}

/** Writes `<failuresDir>/<name>-<hash>.yaml` and, when anything is to be re-checked, its `.check.mjs` (`.check.ts` when it imports TypeScript). */
export function writeFailureFile(input: FailureFileInput): FailureFile {
  const folder = resolve(input.failuresDir);
  mkdirSync(folder, { recursive: true });
  const document = relocate(input.scenario, resolve(input.baseDir), folder);
  const stem = `${safeName(input.name)}-${createHash('sha256').update(JSON.stringify([document, input.seed])).digest('hex').slice(0, 10)}`;
  const check = checkModule(folder, stem, input.replays, (input.replayChecks ?? []).map((check) => ({ ...check, module: resolve(input.baseDir, check.module) })));
  const expect = { ...(isRecord(document['expect']) ? document['expect'] : {}), ...(check !== undefined && { check }) };
  const { name, ...rest } = document;
  const withSeed = { name, seed: input.seed, ...rest, ...(Object.keys(expect).length > 0 && { expect }) };
  const file = join(folder, `${stem}.yaml`);
  const report = join(folder, `${stem}.html`);
  writeFileSync(file, `${input.comment.map((line) => `# ${line}`.trimEnd()).join('\n')}\n${toYaml(withSeed)}`);
  // Modules outside the failure file's folder (the user's engine) need the explicit flag to load.
  const isOutside = [...moduleEntries(document['engines']), ...(check === undefined ? [] : [check.module])].some((module) => module.startsWith('..') || isAbsolute(module));
  const command = `netmachine run ${shellPath(file)} --seed ${input.seed} --report ${shellPath(report)}${isOutside ? ' --allow-modules-outside' : ''}`;
  return { file, report, command };
}

/** YAML with short lists of scalars (node names, link ends) on one line. */
function toYaml(value: unknown): string {
  const document = new Document(value, { aliasDuplicateObjects: false });
  visit(document, {
    Seq(_, node) {
      if (node.items.every((item) => isScalar(item))) node.flow = true;
    },
  });
  return document.toString({ lineWidth: 0 });
}

/** The check module: built-ins from the package by name, user invariants and checks from their modules. */
function checkModule(folder: string, stem: string, replays: ReadonlyArray<InvariantReplay>, checks: ReadonlyArray<ReplayCheck>): ReplayCheck | undefined {
  if (replays.length === 0 && checks.length === 0) return undefined;
  const modules = new Map<string, string>(); // relative path → import name
  const imported = (module: string): string => {
    const path = modulePath(module.startsWith('file:') ? fileURLToPath(module) : resolve(module), folder);
    if (!modules.has(path)) modules.set(path, `module${modules.size + 1}`);
    return modules.get(path)!;
  };
  const entries = [
    ...replays.map((replay) =>
      'builtin' in replay
        ? JSON.stringify({ builtin: replay.builtin, ...(replay.args !== undefined && { args: replay.args }) })
        : `{ from: ${imported(replay.module)}, export: ${JSON.stringify(replay.export)}${replay.args === undefined ? '' : `, args: ${JSON.stringify(replay.args)}`} }`,
    ),
    ...checks.map((check) => `{ from: ${imported(check.module)}, export: ${JSON.stringify(check.function)}, isCheck: true }`),
  ];
  // A TypeScript module among the imports needs a check module that netmachine loads through its
  // TypeScript loader (a .mjs file would be imported natively, and could not import it).
  const isTypeScript = [...modules.keys()].some((path) => /\.[cm]?tsx?$/.test(path));
  const checkFile = `${stem}.check.${isTypeScript ? 'ts' : 'mjs'}`;
  writeFileSync(
    join(folder, checkFile),
    [
      '// Re-checks the invariants this counterexample broke (written by the netmachine kit).',
      "import { replayInvariants } from 'netmachine';",
      ...[...modules].map(([path, name]) => `import * as ${name} from ${JSON.stringify(path)};`),
      '',
      'export const check = (events, header) =>',
      '  replayInvariants(',
      '    [',
      ...entries.map((entry) => `      ${entry},`),
      '    ],',
      '    events,',
      '    header,',
      '  );',
      '',
    ].join('\n'),
  );
  return { module: `./${checkFile}`, function: 'check' };
}

/** Rewrites each engine's `module:` and the `expect.check` module (relative to `from`) to be relative to `to`. */
function relocate(scenario: unknown, from: string, to: string): Record<string, unknown> {
  const document: Record<string, unknown> = isRecord(scenario) ? { ...scenario } : {};
  const expect = document['expect'];
  if (isRecord(expect) && isRecord(expect['check']) && typeof expect['check']['module'] === 'string') {
    document['expect'] = { ...expect, check: { ...expect['check'], module: modulePath(resolve(from, expect['check']['module']), to) } };
  }
  if (Array.isArray(document['engines'])) {
    document['engines'] = document['engines'].map((engine: unknown) =>
      isRecord(engine) && typeof engine['module'] === 'string' ? { ...engine, module: modulePath(resolve(from, engine['module']), to) } : engine,
    );
  }
  return document;
}

function moduleEntries(engines: unknown): string[] {
  return Array.isArray(engines) ? engines.flatMap((engine: unknown) => (isRecord(engine) && typeof engine['module'] === 'string' ? [engine['module']] : [])) : [];
}

function modulePath(absolute: string, folder: string): string {
  const path = relative(folder, absolute);
  return isAbsolute(path) ? path : path.startsWith('.') ? path : `./${path}`;
}

function shellPath(file: string): string {
  const path = relative(process.cwd(), file);
  const shown = path === '' || path.startsWith('..') ? file : path;
  return /^[A-Za-z0-9_./@:+-]+$/.test(shown) ? shown : `'${shown.replaceAll("'", "'\\''")}'`;
}

function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9_.-]+/g, '-').slice(0, 60) || 'counterexample';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
