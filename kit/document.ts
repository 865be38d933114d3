// The scenario documents the arbitraries build: plain YAML/JSON values that the scenario schema
// accepts (input side, units as strings), so a failing case is written out as a replayable file.

/** Link settings as a scenario file writes them (`"20ms"`, `"1%"`). */
export interface LinkFieldsDocument {
  readonly latency?: string;
  readonly jitter?: string;
  readonly loss?: string;
  readonly duplicate?: string;
  readonly bandwidth?: string;
  readonly queueMax?: string;
}

export interface LinkDocument extends LinkFieldsDocument {
  readonly between: readonly [string, string];
}

/** `topology:` of a scenario, always explicit (no generators) so a shrunk file reads at a glance. */
export interface TopologyDocument {
  readonly nodes: ReadonlyArray<string>;
  readonly links: ReadonlyArray<LinkDocument>;
}

/** One `engines:` entry; `module` is a path relative to the scenario file (or absolute). */
export interface EngineDocument {
  readonly on: string | ReadonlyArray<string>;
  readonly kind: string;
  readonly name?: string;
  readonly params?: Readonly<Record<string, unknown>>;
  readonly module?: string;
  readonly persistent?: boolean;
}

/** One `workloads:` entry. */
export interface WorkloadDocument {
  readonly name: string;
  readonly from: ReadonlyArray<string>;
  readonly to?: 'neighbors' | 'random' | ReadonlyArray<string>;
  readonly topic?: string;
  readonly rate: string;
  readonly count: number;
  readonly size: number;
  readonly start: string;
}

/** One timed `events:` entry (the schema's union, loosely typed: `at` plus one action key). */
export type EventDocument = { readonly at: string } & Readonly<Record<string, unknown>>;

/** A whole scenario document. */
export interface ScenarioDocumentInput {
  readonly name: string;
  readonly seed?: number;
  readonly duration: string;
  readonly crypto: 'ed25519' | 'sim-keyed';
  /** How often a live `ctx.buggify` site fires. */
  readonly buggify?: number;
  readonly topology: TopologyDocument;
  /** `knows:` entries (whose adverts each node starts with). */
  readonly knows?: ReadonlyArray<{ readonly on: string | ReadonlyArray<string>; readonly peers: unknown }>;
  /** `connections:` settings. */
  readonly connections?: Readonly<Record<string, string>>;
  readonly engines: ReadonlyArray<EngineDocument>;
  readonly workloads: ReadonlyArray<WorkloadDocument>;
  readonly events: ReadonlyArray<EventDocument>;
  readonly expect?: Readonly<Record<string, unknown>>;
}

/** `"12ms"` from a whole number of milliseconds. */
export function msText(valueMs: number): string {
  return `${Math.round(valueMs)}ms`;
}

/** `"0.5%"` from a probability given in permille (whole numbers shrink cleanly). */
export function permilleText(permille: number): string {
  return `${permille / 10}%`;
}
