// Reading trace files for the CLI, with located errors.
import { readFileSync } from 'node:fs';
import { TRACE_FORMAT } from '../core/index.js';
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

/** Where each part of a trace text begins: offset and line number of every header line, the first part at 0 even without one. */
function partStarts(text: string): Array<{ offset: number; line: number }> {
  const starts = [{ offset: 0, line: 1 }];
  const marker = `\n{"format":${JSON.stringify(TRACE_FORMAT)}`;
  let line = 1;
  let counted = 0;
  for (let at = text.indexOf(marker); at >= 0; at = text.indexOf(marker, at + 1)) {
    for (let index = text.indexOf('\n', counted); index >= 0 && index <= at; index = text.indexOf('\n', index + 1)) line++;
    counted = at + 1;
    starts.push({ offset: at + 1, line });
  }
  return starts;
}

/** A parsed trace file; a malformed one is an error located by line. */
export function readTraceFile(path: string): Trace {
  const text = readTraceText(path);
  const starts = partStarts(text);
  if (starts.length > 1) {
    throw new CliError('cli/bad-trace', `${path}:${starts[1]!.line}: a second header: this node trace holds the parts of ${starts.length} processes (the node was started again on the same file); merge them with \`netmachine collect OUT.jsonl ${path}\` (trace/parts)`);
  }
  const parsed = readTrace(text);
  if (!parsed.ok) throw new CliError('cli/bad-trace', `${path}:${parsed.error.line}: ${parsed.error.message} (${parsed.error.code})`);
  return parsed.value;
}

/** Every part of a node trace file (one per process that wrote it, each under its own header), errors located by line. */
export function readTraceParts(path: string): Trace[] {
  const text = readTraceText(path);
  const starts = partStarts(text);
  return starts.map((start, index) => {
    const parsed = readTrace(text.slice(start.offset, starts[index + 1]?.offset ?? text.length));
    if (!parsed.ok) throw new CliError('cli/bad-trace', `${path}:${parsed.error.line + start.line - 1}: ${parsed.error.message} (${parsed.error.code})`);
    return parsed.value;
  });
}
