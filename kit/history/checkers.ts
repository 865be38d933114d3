// History checkers as trace invariants: linearizability of a key-value or register history, and
// Maelstrom's broadcast and g-counter checkers. They read the history the `client` engines traced;
// a run whose history has nothing to check is vacuous, never a silent pass.
import { describeOperation, historyOf, type Operation } from './operations.js';
import { checkLinearizable, type LinearizabilityOptions, type Model } from './linearizability.js';
import { keyValueModel, registerModel } from './models.js';
import { failed, held, registerBuiltin, replayable, vacuous, type Invariant } from '../invariants/index.js';

/** Built-in models by name (a failure file names them to re-check the history on replay). */
export type ModelName = 'key-value' | 'register';

/** The client history is linearizable with respect to `model` (default: key-value registers). */
export function linearizableHistory<S>(model: Model<S> | ModelName = 'key-value', options: LinearizabilityOptions = {}): Invariant {
  const resolved = (typeof model === 'string' ? (model === 'register' ? registerModel() : keyValueModel()) : model) as Model<S>;
  const invariant: Invariant = function linearizable(trace) {
    const name = `linearizable(${resolved.name})`;
    const operations = historyOf(trace);
    if (operations.every((operation) => operation.type !== 'ok')) return vacuous(name, 'no operation completed ok');
    const result = checkLinearizable(operations, resolved, options);
    if (result.verdict === 'linearizable') return held(name, result.lines[0]!);
    if (result.verdict === 'unknown') return failed(name, `undecided: ${result.lines[0]!}`, [], []);
    return failed(name, result.lines[0]!.replace(/^[^:]*: /, ''), result.lines.slice(1).map((line) => line.trimStart()), []);
  };
  return typeof model === 'string' ? replayable(invariant, { builtin: 'linearizableHistory', args: [model, options] }) : invariant;
}

registerBuiltin('linearizableHistory', linearizableHistory, true);

/**
 * Maelstrom's broadcast checker: every final read contains every acknowledged broadcast, and no read
 * contains a value nobody broadcast.
 */
export const broadcastChecker: Invariant = function broadcastChecker(trace) {
  const name = 'broadcast';
  const operations = historyOf(trace);
  const attempted = new Set(operations.filter((operation) => operation.f === 'broadcast').map((operation) => JSON.stringify(operation.input)));
  const acknowledged = operations.filter((operation) => operation.f === 'broadcast' && operation.type === 'ok');
  const reads = operations.filter((operation) => operation.f === 'read' && operation.type === 'ok');
  const finals = reads.filter((operation) => operation.isFinal === true);
  const lines: string[] = [];
  for (const read of reads) {
    const unexpected = valuesOf(read).filter((value) => !attempted.has(value));
    if (unexpected.length > 0) lines.push(`${describeOperation(read)}: read values never broadcast: ${unexpected.slice(0, 5).join(', ')}`);
  }
  for (const read of finals) {
    const seen = new Set(valuesOf(read));
    const lost = acknowledged.filter((operation) => !seen.has(JSON.stringify(operation.input)));
    if (lost.length > 0) lines.push(`${describeOperation(read)}: final read misses ${lost.length} acknowledged broadcasts, e.g. ${lost.slice(0, 3).map(describeOperation).join('; ')}`);
  }
  if (lines.length > 0) return failed(name, `${lines.length} bad reads`, lines, []);
  if (finals.length === 0) return vacuous(name, 'no final read completed');
  return held(name, `${acknowledged.length} acknowledged broadcasts, all in ${finals.length} final reads`);
};

/**
 * Maelstrom's g-counter checker: every read lies between 0 and the sum of all attempted adds, and
 * every final read between the sum of acknowledged adds and the sum of attempted (ok + info) adds.
 */
export const gCounterChecker: Invariant = function gCounterChecker(trace) {
  const name = 'g-counter';
  const operations = historyOf(trace);
  const adds = operations.filter((operation) => operation.f === 'add' && operation.type !== 'fail');
  const sum = (list: ReadonlyArray<Operation>): number => list.reduce((total, operation) => total + Number(operation.input), 0);
  const lower = sum(adds.filter((operation) => operation.type === 'ok'));
  const upper = sum(adds);
  const reads = operations.filter((operation) => operation.f === 'read' && operation.type === 'ok');
  const finals = reads.filter((operation) => operation.isFinal === true);
  const lines: string[] = [];
  for (const read of reads) {
    const value = Number(read.output);
    const [min, max] = read.isFinal === true ? [lower, upper] : [0, upper];
    if (!(value >= min && value <= max)) lines.push(`${describeOperation(read)}: ${read.isFinal === true ? 'final ' : ''}read ${value} outside [${min}, ${max}]`);
  }
  if (lines.length > 0) return failed(name, `${lines.length} bad reads (acknowledged adds sum to ${lower}, attempted to ${upper})`, lines, []);
  if (finals.length === 0) return vacuous(name, 'no final read completed');
  return held(name, `${finals.length} final reads within [${lower}, ${upper}]`);
};

function valuesOf(read: Operation): string[] {
  return Array.isArray(read.output) ? read.output.map((value) => JSON.stringify(value)) : [];
}

registerBuiltin('broadcastChecker', broadcastChecker, false);
registerBuiltin('gCounterChecker', gCounterChecker, false);
