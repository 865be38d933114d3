// Topology layout with d3-force, run to rest at render time so the browser starts from a settled
// picture. d3-force draws from its own seeded LCG (we pass one explicitly), so the same topology
// always gets the same layout.
import { forceCenter, forceLink, forceManyBody, forceSimulation, forceX, forceY, type SimulationNodeDatum } from 'd3';

/** Fixed seed of the layout's random source: the layout depends on the topology only. */
const LAYOUT_SEED = 0x6e6d;
/** Ticks to rest; fewer for big graphs, which settle well enough and cost O(n log n) per tick. */
const TICKS_MAX = 300;

/** Node positions as [x0, y0, x1, y1, …], centred on 0, in layout units (about 30 per link). */
export function layoutTopology(nodeCount: number, links: ReadonlyArray<{ readonly a: number; readonly b: number }>): Float64Array {
  const nodes: SimulationNodeDatum[] = Array.from({ length: nodeCount }, () => ({}));
  const simulation = forceSimulation(nodes)
    .randomSource(lcg(LAYOUT_SEED))
    .force('link', forceLink(links.map((link) => ({ source: link.a, target: link.b }))).distance(30).iterations(1))
    .force('charge', forceManyBody().strength(-60).theta(0.9))
    .force('x', forceX(0).strength(0.04))
    .force('y', forceY(0).strength(0.04))
    .force('center', forceCenter(0, 0))
    .stop();
  const ticks = nodeCount > 5000 ? 60 : nodeCount > 1000 ? 120 : TICKS_MAX;
  simulation.tick(ticks);
  const positions = new Float64Array(nodeCount * 2);
  nodes.forEach((node, index) => {
    positions[index * 2] = node.x ?? 0;
    positions[index * 2 + 1] = node.y ?? 0;
  });
  return positions;
}

/** The linear congruential generator d3-force itself uses (returns [0, 1)). */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (1664525 * state + 1013904223) >>> 0;
    return state / 4294967296;
  };
}
