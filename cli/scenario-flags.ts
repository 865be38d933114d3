// The flags that widen what a scenario file may ask for: raised size limits, modules outside its folder.
import type { Command } from 'commander';
import { LIMIT_DESCRIPTIONS, parseLimits, type LoadOptions } from '../scenarios/index.js';
import { CliError } from './errors.js';

export interface ScenarioFlags {
  readonly limits?: string;
  readonly allowModulesOutside?: boolean;
}

/** Adds `--limits` and `--allow-modules-outside` to a command that loads scenario files. */
export function addScenarioFlags(command: Command): Command {
  return command
    .option('--limits <list>', `raise size limits, e.g. nodes=1e6,links=5e6 (names: ${Object.keys(LIMIT_DESCRIPTIONS).join(', ')}; see docs/security.md)`)
    .option('--allow-modules-outside', 'let module: paths point outside the scenario file\'s folder (they run code)');
}

/** Load options from the flags (bad `--limits` exits 2). */
export function scenarioLoadOptions(flags: ScenarioFlags, extra: LoadOptions = {}): LoadOptions {
  const limits = flags.limits === undefined ? undefined : parseLimits(flags.limits);
  if (limits !== undefined && !limits.ok) throw new CliError('cli/bad-limits', `--limits: ${limits.error}`);
  return { ...extra, ...(limits !== undefined && { limits: limits.value }), ...(flags.allowModulesOutside === true && { isModuleOutsideAllowed: true }) };
}

/** The same flags as command-line arguments, for commands a sweep emits to run elsewhere. */
export function scenarioFlagArgs(flags: ScenarioFlags): string[] {
  return [...(flags.limits !== undefined ? [`--limits ${flags.limits}`] : []), ...(flags.allowModulesOutside === true ? ['--allow-modules-outside'] : [])];
}
