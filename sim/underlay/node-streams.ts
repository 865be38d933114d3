// Per-node random streams for large networks: a counter-based generator whose whole state is a
// 64-bit key (from the node's name and the run's seed) and a draw counter, 12 bytes per node in
// typed arrays. A node's draws depend only on its name, the seed and how often it drew, so adding
// a node never changes another node's draws. (A seedrandom stream costs about 1.4 KB.)
import { assert, fmix32, hash32, type Rng } from '../../core/index.js';
import type { Draws } from './hop.js';

export class NodeStreams {
  private keys = new Uint32Array(32);
  private counters = new Uint32Array(16);
  private count = 0;
  private readonly seedA: number;
  private readonly seedB: number;
  private readonly cursor: StreamCursor;

  /** `seed` supplies the two words that make every key depend on the run's seed. */
  constructor(seed: Rng) {
    this.seedA = Math.floor(seed.next() * 2 ** 32) >>> 0;
    this.seedB = Math.floor(seed.next() * 2 ** 32) >>> 0;
    this.cursor = new StreamCursor(this);
  }

  /** Adds the stream of node `name` (the next index). */
  add(name: string): void {
    if (this.count === this.counters.length) {
      const keys = new Uint32Array(this.keys.length * 2);
      const counters = new Uint32Array(this.counters.length * 2);
      keys.set(this.keys);
      counters.set(this.counters);
      this.keys = keys;
      this.counters = counters;
    }
    this.keys[2 * this.count] = hash32(name, this.seedA);
    this.keys[2 * this.count + 1] = hash32(name, this.seedB);
    this.count++;
  }

  /** The stream of node `index`, as a shared cursor: valid until the next call. */
  at(index: number): Draws {
    assert(index < this.count, 'no stream for this node');
    this.cursor.node = index;
    return this.cursor;
  }

  /** Next draw in [0, 1) of node `index`. */
  next(index: number): number {
    const counter = this.counters[index]!;
    this.counters[index] = counter + 1;
    let x = fmix32((this.keys[2 * index]! ^ Math.imul(counter, 0x9e3779b9)) >>> 0);
    x = fmix32((x ^ this.keys[2 * index + 1]!) >>> 0);
    return x / 2 ** 32;
  }
}

class StreamCursor implements Draws {
  node = 0;
  constructor(private readonly streams: NodeStreams) {}
  next(): number {
    return this.streams.next(this.node);
  }
}
