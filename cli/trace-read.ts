// Reading trace files for the CLI, with located errors.
import { readFileSync } from 'node:fs';
import { readTrace, type Trace } from '../viz/index.js';
import { CliError } from './errors.js';

/** The raw text of a trace file (exit 2 when unreadable). */
export function readTraceText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new CliError('cli/trace-unreadable', `${path}: cannot read the trace: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

/** A parsed trace file; a malformed one is an error located by line. */
export function readTraceFile(path: string): Trace {
  const parsed = readTrace(readTraceText(path));
  if (!parsed.ok) throw new CliError('cli/bad-trace', `${path}:${parsed.error.line}: ${parsed.error.message} (${parsed.error.code})`);
  return parsed.value;
}
