// How a failed invariant is re-checked when its failure file is replayed: each invariant may carry
// a descriptor — a built-in by name (with its options, for configured ones) or an export of a user
// module — and the failure file's check module rebuilds the invariants from those descriptors.
import { summarizeTrace, type TraceEvent, type TraceHeader } from '../../core/index.js';
import { KitError } from '../errors.js';
import { runInvariant, type Invariant } from './types.js';

/** A built-in invariant by name, or a factory of built-ins with its arguments (JSON values). */
export interface BuiltinReplay {
  readonly builtin: string;
  readonly args?: ReadonlyArray<unknown>;
}

/** An export of a module: the invariant itself, or a factory called with `args`. */
export interface ModuleReplay {
  /** Absolute path or `file:` URL of the module (`import.meta.url` from inside it). */
  readonly module: string;
  readonly export: string;
  readonly args?: ReadonlyArray<unknown>;
}

export type InvariantReplay = BuiltinReplay | ModuleReplay;

const REPLAY = Symbol.for('netmachine.invariant-replay');

/** Marks `invariant` as rebuilt from `replay` on replay; returns it. */
export function replayable<T extends Invariant>(invariant: T, replay: InvariantReplay): T {
  Object.defineProperty(invariant, REPLAY, { value: replay, enumerable: false });
  return invariant;
}

/** How `invariant` is rebuilt on replay, if it can be. */
export function replayOf(invariant: Invariant): InvariantReplay | undefined {
  return (invariant as unknown as Record<symbol, InvariantReplay | undefined>)[REPLAY];
}

const builtins = new Map<string, Invariant | ((...args: never[]) => Invariant)>();

/** Registers a built-in invariant (or factory) under its export name. */
export function registerBuiltin(name: string, value: Invariant | ((...args: never[]) => Invariant), isFactory: boolean): void {
  builtins.set(name, value);
  if (!isFactory) replayable(value as Invariant, { builtin: name });
}

/** One entry of a check module: a built-in, or an export of a statically imported module. */
export type ReplayEntry = BuiltinReplay | { readonly from: Readonly<Record<string, unknown>>; readonly export: string; readonly args?: ReadonlyArray<unknown>; readonly isCheck?: boolean };

/** Rebuilds and runs the given invariants over a trace: true, or one failure message per line. */
export async function replayInvariants(entries: ReadonlyArray<ReplayEntry>, events: ReadonlyArray<TraceEvent>, header: TraceHeader): Promise<true | string[]> {
  const trace = { header, events, summary: summarizeTrace(events), seed: header.seed, scenario: header.scenario };
  const failures: string[] = [];
  for (const entry of entries) {
    const found = 'builtin' in entry ? builtins.get(entry.builtin) : entry.from[entry.export];
    const label = 'builtin' in entry ? entry.builtin : entry.export;
    if (typeof found !== 'function') {
      failures.push(`replay: no invariant "${label}"${'builtin' in entry ? ' among the built-ins' : ' exported by its module'}`);
      continue;
    }
    if ('isCheck' in entry && entry.isCheck === true) {
      const outcome = (await (found as (events: ReadonlyArray<TraceEvent>, header: TraceHeader) => unknown)(events, header)) as true | string[];
      if (outcome !== true) failures.push(...(Array.isArray(outcome) ? outcome.map(String) : [`${label} returned ${String(outcome)}`]));
      continue;
    }
    const invariant = entry.args === undefined ? (found as Invariant) : (found as (...args: unknown[]) => Invariant)(...entry.args);
    if (typeof invariant !== 'function') throw new KitError('kit/bad-invariant', `replay: ${label}(…) did not return an invariant`);
    const result = await runInvariant(invariant, trace);
    if (!result.isOk) failures.push(result.message);
  }
  return failures.length === 0 ? true : failures;
}
