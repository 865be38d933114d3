import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventHeap, Scheduler } from '../../sim/index.js';

describe('EventHeap', () => {
  it('pops in (time, insertion) order for any push/pop interleaving', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer({ min: 0, max: 50 }), fc.constant(-1)), { maxLength: 300 }), (ops) => {
        const heap = new EventHeap();
        const model: { atMs: number; seq: number }[] = [];
        let seq = 0;
        for (const op of ops) {
          if (op >= 0) {
            heap.push({ atMs: op, seq, action: () => {} });
            model.push({ atMs: op, seq: seq++ });
          } else {
            model.sort((a, b) => a.atMs - b.atMs || a.seq - b.seq);
            const expected = model.shift();
            const actual = heap.pop();
            expect(actual === undefined ? undefined : { atMs: actual.atMs, seq: actual.seq }).toEqual(expected);
          }
        }
        expect(heap.size).toBe(model.length);
      }),
    );
  });
});

describe('Scheduler', () => {
  it('runs same-time events in scheduling order, skips cancelled ones, and never goes back in time', () => {
    const scheduler = new Scheduler();
    const order: string[] = [];
    scheduler.schedule(5, () => order.push('b'));
    scheduler.schedule(1, () => {
      order.push('a');
      scheduler.schedule(5, () => order.push('c'));
    });
    const cancelled = scheduler.schedule(3, () => order.push('never'));
    scheduler.cancel(cancelled);
    expect(scheduler.run(10)).toBe('queue-empty');
    expect(order).toEqual(['a', 'b', 'c']);
    expect(() => scheduler.schedule(4, () => {})).toThrow(/past/);
  });

  it('stops at the time limit with the clock at the limit', () => {
    const scheduler = new Scheduler();
    scheduler.schedule(20, () => {});
    expect(scheduler.run(10)).toBe('time-limit');
    expect(scheduler.now()).toBe(10);
    expect(scheduler.pending).toBe(1);
  });
});
