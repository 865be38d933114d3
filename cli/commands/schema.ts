// `netmachine schema`: the scenario JSON Schema, for editors.
import type { Command } from 'commander';
import { scenarioJsonSchema } from '../../scenarios/index.js';

export function configure(command: Command): void {
  command
    .action(() => {
      process.stdout.write(JSON.stringify(scenarioJsonSchema(), null, 2) + '\n');
    });
}
