// Re-checks built-in invariants from a failure file's `expect.check` (netmachine run imports it).
import { summarizeTrace, type TraceEvent, type TraceHeader } from '../core/index.js';
import { BUILTIN_INVARIANTS, runInvariant } from './invariants/index.js';

/** This module's own URL (a failure file's check module imports it, from source or dist). */
export const REPLAY_MODULE_URL = import.meta.url;

/** Runs the named built-in invariants over a trace: true, or one failure message per line. */
export async function checkBuiltinInvariants(names: ReadonlyArray<string>, events: ReadonlyArray<TraceEvent>, header: TraceHeader): Promise<true | string[]> {
  const trace = { header, events, summary: summarizeTrace(events), seed: header.seed, scenario: header.scenario };
  const failures: string[] = [];
  for (const name of names) {
    const invariant = BUILTIN_INVARIANTS.get(name);
    if (invariant === undefined) failures.push(`unknown built-in invariant "${name}"`);
    else {
      const result = await runInvariant(invariant, trace);
      if (!result.isOk) failures.push(result.message);
    }
  }
  return failures.length === 0 ? true : failures;
}
