// `netmachine topology`: what a plan's graph looks like (degrees, diameter, components), via graphology.
import graphology from 'graphology';
import { connectedComponents } from 'graphology-components';
import diameterModule from 'graphology-metrics/graph/diameter.js';
import type { NetworkPlan } from '../core/index.js';

// The package is CommonJS: at run time its default import is the function itself.
const diameter = diameterModule as unknown as (graph: unknown) => number;

/** Diameter is exact up to this many nodes (all-pairs BFS); above it, a double-sweep lower bound. */
const EXACT_DIAMETER_NODES_MAX = 3000;

export interface TopologyReport {
  /** Nodes of the graph: hosts and routers. */
  readonly nodes: number;
  readonly routers: number;
  /** Hosts per region, in matrix order (region underlay only). */
  readonly regions?: ReadonlyArray<readonly [string, number]>;
  readonly links: number;
  readonly degree: { readonly min: number; readonly mean: number; readonly max: number; readonly histogram: ReadonlyArray<readonly [number, number]> };
  readonly components: number;
  readonly largestComponent: number;
  /** Longest shortest path in hops (of the largest component when disconnected). */
  readonly diameter: number;
  readonly isDiameterExact: boolean;
}

export function describeTopology(plan: NetworkPlan): TopologyReport {
  const graph = new graphology.UndirectedGraph();
  const names = [...plan.nodes.map((node) => node.name), ...(plan.routers ?? [])];
  for (const name of names) graph.addNode(name);
  for (const link of plan.links) graph.mergeEdge(link.a, link.b);
  const degrees = names.map((name) => graph.degree(name));
  const histogram = new Map<number, number>();
  for (const degree of degrees) histogram.set(degree, (histogram.get(degree) ?? 0) + 1);
  const components = connectedComponents(graph).sort((a, b) => b.length - a.length);
  const largest = components[0] ?? [];
  const isExact = largest.length <= EXACT_DIAMETER_NODES_MAX;
  let hops = 0;
  if (largest.length > 1) {
    const sub = components.length === 1 ? graph : subgraph(graph, largest);
    hops = isExact ? diameter(sub) : doubleSweep(sub, largest[0]!);
  }
  const regions = plan.regions?.names.map((region) => [region, plan.nodes.filter((node) => node.region === region).length] as const);
  return {
    nodes: names.length,
    routers: plan.routers?.length ?? 0,
    ...(regions !== undefined && { regions }),
    links: graph.size,
    degree: {
      min: degrees.length === 0 ? 0 : Math.min(...degrees),
      mean: degrees.length === 0 ? 0 : (2 * graph.size) / degrees.length,
      max: degrees.length === 0 ? 0 : Math.max(...degrees),
      histogram: [...histogram].sort((a, b) => a[0] - b[0]),
    },
    components: components.length,
    largestComponent: largest.length,
    diameter: hops,
    isDiameterExact: isExact,
  };
}

function subgraph(graph: InstanceType<typeof graphology.UndirectedGraph>, nodes: ReadonlyArray<string>): InstanceType<typeof graphology.UndirectedGraph> {
  const keep = new Set(nodes);
  const sub = new graphology.UndirectedGraph();
  for (const node of nodes) sub.addNode(node);
  graph.forEachEdge((_edge, _attributes, a, b) => {
    if (keep.has(a) && keep.has(b)) sub.mergeEdge(a, b);
  });
  return sub;
}

/** Two BFS sweeps: a lower bound on the diameter, exact on trees and usually close otherwise. */
function doubleSweep(graph: InstanceType<typeof graphology.UndirectedGraph>, start: string): number {
  const bfs = (source: string): [string, number] => {
    const distance = new Map([[source, 0]]);
    const queue = [source];
    let far: [string, number] = [source, 0];
    for (let i = 0; i < queue.length; i++) {
      const node = queue[i]!;
      const d = distance.get(node)!;
      if (d > far[1]) far = [node, d];
      graph.forEachNeighbor(node, (next) => {
        if (!distance.has(next)) {
          distance.set(next, d + 1);
          queue.push(next);
        }
      });
    }
    return far;
  };
  return bfs(bfs(start)[0])[1];
}
