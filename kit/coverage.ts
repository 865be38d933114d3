// Coverage of a property run: per case, which fault kinds happened, which buggify labels fired and
// which invariants were put to the test (held non-vacuously); shares over all cases in the report.
import type { TraceEvent } from '../core/index.js';
import type { InvariantResult } from './invariants/index.js';

/** Counts over the cases of one property run. */
export interface Coverage {
  readonly cases: number;
  /** Fault kind → cases in which it happened. */
  readonly faults: Readonly<Record<string, number>>;
  /** `ctx.buggify` label → cases in which it fired. */
  readonly buggify: Readonly<Record<string, number>>;
  /** Invariant → cases in which it held having something to check (`tested`) or held vacuously. */
  readonly invariants: Readonly<Record<string, { readonly tested: number; readonly vacuous: number }>>;
}

/** Accumulates coverage case by case. */
export class CoverageCounter {
  private cases = 0;
  private readonly faults = new Map<string, number>();
  private readonly buggify = new Map<string, number>();
  private readonly invariants = new Map<string, { tested: number; vacuous: number }>();

  add(events: ReadonlyArray<TraceEvent>, results: ReadonlyArray<InvariantResult>): void {
    this.cases++;
    const kinds = new Set<string>();
    const labels = new Set<string>();
    for (const event of events) {
      const kind = faultKindOf(event);
      if (kind !== undefined) kinds.add(kind);
      if (event.kind === 'log' && event.reason === 'buggify' && event.text !== undefined) labels.add(event.text);
    }
    for (const kind of kinds) this.faults.set(kind, (this.faults.get(kind) ?? 0) + 1);
    for (const label of labels) this.buggify.set(label, (this.buggify.get(label) ?? 0) + 1);
    for (const result of results) {
      const counts = this.invariants.get(result.name) ?? { tested: 0, vacuous: 0 };
      if (result.isOk && result.isVacuous === true) counts.vacuous++;
      else if (result.isOk) counts.tested++;
      this.invariants.set(result.name, counts);
    }
  }

  result(): Coverage {
    return { cases: this.cases, faults: Object.fromEntries(this.faults), buggify: Object.fromEntries(this.buggify), invariants: Object.fromEntries(this.invariants) };
  }
}

/** The fault kind a trace event shows, if any (the kit's names: `crash`, `loss-burst`, …). */
export function faultKindOf(event: TraceEvent): string | undefined {
  switch (event.kind) {
    case 'crash':
      return 'crash';
    case 'partition':
      return event.reason === 'one-way' ? 'one-way-partition' : 'partition';
    case 'link': {
      if (event.text === 'down') return 'link-down';
      if (event.text === undefined || !event.text.startsWith('{')) return undefined;
      const change = JSON.parse(event.text) as Record<string, unknown>;
      if (Number(change['lossProbability'] ?? 0) > 0) return 'loss-burst';
      if (Number(change['duplicateProbability'] ?? 0) > 0) return 'duplicate-burst';
      if (Number(change['bandwidthBytesPerSecond'] ?? 0) > 0) return 'bandwidth-squeeze';
      if (typeof change['jitter'] === 'object' && (change['jitter'] as { kind?: string }).kind !== 'none') return 'jitter-burst';
      if (change['latencyMs'] !== undefined) return 'link-change';
      return undefined;
    }
    case 'log':
      if (event.reason === 'storage-fault') return 'storage-fault';
      if (event.text === undefined) return undefined;
      if (event.text === 'paused') return 'pause';
      if (/^clock skew -?[1-9]/.test(event.text)) return 'clock-skew';
      if (/^clock drift rate /.test(event.text) && event.text !== 'clock drift rate 1') return 'clock-drift';
      return /^clock strobe -?[1-9]/.test(event.text) ? 'clock-strobe' : undefined;
    default:
      return undefined;
  }
}

/** The coverage as lines: `faults: crash 40%, partition 12%, …` and each invariant's tested share. */
export function formatCoverage(coverage: Coverage): string[] {
  const share = (count: number): string => `${Math.round((100 * count) / Math.max(1, coverage.cases))}%`;
  const list = (counts: Readonly<Record<string, number>>): string => {
    const entries = Object.entries(counts).sort((a, b) => b[1] - a[1]);
    return entries.length === 0 ? 'none' : entries.map(([name, count]) => `${name} ${share(count)}`).join(', ');
  };
  return [
    `coverage over ${coverage.cases} cases:`,
    `  faults: ${list(coverage.faults)}`,
    `  buggify: ${list(coverage.buggify)}`,
    ...Object.entries(coverage.invariants).map(([name, counts]) => `  ${name}: tested in ${share(counts.tested)} of cases${counts.vacuous > 0 ? `, vacuous in ${share(counts.vacuous)}` : ''}`),
  ];
}
