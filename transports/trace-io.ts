// Per-node trace files and their merge into one trace. A node writes a header (which node, its
// peers' and engines' ids, backend, start time), then its records as JSONL with a local sequence
// (`seq`), flushed once per event-loop turn, so a killed process loses at most one turn of events.
// A merge orders by (t, source, local seq) and renumbers `seq`; `collectTraces` first puts every
// node's trace on one time axis (wall time since the earliest start) and sorts sources by node name.
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { NetmachineError, TRACE_FORMAT, TRACE_VERSION, traceHeaderLine, traceLine, type TraceBackend, type TraceEvent, type TraceHeader, type TraceRecord, type TraceSink } from '../core/index.js';

/** A node's trace file: records are held until `begin` writes the header, then appended. */
export interface NodeTraceFile extends TraceSink {
  /** Writes the header line (once) and every record so far. */
  begin(header: TraceHeader): void;
  flush(): void;
}

/** A sink appending numbered records to `path` (created empty) after its header. */
export function createNodeTraceFile(path: string): NodeTraceFile {
  writeFileSync(path, '');
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

/** Reads a node trace file written by a process that may have been killed: a torn last line is skipped. */
export function readNodeTraceFile(path: string): { header?: TraceHeader; events: TraceEvent[] } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return { events: [] };
  }
  let header: TraceHeader | undefined;
  const events: TraceEvent[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      continue; // a line cut by SIGKILL
    }
    if (header === undefined && (value as { format?: unknown }).format === TRACE_FORMAT) header = value as TraceHeader;
    else events.push(value as TraceEvent);
  }
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
