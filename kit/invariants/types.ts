// What invariants see (a finished simulated run) and what they return (a verdict naming events).
import type { TraceEvent, TraceHeader, TraceSummary } from '../../core/index.js';

/** A finished run: its trace and the inputs that produced it. */
export interface SimulatedTrace {
  readonly header: TraceHeader;
  readonly events: ReadonlyArray<TraceEvent>;
  readonly summary: TraceSummary;
  /** The seed the run used. */
  readonly seed: number;
  /** The scenario document that was run. */
  readonly scenario: unknown;
}

/** The verdict of one invariant on one trace. */
export interface InvariantResult {
  readonly name: string;
  readonly isOk: boolean;
  /** One line when it holds; the offending events, one per line, when it does not. */
  readonly message: string;
  readonly offending: ReadonlyArray<TraceEvent>;
  /** It held only because nothing in the run put it to the test (coverage counts these apart). */
  readonly isVacuous?: boolean;
}

/** A property of a trace. Returning `false` fails with a generic message; prefer `failed(…)`. */
export type Invariant = (trace: SimulatedTrace) => InvariantResult | boolean | Promise<InvariantResult | boolean>;

/** Most offending events listed in a message. */
export const OFFENDING_LISTED_MAX = 8;

/** `#12 t=20.5ms deliver n2/sink msg=ab12…:3 peer=n1 reason=…` */
export function describeEvent(event: TraceEvent): string {
  const parts = [`#${event.seq}`, `t=${Math.round(event.t * 1000) / 1000}ms`, event.kind, `${event.node}${event.engine === undefined ? '' : `/${event.engine}`}`];
  if (event.msg !== undefined) parts.push(`msg=${event.msg}`);
  if (event.to !== undefined) parts.push(`to=${event.to}`);
  if (event.peer !== undefined) parts.push(`peer=${event.peer}`);
  if (event.topic !== undefined) parts.push(`topic=${event.topic}`);
  if (event.reason !== undefined) parts.push(`reason=${event.reason}`);
  if (event.text !== undefined) parts.push(`text=${JSON.stringify(event.text.slice(0, 80))}`);
  return parts.join(' ');
}

/** A passing verdict. */
export function held(name: string, message: string): InvariantResult {
  return { name, isOk: true, message, offending: [] };
}

/** A passing verdict that tested nothing (no faults to excuse, no operations to check, …). */
export function vacuous(name: string, message: string): InvariantResult {
  return { name, isOk: true, message: `not applicable: ${message}`, offending: [], isVacuous: true };
}

/** A failing verdict; `lines` explain each violation (the first few are listed). */
export function failed(name: string, summary: string, lines: ReadonlyArray<string>, offending: ReadonlyArray<TraceEvent>): InvariantResult {
  const listed = lines.slice(0, OFFENDING_LISTED_MAX).map((line) => `  ${line}`);
  const more = lines.length > OFFENDING_LISTED_MAX ? [`  … ${lines.length - OFFENDING_LISTED_MAX} more`] : [];
  return { name, isOk: false, message: [`${name}: ${summary}`, ...listed, ...more].join('\n'), offending };
}

/** Turns whatever an invariant returned into a verdict. */
export async function runInvariant(invariant: Invariant, trace: SimulatedTrace): Promise<InvariantResult> {
  const name = invariant.name === '' ? 'invariant' : invariant.name;
  try {
    const outcome = await invariant(trace);
    if (outcome === true) return held(name, 'holds');
    if (outcome === false) return failed(name, 'returned false', [], []);
    return outcome;
  } catch (error) {
    return failed(name, `threw ${(error as Error).stack ?? String(error)}`, [], []);
  }
}
