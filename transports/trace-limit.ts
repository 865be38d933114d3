// Rate limit of repeated refusal records on real nodes. A peer flooding a node with frames it
// refuses (badly signed, replayed, for another node, over its queue) would otherwise make the node
// write a `receive` and a `drop`/`verify-fail` record per frame: hundreds of MB of trace and log
// from one attacker. Per (node, kind, peer, reason), the first `perWindow` records of each window
// of `windowMs` are traced; the rest are counted, with the `receive` record each refused frame
// came with, and one summary record per key and window says how many were left out
// (`data.suppressed`, `data.receives`). Windows are measured on the records' own times, so the
// result depends only on the records; summaries are written when the key's next record comes
// after its window, at every sweep (a real timer: this runs on real nodes only, never in the
// simulator, whose traces stay complete), and at close.
import type { TraceRecord, TraceSink } from '../core/index.js';

export interface DropRecordLimit {
  /** Records traced per key (node, kind, peer, reason) and window; 0 disables the limit. */
  readonly perWindow: number;
  /** Window length (ms of the node's clock). */
  readonly windowMs: number;
}

export const DROP_RECORD_LIMIT_DEFAULTS: DropRecordLimit = { perWindow: 100, windowMs: 10_000 };

/** The kinds of record limited: a peer can make a node write one of these per frame it sends. */
const LIMITED_KINDS: ReadonlySet<string> = new Set(['drop', 'verify-fail']);

interface Window {
  readonly kind: TraceRecord['kind'];
  readonly node: string;
  readonly peer: string | undefined;
  readonly reason: string | undefined;
  startMs: number;
  traced: number;
  suppressed: number;
  receives: number;
  lastMs: number;
}

/** A sink that passes records to `sink`, limiting repeated refusal records (see the file comment). */
export interface LimitedTraceSink extends TraceSink {
  /** Writes the summaries of windows that ended by `nowMs` (all of them when omitted). */
  sweep(nowMs?: number): void;
}

export function limitDropRecords(sink: TraceSink, limit: DropRecordLimit = DROP_RECORD_LIMIT_DEFAULTS): LimitedTraceSink {
  if (limit.perWindow <= 0) return { emit: (record) => sink.emit(record), sweep: () => {} };
  const windows = new Map<string, Window>();
  /** A `receive` record held until the next record says whether its frame's refusal is traced. */
  let held: TraceRecord | undefined;
  let isReleaseScheduled = false;

  const release = (): void => {
    if (held === undefined) return;
    const record = held;
    held = undefined;
    sink.emit(record);
  };
  const summarize = (window: Window): void => {
    if (window.suppressed === 0) return;
    sink.emit({
      t: window.lastMs,
      kind: window.kind,
      node: window.node,
      ...(window.peer !== undefined && { peer: window.peer }),
      ...(window.reason !== undefined && { reason: window.reason }),
      text: `${window.suppressed} more ${window.kind} records like this (and ${window.receives} receive records) not traced in ${limit.windowMs} ms from ${window.startMs}`,
      data: { suppressed: window.suppressed, receives: window.receives, windowMs: limit.windowMs },
    });
    window.suppressed = 0;
    window.receives = 0;
  };

  return {
    emit(record) {
      if (record.kind === 'receive') {
        release();
        held = record;
        // A refusal follows its receive synchronously; anything still held after this task is traced.
        if (!isReleaseScheduled) {
          isReleaseScheduled = true;
          queueMicrotask(() => {
            isReleaseScheduled = false;
            release();
          });
        }
        return;
      }
      if (!LIMITED_KINDS.has(record.kind)) {
        release();
        return sink.emit(record);
      }
      const key = `${record.node}\0${record.kind}\0${record.peer ?? ''}\0${record.reason ?? ''}`;
      let window = windows.get(key);
      if (window !== undefined && record.t - window.startMs >= limit.windowMs) {
        summarize(window);
        windows.delete(key);
        window = undefined;
      }
      if (window === undefined) {
        window = { kind: record.kind, node: record.node, peer: record.peer, reason: record.reason, startMs: record.t, traced: 0, suppressed: 0, receives: 0, lastMs: record.t };
        windows.set(key, window);
      }
      window.lastMs = record.t;
      if (window.traced < limit.perWindow) {
        window.traced++;
        release();
        return sink.emit(record);
      }
      window.suppressed++;
      // The frame's own receive record goes with it (same peer, same message when it has one).
      if (held !== undefined && held.node === record.node && held.peer === record.peer && held.msg === record.msg) {
        held = undefined;
        window.receives++;
      } else release();
    },
    sweep(nowMs) {
      release();
      for (const [key, window] of windows) {
        if (nowMs !== undefined && nowMs - window.startMs < limit.windowMs) continue;
        summarize(window);
        windows.delete(key);
      }
    },
  };
}
