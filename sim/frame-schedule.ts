// Frame timing chosen from outside, for exhaustive exploration and for replaying what it found:
// each frame the network carries is a decision — arrive after one of a few delays, be dropped, or
// crash its receiver instead — made by a chooser (the explorer) or read from a recorded list.
// Link latency, jitter and loss are not drawn then; partitions and downed links still cut.

/** Option `i < delaysMs.length`: arrive after `delaysMs[i]`; `delaysMs.length`: drop; `delaysMs.length + 1`: crash the receiver. */
export interface FrameScheduleSpec {
  readonly delaysMs: ReadonlyArray<number>;
  /** Recorded choices, one per frame in the order they are carried; later frames take option 0. */
  readonly choices: ReadonlyArray<number>;
  /** A receiver crashed by a choice restarts this long after (default: it stays down). */
  readonly restartAfterMs?: number;
}

/** What one frame does. */
export type FrameDecision = { readonly kind: 'arrive'; readonly delayMs: number } | { readonly kind: 'drop' } | { readonly kind: 'crash-receiver'; readonly delayMs: number };

/** Chooses option `choose(index)` for the index-th frame carried (0-based). */
export type FrameChooser = (index: number, from: string, to: string) => number;

export class FrameSchedule {
  private index = 0;

  constructor(
    private readonly spec: FrameScheduleSpec,
    private readonly chooser?: FrameChooser,
  ) {}

  /** The decision for the next frame. */
  decide(from: string, to: string): FrameDecision {
    const index = this.index++;
    const option = this.chooser?.(index, from, to) ?? this.spec.choices[index] ?? 0;
    const delays = this.spec.delaysMs;
    if (option < delays.length) return { kind: 'arrive', delayMs: delays[option]! };
    if (option === delays.length) return { kind: 'drop' };
    return { kind: 'crash-receiver', delayMs: delays[0]! };
  }
}
