// Client histories (Jepsen's model): each operation is invoked, then completes `ok` (it happened,
// with this output), `fail` (it certainly did not happen) or `info` (unknown: it timed out or its
// client crashed). A history is the list of operations, each with its invoke and completion times.
import { HISTORY_TEXT, type TraceEvent } from '../../core/index.js';
import { KitError } from '../errors.js';

/** How an operation ended. */
export type CompletionType = 'ok' | 'fail' | 'info';

/** One event of a history as a client records it. */
export interface HistoryEvent {
  /** The client process (one operation at a time per process). */
  readonly process: string;
  readonly type: 'invoke' | CompletionType;
  /** The operation: `read`, `write`, `cas`, `add`, `broadcast`, … */
  readonly f: string;
  /** The key of a key-value operation. */
  readonly key?: string;
  /** Invoke: the argument; completion: the result (JSON values). */
  readonly value?: unknown;
  /** Time (ms). */
  readonly t: number;
  /** A final read (made after the quiet phase began). */
  readonly isFinal?: boolean;
}

/** An invoked operation paired with its completion. */
export interface Operation {
  /** Position in the history (invocation order). */
  readonly index: number;
  readonly process: string;
  readonly f: string;
  readonly key?: string;
  readonly input: unknown;
  /** The result of an `ok` operation (undefined otherwise). */
  readonly output: unknown;
  readonly type: CompletionType;
  readonly invokeMs: number;
  /** Completion time; `Infinity` for `info` (it may take effect at any later time, or never). */
  readonly completeMs: number;
  /** A final read. */
  readonly isFinal?: boolean;
}

/** The `log` text under which clients trace history events. */
export const HISTORY_LOG_TEXT = HISTORY_TEXT;

/** Pairs invocations with completions, per process; an invocation never completed becomes `info`. */
export function operationsOf(events: ReadonlyArray<HistoryEvent>): Operation[] {
  const open = new Map<string, { index: number; event: HistoryEvent }>();
  const operations: Array<Operation | undefined> = [];
  let next = 0;
  for (const event of events) {
    if (event.type === 'invoke') {
      const pending = open.get(event.process);
      if (pending !== undefined) throw new KitError('kit/bad-history', `process ${event.process} invoked ${event.f} at ${event.t}ms while its ${pending.event.f} (invoked at ${pending.event.t}ms) was still open`);
      open.set(event.process, { index: next++, event });
      operations.push(undefined);
      continue;
    }
    const pending = open.get(event.process);
    if (pending === undefined) throw new KitError('kit/bad-history', `process ${event.process} completed ${event.f} (${event.type}) at ${event.t}ms without an open invocation`);
    open.delete(event.process);
    operations[pending.index] = operation(pending.index, pending.event, event.type, event.value, event.type === 'info' ? Infinity : event.t);
  }
  for (const { index, event } of open.values()) operations[index] = operation(index, event, 'info', undefined, Infinity);
  return operations as Operation[];
}

function operation(index: number, invoke: HistoryEvent, type: CompletionType, value: unknown, completeMs: number): Operation {
  return { index, process: invoke.process, f: invoke.f, ...(invoke.key !== undefined && { key: invoke.key }), ...(invoke.isFinal === true && { isFinal: true }), input: invoke.value, output: type === 'ok' ? value : undefined, type, invokeMs: invoke.t, completeMs };
}

/** The history events clients traced (`log` events with text `history`), in trace order. */
export function historyEventsOf(events: ReadonlyArray<TraceEvent>): HistoryEvent[] {
  const history: HistoryEvent[] = [];
  for (const event of events) {
    if (event.kind !== 'log' || event.text !== HISTORY_LOG_TEXT || event.data === undefined) continue;
    const { process, type, f, key, value, final } = event.data;
    if (typeof process !== 'string' || typeof f !== 'string' || (type !== 'invoke' && type !== 'ok' && type !== 'fail' && type !== 'info')) continue;
    history.push({ process, type, f, ...(typeof key === 'string' && { key }), ...(typeof value === 'string' && { value: JSON.parse(value) as unknown }), ...(final === true && { isFinal: true }), t: event.t });
  }
  return history;
}

/** The operations of a trace's history. */
export function historyOf(trace: { readonly events: ReadonlyArray<TraceEvent> }): Operation[] {
  return operationsOf(historyEventsOf(trace.events));
}

/** `p3 cas(k1, [1,2]) → ok true [12.5ms, 30ms]` */
export function describeOperation(operation: Operation): string {
  const args = [operation.key, operation.input === undefined ? undefined : JSON.stringify(operation.input)].filter((part) => part !== undefined).join(', ');
  const result = operation.type === 'ok' ? `ok ${operation.output === undefined ? '' : JSON.stringify(operation.output)}`.trimEnd() : operation.type;
  const until = operation.completeMs === Infinity ? '…' : `${round(operation.completeMs)}ms`;
  return `${operation.process} ${operation.f}(${args}) → ${result} [${round(operation.invokeMs)}ms, ${until}]`;
}

const round = (ms: number): number => Math.round(ms * 1000) / 1000;
