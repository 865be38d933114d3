// What the network asks of an underlay (a link graph or a region model).
import type { Hop } from './hop.js';

export interface Underlay {
  /** Fills `path` with the hops of the current path from → to and returns their count; 0 when there is none. */
  route(from: number, to: number, path: Hop[]): number;
  /** True when both nodes are up and a path joins them now (partitions aside). */
  isConnected(from: number, to: number): boolean;
  /** One-way propagation latency (ms) of the current path, undefined when not connected. */
  latencyMs(from: number, to: number): number | undefined;
  /** Why `route` found no path. */
  unroutable(from: number, to: number): 'link-down' | 'unreachable';
  /** A node crashed or restarted (a crashed node forwards nothing). */
  setNodeUp(node: number, isUp: boolean): void;
}
