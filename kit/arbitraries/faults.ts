// Fault schedules as timed scenario events. A schedule is an array of faults, so it shrinks toward
// no faults; each fault's start and length are absolute milliseconds (they shrink toward 0 and 1 on
// their own, whatever the run length) and its target toward the first node or link. Swarm testing:
// each schedule first draws which fault kinds it may use. A quiet phase ends the schedule.
import fc from 'fast-check';
import { checkInteger, KitError } from '../errors.js';
import { msText, permilleText, type EngineDocument, type EventDocument, type TopologyDocument } from '../document.js';

/**
 * `crash` = crash then restart; `storage-fault` = a crash whose durable stores (`ctx.disk`) lose
 * their last 1–3 writes or have the last one corrupted, then a restart; `pause` = a node frozen with its state kept, then resumed; `partition` = split then heal; `one-way-partition` = one direction
 * cut; `loss-burst`, `duplicate-burst`, `jitter-burst`, `bandwidth-squeeze` = a spell of bad link
 * settings on one link; `link-down` = down then up; `link-change` = a new latency; `clock-skew`;
 * `clock-drift` = a node's clock (and its timers) running 0.5–2× as fast, then on time again;
 * `clock-strobe` = a node's clock jumping forward and back.
 */
export type FaultKind = 'crash' | 'storage-fault' | 'pause' | 'partition' | 'one-way-partition' | 'loss-burst' | 'duplicate-burst' | 'jitter-burst' | 'bandwidth-squeeze' | 'link-down' | 'link-change' | 'clock-skew' | 'clock-drift' | 'clock-strobe';
export const FAULT_KINDS: ReadonlyArray<FaultKind> = ['crash', 'storage-fault', 'pause', 'partition', 'one-way-partition', 'loss-burst', 'duplicate-burst', 'jitter-burst', 'bandwidth-squeeze', 'link-down', 'link-change', 'clock-skew', 'clock-drift', 'clock-strobe'];

export interface FaultConstraints {
  /** Kinds to draw from (default: all). */
  readonly kinds?: ReadonlyArray<FaultKind>;
  /** Most faults in one schedule (default 3; 0 = never a fault). */
  readonly faultsMax?: number;
  /** Swarm testing: each schedule uses a random non-empty subset of `kinds` (default true). */
  readonly isSwarm?: boolean;
  /** Latest fault start and longest fault (ms, default 10,000); faults past the fault window are left out. */
  readonly faultMsMax?: number;
  /** Largest loss probability of a loss burst, in permille (default 500 = 50%). */
  readonly burstLossPermilleMax?: number;
  /** Largest clock skew (ms, default 1000). */
  readonly clockSkewMsMax?: number;
  /** Node faults (crash, clock skew, the near side of a partition) only on nodes running an engine of this name. */
  readonly targetEngine?: string;
  /**
   * With `targetEngine`: crashes and pauses hit whichever nodes' engine reports these values when
   * the fault happens (`{ role: 'leader' }`, through the engine's `inspect()`), not a node drawn beforehand.
   */
  readonly targetState?: Readonly<Record<string, string | number | boolean>>;
}

/** What the schedule is laid over: the topology and the run length. */
export interface FaultScheduleConstraints extends FaultConstraints {
  readonly topology: TopologyDocument;
  readonly durationMs: number;
  /** Length of the quiet phase at the end (ms, default a quarter of the run; 0 = none). */
  readonly quietMs?: number;
  /** Engines of the scenario (for `targetEngine`). */
  readonly engines?: ReadonlyArray<EngineDocument>;
}

/** One fault before it is bound to names: absolute times, indices into lists. */
export interface FaultSpec {
  readonly kind: FaultKind;
  /** Start (ms from the beginning of the run). */
  readonly atMs: number;
  /** Length (ms); a fault reaching the quiet phase is undone there. */
  readonly forMs: number;
  readonly target: number;
  readonly mask: number;
  readonly amount: number;
}

/** Faults not yet bound to a topology (what `scenarioArbitrary` composes). */
export function faultSpecsArbitrary(constraints: FaultConstraints = {}): fc.Arbitrary<FaultSpec[]> {
  const where = 'faultScheduleArbitrary';
  const kinds = constraints.kinds ?? FAULT_KINDS;
  const faultsMax = constraints.faultsMax ?? 3;
  const faultMsMax = constraints.faultMsMax ?? 10_000;
  checkInteger(where, 'faultsMax', faultsMax, 0, 10_000);
  checkInteger(where, 'faultMsMax', faultMsMax, 1, 1e9);
  checkInteger(where, 'burstLossPermilleMax', constraints.burstLossPermilleMax ?? 500, 0, 1000);
  checkInteger(where, 'clockSkewMsMax', constraints.clockSkewMsMax ?? 1000, 0, 86_400_000);
  for (const kind of kinds) if (!FAULT_KINDS.includes(kind)) throw new KitError('kit/bad-constraints', `${where}: unknown fault kind "${kind}" (known: ${FAULT_KINDS.join(', ')})`);
  if (kinds.length === 0 || faultsMax === 0) return fc.constant([]);
  const fault = fc.record({
    kind: fc.nat({ max: kinds.length - 1 }),
    atMs: fc.integer({ min: 0, max: faultMsMax }),
    forMs: fc.integer({ min: 1, max: faultMsMax }),
    target: fc.nat(),
    mask: fc.nat(),
    amount: fc.integer({ min: 0, max: 1000 }),
  });
  // The swarm draws a subset of kinds (shrinking toward the first kind alone); faults index into it.
  const swarm = constraints.isSwarm === false ? fc.constant(kinds) : fc.subarray([...kinds], { minLength: 1 });
  return fc.record({ enabled: swarm, faults: fc.array(fault, { maxLength: faultsMax }) }).map(({ enabled, faults }) => faults.map((spec) => ({ ...spec, kind: enabled[spec.kind % enabled.length]! })));
}

/** A fault schedule (timed `events:` entries) over a given topology and run length, ending quiet. */
export function faultScheduleArbitrary(constraints: FaultScheduleConstraints): fc.Arbitrary<EventDocument[]> {
  checkInteger('faultScheduleArbitrary', 'durationMs', constraints.durationMs, 1, 1e9);
  if (constraints.topology.nodes.length === 0) throw new KitError('kit/bad-constraints', 'faultScheduleArbitrary: the topology has no nodes');
  const quietMs = constraints.quietMs ?? defaultQuietMs(constraints.durationMs);
  checkInteger('faultScheduleArbitrary', 'quietMs', quietMs, 0, constraints.durationMs);
  return faultSpecsArbitrary({ faultMsMax: constraints.durationMs, ...constraints }).map((specs) => bindFaults(specs, constraints.topology, constraints.durationMs, { ...constraints, quietMs }));
}

/** The default quiet phase: a quarter of the run. */
export function defaultQuietMs(durationMs: number): number {
  return Math.floor(durationMs / 4);
}

export interface BindOptions extends FaultConstraints {
  /** Length of the quiet phase at the end (ms; 0 = none). */
  readonly quietMs: number;
  readonly engines?: ReadonlyArray<EngineDocument>;
}

/**
 * Binds fault specs to node and link names; faults starting in the quiet phase are left out, and at
 * its start every fault still in force is undone: heal, restart, link up, link settings and clocks back.
 */
export function bindFaults(specs: ReadonlyArray<FaultSpec>, topology: TopologyDocument, durationMs: number, options: BindOptions): EventDocument[] {
  const quietAtMs = durationMs - options.quietMs;
  const events: EventDocument[] = [];
  const nodes = topology.nodes;
  const targets = targetNodes(nodes, options);
  const links = topology.links;
  const left = new Left();
  const where = options.targetEngine !== undefined && options.targetState !== undefined ? { where: { engine: options.targetEngine, state: options.targetState } } : undefined;
  for (const spec of specs) {
    if (spec.atMs >= quietAtMs || targets.length === 0) continue;
    const endMs = spec.atMs + spec.forMs;
    const isUndoneInTime = endMs < quietAtMs;
    const at = msText(spec.atMs);
    const until = msText(endMs);
    const node = targets[spec.target % targets.length]!;
    const link = links.length === 0 ? undefined : links[spec.target % links.length]!;
    const spell = (change: Record<string, string>, restore: Record<string, string>): void => {
      events.push({ at, 'set-link': { between: link!.between, ...change } });
      if (isUndoneInTime) events.push({ at: until, 'set-link': { between: link!.between, ...restore } });
      else left.linkSettings.set(link!.between.join('|'), { between: link!.between, ...restore });
    };
    switch (spec.kind) {
      case 'crash':
        if (where !== undefined) {
          events.push({ at, crash: where }, ...(isUndoneInTime ? [{ at: until, restart: '*' }] : []));
          if (!isUndoneInTime) left.crashed.add('*');
          break;
        }
        events.push({ at, crash: node });
        if (isUndoneInTime) events.push({ at: until, restart: node });
        else left.crashed.add(node);
        break;
      case 'storage-fault':
        events.push({ at, crash: node }, spec.mask % 2 === 0 ? { at: msText(spec.atMs + 1), 'lose-writes': { node, count: 1 + (spec.amount % 3) } } : { at: msText(spec.atMs + 1), 'corrupt-write': { node } });
        if (isUndoneInTime) events.push({ at: msText(Math.max(endMs, spec.atMs + 2)), restart: node });
        else left.crashed.add(node);
        break;
      case 'pause':
        if (where !== undefined) {
          events.push({ at, pause: where }, ...(isUndoneInTime ? [{ at: until, resume: '*' }] : []));
          if (!isUndoneInTime) left.paused.add('*');
          break;
        }
        events.push({ at, pause: node });
        if (isUndoneInTime) events.push({ at: until, resume: node });
        else left.paused.add(node);
        break;
      case 'partition':
      case 'one-way-partition': {
        if (nodes.length < 2) break;
        // Bit i of the mask puts node i on the far side; the target node is always on the near side.
        const far = nodes.filter((name, i) => name !== node && ((spec.mask >> i) & 1) === 1);
        const farSide = far.length > 0 ? far : nodes.filter((name) => name !== node);
        const nearSide = nodes.filter((name) => !farSide.includes(name));
        events.push({ at, partition: [nearSide, farSide], ...(spec.kind === 'one-way-partition' && { oneWay: true }) });
        if (isUndoneInTime) events.push({ at: until, heal: true });
        else left.isPartitioned = true;
        break;
      }
      case 'loss-burst':
        if (link === undefined) break;
        spell({ loss: permilleText(Math.max(1, Math.floor((spec.amount * (options.burstLossPermilleMax ?? 500)) / 1000))) }, { loss: link.loss ?? '0%' });
        break;
      case 'duplicate-burst':
        if (link === undefined) break;
        spell({ duplicate: permilleText(Math.max(1, Math.floor(spec.amount / 2))) }, { duplicate: link.duplicate ?? '0%' });
        break;
      case 'jitter-burst':
        if (link === undefined) break;
        spell({ jitter: msText(1 + Math.floor(spec.amount / 5)) }, { jitter: link.jitter ?? '0ms' });
        break;
      case 'bandwidth-squeeze':
        if (link === undefined) break;
        // 1–1000 kB/s with a queue of 2–32 kB: frames queue, then drop `queue-full`.
        spell({ bandwidth: `${1 + spec.amount}kB/s`, queueMax: `${2 + (spec.mask % 31)}kB` }, { bandwidth: 'unlimited', queueMax: '16MiB' });
        break;
      case 'link-down':
        if (link === undefined) break;
        events.push({ at, 'link-down': link.between });
        if (isUndoneInTime) events.push({ at: until, 'link-up': link.between });
        else left.linksDown.set(link.between.join('|'), link.between);
        break;
      case 'link-change':
        if (link === undefined) break;
        events.push({ at, 'set-link': { between: link.between, latency: msText(1 + spec.amount) } });
        left.linkSettings.set(link.between.join('|'), { between: link.between, latency: link.latency ?? '1ms' });
        break;
      case 'clock-skew':
        events.push({ at, 'clock-skew': { node, by: msText(Math.floor((spec.amount * (options.clockSkewMsMax ?? 1000)) / 1000)) } });
        left.skewed.add(node);
        break;
      case 'clock-drift':
        events.push({ at, 'clock-drift': { node, rate: 0.5 + Math.round((spec.amount * 1.5) / 10) / 100 } });
        if (isUndoneInTime) events.push({ at: until, 'clock-drift': { node, rate: 1 } });
        else left.drifting.add(node);
        break;
      case 'clock-strobe': {
        // Ends by itself, at the latest when the quiet phase begins; at most 1,000 jumps.
        const forMs = Math.min(spec.forMs, quietAtMs - spec.atMs);
        const everyMs = Math.max(1 + (spec.mask % 200), Math.ceil(forMs / 1000));
        events.push({ at, 'clock-strobe': { node, by: msText(1 + Math.floor(spec.amount / 2)), every: msText(everyMs), for: msText(forMs) } });
        break;
      }
    }
  }
  if (options.quietMs > 0) events.push(...left.undo(msText(quietAtMs)));
  return events;
}

function targetNodes(nodes: ReadonlyArray<string>, options: BindOptions): ReadonlyArray<string> {
  if (options.targetEngine === undefined) return nodes;
  const hosts = new Set<string>();
  for (const engine of options.engines ?? []) {
    if ((engine.name ?? engine.kind) !== options.targetEngine) continue;
    const on = engine.on === 'all' ? nodes : typeof engine.on === 'string' ? [engine.on] : engine.on;
    for (const node of on) hosts.add(node);
  }
  return nodes.filter((node) => hosts.has(node));
}

/** Faults still in force when the quiet phase begins. */
class Left {
  isPartitioned = false;
  readonly crashed = new Set<string>();
  readonly linksDown = new Map<string, readonly [string, string]>();
  readonly linkSettings = new Map<string, { between: readonly [string, string] } & Record<string, unknown>>();
  readonly skewed = new Set<string>();
  readonly drifting = new Set<string>();
  readonly paused = new Set<string>();

  undo(at: string): EventDocument[] {
    return [
      ...(this.isPartitioned ? [{ at, heal: true as const }] : []),
      ...[...this.linksDown.values()].map((between) => ({ at, 'link-up': between })),
      ...[...this.linkSettings.values()].map((settings) => ({ at, 'set-link': settings })),
      ...[...this.skewed].map((node) => ({ at, 'clock-skew': { node, by: '0ms' } })),
      ...[...this.drifting].map((node) => ({ at, 'clock-drift': { node, rate: 1 } })),
      ...[...this.paused].map((node) => ({ at, resume: node })),
      ...[...this.crashed].map((node) => ({ at, restart: node })),
    ];
  }
}
