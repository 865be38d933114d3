// Writing HTML reports (viz/) from the CLI.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { TraceEvent, TraceHeader } from '../core/index.js';
import { renderReport } from '../viz/index.js';
import { CliError } from './errors.js';

/** Renders and writes a report; prints its path unless quiet. */
export function writeReport(path: string, header: TraceHeader, events: ReadonlyArray<TraceEvent>, isQuiet: boolean): void {
  const html = renderReport(header, events);
  try {
    writeFileSync(path, html);
  } catch (error) {
    throw new CliError('cli/report-unwritable', `cannot write the report to ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  if (!isQuiet) process.stdout.write(`report written to ${resolve(path)} (${Math.round(html.length / 1024)} KiB; open it in a browser)\n`);
}
