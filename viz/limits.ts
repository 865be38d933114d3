// What a trace may make the report do. A trace is input from anyone: a report of 10⁸ events or
// 10⁶ nodes would not open, and a time of 1e308 ms cannot be drawn, so these are bounded.

/** Report limits; `ReportOptions.limits` raises them. */
export interface ReportLimits {
  /** Events in the trace. */
  readonly events: number;
  /** Nodes (the header's and those events name). */
  readonly nodes: number;
  /** Links drawn from the header. */
  readonly links: number;
  /** Characters kept of a name, id or text from the trace (longer ones are cut, with `…`). */
  readonly fieldChars: number;
  /** Times beyond ±this many ms are not drawn (listed as skipped). */
  readonly timeMs: number;
}

export const REPORT_LIMITS: ReportLimits = { events: 5_000_000, nodes: 100_000, links: 1_000_000, fieldChars: 200, timeMs: 1e12 };
