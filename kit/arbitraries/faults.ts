// Fault schedules as timed scenario events. A schedule is an array of faults, so it shrinks toward
// no faults; each fault's start, length and target shrink toward 0 (the first node, the first link).
import fc from 'fast-check';
import { checkInteger, KitError } from '../errors.js';
import { msText, permilleText, type EventDocument, type TopologyDocument } from '../document.js';

/** `crash` = crash then restart; `partition` = split then heal; `loss-burst` = a lossy spell on one link. */
export type FaultKind = 'crash' | 'partition' | 'loss-burst' | 'link-down' | 'link-change' | 'clock-skew';
export const FAULT_KINDS: ReadonlyArray<FaultKind> = ['crash', 'partition', 'loss-burst', 'link-down', 'link-change', 'clock-skew'];

export interface FaultConstraints {
  /** Kinds to draw from (default: all). */
  readonly kinds?: ReadonlyArray<FaultKind>;
  /** Most faults in one schedule (default 3; 0 = never a fault). */
  readonly faultsMax?: number;
  /** Largest loss probability of a loss burst, in permille (default 500 = 50%). */
  readonly burstLossPermilleMax?: number;
  /** Largest clock skew (ms, default 1000). */
  readonly clockSkewMsMax?: number;
}

/** What the schedule is laid over: the topology and the run length. */
export interface FaultScheduleConstraints extends FaultConstraints {
  readonly topology: TopologyDocument;
  readonly durationMs: number;
}

/** One fault before it is bound to names and times: fractions of the run, indices into lists. */
export interface FaultSpec {
  readonly kind: FaultKind;
  /** Start, in thousandths of the run. */
  readonly atPermille: number;
  /** Length, in thousandths of the run (a fault lasting past the end is never undone). */
  readonly forPermille: number;
  readonly target: number;
  readonly mask: number;
  readonly amount: number;
}

/** Faults not yet bound to a topology (what `scenarioArbitrary` composes). */
export function faultSpecsArbitrary(constraints: FaultConstraints = {}): fc.Arbitrary<FaultSpec[]> {
  const where = 'faultScheduleArbitrary';
  const kinds = constraints.kinds ?? FAULT_KINDS;
  const faultsMax = constraints.faultsMax ?? 3;
  checkInteger(where, 'faultsMax', faultsMax, 0, 10_000);
  checkInteger(where, 'burstLossPermilleMax', constraints.burstLossPermilleMax ?? 500, 0, 1000);
  checkInteger(where, 'clockSkewMsMax', constraints.clockSkewMsMax ?? 1000, 0, 86_400_000);
  for (const kind of kinds) if (!FAULT_KINDS.includes(kind)) throw new KitError('kit/bad-constraints', `${where}: unknown fault kind "${kind}" (known: ${FAULT_KINDS.join(', ')})`);
  if (kinds.length === 0 || faultsMax === 0) return fc.constant([]);
  return fc.array(
    fc.record({
      kind: fc.constantFrom(...kinds),
      atPermille: fc.integer({ min: 0, max: 999 }),
      forPermille: fc.integer({ min: 1, max: 1000 }),
      target: fc.nat(),
      mask: fc.nat(),
      amount: fc.integer({ min: 0, max: 1000 }),
    }),
    { maxLength: faultsMax },
  );
}

/** A fault schedule (timed `events:` entries) over a given topology and run length. */
export function faultScheduleArbitrary(constraints: FaultScheduleConstraints): fc.Arbitrary<EventDocument[]> {
  checkInteger('faultScheduleArbitrary', 'durationMs', constraints.durationMs, 1, 1e9);
  if (constraints.topology.nodes.length === 0) throw new KitError('kit/bad-constraints', 'faultScheduleArbitrary: the topology has no nodes');
  return faultSpecsArbitrary(constraints).map((specs) => bindFaults(specs, constraints.topology, constraints.durationMs, constraints));
}

/** Binds fault specs to node and link names and to times; faults with no valid target are left out. */
export function bindFaults(specs: ReadonlyArray<FaultSpec>, topology: TopologyDocument, durationMs: number, constraints: FaultConstraints = {}): EventDocument[] {
  const events: EventDocument[] = [];
  const nodes = topology.nodes;
  const links = topology.links;
  for (const spec of specs) {
    const atMs = Math.floor((spec.atPermille * durationMs) / 1000);
    const endMs = atMs + Math.max(1, Math.floor((spec.forPermille * durationMs) / 1000));
    const isUndone = endMs < durationMs;
    const at = msText(atMs);
    const until = msText(endMs);
    const node = nodes[spec.target % nodes.length]!;
    const link = links.length === 0 ? undefined : links[spec.target % links.length]!;
    switch (spec.kind) {
      case 'crash':
        events.push({ at, crash: node });
        if (isUndone) events.push({ at: until, restart: node });
        break;
      case 'partition': {
        if (nodes.length < 2) break;
        // Bit i of the mask puts node i on the far side; the target node is always on the near side.
        const far = nodes.filter((name, i) => name !== node && ((spec.mask >> i) & 1) === 1);
        const farSide = far.length > 0 ? far : nodes.filter((name) => name !== node);
        const nearSide = nodes.filter((name) => !farSide.includes(name));
        events.push({ at, partition: [nearSide, farSide] });
        if (isUndone) events.push({ at: until, heal: true });
        break;
      }
      case 'loss-burst': {
        if (link === undefined) break;
        const lossPermille = Math.max(1, Math.floor((spec.amount * (constraints.burstLossPermilleMax ?? 500)) / 1000));
        events.push({ at, 'set-link': { between: link.between, loss: permilleText(lossPermille) } });
        if (isUndone) events.push({ at: until, 'set-link': { between: link.between, loss: link.loss ?? '0%' } });
        break;
      }
      case 'link-down':
        if (link === undefined) break;
        events.push({ at, 'link-down': link.between });
        if (isUndone) events.push({ at: until, 'link-up': link.between });
        break;
      case 'link-change':
        if (link === undefined) break;
        events.push({ at, 'set-link': { between: link.between, latency: msText(1 + spec.amount) } });
        break;
      case 'clock-skew':
        events.push({ at, 'clock-skew': { node, by: msText(Math.floor((spec.amount * (constraints.clockSkewMsMax ?? 1000)) / 1000)) } });
        break;
    }
  }
  return events;
}
