import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventHeap, Scheduler } from '../../sim/index.js';

describe('EventHeap', () => {
  it('pops in (time, insertion) order for any push/pop interleaving', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer({ min: 0, max: 50 }), fc.constant(-1)), { maxLength: 3000 }), (ops) => {
        const heap = new EventHeap();
        const model: { atMs: number; seq: number; slot: number }[] = [];
        let seq = 0;
        for (const op of ops) {
          if (op >= 0) {
            heap.push(op, seq, seq % 7);
            model.push({ atMs: op, seq, slot: seq % 7 });
            seq++;
          } else {
            model.sort((a, b) => a.atMs - b.atMs || a.seq - b.seq);
            const expected = model.shift();
            if (expected === undefined) {
              expect(heap.size).toBe(0);
              expect(heap.peekAtMs()).toBe(Infinity);
              continue;
            }
            expect([heap.peekAtMs(), heap.peekSeq()]).toEqual([expected.atMs, expected.seq]);
            expect(heap.pop()).toBe(expected.slot);
          }
        }
        expect(heap.size).toBe(model.length);
      }),
    );
  });
});

describe('EventHeap growth', () => {
  it('keeps the order across growth, with ties broken by seq', () => {
    const heap = new EventHeap();
    const times = Array.from({ length: 5000 }, (_, i) => (i * 7919) % 97);
    times.forEach((atMs, seq) => heap.push(atMs, seq, seq));
    const popped: number[] = [];
    while (heap.size > 0) popped.push(heap.pop());
    const expected = times.map((atMs, seq) => ({ atMs, seq })).sort((a, b) => a.atMs - b.atMs || a.seq - b.seq).map((entry) => entry.seq);
    expect(popped).toEqual(expected);
  });
});

describe('Scheduler', () => {
  it('scheduleCall passes its argument, interleaved with schedule in one (time, order)', () => {
    const scheduler = new Scheduler();
    const order: string[] = [];
    const record = (label: string): void => void order.push(label);
    scheduler.scheduleCall(2, record, 'x');
    scheduler.schedule(1, () => order.push('first'));
    const cancelled = scheduler.scheduleCall(2, record, 'never');
    scheduler.scheduleCall(2, record, 'y');
    scheduler.cancel(cancelled);
    expect(scheduler.run(5)).toBe('queue-empty');
    expect(order).toEqual(['first', 'x', 'y']);
    expect(scheduler.executed).toBe(3);
  });

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

  it('cancelling an event that already ran, or twice, touches no other event (its slot is reused)', () => {
    const scheduler = new Scheduler();
    const order: string[] = [];
    const first = scheduler.schedule(1, () => order.push('first'));
    scheduler.run(1);
    // The freed slot is taken by the next event; the old id must not reach it.
    const second = scheduler.schedule(2, () => order.push('second'));
    scheduler.cancel(first);
    scheduler.cancel(0);
    scheduler.cancel(-1);
    scheduler.cancel(0.5);
    const third = scheduler.schedule(3, () => order.push('never'));
    scheduler.cancel(third);
    scheduler.cancel(third);
    scheduler.schedule(3, () => order.push('fourth'));
    expect(scheduler.run(10)).toBe('queue-empty');
    expect(order).toEqual(['first', 'second', 'fourth']);
    expect(new Set([first, second, third]).size).toBe(3);
    expect(scheduler.executed).toBe(3);
  });

  it('stops at the time limit with the clock at the limit', () => {
    const scheduler = new Scheduler();
    scheduler.schedule(20, () => {});
    expect(scheduler.run(10)).toBe('time-limit');
    expect(scheduler.now()).toBe(10);
    expect(scheduler.pending).toBe(1);
  });
});
