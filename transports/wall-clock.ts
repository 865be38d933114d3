// The wall Clock port: ms since `originMs` (Unix epoch ms), performance.now-based for resolution.
// Callbacks due now run from one setImmediate queue (setTimeout(0) would add ≥ 1 ms per hop).
import type { Clock, TimerId } from '../core/index.js';

export interface WallClock extends Clock {
  /** Cancels every pending callback (used when a node stops). */
  cancelAll(): void;
  /** Moves time zero to `originMs` (a deployment's common start, known only once all nodes listen). */
  setOrigin(originMs: number): void;
}

/**
 * A wall clock whose zero is `originMs` (ms since the Unix epoch; 0 = the epoch itself). With
 * `timeScale` s, one clock ms lasts s wall ms (0.1 = ten times faster than real time).
 */
export function createWallClock(originMs = 0, timeScale = 1): WallClock {
  let offsetMs = performance.timeOrigin - originMs;
  const timers = new Map<TimerId, NodeJS.Timeout | null>();
  let immediate: Array<{ id: TimerId; callback: () => void }> = [];
  let isImmediateScheduled = false;
  let nextId = 1;
  const now = (): number => (offsetMs + performance.now()) / timeScale;
  function drain(): void {
    isImmediateScheduled = false;
    const batch = immediate;
    immediate = [];
    for (const entry of batch) {
      if (!timers.delete(entry.id)) continue;
      entry.callback();
    }
  }
  return {
    now,
    schedule(atMs, callback) {
      const id = nextId++;
      const delayMs = atMs - now();
      if (delayMs <= 0) {
        timers.set(id, null);
        immediate.push({ id, callback });
        if (!isImmediateScheduled) {
          isImmediateScheduled = true;
          setImmediate(drain);
        }
        return id;
      }
      timers.set(
        id,
        setTimeout(() => {
          if (timers.delete(id)) callback();
        }, Math.ceil(delayMs * timeScale)),
      );
      return id;
    },
    cancel(id) {
      const handle = timers.get(id);
      if (handle) clearTimeout(handle);
      timers.delete(id);
    },
    setOrigin(newOriginMs) {
      offsetMs = performance.timeOrigin - newOriginMs;
    },
    cancelAll() {
      for (const handle of timers.values()) if (handle) clearTimeout(handle);
      timers.clear();
      immediate = [];
    },
  };
}
