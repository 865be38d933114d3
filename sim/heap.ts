// Binary min-heap ordered by (atMs, seq): same-time events run in insertion order, so runs replay.
import { assert } from '../core/index.js';

/** One scheduled action. */
export interface HeapEntry {
  readonly atMs: number;
  readonly seq: number;
  readonly action: () => void;
}

function before(a: HeapEntry, b: HeapEntry): boolean {
  return a.atMs < b.atMs || (a.atMs === b.atMs && a.seq < b.seq);
}

export class EventHeap {
  private readonly entries: HeapEntry[] = [];

  get size(): number {
    return this.entries.length;
  }

  push(entry: HeapEntry): void {
    const entries = this.entries;
    let index = entries.length;
    entries.push(entry);
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!before(entry, entries[parent]!)) break;
      entries[index] = entries[parent]!;
      index = parent;
    }
    entries[index] = entry;
  }

  peek(): HeapEntry | undefined {
    return this.entries[0];
  }

  pop(): HeapEntry | undefined {
    const entries = this.entries;
    const top = entries[0];
    const last = entries.pop();
    if (top === undefined || last === undefined || entries.length === 0) return top;
    let index = 0;
    const length = entries.length;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) break;
      const right = left + 1;
      const child = right < length && before(entries[right]!, entries[left]!) ? right : left;
      if (!before(entries[child]!, last)) break;
      entries[index] = entries[child]!;
      index = child;
    }
    entries[index] = last;
    assert(entries.length === length, 'heap size changed during sift-down');
    return top;
  }
}
