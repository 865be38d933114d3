// The module of `expect.check`, checked at load like engine modules: where it is, and that it
// exports the function (read without running it under validate, imported otherwise).
import { didYouMean } from './excerpt.js';
import type { ModuleMode } from './engine-modules.js';
import { importModule, resolveModule, staticExports } from './modules.js';
import type { ScenarioDocument } from './schema.js';
import type { LocatedDocument, Problem } from './yaml.js';

/** Problems of the scenario's check module; what validate cannot tell goes to `notes`. */
export async function checkModuleProblems(doc: LocatedDocument, scenario: ScenarioDocument, options: { modules?: ModuleMode; isModuleOutsideAllowed?: boolean }, notes: string[]): Promise<Problem[]> {
  const check = scenario.expect?.check;
  if (check === undefined) return [];
  const path = ['expect', 'check'];
  const resolved = resolveModule(doc.file, check.module, { isOutsideAllowed: options.isModuleOutsideAllowed === true });
  if (!resolved.ok) return [doc.problem([...path, 'module'], resolved.error.message, resolved.error.code)];
  const missing = (names: ReadonlyArray<string>): Problem => doc.problem([...path, 'function'], `module ${check.module} exports no function "${check.function}"${didYouMean(check.function, names)} (it exports: ${names.join(', ') || 'nothing'})`, 'module/no-function');
  if (options.modules === 'inspect') {
    const exports = await staticExports(resolved.value);
    if (!exports.ok) notes.push(`${doc.file}:${doc.locate(path).line}: ${exports.error.message}; the check function is looked for when the scenario runs`);
    else if (!exports.value.names.has(check.function)) {
      if (exports.value.isComplete) return [missing([...exports.value.names])];
      notes.push(`${doc.file}:${doc.locate(path).line}: ${check.module} re-exports other modules; "${check.function}" is looked for when the scenario runs`);
    }
    return [];
  }
  const exports = await importModule(resolved.value);
  if (!exports.ok) return [doc.problem([...path, 'module'], exports.error.message, exports.error.code)];
  if (typeof exports.value[check.function] !== 'function') return [missing(Object.keys(exports.value).filter((name) => typeof exports.value[name] === 'function'))];
  return [];
}
