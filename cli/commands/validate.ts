// `netmachine validate FILE…`: every check that needs no run — schema, references, engine params and
// dependencies, event times, sizes — reported located, all at once. Engine modules are read, not run.
import type { Command } from 'commander';
import { formatProblem, InputError, loadScenario } from '../../scenarios/index.js';
import { EXIT_BAD_INPUT } from '../errors.js';
import { addScenarioFlags, scenarioLoadOptions, type ScenarioFlags } from '../scenario-flags.js';

interface ValidateFlags extends ScenarioFlags {
  readonly runModules?: boolean;
}

export function configure(command: Command): void {
  addScenarioFlags(command)
    .argument('<files...>', 'scenario files')
    .option('--run-modules', 'also import engine and check modules (runs their code) to check params against the schemas they export')
    .action(async (files: string[], flags: ValidateFlags) => {
      const options = scenarioLoadOptions(flags, { modules: flags.runModules === true ? 'import' : 'inspect' });
      let isAllValid = true;
      for (const file of files) {
        try {
          const { plan, notes } = await loadScenario(file, options);
          const engines = plan.nodes.reduce((sum, node) => sum + node.engines.length, 0);
          process.stdout.write(`${file}: ok (${plan.nodes.length} nodes, ${plan.links.length} links, ${engines} engines, ${plan.events.length} events)\n`);
          for (const note of notes) process.stdout.write(`  note: ${note}\n`);
        } catch (error) {
          if (!(error instanceof InputError)) throw error;
          isAllValid = false;
          for (const problem of error.problems) process.stderr.write(`${formatProblem(problem)} [${problem.code}]\n`);
        }
      }
      if (!isAllValid) process.exitCode = EXIT_BAD_INPUT;
    });
}
