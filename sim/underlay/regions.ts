// The region underlay for large networks: every host sits in a named region, and a frame between
// two hosts takes one hop whose settings come from the (from-region, to-region) entry of a matrix.
// Memory is O(nodes + regions²): a region index and a 12-byte random stream per node, nothing per
// node pair. There are no links, so nothing can cut a path but partitions and crashes.
import { assert, type LinkSpec, type PlanRegions, type Rng } from '../../core/index.js';
import type { Hop } from './hop.js';
import { NodeStreams } from './node-streams.js';
import type { Underlay } from './underlay.js';

/** Regions above this count would not fit the per-node index. */
export const REGIONS_MAX = 1 << 16;

export class RegionUnderlay implements Underlay {
  private regionOf = new Uint16Array(16);
  private count = 0;
  private readonly regionCount: number;
  private readonly streams: NodeStreams;
  /** The one hop of the current frame (its stream is the sender's). */
  private readonly hop: { spec: LinkSpec; rng: Hop['rng']; busyUntilMs: number };

  constructor(private readonly matrix: PlanRegions, seed: Rng) {
    this.regionCount = matrix.names.length;
    assert(this.regionCount >= 1 && this.regionCount <= REGIONS_MAX, 'region count out of range');
    assert(matrix.pairs.length === this.regionCount * this.regionCount, 'region matrix is not square');
    // Serialization happens at access links: a region pair has no wire to queue on.
    for (const spec of matrix.pairs) assert(spec.bandwidthBytesPerSecond === 0, 'a region pair has no bandwidth');
    this.streams = new NodeStreams(seed);
    this.hop = { spec: matrix.pairs[0]!, rng: { next: () => 0 }, busyUntilMs: 0 };
  }

  /** Adds node `name` in region `region` (an index into `names`) and returns its index. */
  addNode(name: string, region: number): number {
    assert(Number.isInteger(region) && region >= 0 && region < this.regionCount, `node "${name}" in an unknown region`);
    if (this.count === this.regionOf.length) {
      const grown = new Uint16Array(this.count * 2);
      grown.set(this.regionOf);
      this.regionOf = grown;
    }
    this.regionOf[this.count] = region;
    this.streams.add(name);
    return this.count++;
  }

  /** Name of the region of node `index`. */
  regionName(index: number): string {
    return this.matrix.names[this.regionOf[index]!]!;
  }

  private pair(from: number, to: number): LinkSpec {
    return this.matrix.pairs[this.regionOf[from]! * this.regionCount + this.regionOf[to]!]!;
  }

  route(from: number, to: number, path: Hop[]): number {
    const hop = this.hop;
    hop.spec = this.pair(from, to);
    hop.rng = this.streams.at(from);
    path[0] = hop;
    return 1;
  }

  isConnected(): boolean {
    return true;
  }

  latencyMs(from: number, to: number): number {
    return this.pair(from, to).latencyMs;
  }

  unroutable(): 'unreachable' {
    return 'unreachable';
  }

  setNodeUp(): void {}
}
