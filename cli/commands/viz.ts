// `netmachine viz TRACE -o out.html`: an interactive report of any trace (sim or real).
import type { Command } from 'commander';
import { writeReport } from '../report.js';
import { readTraceFile } from '../trace-read.js';

export function configure(command: Command): void {
  command
    .argument('<trace>', 'trace file')
    .requiredOption('-o, --out <file>', 'HTML file to write')
    .action((path: string, flags: { out: string }) => {
      const { header, events } = readTraceFile(path);
      writeReport(flags.out, header, events, false);
    });
}
