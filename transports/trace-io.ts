// Per-node trace files and their merge into one trace. A node writes its records as JSONL with a
// local sequence (`seq`), flushed once per event-loop turn, so a killed process loses at most one
// turn of events. The merge orders by (t, node file order, local seq) and renumbers `seq`.
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { traceHeaderLine, traceLine, type TraceEvent, type TraceHeader, type TraceRecord, type TraceSink } from '../core/index.js';

/** A sink appending numbered records to `path` (created empty). */
export function createNodeTraceFile(path: string): TraceSink & { flush(): void } {
  writeFileSync(path, '');
  let buffer = '';
  let seq = 0;
  let isScheduled = false;
  const flush = (): void => {
    isScheduled = false;
    if (buffer.length === 0) return;
    appendFileSync(path, buffer);
    buffer = '';
  };
  return {
    emit(record: TraceRecord) {
      buffer += traceLine({ ...record, seq: seq++ }) + '\n';
      if (!isScheduled) {
        isScheduled = true;
        setImmediate(flush);
      }
    },
    flush,
  };
}

/** Reads a node trace file (tolerating a torn last line from a killed process). */
export function readNodeTraceFile(path: string): TraceEvent[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  const events: TraceEvent[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      events.push(JSON.parse(line) as TraceEvent);
    } catch {
      // a line cut by SIGKILL
    }
  }
  return events;
}

/** Merges per-source event lists into one numbered, time-ordered list. */
export function mergeTraces(sources: ReadonlyArray<ReadonlyArray<TraceEvent | TraceRecord>>): TraceEvent[] {
  const tagged: Array<{ event: TraceRecord; source: number; index: number }> = [];
  sources.forEach((events, source) => events.forEach((event, index) => tagged.push({ event, source, index })));
  tagged.sort((x, y) => x.event.t - y.event.t || x.source - y.source || x.index - y.index);
  return tagged.map(({ event }, seq) => ({ ...event, seq }));
}

/** Writes a whole trace (header + events) to `path`. */
export function writeTraceFile(path: string, header: TraceHeader, events: ReadonlyArray<TraceEvent>): void {
  const lines = [traceHeaderLine(header), ...events.map(traceLine)];
  writeFileSync(path, lines.join('\n') + '\n');
}

/** Reads a whole trace file: header and events. */
export function readTraceFile(path: string): { header: TraceHeader; events: TraceEvent[] } {
  const lines = readFileSync(path, 'utf8').split('\n').filter((line) => line.trim() !== '');
  if (lines.length === 0) throw new Error(`${path}: empty trace`);
  const header = JSON.parse(lines[0]!) as TraceHeader;
  return { header, events: lines.slice(1).map((line) => JSON.parse(line) as TraceEvent) };
}
