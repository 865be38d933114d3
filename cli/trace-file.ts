// Writing traces as JSONL: buffered synchronous writes, so a crash loses at most one buffer.
import { closeSync, openSync, writeSync } from 'node:fs';
import { traceHeaderLine, traceLine, type TraceEvent, type TraceHeader } from '../core/index.js';
import { CliError } from './errors.js';

const BUFFER_CHARS_MAX = 1 << 20;

export interface TraceFileWriter {
  write(event: TraceEvent): void;
  close(): void;
}

/** Opens `path` for a new trace and writes the header line. */
export function createTraceFileWriter(path: string, header: TraceHeader): TraceFileWriter {
  let fd: number;
  try {
    fd = openSync(path, 'w');
  } catch (error) {
    throw new CliError('cli/trace-unwritable', `cannot write the trace to ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  let buffer = traceHeaderLine(header) + '\n';
  const flush = (): void => {
    if (buffer.length > 0) writeSync(fd, buffer);
    buffer = '';
  };
  return {
    write(event) {
      buffer += traceLine(event) + '\n';
      if (buffer.length >= BUFFER_CHARS_MAX) flush();
    },
    close() {
      flush();
      closeSync(fd);
    },
  };
}
