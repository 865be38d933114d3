// Seeded random streams (seedrandom's alea): each stream is named by the path of labels that
// forked it, so adding a node or a link never shifts another stream's draws.
import seedrandom from 'seedrandom';
import { assert } from './assert.js';
import type { Rng } from './ports.js';

/** A stream seeded by `seed` and the fork path `path`. */
export function createRng(seed: number | string, path = 'root'): Rng {
  return new SeededRng(seed, undefined, path);
}

/**
 * A class, not a closure: a large simulation holds several streams per node. The stream is
 * seedrandom's `alea`: seedrandom seeds it (Baagoe's Mash hash of the seed string) and hands over
 * its state, which is then stepped here exactly as alea.js steps it, without the ~1.4 KB of
 * closures an alea object keeps for the stream's life. The state is made on the first draw: a
 * stream that is only forked (a node's) never makes it.
 */
class SeededRng implements Rng {
  // Alea's state is exact in 32-bit integers: each s is a multiple of 2^-32 in [0, 1) (kept here as
  // its 32 bits, signed) and the carry c an integer below 2^21, so a draw computes the same doubles
  // as alea.js from small integers, which V8 keeps in the object (four doubles would be four boxed
  // numbers per stream, and new ones per draw). c < 0: not seeded yet.
  private c = -1;
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;

  /**
   * A stream is named by its parent's path and its own label, joined when needed (at its first
   * draw, or to fork): a path built at every fork (a node's, then each engine's) kept two strings
   * of concatenated pieces per stream, ≈ 100 bytes each.
   */
  constructor(
    private readonly seed: number | string,
    private readonly parent: StreamParent | undefined,
    private readonly label: string,
  ) {}

  /** The stream's fork path (`root/…`). */
  get path(): string {
    return this.parent === undefined ? this.label : `${this.parent.path}/${this.label}`;
  }

  next(): number {
    if (this.c < 0) this.seedState();
    // alea.js: t = 2091639 · s0 + c · 2^-32; c = t | 0; s2 = t − c. With s0 = k · 2^-32, t · 2^32 is
    // the integer x below (exact: < 2^53), c = ⌊x / 2^32⌋ and s2 = (x mod 2^32) · 2^-32.
    const x = 2091639 * (this.s0 >>> 0) + this.c;
    const c = Math.floor(x / 4294967296);
    const low = x - c * 4294967296;
    this.s0 = this.s1;
    this.s1 = this.s2;
    this.s2 = low | 0;
    this.c = c;
    return low * 2.3283064365386963e-10; // 2^-32
  }

  int(n: number): number {
    assert(Number.isInteger(n) && n > 0, `Rng.int needs a positive integer, got ${n}`);
    return Math.floor(this.next() * n);
  }

  fork(label: string): Rng {
    return new SeededRng(this.seed, this, label);
  }

  private seedState(): void {
    const state = seedrandom.alea(`netmachine/1/${this.seed}/${this.path}`, { state: true }).state() as { c: number; s0: number; s1: number; s2: number };
    // Each s is k · 2^-32 exactly (alea's Mash gives multiples of 2^-32 in [0, 1)): kept as k's 32 bits.
    this.s0 = (state.s0 * 4294967296) | 0;
    this.s1 = (state.s1 * 4294967296) | 0;
    this.s2 = (state.s2 * 4294967296) | 0;
    this.c = state.c;
  }
}

/**
 * The random stream of one boot (session) of node `name`: the simulator and real runtimes both use
 * it, so the same plan and seed make the same engine draws on every backend.
 */
export function nodeRng(seed: number | string, name: string, session: number): Rng {
  return new NodeRng(seed, name, session);
}

/** What a forked stream needs of its parent: the parent's path. */
interface StreamParent {
  readonly path: string;
}

/**
 * createRng(seed).fork(`node/${name}/${session}`), without a root stream per node, and without
 * the stream's state or its path string until they are needed: a node's stream is mostly only
 * forked (its engines', its transport's), and a path built per node kept three strings of
 * concatenated pieces, ≈ 100 bytes.
 */
class NodeRng implements Rng, StreamParent {
  private stream: SeededRng | undefined;

  constructor(
    private readonly seed: number | string,
    private readonly name: string,
    private readonly session: number,
  ) {}

  get path(): string {
    return `root/node/${this.name}/${this.session}`;
  }

  next(): number {
    return (this.stream ??= new SeededRng(this.seed, undefined, this.path)).next();
  }

  int(n: number): number {
    return (this.stream ??= new SeededRng(this.seed, undefined, this.path)).int(n);
  }

  fork(label: string): Rng {
    return new SeededRng(this.seed, this, label);
  }
}

/** MurmurHash3's 32-bit finaliser: a bijection with full avalanche. */
export function fmix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A 32-bit hash of `text` from `seed` (FNV-1a over its UTF-16 code units, finalised): cheap, no state. */
export function hash32(text: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return fmix32(h);
}

/**
 * A uniform draw in [0, 1) named by (`seed`, `label`), without building a stream: for one draw per
 * entity over very many entities (a seedrandom stream costs ≈ 4 µs and 1.4 KB to create).
 */
export function labelledUniform(seed: number | string, label: string): number {
  const key = `${seed}/${label}`;
  const high = hash32(key, 0x2545f491) >>> 11; // 21 bits
  const low = hash32(key, 0x9e3779b9); // 32 bits
  return (high * 2 ** 32 + low) / 2 ** 53;
}
