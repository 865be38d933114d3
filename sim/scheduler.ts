// The discrete-event scheduler and its virtual Clock: time advances only by popping events.
import { assert, type Clock, type TimerId } from '../core/index.js';
import { EventHeap } from './heap.js';

/** Why a run ended. */
export type RunEnd = 'time-limit' | 'queue-empty' | 'stopped';

export class Scheduler implements Clock {
  private readonly heap = new EventHeap();
  private readonly cancelled = new Set<number>();
  private nowMs = 0;
  private nextSeq = 1;
  private isStopRequested = false;
  /** Events executed so far. */
  executed = 0;

  now(): number {
    return this.nowMs;
  }

  schedule(atMs: number, action: () => void): TimerId {
    assert(Number.isFinite(atMs), 'scheduled at a non-finite time');
    assert(atMs >= this.nowMs, 'scheduled in the past');
    const seq = this.nextSeq++;
    this.heap.push({ atMs, seq, action });
    return seq;
  }

  cancel(id: TimerId): void {
    if (id > 0 && id < this.nextSeq) this.cancelled.add(id);
  }

  /** Pending events (including cancelled ones not yet popped). */
  get pending(): number {
    return this.heap.size;
  }

  /** Ends the current run after the event being executed. */
  stop(): void {
    this.isStopRequested = true;
  }

  /**
   * Runs events with time ≤ `untilMs`; calls `onProgress` every `progressEvery` events.
   * Time is left at `untilMs` when the limit is reached, so final reads see the end of the run.
   */
  run(untilMs: number, onProgress?: (nowMs: number, executed: number) => void, progressEvery = 50_000): RunEnd {
    this.isStopRequested = false;
    for (;;) {
      if (this.isStopRequested) return 'stopped';
      const next = this.heap.peek();
      if (next === undefined) return 'queue-empty';
      if (next.atMs > untilMs) {
        this.nowMs = untilMs;
        return 'time-limit';
      }
      this.heap.pop();
      if (this.cancelled.delete(next.seq)) continue;
      this.nowMs = next.atMs;
      next.action();
      this.executed++;
      if (onProgress !== undefined && this.executed % progressEvery === 0) onProgress(this.nowMs, this.executed);
    }
  }
}
