// Linearizability checking (Wing & Gong's search with Lowe's memoisation, as Porcupine does it):
// operations are linearized one at a time in an order consistent with real time; a cache of
// (linearized set, model state) prunes states already explored; a dead end backtracks. Histories
// the model partitions (per key) are checked partition by partition (P-compositionality).
import { describeOperation, type Operation } from './operations.js';

/** A sequential specification: what each operation does to the state, and which outputs it allows. */
export interface Model<S> {
  readonly name: string;
  init(): S;
  /** The state after `operation`, or `undefined` when its output is impossible in `state`. */
  step(state: S, operation: Operation): S | undefined;
  /** Equal states give equal keys (the search cache compares them). */
  key(state: S): string;
  /** Independent sub-histories (P-compositionality), e.g. one per key. */
  partition?(operations: ReadonlyArray<Operation>): ReadonlyArray<ReadonlyArray<Operation>>;
  /** True for an operation that never changes the state (a read): as `info` it constrains nothing and is left out. */
  isReadOnly?(operation: Operation): boolean;
  describeState?(state: S): string;
}

export interface LinearizabilityOptions {
  /** Search steps before giving up with `unknown` (default 10⁷ per partition). */
  readonly stepsMax?: number;
}

/** Why a history is not linearizable: the longest order found and the operation that could not follow it. */
export interface LinearizabilityCounterexample {
  /** The operations of the failing partition (e.g. of one key). */
  readonly partition: ReadonlyArray<Operation>;
  /** The longest real-time-consistent order the search found. */
  readonly linearized: ReadonlyArray<Operation>;
  /** The state after `linearized`. */
  readonly state: string;
  /** The earliest-completing operation not linearized: nothing could be ordered before its completion. */
  readonly blocked: Operation;
  /** Pending operations that were candidates at that point, each with why it could not go next. */
  readonly candidates: ReadonlyArray<{ readonly operation: Operation; readonly why: string }>;
}

export interface LinearizabilityResult {
  readonly verdict: 'linearizable' | 'not-linearizable' | 'unknown';
  /** Operations checked (after dropping `fail`ed ones, which did not happen, and `info` reads). */
  readonly operations: number;
  readonly partitions: number;
  /** Search steps taken in all. */
  readonly steps: number;
  readonly counterexample?: LinearizabilityCounterexample;
  /** Human-readable explanation (the counterexample, one line each). */
  readonly lines: ReadonlyArray<string>;
}

/** Checks `operations` against `model`. */
export function checkLinearizable<S>(operations: ReadonlyArray<Operation>, model: Model<S>, options: LinearizabilityOptions = {}): LinearizabilityResult {
  const stepsMax = options.stepsMax ?? 10_000_000;
  // A failed operation did not happen; an unknown read may have returned anything and changed nothing.
  const happened = operations.filter((operation) => operation.type !== 'fail' && !(operation.type === 'info' && model.isReadOnly?.(operation) === true));
  const partitions = model.partition?.(happened) ?? [happened];
  let steps = 0;
  let isUnknown = false;
  for (const partition of partitions) {
    const outcome = searchPartition(partition, model, stepsMax);
    steps += outcome.steps;
    if (outcome.verdict === 'unknown') isUnknown = true;
    if (outcome.verdict === 'not-linearizable') {
      const counterexample = outcome.counterexample!;
      return { verdict: 'not-linearizable', operations: happened.length, partitions: partitions.length, steps, counterexample, lines: explain(counterexample, model.name) };
    }
  }
  const verdict = isUnknown ? 'unknown' : 'linearizable';
  return { verdict, operations: happened.length, partitions: partitions.length, steps, lines: [isUnknown ? `${model.name}: search gave up after ${stepsMax} steps in a partition` : `${model.name}: ${happened.length} operations linearizable`] };
}

function explain(counterexample: LinearizabilityCounterexample, modelName: string): string[] {
  const shown = counterexample.linearized.slice(-6);
  return [
    `${modelName}: not linearizable: no order of ${counterexample.partition.length} operations is consistent with real time and the model`,
    `  longest linearizable prefix: ${counterexample.linearized.length} operations${shown.length < counterexample.linearized.length ? ', ending' : ''}:`,
    ...shown.map((operation) => `    ${describeOperation(operation)}`),
    `  state then: ${counterexample.state}`,
    `  must take effect before it completes, but cannot: ${describeOperation(counterexample.blocked)}`,
    ...counterexample.candidates.map(({ operation, why }) => `    candidate ${describeOperation(operation)}: ${why}`),
  ];
}

/** A call or return in the doubly-linked list of the search. */
interface Entry {
  readonly operation: Operation | undefined; // undefined: the head sentinel
  /** The return entry of a call (undefined for returns). */
  readonly match: Entry | undefined;
  prev: Entry | undefined;
  next: Entry | undefined;
}

interface PartitionOutcome {
  readonly verdict: LinearizabilityResult['verdict'];
  readonly steps: number;
  readonly counterexample?: LinearizabilityCounterexample;
}

function searchPartition<S>(original: ReadonlyArray<Operation>, model: Model<S>, stepsMax: number): PartitionOutcome {
  // Positions 0..n-1 within the partition index the bitset; the counterexample names the originals.
  const operations = original.map((operation, index) => ({ ...operation, index }));
  const count = operations.length;
  const head = linkedEntries(operations);
  const bits = new Bitset(count);
  const cache = new Map<string, Map<number, Uint32Array[]>>(); // state key → bitset hash → bitsets
  const calls: Array<{ entry: Entry; state: S }> = [];
  let best: { linearized: Operation[]; state: S } = { linearized: [], state: model.init() };
  let state = model.init();
  let entry = head.next;
  let steps = 0;
  while (head.next !== undefined) {
    if (++steps > stepsMax) return { verdict: 'unknown', steps };
    if (entry!.match !== undefined) {
      const next = model.step(state, entry!.operation!);
      if (next !== undefined) {
        const position = entry!.operation!.index;
        bits.set(position);
        if (cacheAdd(cache, model.key(next), bits)) {
          calls.push({ entry: entry!, state });
          state = next;
          lift(entry!);
          if (calls.length > best.linearized.length) best = { linearized: calls.map((call) => call.entry.operation!), state };
          entry = head.next;
          continue;
        }
        bits.clear(position);
      }
      entry = entry!.next;
      continue;
    }
    // A return: its operation must be linearized by now; backtrack.
    const top = calls.pop();
    if (top === undefined) return { verdict: 'not-linearizable', steps, counterexample: counterexampleOf(original, best.linearized.map((operation) => operation.index), best.state, model) };
    state = top.state;
    bits.clear(top.entry.operation!.index);
    unlift(top.entry);
    entry = top.entry.next;
  }
  return { verdict: 'linearizable', steps };
}

function counterexampleOf<S>(operations: ReadonlyArray<Operation>, order: ReadonlyArray<number>, state: S, model: Model<S>): LinearizabilityCounterexample {
  const done = new Set(order);
  const linearized = order.map((position) => operations[position]!);
  const pending = operations.filter((_, position) => !done.has(position));
  const blocked = pending.reduce((a, b) => (b.completeMs < a.completeMs ? b : a));
  const candidates = pending
    .filter((operation) => operation.invokeMs <= blocked.completeMs)
    .slice(0, 6)
    .map((operation) => ({ operation, why: model.step(state, operation) === undefined ? 'its result is impossible in this state' : 'it may go next, but every order after it fails later' }));
  const describe = model.describeState ?? ((state: S) => model.key(state));
  return { partition: operations, linearized, state: describe(state), blocked, candidates };
}

/** Calls and returns sorted by time (a call before a return at the same time), behind a head sentinel. */
function linkedEntries(operations: ReadonlyArray<Operation>): Entry {
  const returns: Entry[] = operations.map((operation) => ({ operation, match: undefined, prev: undefined, next: undefined }));
  const points = operations.flatMap((operation) => [
    { operation, isCall: true, t: operation.invokeMs },
    { operation, isCall: false, t: operation.completeMs },
  ]);
  points.sort((a, b) => a.t - b.t || Number(b.isCall) - Number(a.isCall) || a.operation.index - b.operation.index);
  const head: Entry = { operation: undefined, match: undefined, prev: undefined, next: undefined };
  let tail = head;
  for (const point of points) {
    const entry: Entry = point.isCall ? { operation: point.operation, match: returns[point.operation.index]!, prev: undefined, next: undefined } : returns[point.operation.index]!;
    tail.next = entry;
    entry.prev = tail;
    tail = entry;
  }
  return head;
}

function lift(entry: Entry): void {
  entry.prev!.next = entry.next;
  entry.next!.prev = entry.prev;
  const match = entry.match!;
  match.prev!.next = match.next;
  if (match.next !== undefined) match.next.prev = match.prev;
}

function unlift(entry: Entry): void {
  const match = entry.match!;
  match.prev!.next = match;
  if (match.next !== undefined) match.next.prev = match;
  entry.prev!.next = entry;
  entry.next!.prev = entry;
}

/** Adds (state, linearized set) to the cache; false when it was there already. */
function cacheAdd(cache: Map<string, Map<number, Uint32Array[]>>, stateKey: string, bits: Bitset): boolean {
  let byHash = cache.get(stateKey);
  if (byHash === undefined) cache.set(stateKey, (byHash = new Map()));
  const bucket = byHash.get(bits.hash);
  if (bucket === undefined) {
    byHash.set(bits.hash, [bits.copy()]);
    return true;
  }
  if (bucket.some((words) => bits.equals(words))) return false;
  bucket.push(bits.copy());
  return true;
}

/** A fixed-size bitset with an incrementally kept Zobrist hash. */
class Bitset {
  private readonly words: Uint32Array;
  hash = 0;

  constructor(size: number) {
    this.words = new Uint32Array(Math.ceil(size / 32) || 1);
  }

  set(position: number): void {
    this.words[position >>> 5]! |= 1 << (position & 31);
    this.hash ^= zobrist(position);
  }

  clear(position: number): void {
    this.words[position >>> 5]! &= ~(1 << (position & 31));
    this.hash ^= zobrist(position);
  }

  equals(other: Uint32Array): boolean {
    for (let i = 0; i < this.words.length; i++) if (this.words[i] !== other[i]) return false;
    return true;
  }

  copy(): Uint32Array {
    return this.words.slice();
  }
}

/** A well-mixed 32-bit value per position (splitmix32-style), the same on every run. */
function zobrist(position: number): number {
  let x = (position + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}
