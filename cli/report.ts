// Writing HTML reports (viz/) from the CLI.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { TraceEvent, TraceHeader } from '../core/index.js';
import { renderReport, VizError } from '../viz/index.js';
import { CliError } from './errors.js';

/** Renders and writes a report; prints its path unless quiet. */
export function writeReport(path: string, header: TraceHeader, events: ReadonlyArray<TraceEvent>, isQuiet: boolean): void {
  let html: string;
  try {
    html = renderReport(header, events);
  } catch (error) {
    // A trace the report cannot draw is bad input (exit 2), not a crash.
    if (error instanceof VizError) throw new CliError(error.code, `cannot render the report: ${error.message}`);
    throw error;
  }
  try {
    writeFileSync(path, html);
  } catch (error) {
    throw new CliError('cli/report-unwritable', `cannot write the report to ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  if (!isQuiet) process.stdout.write(`report written to ${resolve(path)} (${Math.round(html.length / 1024)} KiB; open it in a browser)\n`);
}
