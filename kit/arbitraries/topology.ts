// Topologies as explicit node and link lists. Node count shrinks toward `nodesMin` (the attachment
// array loses elements), extra links toward none, link settings toward the simplest link.
import fc from 'fast-check';
import { checkInteger, checkOrdered, KitError } from '../errors.js';
import type { LinkDocument, LinkFieldsDocument, TopologyDocument } from '../document.js';
import { linkArbitrary, type LinkConstraints } from './link.js';

/** Shapes: `tree` is a random spanning tree plus up to `extraLinksMax` chords (cycles appear). */
export type TopologyFamily = 'tree' | 'line' | 'ring' | 'star' | 'mesh';
export const TOPOLOGY_FAMILIES: ReadonlyArray<TopologyFamily> = ['tree', 'line', 'ring', 'star', 'mesh'];

export interface TopologyConstraints {
  /** Fewest nodes (default 1). */
  readonly nodesMin?: number;
  /** Most nodes (default 6). */
  readonly nodesMax?: number;
  /** Shapes to draw from; shrinking prefers the first (default ['tree']). */
  readonly families?: ReadonlyArray<TopologyFamily>;
  /** Extra random links of the `tree` family (default 2). */
  readonly extraLinksMax?: number;
  /** Link parameter ranges. */
  readonly link?: LinkConstraints;
}

const LINK_SETTINGS_MAX = 6;

/** A connected topology named `n1…nK`. */
export function topologyArbitrary(constraints: TopologyConstraints = {}): fc.Arbitrary<TopologyDocument> {
  const where = 'topologyArbitrary';
  const nodesMin = constraints.nodesMin ?? 1;
  const nodesMax = constraints.nodesMax ?? 6;
  const extraLinksMax = constraints.extraLinksMax ?? 2;
  const families = constraints.families ?? ['tree'];
  checkInteger(where, 'nodesMin', nodesMin, 1, 10_000);
  checkInteger(where, 'nodesMax', nodesMax, 1, 10_000);
  checkOrdered(where, 'nodesMin', nodesMin, 'nodesMax', nodesMax);
  checkInteger(where, 'extraLinksMax', extraLinksMax, 0, 10_000);
  if (families.length === 0) throw new KitError('kit/bad-constraints', `${where}: families must name at least one of ${TOPOLOGY_FAMILIES.join(', ')}`);
  for (const family of families) if (!TOPOLOGY_FAMILIES.includes(family)) throw new KitError('kit/bad-constraints', `${where}: unknown family "${family}" (known: ${TOPOLOGY_FAMILIES.join(', ')})`);
  return fc
    .record({
      family: fc.constantFrom(...families),
      attachments: fc.array(fc.nat(), { minLength: nodesMin - 1, maxLength: nodesMax - 1 }),
      extras: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: extraLinksMax }),
      settings: fc.array(linkArbitrary(constraints.link), { minLength: 1, maxLength: LINK_SETTINGS_MAX }),
    })
    .map(({ family, attachments, extras, settings }) => buildTopology(family, attachments, extras, settings));
}

/** Builds the node and link lists; edge i takes `settings[i % settings.length]`. */
export function buildTopology(family: TopologyFamily, attachments: ReadonlyArray<number>, extras: ReadonlyArray<readonly [number, number]>, settings: ReadonlyArray<LinkFieldsDocument>): TopologyDocument {
  const count = attachments.length + 1;
  const nodes = Array.from({ length: count }, (_, i) => `n${i + 1}`);
  const edges = edgesOf(family, attachments, extras);
  const links: LinkDocument[] = edges.map(([i, j], index) => ({ between: [nodes[i]!, nodes[j]!], ...settings[index % settings.length]! }));
  return { nodes, links };
}

function edgesOf(family: TopologyFamily, attachments: ReadonlyArray<number>, extras: ReadonlyArray<readonly [number, number]>): Array<[number, number]> {
  const count = attachments.length + 1;
  const edges: Array<[number, number]> = [];
  const keys = new Set<string>();
  const add = (i: number, j: number): void => {
    const key = i < j ? `${i}-${j}` : `${j}-${i}`;
    if (i === j || keys.has(key)) return;
    keys.add(key);
    edges.push([Math.min(i, j), Math.max(i, j)]);
  };
  switch (family) {
    case 'tree':
      attachments.forEach((parent, index) => add(parent % (index + 1), index + 1));
      for (const [x, y] of extras) add(x % count, y % count);
      break;
    case 'line':
    case 'ring':
      for (let i = 1; i < count; i++) add(i - 1, i);
      if (family === 'ring' && count >= 3) add(count - 1, 0);
      break;
    case 'star':
      for (let i = 1; i < count; i++) add(0, i);
      break;
    case 'mesh':
      for (let i = 0; i < count; i++) for (let j = i + 1; j < count; j++) add(i, j);
      break;
  }
  return edges;
}
