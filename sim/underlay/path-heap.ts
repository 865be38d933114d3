// A binary min-heap of (distance, hops, node) keys for Dijkstra, in typed arrays that grow by
// doubling. Ties order by hops, then node index, so every run pops in the same order.

export class PathHeap {
  private distances = new Float64Array(64);
  private hopCounts = new Int32Array(64);
  private nodes = new Int32Array(64);
  private count = 0;
  /** Key of the entry the last `pop` returned. */
  poppedDistance = 0;
  poppedHops = 0;

  get size(): number {
    return this.count;
  }

  clear(): void {
    this.count = 0;
  }

  push(distance: number, hops: number, node: number): void {
    if (this.count === this.nodes.length) this.grow();
    let index = this.count++;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!isBefore(distance, hops, node, this.distances[parent]!, this.hopCounts[parent]!, this.nodes[parent]!)) break;
      this.move(parent, index);
      index = parent;
    }
    this.set(index, distance, hops, node);
  }

  /** Removes the smallest entry and returns its node (its key is in `poppedDistance`, `poppedHops`). */
  pop(): number {
    const node = this.nodes[0]!;
    this.poppedDistance = this.distances[0]!;
    this.poppedHops = this.hopCounts[0]!;
    const last = --this.count;
    if (last > 0) this.siftDown(this.distances[last]!, this.hopCounts[last]!, this.nodes[last]!);
    return node;
  }

  private siftDown(distance: number, hops: number, node: number): void {
    let index = 0;
    for (;;) {
      let child = 2 * index + 1;
      if (child >= this.count) break;
      const right = child + 1;
      if (right < this.count && isBefore(this.distances[right]!, this.hopCounts[right]!, this.nodes[right]!, this.distances[child]!, this.hopCounts[child]!, this.nodes[child]!)) child = right;
      if (!isBefore(this.distances[child]!, this.hopCounts[child]!, this.nodes[child]!, distance, hops, node)) break;
      this.move(child, index);
      index = child;
    }
    this.set(index, distance, hops, node);
  }

  private move(from: number, to: number): void {
    this.set(to, this.distances[from]!, this.hopCounts[from]!, this.nodes[from]!);
  }

  private set(index: number, distance: number, hops: number, node: number): void {
    this.distances[index] = distance;
    this.hopCounts[index] = hops;
    this.nodes[index] = node;
  }

  private grow(): void {
    const size = this.nodes.length * 2;
    const distances = new Float64Array(size);
    const hopCounts = new Int32Array(size);
    const nodes = new Int32Array(size);
    distances.set(this.distances);
    hopCounts.set(this.hopCounts);
    nodes.set(this.nodes);
    this.distances = distances;
    this.hopCounts = hopCounts;
    this.nodes = nodes;
  }
}

/** Key order: distance, then hops, then node index. */
function isBefore(distance: number, hops: number, node: number, otherDistance: number, otherHops: number, otherNode: number): boolean {
  return distance < otherDistance || (distance === otherDistance && (hops < otherHops || (hops === otherHops && node < otherNode)));
}
