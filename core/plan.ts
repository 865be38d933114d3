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

/**
 * A host's access link, as Shadow models hosts: frames are serialized at the sender's upload
 * bandwidth and at the receiver's download bandwidth, each a FIFO queue bounded in bytes.
 */
export interface AccessSpec {
  /** 0 = unlimited. */
  readonly uploadBytesPerSecond: number;
  /** 0 = unlimited. */
  readonly downloadBytesPerSecond: number;
  /** Bytes waiting in either queue before frames are dropped with reason `queue-full`. */
  readonly queueBytesMax: number;
}

/**
 * The region underlay: every host sits in one of `names`, and a frame from region i to region j
 * takes one hop with the settings `pairs[i * names.length + j]` (bandwidth 0: hosts serialize at
 * their access links). Plans with regions have no links and no routers.
 */
export interface PlanRegions {
  readonly names: ReadonlyArray<string>;
  readonly pairs: ReadonlyArray<LinkSpec>;
}

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
  /**
   * Nodes whose signed adverts (and engine locations) this node's configuration holds, in order;
   * absent = its link neighbours. May name the node itself (ignored), so one list can be shared.
   */
  readonly knows?: ReadonlyArray<string>;
  /** The host's access link (none: frames enter the path at once). */
  readonly access?: AccessSpec;
  /** Its region, one of `NetworkPlan.regions.names` (region underlay only). */
  readonly region?: string;
}

/**
 * Every node's `knows` list as plan indexes, in one table: node i knows the nodes
 * `peers[offsets[i]]` … `peers[offsets[i + 1] − 1]`, in its list's order, never itself, without
 * repeats. A simulation of 10⁵ nodes reads it instead of looking up 8 names per node. It holds
 * for `nodes` only: a plan whose node list was replaced is read from the names.
 */
export interface PlanPeerTable {
  readonly nodes: ReadonlyArray<PlanNode>;
  readonly offsets: Int32Array;
  readonly peers: Int32Array;
}

/** How nodes connect: what the simulated Transport does, in virtual time, as the real ones do. */
export interface ConnectionSettings {
  /** A dial that has not completed by then fails with `dial/timeout` (ms). */
  readonly connectTimeoutMs: number;
  /** A connection whose peer went silent (crashed, cut off) is declared dead this long after (ms). */
  readonly idleTimeoutMs: number;
  /** An ephemeral connection with no frame either way for this long is closed (S21, ms). */
  readonly ephemeralIdleMs: number;
  /** Frames and bytes waiting for a connection to one peer; beyond, frames are dropped with `queue-full`. */
  readonly queueFramesMax: number;
  readonly queueBytesMax: number;
  /** How long a frame without an expiry may wait for a connection (ms; S18). */
  readonly queuedMsMax: number;
  /** Re-dial back-off: doubles from the minimum to the maximum, with ±25% jitter (ms). */
  readonly backoffMsMin: number;
  readonly backoffMsMax: number;
  /** Which peers each node dials at boot as permanent connections (re-dialled after any loss). */
  readonly permanent: 'neighbors' | 'known' | 'none';
}

/**
 * Defaults measured on the real transports: QUIC with the project's settings (5 s idle timeout,
 * 1 s keep-alive) reports a killed peer after ≈ 6 s; dial timeout, queue bounds and back-off are
 * the connection manager's (transports/peer-transport.ts); 60 s idle close of ephemeral
 * connections is the spec's suggestion (Q18).
 */
export const CONNECTION_DEFAULTS: ConnectionSettings = {
  connectTimeoutMs: 5000,
  idleTimeoutMs: 6000,
  ephemeralIdleMs: 60_000,
  queueFramesMax: 65_536,
  queueBytesMax: 16 * 1024 * 1024,
  queuedMsMax: 30_000,
  backoffMsMin: 250,
  backoffMsMax: 30_000,
  permanent: 'neighbors',
};

/** Timed actions (the scenario language grows this union). */
export type PlanEvent =
  | { readonly atMs: number; readonly kind: 'crash'; readonly node: string }
  | { readonly atMs: number; readonly kind: 'restart'; readonly node: string }
  /** The node freezes with its state kept until `resume` (inputs wait). */
  /** Crash or pause every node whose engine `engine` reports (`inspect()`) all the values of `state`; `restart`/`resume` of node `*` undo all. */
  | { readonly atMs: number; readonly kind: 'crash-where'; readonly engine: string; readonly state: Readonly<Record<string, string | number | boolean>> }
  | { readonly atMs: number; readonly kind: 'pause-where'; readonly engine: string; readonly state: Readonly<Record<string, string | number | boolean>> }
  /** Storage faults on the durable stores (`ctx.disk`) of `engine` on `node` (all its engines when absent). */
  | { readonly atMs: number; readonly kind: 'lose-writes'; readonly node: string; readonly engine?: string; readonly count: number }
  | { readonly atMs: number; readonly kind: 'corrupt-write'; readonly node: string; readonly engine?: string }
  | { readonly atMs: number; readonly kind: 'pause'; readonly node: string }
  | { readonly atMs: number; readonly kind: 'resume'; readonly node: string }
  | { readonly atMs: number; readonly kind: 'partition'; readonly groups: ReadonlyArray<ReadonlyArray<string>>; readonly isOneWay: boolean }
  | { readonly atMs: number; readonly kind: 'heal' }
  | { readonly atMs: number; readonly kind: 'link-down' | 'link-up'; readonly a: string; readonly b: string }
  | { readonly atMs: number; readonly kind: 'set-link'; readonly a: string; readonly b: string; readonly change: Partial<LinkSpec> }
  /** Engine `from` (`node/engine`) sends `sizeBytes` to engine `to`. */
  | { readonly atMs: number; readonly kind: 'send'; readonly from: string; readonly to: string; readonly sizeBytes: number }
  /** Engine `from` publishes `sizeBytes` to `topic` (a topic name). */
  | { readonly atMs: number; readonly kind: 'publish'; readonly from: string; readonly topic: string; readonly sizeBytes: number }
  | { readonly atMs: number; readonly kind: 'subscribe' | 'unsubscribe'; readonly engine: string; readonly topic: string }
  /** From now on the node's clock (engines' `ctx.now()` and timers) is off by `skewMs`. */
  | { readonly atMs: number; readonly kind: 'clock-skew'; readonly node: string; readonly skewMs: number }
  /** From now on the node's clock advances `rate` ms per real ms (drift; 1 = on time). */
  | { readonly atMs: number; readonly kind: 'clock-drift'; readonly node: string; readonly rate: number }
  /** One step of a clock strobe: from now on the node's clock is displaced by `offsetMs` (0 = back). */
  | { readonly atMs: number; readonly kind: 'clock-strobe'; readonly node: string; readonly offsetMs: number };

export interface NetworkPlan {
  readonly name: string;
  readonly seed: number;
  /** Run length in ms of (virtual) time. */
  readonly durationMs: number;
  readonly nodes: ReadonlyArray<PlanNode>;
  readonly links: ReadonlyArray<PlanLink>;
  /** Nodes of the link graph that run no engines and only forward frames (graph underlay). */
  readonly routers?: ReadonlyArray<string>;
  /** The region underlay, instead of a link graph. */
  readonly regions?: PlanRegions;
  /** Every node's `knows` list as plan indexes, when the scenario drew them so (see PlanPeerTable). */
  readonly knowsTable?: PlanPeerTable;
  readonly events: ReadonlyArray<PlanEvent>;
  /**
   * Frame timing chosen instead of drawn (what exhaustive exploration found): option i < delays
   * arrives after `delaysMs[i]`, `delaysMs.length` drops the frame, `delaysMs.length + 1` crashes its
   * receiver; one choice per carried frame, later frames take option 0.
   */
  readonly schedule?: { readonly delaysMs: ReadonlyArray<number>; readonly choices: ReadonlyArray<number>; readonly restartAfterMs?: number };
  /** How often a live `ctx.buggify` site fires in the simulator (absent: never). */
  readonly buggifyProbability?: number;
  /** `ed25519` (default) or `sim-keyed` for very large simulations. */
  readonly crypto: 'ed25519' | 'sim-keyed';
  /** Connection behaviour (absent = CONNECTION_DEFAULTS). */
  readonly connections?: ConnectionSettings;
  /** The scenario document the plan came from (written inline in the trace header). */
  readonly source: unknown;
  /** The file it was loaded from, when any. */
  readonly sourceFile?: string;
}
