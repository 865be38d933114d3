// The discrete-event scheduler and its virtual Clock: time advances only by popping events.
import { assert, type Clock, type TimerId } from '../core/index.js';
import { EventHeap } from './heap.js';

/** Why a run ended. */
export type RunEnd = 'time-limit' | 'queue-empty' | 'stopped';

/** What `scheduleCall` runs: a long-lived function given the argument it was scheduled with. */
export type EventHandler<T> = (argument: T) => void;

// A timer id names its event's slot and the slot's generation (bumped each time the slot is freed):
// id = generation · SLOT_SPACE + slot, so `cancel` finds the event without a table of cancelled
// ids, and an id whose event already ran (or was cancelled) matches nothing. A slot whose
// generation would pass GENERATIONS_MAX is retired, so ids stay exact and below 2⁵³.
const SLOT_SPACE = 2 ** 26;
const GENERATIONS_MAX = 2 ** 27 - 1;

/** What a cancelled event's slot holds until the event is popped. */
const CANCELLED: EventHandler<unknown> = () => {};

export class Scheduler implements Clock {
  private readonly heap = new EventHeap();
  // What each pending event runs, by slot; freed slots are reused, so storage follows the peak of
  // pending events, not their total.
  private readonly handlers: Array<EventHandler<unknown> | undefined> = [];
  private readonly arguments: unknown[] = [];
  private readonly freeSlots: number[] = [];
  private generations = new Uint32Array(1024);
  private nowMs = 0;
  private nextSeq = 1;
  private isStopRequested = false;
  /** Events executed so far. */
  executed = 0;

  now(): number {
    return this.nowMs;
  }

  schedule(atMs: number, action: () => void): TimerId {
    return this.scheduleCall(atMs, action, undefined);
  }

  /**
   * Runs `handler(argument)` at `atMs`: the same as `schedule` without a closure per event when
   * `handler` is a long-lived function (a method bound once, a module function).
   */
  scheduleCall<T>(atMs: number, handler: EventHandler<T>, argument: T): TimerId {
    assert(Number.isFinite(atMs), 'scheduled at a non-finite time');
    assert(atMs >= this.nowMs, 'scheduled in the past');
    const seq = this.nextSeq++;
    const slot = this.freeSlots.length > 0 ? this.freeSlots.pop()! : this.newSlot();
    this.handlers[slot] = handler as EventHandler<unknown>;
    this.arguments[slot] = argument;
    this.heap.push(atMs, seq, slot);
    return this.generations[slot]! * SLOT_SPACE + slot;
  }

  private newSlot(): number {
    const slot = this.handlers.length;
    assert(slot < SLOT_SPACE, `more than ${SLOT_SPACE} events pending`);
    if (slot === this.generations.length) {
      const grown = new Uint32Array(2 * slot);
      grown.set(this.generations);
      this.generations = grown;
    }
    this.generations[slot] = 1;
    return slot;
  }

  /** Cancels the pending event `id`; nothing when it already ran or was cancelled. */
  cancel(id: TimerId): void {
    const slot = id % SLOT_SPACE;
    if (!(slot >= 0 && slot < this.handlers.length) || this.generations[slot]! * SLOT_SPACE + slot !== id || this.handlers[slot] === undefined) return;
    this.handlers[slot] = CANCELLED;
    this.arguments[slot] = undefined; // what it would have run with is garbage now, not at its time
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
    const { heap, handlers, freeSlots } = this;
    const args = this.arguments;
    for (;;) {
      if (this.isStopRequested) return 'stopped';
      if (heap.size === 0) return 'queue-empty';
      const atMs = heap.peekAtMs();
      if (atMs > untilMs) {
        this.nowMs = untilMs;
        return 'time-limit';
      }
      const slot = heap.pop();
      const handler = handlers[slot]!;
      const argument = args[slot];
      handlers[slot] = undefined;
      args[slot] = undefined;
      const generation = this.generations[slot]! + 1;
      this.generations[slot] = generation;
      if (generation <= GENERATIONS_MAX) freeSlots.push(slot);
      if (handler === CANCELLED) continue;
      this.nowMs = atMs;
      handler(argument);
      this.executed++;
      if (onProgress !== undefined && this.executed % progressEvery === 0) onProgress(this.nowMs, this.executed);
    }
  }
}
