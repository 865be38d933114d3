// One hop of a path and the per-frame transit over a path: serialization at the bottleneck, then
// per-hop draws (loss, duplicate, jitter, in that order, from each hop's own stream), retransmits
// of reliable frames, and the duplicate's arrival.
import type { LinkSpec, Rng } from '../../core/index.js';
import { sampleJitter } from '../distributions.js';

/** The draws a hop makes (a link direction's stream, or the sender's stream in a region underlay). */
export type Draws = Pick<Rng, 'next'>;

/** One hop: its settings, its random stream, and when its wire is free again. */
export interface Hop {
  readonly spec: LinkSpec;
  readonly rng: Draws;
  /** When the wire is free again (bandwidth queueing, ms). */
  busyUntilMs: number;
}

/** Where a frame's transit ended: its arrival (and its copy's) at the far end of the path. */
export interface Transit {
  arrivalMs: number;
  /** NaN when no hop duplicated the frame. */
  duplicateArrivalMs: number;
  /** Retransmissions a reliable frame needed (0 when none). */
  retransmits: number;
}

/** Retransmissions a `reliable` frame gets before it is dropped as lost. */
export const RETRANSMITS_MAX = 8;

/** Smallest frame size limit on the first `count` hops of `path`. */
export function frameSizeMaxBytes(path: ReadonlyArray<Hop>, count: number): number {
  let max = Infinity;
  for (let i = 0; i < count; i++) max = Math.min(max, path[i]!.spec.frameSizeMaxBytes);
  return max;
}

/**
 * Plans a frame of `sizeBytes` entering the path at `startMs` (after the sender's access link; `nowMs`
 * when it has none) and fills `out`. Serialization is paid once, at the hop with the smallest
 * bandwidth, in that hop's FIFO queue. Returns the drop reason, or undefined when the frame arrives.
 * A reliable frame that is lost is retransmitted after one path round trip, with fresh loss draws.
 */
export function transit(path: ReadonlyArray<Hop>, count: number, startMs: number, sizeBytes: number, isReliable: boolean, out: Transit): 'queue-full' | 'loss' | undefined {
  const bottleneck = bottleneckOf(path, count);
  let wireFreeMs = startMs;
  if (bottleneck !== undefined) {
    const bandwidth = bottleneck.spec.bandwidthBytesPerSecond;
    const wireStartMs = Math.max(startMs, bottleneck.busyUntilMs);
    const queuedBytes = ((wireStartMs - startMs) * bandwidth) / 1000;
    if (queuedBytes + sizeBytes > bottleneck.spec.queueBytesMax) return 'queue-full';
    wireFreeMs = wireStartMs + (sizeBytes * 1000) / bandwidth;
    bottleneck.busyUntilMs = wireFreeMs;
  }
  // Every hop draws for every frame (loss, duplicate, jitter), so one hop's settings never shift
  // another hop's stream.
  let isLost = false;
  let duplicateHop = -1;
  let duplicateHopJitterMs = 0;
  let latencyMs = 0;
  let jitterMs = 0;
  for (let i = 0; i < count; i++) {
    const hop = path[i]!;
    const spec = hop.spec;
    if (hop.rng.next() < spec.lossProbability) isLost = true;
    const isDuplicated = hop.rng.next() < spec.duplicateProbability;
    const hopJitterMs = sampleJitter(spec.jitter, hop.rng);
    if (isDuplicated && duplicateHop < 0) {
      duplicateHop = i;
      duplicateHopJitterMs = hopJitterMs;
    }
    latencyMs += spec.latencyMs;
    jitterMs += hopJitterMs;
  }
  let arrivalMs = wireFreeMs + latencyMs + jitterMs;
  out.retransmits = 0;
  if (isLost) {
    if (!isReliable) return 'loss';
    let attempts = 0;
    for (let isStillLost = true; isStillLost; isStillLost = isLostAgain(path, count)) {
      if (++attempts > RETRANSMITS_MAX) return 'loss';
      arrivalMs += 2 * latencyMs + jitterOf(path, count);
    }
    out.retransmits = attempts;
  }
  out.arrivalMs = arrivalMs;
  // The copy leaves the duplicating hop with a fresh jitter draw there; at most one copy per frame.
  out.duplicateArrivalMs = duplicateHop < 0 ? NaN : wireFreeMs + latencyMs + (jitterMs - duplicateHopJitterMs) + drawJitter(path[duplicateHop]!);
  return undefined;
}

/** The hop with the smallest non-zero bandwidth (the first of equals), or undefined when all are unlimited. */
function bottleneckOf(path: ReadonlyArray<Hop>, count: number): Hop | undefined {
  let bottleneck: Hop | undefined;
  for (let i = 0; i < count; i++) {
    const hop = path[i]!;
    const bandwidth = hop.spec.bandwidthBytesPerSecond;
    if (bandwidth > 0 && (bottleneck === undefined || bandwidth < bottleneck.spec.bandwidthBytesPerSecond)) bottleneck = hop;
  }
  return bottleneck;
}

function isLostAgain(path: ReadonlyArray<Hop>, count: number): boolean {
  let isLost = false;
  for (let i = 0; i < count; i++) if (path[i]!.rng.next() < path[i]!.spec.lossProbability) isLost = true;
  return isLost;
}

function jitterOf(path: ReadonlyArray<Hop>, count: number): number {
  let jitterMs = 0;
  for (let i = 0; i < count; i++) jitterMs += drawJitter(path[i]!);
  return jitterMs;
}

function drawJitter(hop: Hop): number {
  return sampleJitter(hop.spec.jitter, hop.rng);
}
