// `netmachine validate FILE…`: schema and reference checks only.
import type { Command } from 'commander';
import { InputError, loadScenario } from '../../scenarios/index.js';
import { EXIT_BAD_INPUT } from '../errors.js';

export function register(program: Command): void {
  program
    .command('validate')
    .description('check scenario files against the schema and their references (nothing is run)')
    .argument('<files...>', 'scenario files')
    .action(async (files: string[]) => {
      let isAllValid = true;
      for (const file of files) {
        try {
          const { plan } = await loadScenario(file);
          process.stdout.write(`${file}: ok (${plan.nodes.length} nodes, ${plan.links.length} links, ${plan.nodes.reduce((sum, node) => sum + node.engines.length, 0)} engines, ${plan.events.length} events)\n`);
        } catch (error) {
          if (!(error instanceof InputError)) throw error;
          isAllValid = false;
          process.stderr.write(`${error.message}\n`);
        }
      }
      if (!isAllValid) process.exitCode = EXIT_BAD_INPUT;
    });
}
