// Per-link aggregates: the topology is the configured links (trace header) plus any node pairs seen
// in traffic or link events.
import type { DirectionLoad, Flight, LinkAggregate } from './types.js';

type MutableLoad = { -readonly [K in keyof DirectionLoad]: DirectionLoad[K] };
interface MutableLink {
  readonly a: number;
  readonly b: number;
  readonly ab: MutableLoad;
  readonly ba: MutableLoad;
}

/** Links: configured ones in header order, then first sightings (flights, then link events), a < b. */
export function aggregateLinks(flights: ReadonlyArray<Flight>, events: ReadonlyArray<{ readonly node: number; readonly peer: number }>, configured: ReadonlyArray<readonly [number, number]> = []): LinkAggregate[] {
  const links = new Map<string, MutableLink>();
  const linkOf = (x: number, y: number): MutableLink => {
    const a = Math.min(x, y);
    const b = Math.max(x, y);
    const key = `${a}|${b}`;
    let link = links.get(key);
    if (link === undefined) links.set(key, (link = { a, b, ab: emptyLoad(), ba: emptyLoad() }));
    return link;
  };
  for (const [x, y] of configured) if (x !== y) linkOf(x, y);
  for (const flight of flights) {
    const link = linkOf(flight.from, flight.to);
    const load = flight.from === link.a ? link.ab : link.ba;
    load.frames++;
    load.bytes += flight.bytes;
    if (flight.status === 'delivered') load.delivered++;
    if (flight.status === 'dropped' || flight.status === 'rejected') load.dropped++;
  }
  for (const event of events) if (event.peer >= 0 && event.peer !== event.node) linkOf(event.node, event.peer);
  return [...links.values()];
}

/** Look up the link between two nodes (either order). */
export function findLink(links: ReadonlyArray<LinkAggregate>, x: number, y: number): LinkAggregate | undefined {
  const a = Math.min(x, y);
  const b = Math.max(x, y);
  return links.find((link) => link.a === a && link.b === b);
}

function emptyLoad(): MutableLoad {
  return { frames: 0, bytes: 0, delivered: 0, dropped: 0 };
}
