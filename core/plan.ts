// A resolved network plan: what scenario files become and what every backend runs.
// Backend-agnostic; the simulator runs it in virtual time, transports/ deploys it on real sockets.
import type { EngineFactory } from './engine.js';

/** Extra per-frame delay drawn on each transmission (ms); always ≥ 0 so latency is a floor. */
export type JitterSpec =
  | { readonly kind: 'none' }
  | { readonly kind: 'uniform'; readonly maxMs: number }
  | { readonly kind: 'normal'; readonly meanMs: number; readonly sdMs: number }
  | { readonly kind: 'exponential'; readonly meanMs: number }
  | { readonly kind: 'pareto'; readonly scaleMs: number; readonly shape: number }
  | { readonly kind: 'bimodal'; readonly fastMs: number; readonly slowMs: number; readonly slowProbability: number };

/** One direction of a link. */
export interface LinkSpec {
  readonly latencyMs: number;
  readonly jitter: JitterSpec;
  /** 0 = unlimited. */
  readonly bandwidthBytesPerSecond: number;
  readonly lossProbability: number;
  readonly duplicateProbability: number;
  /** Frames larger than this are dropped with reason `too-large`. */
  readonly frameSizeMaxBytes: number;
  /** Bytes waiting for the wire before frames are dropped with reason `queue-full`. */
  readonly queueBytesMax: number;
}

export const LINK_DEFAULTS: LinkSpec = {
  latencyMs: 10,
  jitter: { kind: 'none' },
  bandwidthBytesPerSecond: 0,
  lossProbability: 0,
  duplicateProbability: 0,
  frameSizeMaxBytes: 1 << 20,
  queueBytesMax: 16 << 20,
};

/** A bidirectional link; `ab` is the direction from `a` to `b`. */
export interface PlanLink {
  readonly a: string;
  readonly b: string;
  readonly ab: LinkSpec;
  readonly ba: LinkSpec;
}

/** An engine placed on a node. */
export interface PlanEngine {
  readonly name: string;
  readonly kind: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly factory: EngineFactory;
  /** Keeps the engine instance (and its state) across a crash and restart of its node. */
  readonly isPersistent?: boolean;
  /** Absolute path of the module the factory was loaded from (real nodes in other processes load it). */
  readonly module?: string;
}

export interface PlanNode {
  readonly name: string;
  readonly engines: ReadonlyArray<PlanEngine>;
}

/** Timed actions (the scenario language grows this union). */
export type PlanEvent =
  | { readonly atMs: number; readonly kind: 'crash'; readonly node: string }
  | { readonly atMs: number; readonly kind: 'restart'; readonly node: string }
  | { readonly atMs: number; readonly kind: 'partition'; readonly groups: ReadonlyArray<ReadonlyArray<string>>; readonly isOneWay: boolean }
  | { readonly atMs: number; readonly kind: 'heal' }
  | { readonly atMs: number; readonly kind: 'link-down' | 'link-up'; readonly a: string; readonly b: string }
  | { readonly atMs: number; readonly kind: 'set-link'; readonly a: string; readonly b: string; readonly change: Partial<LinkSpec> }
  /** Engine `from` (`node/engine`) sends `sizeBytes` to engine `to`. */
  | { readonly atMs: number; readonly kind: 'send'; readonly from: string; readonly to: string; readonly sizeBytes: number }
  /** Engine `from` publishes `sizeBytes` to `topic` (a topic name). */
  | { readonly atMs: number; readonly kind: 'publish'; readonly from: string; readonly topic: string; readonly sizeBytes: number }
  | { readonly atMs: number; readonly kind: 'subscribe' | 'unsubscribe'; readonly engine: string; readonly topic: string }
  /** From now on the node's engines read a clock off by `skewMs`. */
  | { readonly atMs: number; readonly kind: 'clock-skew'; readonly node: string; readonly skewMs: number };

export interface NetworkPlan {
  readonly name: string;
  readonly seed: number;
  /** Run length in ms of (virtual) time. */
  readonly durationMs: number;
  readonly nodes: ReadonlyArray<PlanNode>;
  readonly links: ReadonlyArray<PlanLink>;
  readonly events: ReadonlyArray<PlanEvent>;
  /** `ed25519` (default) or `sim-keyed` for very large simulations. */
  readonly crypto: 'ed25519' | 'sim-keyed';
  /** The scenario document the plan came from (written inline in the trace header). */
  readonly source: unknown;
  /** The file it was loaded from, when any. */
  readonly sourceFile?: string;
}
