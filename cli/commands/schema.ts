// `netmachine schema`: the scenario JSON Schema, for editors.
import type { Command } from 'commander';
import { scenarioJsonSchema } from '../../scenarios/index.js';

export function register(program: Command): void {
  program
    .command('schema')
    .description('print the JSON Schema of scenario files (e.g. netmachine schema > scenario.schema.json)')
    .action(() => {
      process.stdout.write(JSON.stringify(scenarioJsonSchema(), null, 2) + '\n');
    });
}
