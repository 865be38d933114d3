// The command tree. Each command lives in cli/commands/<name>.ts and exports `register(program)`.
import { Command, CommanderError } from 'commander';
import { NetmachineError } from '../core/index.js';
import { CliError, EXIT_BAD_INPUT } from './errors.js';
import { register as registerCheck } from './commands/check.js';
import { register as registerCollect } from './commands/collect.js';
import { register as registerCompare } from './commands/compare.js';
import { register as registerDeploy } from './commands/deploy.js';
import { register as registerKeygen } from './commands/keygen.js';
import { register as registerNode } from './commands/node.js';
import { register as registerReplay } from './commands/replay.js';
import { register as registerRun } from './commands/run.js';
import { register as registerSchema } from './commands/schema.js';
import { register as registerTopology } from './commands/topology.js';
import { register as registerValidate } from './commands/validate.js';
import { register as registerViz } from './commands/viz.js';

const COMMANDS: ReadonlyArray<(program: Command) => void> = [
  registerRun,
  registerCheck,
  registerValidate,
  registerReplay,
  registerTopology,
  registerSchema,
  registerViz,
  registerKeygen,
  registerNode,
  registerDeploy,
  registerCompare,
  registerCollect,
];

/** Runs the CLI with `argv` (as in process.argv); resolves to the exit code. */
export async function main(argv: ReadonlyArray<string>): Promise<number> {
  const program = new Command('netmachine')
    .description('Build, test and watch peer-to-peer message-passing systems.')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const register of COMMANDS) register(program);
  try {
    await program.parseAsync(argv as string[]);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    return report(error);
  }
}

function report(error: unknown): number {
  if (error instanceof CommanderError) {
    // commander already printed the message (or the help text).
    return error.exitCode === 0 ? 0 : EXIT_BAD_INPUT;
  }
  if (error instanceof CliError) {
    process.stderr.write(`netmachine: ${error.message}\n`);
    return error.exitCode;
  }
  if (error instanceof NetmachineError) {
    // Input errors already tag each located line with its code.
    process.stderr.write(`netmachine: ${error.message}${error.message.includes(`[${error.code}]`) ? '' : ` [${error.code}]`}\n`);
    return EXIT_BAD_INPUT;
  }
  throw error;
}
