// Pairs each `transmit` (at the sender, `peer` = receiver) with its outcome: the `receive` at the
// receiver (`peer` = sender), or a `drop` of the same message either at the sender (loss, partition,
// link-down, … at transmit time) or at the receiver (`crashed`, at arrival time). A drop or verify-fail
// at the receiver right after the receive marks the frame rejected (replay, bad signature, …).
import type { Flight, FlightStatus } from './types.js';

interface MutableFlight {
  message: number;
  from: number;
  to: number;
  startMs: number;
  endMs: number;
  status: FlightStatus;
  reason: number;
  bytes: number;
  isDuplicate: boolean;
}

/** Matches frame events into flights, one event at a time in trace order. */
export class FlightMatcher {
  private readonly flights: MutableFlight[] = [];
  /** `message|from|to` → flights transmitted and not yet received or dropped, oldest first. */
  private readonly pending = new Map<string, number[]>();
  /** `message|from|to` → the last flight received, for duplicated arrivals. */
  private readonly received = new Map<string, number>();
  /** Node → its last received flight and the time, for rejections that follow the receive. */
  private readonly lastReceive = new Map<number, { flight: number; t: number }>();

  transmit(message: number, from: number, to: number, t: number, bytes: number): void {
    const index = this.flights.length;
    this.flights.push({ message, from, to, startMs: t, endMs: Number.NaN, status: 'in-flight', reason: -1, bytes, isDuplicate: false });
    const key = flightKey(message, from, to);
    const queue = this.pending.get(key);
    if (queue === undefined) this.pending.set(key, [index]);
    else queue.push(index);
  }

  /** A frame of `message` from `from` arrived at `to`. */
  receive(message: number, from: number, to: number, t: number, bytes: number): void {
    const key = flightKey(message, from, to);
    let index = this.take(key);
    if (index === undefined) {
      const original = this.received.get(key);
      if (original === undefined) return; // its transmit is not in the trace (e.g. a partial real trace)
      const source = this.flights[original]!;
      index = this.flights.length;
      this.flights.push({ ...source, endMs: t, status: 'in-flight', reason: -1, bytes, isDuplicate: true });
    }
    const flight = this.flights[index]!;
    flight.endMs = t;
    flight.status = 'delivered';
    this.received.set(key, index);
    this.lastReceive.set(to, { flight: index, t });
  }

  /** A drop of `message` at `node` naming `peer`; returns the flight it ended, or -1. */
  drop(message: number, node: number, peer: number, t: number, reason: number, isAtReceiver: boolean): number {
    const senderKey = flightKey(message, node, peer);
    const receiverKey = flightKey(message, peer, node);
    const first = isAtReceiver ? receiverKey : senderKey;
    const second = isAtReceiver ? senderKey : receiverKey;
    const index = this.take(first) ?? this.take(second);
    if (index !== undefined) {
      const flight = this.flights[index]!;
      flight.endMs = t;
      flight.status = 'dropped';
      flight.reason = reason;
      return index;
    }
    return this.reject(node, peer, t, reason);
  }

  /** A verify-fail or post-receive drop at `node` for a frame from `peer`; returns the flight, or -1. */
  reject(node: number, peer: number, t: number, reason: number): number {
    const last = this.lastReceive.get(node);
    if (last === undefined || last.t !== t) return -1;
    const flight = this.flights[last.flight]!;
    if (flight.from !== peer || flight.status !== 'delivered') return -1;
    flight.status = 'rejected';
    flight.reason = reason;
    return last.flight;
  }

  /** The flights sorted by start time (stable), frames still in flight ending at `endMs`, and the
   *  position of each original flight index in the sorted list. */
  finish(endMs: number): { flights: Flight[]; order: Int32Array } {
    for (const flight of this.flights) if (flight.status === 'in-flight') flight.endMs = endMs;
    const sorted = this.flights.map((_, index) => index).sort((x, y) => this.flights[x]!.startMs - this.flights[y]!.startMs || x - y);
    const order = new Int32Array(this.flights.length);
    sorted.forEach((original, position) => {
      order[original] = position;
    });
    return { flights: sorted.map((index) => this.flights[index]!), order };
  }

  private take(key: string): number | undefined {
    const queue = this.pending.get(key);
    if (queue === undefined) return undefined;
    const index = queue.shift();
    if (queue.length === 0) this.pending.delete(key);
    return index;
  }
}

function flightKey(message: number, from: number, to: number): string {
  return `${message}|${from}|${to}`;
}
