// User modules named by input files (`module:` of an engine, `expect.check`): where they may be,
// what they export (read without running them), and importing them (which runs their code).
import { realpathSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve as resolvePath, sep } from 'node:path';
import { init as initLexer, parse as lexModule } from 'es-module-lexer';
import { err, importModuleFile, ok, type Result } from '../core/index.js';
import { DEFAULT_LIMITS } from './limits.js';

/** Which module paths an input file may name. */
export interface ModulePolicy {
  /** Modules may lie outside the folder tree of the file that names them (`--allow-modules-outside`). */
  readonly isOutsideAllowed: boolean;
}

/** Modules must sit in the naming file's folder tree. */
export const CONFINED_MODULES: ModulePolicy = { isOutsideAllowed: false };

/** A module problem with its stable code. */
export interface ModuleProblem {
  readonly code: string;
  readonly message: string;
}

/** Bytes of a module file read for its export names (larger files are refused). */
const MODULE_BYTES_MAX = DEFAULT_LIMITS.fileBytes;

/**
 * The real path of `module` (relative to `baseFile`'s folder, or absolute), checked: inside that
 * folder tree after symlinks are followed (unless the policy allows more), a regular file, and at
 * most `MODULE_BYTES_MAX` bytes. Nothing is read or run.
 */
export function resolveModule(baseFile: string, module: string, policy: ModulePolicy): Result<string, ModuleProblem> {
  const folder = dirname(resolvePath(baseFile));
  const wanted = resolvePath(folder, module);
  if (!policy.isOutsideAllowed && !isInside(folder, wanted)) return err(outside(module));
  let real: string;
  try {
    real = realpathSync(wanted);
  } catch (error) {
    return err({ code: 'module/not-found', message: `cannot find module ${module} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})` });
  }
  if (!policy.isOutsideAllowed && !isInside(safeRealpath(folder), real)) return err(outside(module, ' once symbolic links are followed'));
  const stats = statSync(real, { throwIfNoEntry: false });
  if (stats === undefined || !stats.isFile()) return err({ code: 'module/not-a-file', message: `module ${module} is not a regular file` });
  if (stats.size > MODULE_BYTES_MAX) return err({ code: 'module/too-large', message: `module ${module} is ${stats.size} bytes, over the ${MODULE_BYTES_MAX} a module may have` });
  return ok(real);
}

function outside(module: string, how = ''): ModuleProblem {
  return {
    code: 'module/outside',
    message: `module ${module} lies outside the scenario's folder${how}; modules run code, so they must sit in the folder of the file that names them or below it (pass --allow-modules-outside to allow it)`,
  };
}

function safeRealpath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

function isInside(folder: string, path: string): boolean {
  const rest = relative(folder, path);
  return rest !== '' && !isAbsolute(rest) && rest !== '..' && !rest.startsWith(`..${sep}`);
}

/** Export names of a module, read by a lexer without running it; `isComplete` is false when it re-exports `*`. */
export interface StaticExports {
  readonly names: ReadonlySet<string>;
  readonly isComplete: boolean;
}

/** Lexes the module at `file` (a path from `resolveModule`) for its value exports. Nothing is run. */
export async function staticExports(file: string): Promise<Result<StaticExports, ModuleProblem>> {
  let source: string;
  try {
    source = await readFile(file, 'utf8');
  } catch (error) {
    return err({ code: 'module/unreadable', message: `cannot read module ${file} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})` });
  }
  await initLexer();
  try {
    const [, exports] = lexModule(source, file);
    const names = new Set<string>();
    let isComplete = true;
    for (const entry of exports) {
      if (entry.typeOnly) continue;
      if (entry.type === 'reexport-all') isComplete = false;
      else names.add(entry.name);
    }
    return ok({ names, isComplete });
  } catch (error) {
    const offset = (error as { idx?: number }).idx;
    return err({ code: 'module/unparsable', message: `cannot read the exports of module ${file}${offset === undefined ? '' : ` (syntax the lexer does not follow at offset ${offset})`}` });
  }
}

/** Imports (and so runs) the module at `file`; TypeScript loads through tsx (core/module-import.ts). */
export async function importModule(file: string): Promise<Result<Readonly<Record<string, unknown>>, ModuleProblem>> {
  try {
    return ok(await importModuleFile(file));
  } catch (error) {
    return err({ code: 'module/load-failed', message: `cannot load module ${file}: ${(error as Error).message}` });
  }
}

/** A Standard Schema validator (zod, valibot, arktype…), as a module may export for its engine's params. */
export interface StandardSchema {
  readonly '~standard': {
    readonly validate: (value: unknown) => StandardResult | Promise<StandardResult>;
  };
}
type StandardResult = { readonly value: unknown; readonly issues?: undefined } | { readonly issues: ReadonlyArray<{ readonly message: string; readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> }> };

export function isStandardSchema(value: unknown): value is StandardSchema {
  const standard = (value as { '~standard'?: { validate?: unknown } } | null | undefined)?.['~standard'];
  return typeof standard === 'object' && standard !== null && typeof standard.validate === 'function';
}

/** Problems of `params` under a module's schema, as (path below params, message) pairs. */
export async function standardProblems(schema: StandardSchema, params: unknown): Promise<Array<{ path: PropertyKey[]; message: string }>> {
  const result = await schema['~standard'].validate(params);
  if (result.issues === undefined) return [];
  return result.issues.map((issue) => ({ path: (issue.path ?? []).map((part) => (typeof part === 'object' ? part.key : part)), message: issue.message }));
}
