// Faults a real network cannot be told to have, emulated by a transport-level filter: the plan's
// topology (no link = `no-route`, as in the simulator), cut links, partitions (also one-way),
// loss and a latency floor per direction, and the frame size limit. The state is plain data, so a
// deployer can ship it to node processes after every timed event.
import type { Id, LinkSpec, PlanEvent, PlanLink, Rng } from '../core/index.js';
import type { FilterVerdict, LinkFilter } from './peer-transport.js';

/** One direction of an emulated link. */
export interface EmulatedDirection {
  readonly from: string;
  readonly to: string;
  readonly isUp: boolean;
  readonly latencyMs: number;
  readonly lossProbability: number;
  readonly frameSizeMaxBytes: number;
}

/** Everything the filters need, as plain data (JSON over IPC). */
export interface EmulationState {
  readonly directions: ReadonlyArray<EmulatedDirection>;
  /** Partition groups (node names); empty when healed. */
  readonly groups: ReadonlyArray<ReadonlyArray<string>>;
  readonly isOneWay: boolean;
}

/** The fault kinds this filter emulates (the trace header's `emulated`). */
export const EMULATED_FAULTS: ReadonlyArray<string> = ['topology', 'partition', 'link-down', 'loss', 'latency', 'frame-size'];

function direction(from: string, to: string, spec: LinkSpec): EmulatedDirection {
  return { from, to, isUp: true, latencyMs: spec.latencyMs, lossProbability: spec.lossProbability, frameSizeMaxBytes: spec.frameSizeMaxBytes };
}

/** The initial state of a plan's links. */
export function initialEmulation(links: ReadonlyArray<PlanLink>): EmulationState {
  return { directions: links.flatMap((link) => [direction(link.a, link.b, link.ab), direction(link.b, link.a, link.ba)]), groups: [], isOneWay: false };
}

/** The state after a plan event (crash/restart do not change it: they are real). */
export function applyEmulationEvent(state: EmulationState, event: PlanEvent): EmulationState {
  const touches = (d: EmulatedDirection, a: string, b: string): boolean => (d.from === a && d.to === b) || (d.from === b && d.to === a);
  switch (event.kind) {
    case 'partition':
      return { ...state, groups: event.groups, isOneWay: event.isOneWay };
    case 'heal':
      return { ...state, groups: [], isOneWay: false };
    case 'link-down':
    case 'link-up':
      return { ...state, directions: state.directions.map((d) => (touches(d, event.a, event.b) ? { ...d, isUp: event.kind === 'link-up' } : d)) };
    case 'set-link':
      return {
        ...state,
        directions: state.directions.map((d) =>
          touches(d, event.a, event.b)
            ? {
                ...d,
                ...(event.change.latencyMs !== undefined && { latencyMs: event.change.latencyMs }),
                ...(event.change.lossProbability !== undefined && { lossProbability: event.change.lossProbability }),
                ...(event.change.frameSizeMaxBytes !== undefined && { frameSizeMaxBytes: event.change.frameSizeMaxBytes }),
              }
            : d,
        ),
      };
    default:
      return state; // crash/restart are real; workload events concern engines
  }
}

/** True when a partition cuts frames from `from` to `to` (same rule as the simulator). */
export function isCut(state: EmulationState, from: string, to: string): boolean {
  if (state.groups.length === 0) return false;
  const groupOf = (name: string): number => state.groups.findIndex((group) => group.includes(name));
  const fromGroup = groupOf(from);
  const toGroup = groupOf(to);
  if (fromGroup === toGroup) return false;
  if (!state.isOneWay) return true;
  return fromGroup !== -1 && (toGroup === -1 || fromGroup < toGroup);
}

/** A filter for node `self` whose current state is read from `state()` on every frame. */
export function emulationFilter(self: string, state: () => EmulationState, nameOf: (id: Id) => string | undefined, rng: Rng): LinkFilter {
  const rngs = new Map<string, Rng>();
  return {
    outbound(peer: Id, sizeBytes: number): FilterVerdict {
      const current = state();
      const to = nameOf(peer);
      const link = to === undefined ? undefined : current.directions.find((d) => d.from === self && d.to === to);
      if (to === undefined || link === undefined) return { kind: 'drop', reason: 'no-route' };
      if (!link.isUp) return { kind: 'drop', reason: 'link-down' };
      if (isCut(current, self, to)) return { kind: 'drop', reason: 'partition' };
      if (sizeBytes > link.frameSizeMaxBytes) return { kind: 'drop', reason: 'too-large' };
      if (link.lossProbability > 0) {
        let linkRng = rngs.get(to);
        if (linkRng === undefined) rngs.set(to, (linkRng = rng.fork(`link/${self}>${to}`)));
        if (linkRng.next() < link.lossProbability) return { kind: 'drop', reason: 'loss' };
      }
      return link.latencyMs > 0 ? { kind: 'delay', delayMs: link.latencyMs } : { kind: 'pass' };
    },
  };
}
