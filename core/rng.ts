// Seeded random streams (seedrandom's alea): each stream is named by the path of labels that
// forked it, so adding a node or a link never shifts another stream's draws.
import seedrandom from 'seedrandom';
import { assert } from './assert.js';
import type { Rng } from './ports.js';

/** A stream seeded by `seed` and the fork path `path`. */
export function createRng(seed: number | string, path = 'root'): Rng {
  return new SeededRng(seed, path);
}

/** A class, not a closure: a large simulation holds several streams per node. */
class SeededRng implements Rng {
  private readonly prng: () => number;

  constructor(
    private readonly seed: number | string,
    private readonly path: string,
  ) {
    this.prng = seedrandom.alea(`netmachine/1/${seed}/${path}`);
  }

  next(): number {
    return this.prng();
  }

  int(n: number): number {
    assert(Number.isInteger(n) && n > 0, `Rng.int needs a positive integer, got ${n}`);
    return Math.floor(this.prng() * n);
  }

  fork(label: string): Rng {
    return new SeededRng(this.seed, `${this.path}/${label}`);
  }
}

/**
 * The random stream of one boot (session) of node `name`: the simulator and real runtimes both use
 * it, so the same plan and seed make the same engine draws on every backend.
 */
export function nodeRng(seed: number | string, name: string, session: number): Rng {
  return createRng(seed).fork(`node/${name}/${session}`);
}
