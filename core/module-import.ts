// Imports a user's module file (an engine factory, an expectation check) named by a scenario or a
// node config. JavaScript loads natively. TypeScript loads through tsx, registered on the first
// TypeScript module in a namespace of its own (nothing else in the process changes): its ESM loader
// for `.mts` and for `.ts` in a `"type": "module"` folder, its CommonJS loader otherwise (`.cts`, and
// `.ts` in a folder without it, where Node treats the file as CommonJS). So `module: ./engine.ts`
// works from the compiled package, from plain Node and inside vitest alike, wherever the file sits.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { NetmachineError } from './assert.js';

const TYPESCRIPT_FILE = /\.(?:ts|mts|cts|tsx)$/;
/** Longest loading error passed on (a module can throw anything). */
const DETAIL_CHARS_MAX = 300;
const NAMESPACE = 'netmachine-user-modules';

interface EsmLoader {
  import(specifier: string, parentUrl: string): Promise<unknown>;
}
interface CjsLoader {
  require(id: string, fromFile: string): unknown;
}
let esmLoader: Promise<EsmLoader> | undefined;
let cjsLoader: Promise<CjsLoader> | undefined;

/** A module could not be loaded; the one-line message says why, located in the user's file when it can be. */
export class ModuleLoadError extends NetmachineError {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super('module/load-failed', message, { file });
    this.name = 'ModuleLoadError';
  }
}

/** The module's exports; throws a `ModuleLoadError` when it cannot be loaded (or throws while loading). */
export async function importModuleFile(file: string): Promise<Record<string, unknown>> {
  if (!existsSync(file)) throw new ModuleLoadError(file, 'file not found');
  const url = pathToFileURL(file).href;
  try {
    if (!TYPESCRIPT_FILE.test(file)) return (await import(url)) as Record<string, unknown>;
    if (isCommonJs(file)) {
      cjsLoader ??= import('tsx/cjs/api').then(({ register }) => register({ namespace: NAMESPACE }));
      return (await cjsLoader).require(file, import.meta.url) as Record<string, unknown>;
    }
    esmLoader ??= import('tsx/esm/api').then(({ register }) => register({ namespace: NAMESPACE }));
    return (await (await esmLoader).import(url, import.meta.url)) as Record<string, unknown>;
  } catch (error) {
    throw new ModuleLoadError(file, describeLoadError(error, file));
  }
}

/** Whether Node treats this TypeScript file as CommonJS: `.cts`, or `.ts` whose nearest package.json has no `"type": "module"`. */
function isCommonJs(file: string): boolean {
  if (file.endsWith('.cts')) return true;
  if (file.endsWith('.mts')) return false;
  for (let folder = dirname(file); ; folder = dirname(folder)) {
    const manifest = join(folder, 'package.json');
    if (existsSync(manifest)) {
      try {
        return (JSON.parse(readFileSync(manifest, 'utf8')) as { type?: unknown }).type !== 'module';
      } catch {
        return true;
      }
    }
    if (dirname(folder) === folder) return true;
  }
}

/** One line: a syntax error at file:line:col, a missing file or import, or what the module threw and where. */
function describeLoadError(error: unknown, file: string): string {
  const message = error instanceof Error ? error.message : String(error);
  const lines = message.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  let detail: string;
  if (lines[0]?.startsWith('Transform failed')) detail = lines.slice(1).map((line) => syntaxError(line, file)).join('; ');
  else if (code === 'MODULE_NOT_FOUND') detail = `${lines[0] ?? message} (imported by ${file})`;
  else detail = `${lines[0] ?? 'threw'}${whereInFile(error, file)}`;
  return detail.length > DETAIL_CHARS_MAX ? `${detail.slice(0, DETAIL_CHARS_MAX)}…` : detail;
}

/** `syntax error at 2:18: Unexpected ";"` from esbuild's `/path/engine.ts:2:18: ERROR: Unexpected ";"` (the path kept when it is another file). */
function syntaxError(line: string, file: string): string {
  const text = line.replace(': ERROR: ', ': ');
  return text.startsWith(`${file}:`) ? `syntax error at ${text.slice(file.length + 1)}` : `syntax error in ${text}`;
}

/** ` (at /path/engine.ts:3:7)` from the first stack frame in `file`, or ''. */
function whereInFile(error: unknown, file: string): string {
  const stack = error instanceof Error ? (error.stack ?? '') : '';
  for (const line of stack.split('\n')) {
    const at = line.indexOf(file);
    if (at < 0 || line.startsWith('    at data:')) continue;
    // tsx may append its namespace as a query: `engine.ts?tsx-namespace=…:3:7`.
    const location = /^[^\s)?]*(?:\?[^\s):]*)?(:\d+:\d+)/.exec(line.slice(at + file.length));
    if (location !== null) return ` (at ${file}${location[1]})`;
  }
  return '';
}
