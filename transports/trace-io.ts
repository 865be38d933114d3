// Per-node trace files and their merge into one trace. A node writes a header (which node, its
// peers' and engines' ids, backend, start time), then its records as JSONL with a local sequence
// (`seq`), flushed once per event-loop turn, so a killed process loses at most one turn of events.
// A merge orders by (t, source, local seq) and renumbers `seq`; `collectTraces` first puts every
// node's trace on one time axis (wall time since the earliest start) and sorts sources by node name.
import { appendFileSync, closeSync, openSync, readFileSync, readSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { NetmachineError, TRACE_FORMAT, TRACE_VERSION, traceHeaderLine, traceLine, type TraceBackend, type TraceEvent, type TraceHeader, type TraceRecord, type TraceSink } from '../core/index.js';

/** A node's trace file: records are held until `begin` writes the header, then appended. */
export interface NodeTraceFile extends TraceSink {
  /** Writes the header line (once) and every record so far. */
  begin(header: TraceHeader): void;
  flush(): void;
}

/**
 * A sink appending numbered records to `path` after its header. An existing file is kept: a node
 * process started again on it (its orchestrator restarted it) appends its own part, header first,
 * after the earlier process's; a last line cut short by a killed process is removed first.
 */
export function createNodeTraceFile(path: string): NodeTraceFile {
  keepWholeLines(path);
  let buffer = '';
  let seq = 0;
  let isScheduled = false;
  let hasHeader = false;
  const flush = (): void => {
    isScheduled = false;
    if (!hasHeader || buffer.length === 0) return;
    appendFileSync(path, buffer);
    buffer = '';
  };
  return {
    begin(header) {
      if (hasHeader) return;
      hasHeader = true;
      buffer = traceHeaderLine(header) + '\n' + buffer;
      flush();
    },
    emit(record: TraceRecord) {
      buffer += traceLine({ ...record, seq: seq++ }) + '\n';
      if (!isScheduled && hasHeader) {
        isScheduled = true;
        setImmediate(flush);
      }
    },
    flush,
  };
}

/** Creates `path` if missing; cuts an existing file after its last newline (a torn last line of a killed writer). */
function keepWholeLines(path: string): void {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    writeFileSync(path, '');
    return;
  }
  if (size === 0) return;
  const tailBytes = Math.min(size, TORN_LINE_SCAN_BYTES);
  const tail = Buffer.alloc(tailBytes);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, tail, 0, tailBytes, size - tailBytes);
  } finally {
    closeSync(fd);
  }
  if (tail[tailBytes - 1] === 0x0a) return;
  const newline = tail.lastIndexOf(0x0a);
  if (newline >= 0 || size <= tailBytes) truncateSync(path, newline < 0 ? 0 : size - tailBytes + newline + 1);
  else appendFileSync(path, '\n'); // a torn line longer than the scan stays, on a line of its own (readers skip it)
}

/** How far back from a trace file's end a torn last line is looked for (bytes). */
const TORN_LINE_SCAN_BYTES = 1 << 20;

/** One process's part of a node trace file: its header and the records after it, up to the next header. */
export interface NodeTracePart {
  readonly header?: TraceHeader;
  readonly events: TraceEvent[];
}

/** The parts of a node trace file (one per process that wrote it); lines cut by a killed process are skipped. */
export function readNodeTraceParts(path: string): NodeTracePart[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  const parts: Array<{ header?: TraceHeader; events: TraceEvent[] }> = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      continue; // a line cut by SIGKILL
    }
    if ((value as { format?: unknown }).format === TRACE_FORMAT) parts.push({ header: value as TraceHeader, events: [] });
    else {
      if (parts.length === 0) parts.push({ events: [] });
      parts[parts.length - 1]!.events.push(value as TraceEvent);
    }
  }
  return parts;
}

/**
 * Reads a node trace file written by a process that may have been killed: a torn line is skipped.
 * The parts of later processes on the same file are moved onto the first part's time axis.
 */
export function readNodeTraceFile(path: string): { header?: TraceHeader; events: TraceEvent[] } {
  const parts = readNodeTraceParts(path);
  const header = parts.find((part) => part.header !== undefined)?.header;
  const events = parts.flatMap((part) => (part.header === undefined || header === undefined || part.header.started === header.started ? part.events : part.events.map((event) => ({ ...event, t: event.t + (part.header!.started - header.started) }))));
  return { ...(header !== undefined && { header }), events };
}

/** Merges per-source event lists into one numbered, time-ordered list (ties: source order, then local order). */
export function mergeTraces(sources: ReadonlyArray<ReadonlyArray<TraceEvent | TraceRecord>>): TraceEvent[] {
  const tagged: Array<{ event: TraceRecord; source: number; index: number }> = [];
  sources.forEach((events, source) => events.forEach((event, index) => tagged.push({ event, source, index })));
  tagged.sort((x, y) => x.event.t - y.event.t || x.source - y.source || x.index - y.index);
  return tagged.map(({ event }, seq) => ({ ...event, seq }));
}

/** One input of `collectTraces`: a trace and where it came from (named in errors). */
export interface CollectedInput {
  readonly source: string;
  readonly header: TraceHeader;
  readonly events: ReadonlyArray<TraceEvent>;
}

function unionOf(inputs: ReadonlyArray<CollectedInput>, field: 'nodes' | 'engines'): Record<string, string> {
  const out = new Map<string, { id: string; source: string }>();
  for (const input of inputs) {
    for (const [name, id] of Object.entries(input.header[field])) {
      const known = out.get(name);
      if (known !== undefined && known.id !== id) throw new NetmachineError('trace/collect-conflict', `${input.source}: ${field === 'nodes' ? 'node' : 'engine'} "${name}" has id ${id.slice(0, 12)}…, but ${known.id.slice(0, 12)}… in ${known.source} (traces of different runs?)`);
      if (known === undefined) out.set(name, { id, source: input.source });
    }
  }
  return Object.fromEntries([...out].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, entry]) => [name, entry.id]));
}

function backendOf(inputs: ReadonlyArray<CollectedInput>): TraceBackend {
  const backends = new Set(inputs.map((input) => input.header.backend));
  if (backends.has('sim')) {
    if (backends.size > 1) throw new NetmachineError('trace/collect-conflict', 'simulator and real-network traces cannot be collected into one run');
    return 'sim';
  }
  return backends.size === 1 ? [...backends][0]! : 'quic+tls';
}

/** The node a per-node trace is from (its header's `node`, else its first event's). */
function nodeOf(input: CollectedInput): string {
  return input.header.node ?? input.events[0]?.node ?? '';
}

/**
 * One trace from the per-node traces of a run: every event moved onto one axis (ms since the
 * earliest `started`), merged by time with ties broken by node name, start time and local order,
 * `seq` renumbered; one header naming every node and engine. `scenario` goes into the header.
 */
export function collectTraces(inputs: ReadonlyArray<CollectedInput>, scenario: { readonly document: unknown; readonly file?: string } = { document: null }): { header: TraceHeader; events: TraceEvent[] } {
  if (inputs.length === 0) throw new NetmachineError('trace/collect-empty', 'no traces to collect');
  const ordered = [...inputs].sort((a, b) => (nodeOf(a) < nodeOf(b) ? -1 : nodeOf(a) > nodeOf(b) ? 1 : a.header.started - b.header.started));
  const started = Math.min(...ordered.map((input) => input.header.started));
  const events = mergeTraces(ordered.map((input) => input.events.map((event) => ({ ...event, t: event.t + (input.header.started - started) }))));
  const emulated = [...new Set(ordered.flatMap((input) => input.header.emulated ?? []))];
  const header: TraceHeader = {
    format: TRACE_FORMAT,
    version: TRACE_VERSION,
    backend: backendOf(ordered),
    seed: ordered[0]!.header.seed,
    scenario: scenario.document,
    ...(scenario.file !== undefined && { scenarioFile: scenario.file }),
    started,
    crypto: ordered[0]!.header.crypto,
    nodes: unionOf(ordered, 'nodes'),
    engines: unionOf(ordered, 'engines'),
    ...(emulated.length > 0 && { emulated }),
  };
  return { header, events };
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
