// A node's own clock over the backend's: it can be skewed (set off by a fixed amount), drift (run
// fast or slow) and strobe (jump back and forth). Engines read it through `ctx.now()` and their
// timers run on it: a timer fires when this clock reaches its deadline, so a clock running at rate
// 2 fires a 100 ms timer after 50 ms, and a jump forward fires the timers it passes at once.
import type { Clock, TimerId } from './ports.js';

/**
 * A pending timer of a local clock: the clock's bookkeeping, and what it runs (`fire`). A caller
 * with a record of its own per timer extends this (one object per timer instead of two: a node's
 * engine timer is one).
 */
export abstract class LocalTimer {
  /** Set by the clock when scheduled. */
  id: TimerId = 0;
  localAtMs = 0;
  realId: TimerId = 0;
  clock: LocalClock | undefined;
  /** The timer's time came. */
  abstract fire(): void;
}

/** A timer scheduled with `schedule` or `scheduleCall`. */
class CallTimer<T> extends LocalTimer {
  constructor(
    private readonly handler: (argument: T) => void,
    private readonly argument: T,
  ) {
    super();
  }
  fire(): void {
    this.handler(this.argument);
  }
}

type Pending = LocalTimer;

/** Runs a plain callback scheduled with `schedule`. */
function callCallback(callback: () => void): void {
  callback();
}

/** What the backend runs when a pending timer's real time comes. */
function fireArmed(entry: Pending): void {
  entry.clock!.fire(entry);
}

/** How the clock is off the backend's: local = driftBaseMs + (real - realBaseMs) · rate + skewMs + strobeMs. */
interface Offsets {
  realBaseMs: number;
  driftBaseMs: number;
  rate: number;
  skewMs: number;
  strobeMs: number;
}

export class LocalClock implements Clock {
  /** Made by the first skew, drift or strobe: most clocks are never off (a simulation holds 10⁵–10⁶). */
  private offsets: Offsets | undefined;
  private nextId = 1;
  /**
   * Pending timers: most nodes have one or two at a time (a simulation holds 10⁵–10⁶ clocks), so
   * the first sits in a field and only the others in a map (a map's table alone is ≈ 150 bytes).
   */
  private first: Pending | undefined;
  private pending: Map<TimerId, Pending> | undefined;

  constructor(private readonly clock: Clock) {}

  now(): number {
    const o = this.offsets;
    return o === undefined ? this.clock.now() : o.driftBaseMs + (this.clock.now() - o.realBaseMs) * o.rate + o.skewMs + o.strobeMs;
  }

  private get off(): Offsets {
    return (this.offsets ??= { realBaseMs: 0, driftBaseMs: 0, rate: 1, skewMs: 0, strobeMs: 0 });
  }

  /** Runs `callback` when this clock reads `atMs` (at once if it already does). */
  schedule(atMs: number, callback: () => void): TimerId {
    return this.scheduleCall(atMs, callCallback, callback);
  }

  /** Runs `handler(argument)` when this clock reads `atMs`: `schedule` without a closure per timer. */
  scheduleCall<T>(atMs: number, handler: (argument: T) => void, argument: T): TimerId {
    return this.scheduleTimer(atMs, new CallTimer(handler, argument));
  }

  /** Runs `timer.fire()` when this clock reads `atMs`; returns (and sets) its id. A timer is scheduled once. */
  scheduleTimer(atMs: number, timer: LocalTimer): TimerId {
    const id = this.nextId++;
    timer.id = id;
    timer.localAtMs = atMs;
    timer.clock = this;
    if (this.first === undefined) this.first = timer;
    else (this.pending ??= new Map()).set(id, timer);
    this.arm(timer);
    return id;
  }

  /** The backend's time for `entry` came: it runs unless it was cancelled or re-armed since. */
  fire(entry: Pending): void {
    if (this.take(entry.id) === entry) entry.fire();
  }

  cancel(id: TimerId): void {
    const entry = this.take(id);
    if (entry !== undefined) this.clock.cancel(entry.realId);
  }

  /** Removes the pending timer `id` and returns it, if it is pending. */
  private take(id: TimerId): Pending | undefined {
    const first = this.first;
    if (first !== undefined && first.id === id) {
      this.first = undefined;
      return first;
    }
    const entry = this.pending?.get(id);
    if (entry !== undefined) this.pending!.delete(id);
    return entry;
  }

  /** Sets the fixed offset (ms) from the backend's time; pending timers follow. */
  setSkew(skewMs: number): void {
    this.change(() => (this.off.skewMs = skewMs));
  }

  /** From now on the clock advances `rate` ms per backend ms (1: on time). */
  setRate(rate: number): void {
    this.change(() => {
      const o = this.off;
      o.driftBaseMs = o.driftBaseMs + (this.clock.now() - o.realBaseMs) * o.rate;
      o.realBaseMs = this.clock.now();
      o.rate = rate;
    });
  }

  /** Sets the strobe's current displacement (ms). */
  setStrobe(offsetMs: number): void {
    this.change(() => (this.off.strobeMs = offsetMs));
  }

  private change(update: () => void): void {
    update();
    // Re-armed in the order they were set (by id), as they were armed the first time.
    const entries = [...(this.first === undefined ? [] : [this.first]), ...(this.pending?.values() ?? [])].sort((a, b) => a.id - b.id);
    for (const entry of entries) {
      this.clock.cancel(entry.realId);
      this.arm(entry);
    }
  }

  /** The backend time at which this clock reads `localAtMs`, never in the past. */
  private realTimeOf(localAtMs: number): number {
    const o = this.offsets;
    const realMs = o === undefined ? localAtMs : o.realBaseMs + (localAtMs - o.skewMs - o.strobeMs - o.driftBaseMs) / o.rate;
    return Math.max(this.clock.now(), realMs);
  }

  private arm(entry: Pending): void {
    const atMs = this.realTimeOf(entry.localAtMs);
    entry.realId = this.clock.scheduleCall !== undefined ? this.clock.scheduleCall(atMs, fireArmed, entry) : this.clock.schedule(atMs, () => fireArmed(entry));
  }
}
