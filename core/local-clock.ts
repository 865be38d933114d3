// A node's own clock over the backend's: it can be skewed (set off by a fixed amount), drift (run
// fast or slow) and strobe (jump back and forth). Engines read it through `ctx.now()` and their
// timers run on it: a timer fires when this clock reaches its deadline, so a clock running at rate
// 2 fires a 100 ms timer after 50 ms, and a jump forward fires the timers it passes at once.
import type { Clock, TimerId } from './ports.js';

/** A pending timer: what it runs and with what, and its clock (so arming needs no closure). */
interface Pending {
  readonly id: TimerId;
  readonly localAtMs: number;
  readonly handler: (argument: unknown) => void;
  readonly argument: unknown;
  readonly clock: LocalClock;
  realId: TimerId;
}

/** Runs a plain callback scheduled with `schedule`. */
function callCallback(callback: () => void): void {
  callback();
}

/** What the backend runs when a pending timer's real time comes. */
function fireArmed(entry: Pending): void {
  entry.clock.fire(entry);
}

export class LocalClock implements Clock {
  // local = driftBaseMs + (real - realBaseMs) · rate + skewMs + strobeMs
  private realBaseMs = 0;
  private driftBaseMs = 0;
  private rate = 1;
  private skewMs = 0;
  private strobeMs = 0;
  private nextId = 1;
  /**
   * Pending timers: most nodes have one or two at a time (a simulation holds 10⁵–10⁶ clocks), so
   * the first sits in a field and only the others in a map (a map's table alone is ≈ 150 bytes).
   */
  private first: Pending | undefined;
  private pending: Map<TimerId, Pending> | undefined;

  constructor(private readonly clock: Clock) {}

  now(): number {
    return this.driftBaseMs + (this.clock.now() - this.realBaseMs) * this.rate + this.skewMs + this.strobeMs;
  }

  /** Runs `callback` when this clock reads `atMs` (at once if it already does). */
  schedule(atMs: number, callback: () => void): TimerId {
    return this.scheduleCall(atMs, callCallback, callback);
  }

  /** Runs `handler(argument)` when this clock reads `atMs`: `schedule` without a closure per timer. */
  scheduleCall<T>(atMs: number, handler: (argument: T) => void, argument: T): TimerId {
    const id = this.nextId++;
    const entry: Pending = { id, localAtMs: atMs, handler: handler as (argument: unknown) => void, argument, clock: this, realId: 0 };
    if (this.first === undefined) this.first = entry;
    else (this.pending ??= new Map()).set(id, entry);
    this.arm(entry);
    return id;
  }

  /** The backend's time for `entry` came: it runs unless it was cancelled or re-armed since. */
  fire(entry: Pending): void {
    if (this.take(entry.id) === entry) entry.handler(entry.argument);
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
    this.change(() => (this.skewMs = skewMs));
  }

  /** From now on the clock advances `rate` ms per backend ms (1: on time). */
  setRate(rate: number): void {
    this.change(() => {
      this.driftBaseMs = this.driftBaseMs + (this.clock.now() - this.realBaseMs) * this.rate;
      this.realBaseMs = this.clock.now();
      this.rate = rate;
    });
  }

  /** Sets the strobe's current displacement (ms). */
  setStrobe(offsetMs: number): void {
    this.change(() => (this.strobeMs = offsetMs));
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
    const realMs = this.realBaseMs + (localAtMs - this.skewMs - this.strobeMs - this.driftBaseMs) / this.rate;
    return Math.max(this.clock.now(), realMs);
  }

  private arm(entry: Pending): void {
    const atMs = this.realTimeOf(entry.localAtMs);
    entry.realId = this.clock.scheduleCall !== undefined ? this.clock.scheduleCall(atMs, fireArmed, entry) : this.clock.schedule(atMs, () => fireArmed(entry));
  }
}
