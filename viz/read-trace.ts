// Parses a JSONL trace (header line, then one event per line) into typed values, with the line number
// of the first problem. Trace files are untrusted input: nothing here throws.
import { TRACE_FORMAT, TRACE_VERSION, type TraceEvent, type TraceHeader, type TraceKind } from '../core/trace.js';

/** Stable codes of trace reading errors. */
export type TraceReadErrorCode = 'trace/empty' | 'trace/bad-json' | 'trace/bad-header' | 'trace/bad-version' | 'trace/bad-event';

/** Why a trace could not be read, and where (1-based line number). */
export interface TraceReadError {
  readonly code: TraceReadErrorCode;
  readonly line: number;
  readonly message: string;
}

/** A parsed trace. */
export interface Trace {
  readonly header: TraceHeader;
  readonly events: ReadonlyArray<TraceEvent>;
}

export type TraceReadResult = { readonly ok: true; readonly value: Trace } | { readonly ok: false; readonly error: TraceReadError };

const KINDS: ReadonlySet<string> = new Set<TraceKind>([
  'send', 'transmit', 'receive', 'deliver', 'drop', 'verify-fail', 'timer', 'subscribe', 'unsubscribe',
  'crash', 'restart', 'partition', 'heal', 'link', 'connect', 'disconnect', 'connect-failed', 'log',
]);
const STRING_FIELDS = ['engine', 'msg', 'cause', 'dst', 'to', 'peer', 'reason', 'topic', 'text'] as const;

/** Formats an error as `line N: message` (prefix a file name for `file:line`). */
export function formatTraceReadError(error: TraceReadError): string {
  return `line ${error.line}: ${error.message} (${error.code})`;
}

/** Parses a whole JSONL trace; blank lines are skipped. */
export function readTrace(text: string): TraceReadResult {
  let header: TraceHeader | undefined;
  const events: TraceEvent[] = [];
  let start = 0;
  let lineNumber = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    lineNumber++;
    const line = text.slice(start, end).trim();
    start = end + 1;
    if (line === '') continue;
    const parsed = parseJson(line);
    if (parsed === undefined) return fail('trace/bad-json', lineNumber, 'not a JSON value');
    if (header === undefined) {
      const checked = checkHeader(parsed, lineNumber);
      if (!checked.ok) return checked;
      header = checked.value;
      continue;
    }
    const problem = eventProblem(parsed);
    if (problem !== undefined) return fail('trace/bad-event', lineNumber, problem);
    events.push(parsed as TraceEvent);
  }
  if (header === undefined) return fail('trace/empty', Math.max(1, lineNumber), 'no header line');
  return { ok: true, value: { header, events } };
}

function parseJson(line: string): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch {
    return undefined;
  }
}

function fail(code: TraceReadErrorCode, line: number, message: string): { ok: false; error: TraceReadError } {
  return { ok: false, error: { code, line, message } };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkHeader(value: unknown, line: number): { ok: true; value: TraceHeader } | { ok: false; error: TraceReadError } {
  if (!isRecord(value) || value['format'] !== TRACE_FORMAT) return fail('trace/bad-header', line, `the first line must be a header with format "${TRACE_FORMAT}"`);
  if (value['version'] !== TRACE_VERSION) return fail('trace/bad-version', line, `trace version ${String(value['version'])} is not supported (expected ${TRACE_VERSION})`);
  if (!isRecord(value['nodes']) || !isRecord(value['engines'])) return fail('trace/bad-header', line, 'header.nodes and header.engines must be objects');
  if (typeof value['seed'] !== 'number' || typeof value['started'] !== 'number') return fail('trace/bad-header', line, 'header.seed and header.started must be numbers');
  return { ok: true, value: value as unknown as TraceHeader };
}

/** Undefined when `value` is a well-formed event, else what is wrong with it. */
function eventProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return 'an event must be a JSON object';
  const { t, seq, kind, node, bytes, data } = value;
  if (typeof t !== 'number' || !Number.isFinite(t)) return 'event.t must be a finite number';
  if (typeof seq !== 'number' || !Number.isInteger(seq)) return 'event.seq must be an integer';
  if (typeof kind !== 'string' || !KINDS.has(kind)) return `unknown event kind ${JSON.stringify(kind)}`;
  if (typeof node !== 'string') return 'event.node must be a string';
  for (const field of STRING_FIELDS) {
    if (value[field] !== undefined && typeof value[field] !== 'string') return `event.${field} must be a string`;
  }
  if (bytes !== undefined && (typeof bytes !== 'number' || !(bytes >= 0))) return 'event.bytes must be a number ≥ 0';
  if (data !== undefined && !isRecord(data)) return 'event.data must be an object';
  return undefined;
}
