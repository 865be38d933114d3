// A run summary computed from trace events alone, so it is the same for sim and real traces.
import type { TraceEvent, TraceKind } from './trace.js';

export interface TraceSummary {
  readonly events: number;
  readonly sent: number;
  readonly transmitted: number;
  readonly delivered: number;
  readonly dropped: number;
  readonly dropsByReason: Readonly<Record<string, number>>;
  readonly verifyFailures: number;
  readonly verifyFailuresByReason: Readonly<Record<string, number>>;
  /** Sends to a topic: each is delivered once per subscribed engine, so deliveries can outnumber sends. */
  readonly topicSent: number;
  /**
   * Messages sent to an engine, node or domain, each settled by its first delivery or drop:
   * `sent = delivered + dropped + inFlight`, in flight meaning neither when the trace ended (past
   * `PENDING_MAX` messages unsettled at once, the oldest are counted as in flight for good).
   */
  readonly direct: { readonly sent: number; readonly delivered: number; readonly dropped: number; readonly inFlight: number };
  /** Round-trip times logged by `ping` engines. */
  readonly rttMs: Percentiles | undefined;
  /** Send → deliver latency of every deliver event (a duplicate delivery would count twice). */
  readonly latencyMs: Percentiles | undefined;
  readonly endMs: number;
}

export interface Percentiles {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  /** Set when the percentiles come from a histogram (more than `EXACT_SAMPLES_MAX` values): within 0.14%. */
  readonly isApproximate?: true;
}

/** Values kept exactly per distribution; past that, a log histogram of fixed size takes over. */
export const EXACT_SAMPLES_MAX = 1 << 20;
/** Send times kept for send→deliver latency, oldest forgotten first (a delivery of a forgotten send has no latency). */
export const SEND_TIMES_MAX = 1 << 18;
/** Direct messages tracked until settled (delivered or dropped) at once. */
export const PENDING_MAX = 1 << 18;

/** Nearest-rank percentiles of `values` (sorted here); undefined for no values. */
export function percentiles(values: number[]): Percentiles | undefined {
  if (values.length === 0) return undefined;
  const sorted = Float64Array.from(values).sort();
  const rank = (p: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
  return { count: sorted.length, p50: rank(0.5), p90: rank(0.9), p99: rank(0.99), max: sorted[sorted.length - 1]! };
}

// The histogram: bucket 0 holds values ≤ 1 ns (reported as the smallest value seen); bucket i ≥ 1
// holds (2^((i-1)/512), 2^(i/512)] ns, so a bucket is 0.14% wide; 50 doublings reach 13 days.
const BUCKET_FLOOR_MS = 1e-6;
const BUCKETS_PER_DOUBLING = 512;
const BUCKETS = 50 * BUCKETS_PER_DOUBLING + 1;

/** Values whose percentiles are wanted, in bounded memory: exact up to `EXACT_SAMPLES_MAX` values. */
class Distribution {
  private exact: number[] | undefined = [];
  private histogram: Uint32Array | undefined;
  private count = 0;
  private min = Infinity;
  private max = -Infinity;

  add(value: number): void {
    this.count++;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    if (this.exact !== undefined) {
      this.exact.push(value);
      if (this.exact.length <= EXACT_SAMPLES_MAX) return;
      this.histogram = new Uint32Array(BUCKETS);
      for (const kept of this.exact) this.histogram[bucketOf(kept)]!++;
      this.exact = undefined;
      return;
    }
    this.histogram![bucketOf(value)]!++;
  }

  result(): Percentiles | undefined {
    if (this.exact !== undefined) return percentiles(this.exact);
    const histogram = this.histogram!;
    const ranks = [0.5, 0.9, 0.99].map((p) => Math.min(this.count - 1, Math.max(0, Math.ceil(p * this.count) - 1)));
    const values: number[] = [];
    let seen = 0;
    for (let bucket = 0; bucket < BUCKETS && values.length < ranks.length; bucket++) {
      seen += histogram[bucket]!;
      while (values.length < ranks.length && ranks[values.length]! < seen) values.push(bucket === 0 ? this.min : Math.min(this.max, Math.max(this.min, BUCKET_FLOOR_MS * 2 ** (bucket / BUCKETS_PER_DOUBLING))));
    }
    return { count: this.count, p50: values[0]!, p90: values[1]!, p99: values[2]!, max: this.max, isApproximate: true };
  }
}

function bucketOf(value: number): number {
  if (!(value > BUCKET_FLOOR_MS)) return 0;
  return Math.min(BUCKETS - 1, Math.ceil(Math.log2(value / BUCKET_FLOOR_MS) * BUCKETS_PER_DOUBLING));
}

/**
 * Accumulates a summary one event at a time, in bounded memory: counters, at most
 * `SEND_TIMES_MAX` send times and two bounded distributions, so a run need not keep its events.
 */
export class TraceSummarizer {
  private count = 0;
  private sent = 0;
  private transmitted = 0;
  private delivered = 0;
  private dropped = 0;
  private verifyFailures = 0;
  private endMs = 0;
  private readonly dropsByReason: Record<string, number> = {};
  private readonly verifyFailuresByReason: Record<string, number> = {};
  /** Send time by message. */
  private readonly sendTimes = new MessageTable();
  private readonly rtts = new Distribution();
  private readonly latencies = new Distribution();
  private topicSent = 0;
  private directSent = 0;
  private directDelivered = 0;
  private directDropped = 0;
  /** Direct messages not yet delivered or dropped, and those forgotten unsettled past `PENDING_MAX`. */
  private readonly directPending = new MessageTable();
  /** The key being counted (one at a time: no object per message). */
  private readonly key: MessageKey = { prefix: 0, id: 0, text: undefined };
  private directForgotten = 0;

  add(event: TraceEvent): void {
    switch (event.kind) {
      case 'drop':
        this.count++;
        if (event.t > this.endMs) this.endMs = event.t;
        this.dropped++;
        if (event.msg !== undefined && this.directPending.delete(keyOfTraceId(this.key, event.msg))) this.directDropped++;
        increment(this.dropsByReason, event.reason ?? 'unknown');
        return;
      case 'verify-fail':
        this.count++;
        if (event.t > this.endMs) this.endMs = event.t;
        this.verifyFailures++;
        increment(this.verifyFailuresByReason, event.reason ?? 'unknown');
        return;
      case 'log': {
        const rttMs = event.data?.['rttMs'];
        return this.count1(event.kind, event.t, undefined, event.dst, typeof rttMs === 'number' ? rttMs : undefined);
      }
      default:
        return this.count1(event.kind, event.t, event.msg === undefined ? undefined : keyOfTraceId(this.key, event.msg), event.dst, undefined);
    }
  }

  /**
   * Counts an event of any kind but `drop` and `verify-fail` from the fields the summary reads, so a
   * run that keeps no trace need not build the record: for a send or a deliver, the message's source
   * engine and id (its trace id is `messageTraceId(source, id)`, which the summary never builds);
   * `dst` a send's destination kind; `rttMs` a log's `data.rttMs`.
   */
  tally(kind: TraceKind, t: number, source: string | undefined, id: number, dst: string | undefined, rttMs: number | undefined): void {
    this.count1(kind, t, source === undefined ? undefined : keyOfMessage(this.key, source, id), dst, rttMs);
  }

  private count1(kind: TraceKind, t: number, key: MessageKey | undefined, dst: string | undefined, rttMs: number | undefined): void {
    this.count++;
    if (t > this.endMs) this.endMs = t;
    switch (kind) {
      case 'send':
        this.sent++;
        if (key === undefined) return;
        if (this.sendTimes.size >= SEND_TIMES_MAX) this.sendTimes.deleteOldest();
        this.sendTimes.set(key, t);
        if (dst === 'topic') this.topicSent++;
        else if (!this.directPending.has(key)) this.addPending(key);
        return;
      case 'transmit':
        this.transmitted++;
        return;
      case 'deliver': {
        this.delivered++;
        if (key === undefined) return;
        const sentAt = this.sendTimes.get(key);
        if (sentAt !== undefined) this.latencies.add(t - sentAt);
        if (this.directPending.delete(key)) this.directDelivered++;
        return;
      }
      case 'log':
        if (rttMs !== undefined) this.rtts.add(rttMs);
        return;
      default:
        return;
    }
  }

  private addPending(key: MessageKey): void {
    this.directSent++;
    if (this.directPending.size >= PENDING_MAX) {
      this.directPending.deleteOldest();
      this.directForgotten++;
    }
    this.directPending.set(key, 0);
  }

  result(): TraceSummary {
    return {
      events: this.count,
      sent: this.sent,
      transmitted: this.transmitted,
      delivered: this.delivered,
      dropped: this.dropped,
      dropsByReason: { ...this.dropsByReason },
      verifyFailures: this.verifyFailures,
      verifyFailuresByReason: { ...this.verifyFailuresByReason },
      rttMs: this.rtts.result(),
      latencyMs: this.latencies.result(),
      topicSent: this.topicSent,
      direct: { sent: this.directSent, delivered: this.directDelivered, dropped: this.directDropped, inFlight: this.directPending.size + this.directForgotten },
      endMs: this.endMs,
    };
  }
}

function increment(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

/** The summary of a whole trace. */
export function summarizeTrace(events: Iterable<TraceEvent>): TraceSummary {
  const summarizer = new TraceSummarizer();
  for (const event of events) summarizer.add(event);
  return summarizer.result();
}

// ——— message keys ———
// The summary keys messages by their trace id, `<first 12 hex of the source engine>:<id>` (trace.ts
// `messageTraceId`). A canonical one is kept as two numbers, the 48-bit prefix and the id, in a
// table of typed arrays: no string is built, hashed or kept per message (the runtime reports a
// send's and a delivery's source and id, `tally`). Any other trace id (a relay label, a trace
// written elsewhere) is kept as its string. Two trace ids get the same key exactly when they are
// the same string.

/** A message key, filled in place (one summarizer counts one message at a time). */
interface MessageKey {
  /** The source's 48-bit prefix and the id of a canonical trace id. */
  prefix: number;
  id: number;
  /** A trace id that is not canonical: the key is this string (prefix and id unused). */
  text: string | undefined;
}

/** `key` filled with the key of message `id` of source engine `source` (the key of `messageTraceId(source, id)`). */
function keyOfMessage(key: MessageKey, source: string, id: number): MessageKey {
  const prefix = source.length >= 12 ? hexPrefix(source, 0) : -1;
  if (prefix < 0 || !Number.isSafeInteger(id) || id < 0) return keyOfTraceId(key, `${source.slice(0, 12)}:${id}`);
  key.prefix = prefix;
  key.id = id;
  key.text = undefined;
  return key;
}

/** `key` filled with the key of trace id `msg`. */
function keyOfTraceId(key: MessageKey, msg: string): MessageKey {
  const prefix = msg.length >= 14 && msg.charCodeAt(12) === 0x3a ? hexPrefix(msg, 0) : -1;
  const id = prefix < 0 ? -1 : decimal(msg, 13);
  key.prefix = prefix < 0 || id < 0 ? 0 : prefix;
  key.id = prefix < 0 || id < 0 ? 0 : id;
  key.text = prefix < 0 || id < 0 ? msg : undefined;
  return key;
}

/** The 12 lowercase hex digits of `text` from `start` as a number, or -1. */
function hexPrefix(text: string, start: number): number {
  let value = 0;
  for (let i = start; i < start + 12; i++) {
    const code = text.charCodeAt(i);
    const digit = code >= 0x30 && code <= 0x39 ? code - 0x30 : code >= 0x61 && code <= 0x66 ? code - 0x57 : -1;
    if (digit < 0) return -1;
    value = value * 16 + digit;
  }
  return value;
}

/** The canonical decimal (no sign, no leading zero) safe integer that `text` ends with from `start`, or -1. */
function decimal(text: string, start: number): number {
  const length = text.length - start;
  if (length < 1 || length > 16 || (length > 1 && text.charCodeAt(start) === 0x30)) return -1;
  let value = 0;
  for (let i = start; i < text.length; i++) {
    const digit = text.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return Number.isSafeInteger(value) ? value : -1;
}

const EMPTY = -1;

/**
 * Message keys in insertion order with a number each (a Map that keeps no string per canonical
 * key): entries in a ring of typed arrays, hash chains through them, the
 * oldest entry first out. A deleted entry leaves a hole, skipped when it is the oldest; a full ring
 * is compacted, or doubled when more than half of it is live.
 */
class MessageTable {
  size = 0;
  private capacity = 0;
  private prefixes = new Float64Array(0);
  private ids = new Float64Array(0);
  private values = new Float64Array(0);
  /** Next entry of the same bucket, by ring slot (EMPTY: none). */
  private chain = new Int32Array(0);
  /** First entry of each bucket, by ring slot. */
  private buckets = new Int32Array(0);
  /** Non-canonical keys by ring slot (undefined for canonical ones). */
  private texts: Array<string | undefined> = [];
  /** Whether the slot holds a live entry. */
  private isLive = new Uint8Array(0);
  /** Ring positions: `head` is the oldest entry (or hole), `tail` the next free one; slots are positions mod capacity. */
  private head = 0;
  private tail = 0;

  has(key: MessageKey): boolean {
    return this.find(key) !== EMPTY;
  }

  /** The number stored for `key`, or undefined. */
  get(key: MessageKey): number | undefined {
    const slot = this.find(key);
    return slot === EMPTY ? undefined : this.values[slot]!;
  }

  /** Sets `key`'s number (a new key goes last; an existing one keeps its place). */
  set(key: MessageKey, value: number): void {
    const found = this.find(key);
    if (found !== EMPTY) return void (this.values[found] = value);
    if (this.tail - this.head === this.capacity) this.resize(this.size * 2 >= this.capacity ? Math.max(16, this.capacity * 2) : this.capacity);
    const slot = this.tail++ % this.capacity;
    this.prefixes[slot] = key.prefix;
    this.ids[slot] = key.id;
    this.texts[slot] = key.text;
    this.values[slot] = value;
    this.isLive[slot] = 1;
    const bucket = this.bucketOfKey(key);
    this.chain[slot] = this.buckets[bucket]!;
    this.buckets[bucket] = slot;
    this.size++;
  }

  /** Deletes `key`; false when it was absent. */
  delete(key: MessageKey): boolean {
    if (this.capacity === 0) return false;
    const bucket = this.bucketOfKey(key);
    let previous = EMPTY;
    for (let slot = this.buckets[bucket]!; slot !== EMPTY; previous = slot, slot = this.chain[slot]!) {
      if (!this.holds(slot, key)) continue;
      this.unlink(bucket, previous, slot);
      return true;
    }
    return false;
  }

  /** Deletes the oldest entry (there is one). */
  deleteOldest(): void {
    while (this.isLive[this.head % this.capacity] === 0) this.head++;
    const slot = this.head % this.capacity;
    const bucket = this.bucketOfSlot(slot);
    let previous = EMPTY;
    for (let at = this.buckets[bucket]!; at !== slot; at = this.chain[at]!) previous = at;
    this.unlink(bucket, previous, slot);
  }

  private unlink(bucket: number, previous: number, slot: number): void {
    if (previous === EMPTY) this.buckets[bucket] = this.chain[slot]!;
    else this.chain[previous] = this.chain[slot]!;
    this.isLive[slot] = 0;
    this.texts[slot] = undefined;
    this.size--;
    while (this.head < this.tail && this.isLive[this.head % this.capacity] === 0) this.head++;
  }

  private find(key: MessageKey): number {
    if (this.capacity === 0) return EMPTY;
    for (let slot = this.buckets[this.bucketOfKey(key)]!; slot !== EMPTY; slot = this.chain[slot]!) if (this.holds(slot, key)) return slot;
    return EMPTY;
  }

  private holds(slot: number, key: MessageKey): boolean {
    return key.text === undefined ? this.texts[slot] === undefined && this.ids[slot] === key.id && this.prefixes[slot] === key.prefix : this.texts[slot] === key.text;
  }

  private bucketOfKey(key: MessageKey): number {
    return key.text === undefined ? bucketOf2(key.prefix, key.id, this.capacity) : bucketOfText(key.text, this.capacity);
  }

  private bucketOfSlot(slot: number): number {
    const text = this.texts[slot];
    return text === undefined ? bucketOf2(this.prefixes[slot]!, this.ids[slot]!, this.capacity) : bucketOfText(text, this.capacity);
  }

  /** Rebuilds the ring with `capacity` slots, live entries first in their order. */
  private resize(capacity: number): void {
    const { prefixes, ids, values, texts, isLive, head, tail } = this;
    const old = this.capacity;
    this.capacity = capacity;
    this.prefixes = new Float64Array(capacity);
    this.ids = new Float64Array(capacity);
    this.values = new Float64Array(capacity);
    this.chain = new Int32Array(capacity);
    this.buckets = new Int32Array(capacity).fill(EMPTY);
    this.texts = new Array<string | undefined>(capacity).fill(undefined);
    this.isLive = new Uint8Array(capacity);
    this.head = 0;
    this.tail = 0;
    for (let position = head; position < tail; position++) {
      const from = position % old;
      if (isLive[from] === 0) continue;
      const slot = this.tail++;
      this.prefixes[slot] = prefixes[from]!;
      this.ids[slot] = ids[from]!;
      this.values[slot] = values[from]!;
      this.texts[slot] = texts[from];
      this.isLive[slot] = 1;
      const bucket = this.bucketOfSlot(slot);
      this.chain[slot] = this.buckets[bucket]!;
      this.buckets[bucket] = slot;
    }
  }
}

/** A bucket (capacity a power of 2) for a 48-bit prefix and a safe-integer id. */
function bucketOf2(prefix: number, id: number, capacity: number): number {
  let h = Math.imul((prefix | 0) ^ Math.imul((prefix / 0x100000000) | 0, 0x9e3779b1), 0x85ebca6b);
  h ^= Math.imul((id | 0) ^ Math.imul((id / 0x100000000) | 0, 0x27d4eb2f), 0xc2b2ae35);
  h ^= h >>> 15;
  return h & (capacity - 1);
}

function bucketOfText(text: string, capacity: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  h ^= h >>> 15;
  return h & (capacity - 1);
}
