// The command tree. `netmachine --help` and `--version` load only commander; a command's module
// (cli/commands/<name>.ts, with what it imports) is loaded only when that command runs or shows its help.
import { Command, CommanderError, Help, type Option } from 'commander';
import { COMMANDS, type CommandEntry } from './commands/index.js';
import { CliError, EXIT_BAD_INPUT } from './errors.js';
import { packageVersion } from './version.js';

/** Runs the CLI with `argv` (as in process.argv); resolves to the exit code. */
export async function main(argv: ReadonlyArray<string>): Promise<number> {
  ignoreClosedStdout();
  const program = new Command('netmachine')
    .description('Build, test and watch peer-to-peer message-passing systems.')
    .version(packageVersion(), '-V, --version', 'print the version of netmachine')
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp(REQUIRED_OPTIONS_SHOWN)
    .addHelpText('after', '\nRun `netmachine <command> --help` for the options of a command.')
    .exitOverride();
  const wanted = requestedCommand(argv);
  try {
    for (const entry of COMMANDS) {
      const command = program.command(entry.name).description(entry.description);
      if (entry === wanted) (await entry.load()).configure(command);
    }
    await program.parseAsync(argv as string[]);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    return report(error);
  }
}

/** Help that shows required options (`viz -o`, `node --config`) in the usage line and marks them. */
const REQUIRED_OPTIONS_SHOWN = {
  commandUsage(this: Help, command: Command): string {
    const usage = Help.prototype.commandUsage.call(this, command);
    const required = command.options.filter((option) => option.mandatory).map((option) => `${option.long ?? option.short ?? option.flags} ${/<[^>]+>/.exec(option.flags)?.[0] ?? ''}`.trim());
    return required.length === 0 ? usage : usage.replace('[options]', `${required.join(' ')} [options]`);
  },
  optionDescription(this: Help, option: Option): string {
    const description = Help.prototype.optionDescription.call(this, option);
    return option.mandatory ? `${description} (required)` : description;
  },
};

/** The command that `argv` runs or asks help for (`netmachine run …`, `netmachine help run`). */
function requestedCommand(argv: ReadonlyArray<string>): CommandEntry | undefined {
  const words = argv.slice(2).filter((word) => !word.startsWith('-'));
  const name = words[0] === 'help' ? words[1] : words[0];
  return COMMANDS.find((entry) => entry.name === name);
}

/**
 * `netmachine run … | head` closes stdout early: further output is dropped instead of dying with
 * an EPIPE stack trace, and the command still finishes (trace and report files, exit status).
 */
function ignoreClosedStdout(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
    process.stdout.write = () => true;
  });
}

async function report(error: unknown): Promise<number> {
  if (error instanceof CommanderError) {
    // commander already printed the message (or the help text).
    return error.exitCode === 0 ? 0 : EXIT_BAD_INPUT;
  }
  if (error instanceof CliError) {
    process.stderr.write(`netmachine: ${error.message}\n`);
    return error.exitCode;
  }
  // Loaded here, not up front: the command that failed has loaded the core already.
  const { NetmachineError } = await import('../core/index.js');
  if (error instanceof NetmachineError) {
    // Input errors already tag each located line with its code.
    process.stderr.write(`netmachine: ${error.message}${error.message.includes(`[${error.code}]`) ? '' : ` [${error.code}]`}\n`);
    return EXIT_BAD_INPUT;
  }
  throw error;
}
