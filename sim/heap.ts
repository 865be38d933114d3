// A binary min-heap of (atMs, seq, slot) in typed arrays, ordered by (atMs, seq): same-time events
// run in insertion order, so runs replay. No object per event: a pending event costs 20 bytes here
// (the scheduler keeps what it runs by slot), so a million pending events stay compact and cause
// half the cache misses of a heap of objects (a 4-ary layout measured no better).
import { assert } from '../core/index.js';

const CAPACITY_INITIAL = 1024;

export class EventHeap {
  private times = new Float64Array(CAPACITY_INITIAL);
  private seqs = new Float64Array(CAPACITY_INITIAL);
  private slots = new Int32Array(CAPACITY_INITIAL);
  private length = 0;

  get size(): number {
    return this.length;
  }

  /** Adds event `slot` due at `atMs`; `seq` orders events of the same time (smaller first). */
  push(atMs: number, seq: number, slot: number): void {
    if (this.length === this.times.length) this.grow();
    const { times, seqs, slots } = this;
    let index = this.length++;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      const parentAtMs = times[parent]!;
      if (parentAtMs < atMs || (parentAtMs === atMs && seqs[parent]! < seq)) break;
      times[index] = parentAtMs;
      seqs[index] = seqs[parent]!;
      slots[index] = slots[parent]!;
      index = parent;
    }
    times[index] = atMs;
    seqs[index] = seq;
    slots[index] = slot;
  }

  /** Time of the earliest event; Infinity when the heap is empty. */
  peekAtMs(): number {
    return this.length === 0 ? Infinity : this.times[0]!;
  }

  /** Seq of the earliest event (the heap must not be empty). */
  peekSeq(): number {
    assert(this.length > 0, 'peekSeq on an empty heap');
    return this.seqs[0]!;
  }

  /** Removes the earliest event and returns its slot (the heap must not be empty). */
  pop(): number {
    assert(this.length > 0, 'pop on an empty heap');
    const { times, seqs, slots } = this;
    const top = slots[0]!;
    const length = --this.length;
    if (length === 0) return top;
    const atMs = times[length]!;
    const seq = seqs[length]!;
    const slot = slots[length]!;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) break;
      let child = left;
      let childAtMs = times[left]!;
      let childSeq = seqs[left]!;
      const right = left + 1;
      if (right < length) {
        const rightAtMs = times[right]!;
        if (rightAtMs < childAtMs || (rightAtMs === childAtMs && seqs[right]! < childSeq)) {
          child = right;
          childAtMs = rightAtMs;
          childSeq = seqs[right]!;
        }
      }
      if (atMs < childAtMs || (atMs === childAtMs && seq < childSeq)) break;
      times[index] = childAtMs;
      seqs[index] = childSeq;
      slots[index] = slots[child]!;
      index = child;
    }
    times[index] = atMs;
    seqs[index] = seq;
    slots[index] = slot;
    return top;
  }

  private grow(): void {
    const capacity = this.times.length * 2;
    const times = new Float64Array(capacity);
    const seqs = new Float64Array(capacity);
    const slots = new Int32Array(capacity);
    times.set(this.times);
    seqs.set(this.seqs);
    slots.set(this.slots);
    this.times = times;
    this.seqs = seqs;
    this.slots = slots;
  }
}
