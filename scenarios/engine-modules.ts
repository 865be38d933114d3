// The factory behind each `engines:` entry, and its params checked where that is possible without
// running anything: built-in kinds against their schema; module kinds by their export names (read
// by a lexer), and against the schema the module exports when the scenario runs.
import { BUILTIN_ENGINE_SPECS, BUILTIN_ENGINES, NetmachineError, type EngineFactory } from '../core/index.js';
import { didYouMean } from './excerpt.js';
import { describeIssues } from './issues.js';
import { importModule, isStandardSchema, resolveModule, staticExports, standardProblems, type ModulePolicy } from './modules.js';
import type { LocatedDocument, Problem } from './yaml.js';

/** `import` runs engine modules to get their factories (run, replay); `inspect` reads them without running (validate). */
export type ModuleMode = 'import' | 'inspect';

/** An engine entry as the loader sees it. */
export interface EngineEntry {
  readonly kind: string;
  readonly module?: string | undefined;
  readonly params?: Readonly<Record<string, unknown>> | undefined;
}

/** The engine factories of one scenario; modules are read or imported once each. */
export interface EngineModules {
  /** The factory for the entry at `path`, or undefined after adding located problems. */
  factory(doc: LocatedDocument, entry: EngineEntry, path: ReadonlyArray<PropertyKey>, problems: Problem[]): Promise<{ factory: EngineFactory; module?: string } | undefined>;
  /** What could not be checked without running (validate prints these). */
  readonly notes: ReadonlyArray<string>;
}

/** The `<kind>Params` export a module may give for its engine's params (any Standard Schema, e.g. zod). */
export function paramsExportName(kind: string): string {
  return `${kind}Params`;
}

export function engineModules(mode: ModuleMode, policy: ModulePolicy): EngineModules {
  const imported = new Map<string, ReturnType<typeof importModule>>();
  const lexed = new Map<string, ReturnType<typeof staticExports>>();
  const notes: string[] = [];
  return {
    notes,
    async factory(doc, entry, path, problems) {
      if (entry.module === undefined) return builtin(doc, entry, path, problems);
      const resolved = resolveModule(doc.file, entry.module, policy);
      if (!resolved.ok) return void problems.push(doc.problem([...path, 'module'], resolved.error.message, resolved.error.code));
      const file = resolved.value;
      const where = `${doc.file}:${doc.locate(path).line}`;
      if (mode === 'inspect') {
        if (!lexed.has(file)) lexed.set(file, staticExports(file));
        const exports = await lexed.get(file)!;
        if (!exports.ok) {
          notes.push(`${where}: ${exports.error.message}; its exports are checked when the scenario runs`);
          return { factory: notLoaded(entry.kind, file), module: file };
        }
        if (!exports.value.names.has(entry.kind)) {
          if (!exports.value.isComplete) notes.push(`${where}: ${entry.module} re-exports other modules (export *); "${entry.kind}" is looked for when the scenario runs`);
          else return void problems.push(doc.problem([...path, 'kind'], `module ${entry.module} exports no "${entry.kind}"${didYouMean(entry.kind, [...exports.value.names])} (it exports: ${[...exports.value.names].join(', ') || 'nothing'})`, 'module/no-factory'));
        }
        notes.push(`${where}: engine "${entry.kind}" from ${entry.module}: ${exports.value.names.has(paramsExportName(entry.kind)) ? `its params are checked against ${paramsExportName(entry.kind)}` : 'its params are checked'} when the scenario runs (validate does not run modules)`);
        return { factory: notLoaded(entry.kind, file), module: file };
      }
      if (!imported.has(file)) imported.set(file, importModule(file));
      const exports = await imported.get(file)!;
      if (!exports.ok) return void problems.push(doc.problem([...path, 'module'], exports.error.message, exports.error.code));
      const factory = exports.value[entry.kind];
      if (typeof factory !== 'function') {
        const names = Object.keys(exports.value).filter((name) => typeof exports.value[name] === 'function');
        return void problems.push(doc.problem([...path, 'kind'], `module ${entry.module} exports no factory function "${entry.kind}"${didYouMean(entry.kind, names)} (it exports: ${names.join(', ') || 'none'})`, 'module/no-factory'));
      }
      const schema = exports.value[paramsExportName(entry.kind)];
      if (isStandardSchema(schema)) {
        for (const issue of await standardProblems(schema, entry.params ?? {})) problems.push(doc.problem([...path, 'params', ...issue.path], issue.message, 'engine/bad-params'));
      }
      return { factory: factory as EngineFactory, module: file };
    },
  };
}

function builtin(doc: LocatedDocument, entry: EngineEntry, path: ReadonlyArray<PropertyKey>, problems: Problem[]): { factory: EngineFactory } | undefined {
  const factory = BUILTIN_ENGINES.get(entry.kind);
  if (factory === undefined) {
    const kinds = [...BUILTIN_ENGINES.keys()];
    problems.push(doc.problem([...path, 'kind'], `unknown engine kind "${entry.kind}"${didYouMean(entry.kind, kinds)} (built-in kinds: ${kinds.join(', ')}; or give module:)`, 'scenario/unknown-engine'));
    return undefined;
  }
  const spec = BUILTIN_ENGINE_SPECS.get(entry.kind);
  const params = entry.params ?? {};
  const parsed = spec?.params.safeParse(params);
  if (parsed !== undefined && !parsed.success) {
    for (const issue of describeIssues(parsed.error.issues, params, spec!.params)) problems.push(doc.problem([...path, 'params', ...issue.path], issue.message, issue.code ?? 'engine/bad-params'));
  }
  return { factory };
}

/** The factory of a module validate did not import: a plan holding it is checked, never run. */
function notLoaded(kind: string, file: string): EngineFactory {
  return () => {
    throw new NetmachineError('scenario/module-not-loaded', `engine "${kind}" from ${file} was inspected, not imported: load the scenario with modules: 'import' to run it`);
  };
}
