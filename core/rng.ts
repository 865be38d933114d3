// Seeded random streams (seedrandom's alea): each stream is named by the path of labels that
// forked it, so adding a node or a link never shifts another stream's draws.
import seedrandom from 'seedrandom';
import { assert } from './assert.js';
import type { Rng } from './ports.js';

/** A stream seeded by `seed` and the fork path `path`. */
export function createRng(seed: number | string, path = 'root'): Rng {
  return new SeededRng(seed, path);
}

/**
 * A class, not a closure: a large simulation holds several streams per node. seedrandom's `alea`
 * seeds the stream (its Mash hash of the seed string); the state is then these four numbers,
 * stepped exactly as alea.js steps it, instead of the ~1.4 KB of closures an alea object keeps.
 * The state is made on the first draw: a stream that is only forked (a node's) never makes it.
 */
class SeededRng implements Rng {
  private c = 0;
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private isSeeded = false;

  constructor(
    private readonly seed: number | string,
    private readonly path: string,
  ) {}

  next(): number {
    if (!this.isSeeded) this.seedState();
    const t = 2091639 * this.s0 + this.c * 2.3283064365386963e-10; // 2^-32
    this.s0 = this.s1;
    this.s1 = this.s2;
    return (this.s2 = t - (this.c = t | 0));
  }

  int(n: number): number {
    assert(Number.isInteger(n) && n > 0, `Rng.int needs a positive integer, got ${n}`);
    return Math.floor(this.next() * n);
  }

  fork(label: string): Rng {
    return new SeededRng(this.seed, `${this.path}/${label}`);
  }

  private seedState(): void {
    const state = seedrandom.alea(`netmachine/1/${this.seed}/${this.path}`, { state: true }).state() as { c: number; s0: number; s1: number; s2: number };
    this.c = state.c;
    this.s0 = state.s0;
    this.s1 = state.s1;
    this.s2 = state.s2;
    this.isSeeded = true;
  }
}

/**
 * The random stream of one boot (session) of node `name`: the simulator and real runtimes both use
 * it, so the same plan and seed make the same engine draws on every backend.
 */
export function nodeRng(seed: number | string, name: string, session: number): Rng {
  return createRng(seed).fork(`node/${name}/${session}`);
}
