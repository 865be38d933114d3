// The scenario file schema (zod). Units are parsed here, so a bad value is reported at its field.
// `netmachine schema` exports it as JSON Schema for editors.
import { z } from 'zod';
import type { Result } from '../core/index.js';
import { excerpt } from './excerpt.js';
import { parseBandwidth, parseDuration, parseProbability, parseSize } from './units.js';

function unit(parse: (value: unknown) => Result<number, string>, example: string) {
  return z
    .union([z.number(), z.string()])
    .meta({ description: `a number or a string with a unit, like ${example}` })
    .transform((value, ctx) => {
      const parsed = parse(value);
      if (parsed.ok) return parsed.value;
      ctx.addIssue({ code: 'custom', message: parsed.error, params: { code: 'scenario/bad-unit' } });
      return z.NEVER;
    });
}

export const Duration = unit(parseDuration, '"20ms" or "1.5s"');
export const Bandwidth = unit(parseBandwidth, '"10Mbps" or "1MB/s"');
export const Size = unit(parseSize, '"1500B" or "4KiB"');
export const Probability = unit(parseProbability, '"1%" or 0.01');
const Name = z.string().regex(/^[A-Za-z0-9_.:-]+$/, 'expected a name of letters, digits, "_", ".", ":" or "-"');

const Jitter = z.union([
  Duration.transform((maxMs) => ({ dist: 'uniform' as const, maxMs })),
  z.strictObject({ dist: z.literal('uniform'), max: Duration }).transform((j) => ({ dist: j.dist, maxMs: j.max })),
  z.strictObject({ dist: z.literal('normal'), mean: Duration, sd: Duration }).transform((j) => ({ dist: j.dist, meanMs: j.mean, sdMs: j.sd })),
  z.strictObject({ dist: z.literal('exponential'), mean: Duration }).transform((j) => ({ dist: j.dist, meanMs: j.mean })),
  z.strictObject({ dist: z.literal('pareto'), scale: Duration, shape: z.number().positive() }).transform((j) => ({ dist: j.dist, scaleMs: j.scale, shape: j.shape })),
  z
    .strictObject({ dist: z.literal('bimodal'), fast: Duration, slow: Duration, slowProbability: Probability })
    .transform((j) => ({ dist: j.dist, fastMs: j.fast, slowMs: j.slow, slowProbability: j.slowProbability })),
]);
export type JitterField = z.output<typeof Jitter>;

/** Link settings; every field optional so classes and defaults can layer. */
export const LinkFields = z.strictObject({
  latency: Duration.optional(),
  jitter: Jitter.optional(),
  bandwidth: Bandwidth.optional(),
  loss: Probability.optional(),
  duplicate: Probability.optional(),
  frameSizeMax: Size.optional(),
  queueMax: Size.optional(),
});
export type LinkFieldsValue = z.output<typeof LinkFields>;

const LinkEntry = z.preprocess(
  (value) => (Array.isArray(value) ? { between: value } : value),
  LinkFields.extend({
    between: z.tuple([Name, Name]),
    class: Name.optional(),
    /** Overrides for the direction from `between[0]` to `between[1]`, and back. */
    forward: LinkFields.optional(),
    backward: LinkFields.optional(),
  }),
);

/** Which nodes: `all`, a name, a glob (`edge-*`), a list, or `{ sample: k }` drawn with the seed. */
export const Selector = z.union([
  z.string().min(1),
  z.array(z.string().min(1)).min(1),
  z.strictObject({ sample: z.number().int().positive(), from: z.union([z.string(), z.array(z.string())]).optional() }),
]);
export type SelectorValue = z.output<typeof Selector>;

const GeneratorCommon = {
  /** Node name pattern: `{i}` = 1-based index; grids also `{r}`, `{c}`. */
  name: z.string().min(1).default('n{i}'),
  class: Name.optional(),
  link: LinkFields.optional(),
  /** Random families retry until connected unless this is false. */
  connected: z.boolean().default(true),
  /** The generated nodes are routers (they run no engines, they only forward). */
  router: z.boolean().optional(),
};
const Count = z.number().int().positive().max(10_000_000);
const GeneratorEntry = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.enum(['line', 'ring', 'star', 'mesh']), nodes: Count, ...GeneratorCommon }),
  z.strictObject({ kind: z.literal('tree'), nodes: Count, arity: z.number().int().positive().default(2), ...GeneratorCommon }),
  z.strictObject({ kind: z.literal('grid'), rows: Count, cols: Count, ...GeneratorCommon, name: z.string().min(1).default('n{r}-{c}') }),
  z.strictObject({ kind: z.literal('random-regular'), nodes: Count, degree: z.number().int().positive(), ...GeneratorCommon }),
  z.strictObject({ kind: z.literal('erdos-renyi'), nodes: Count, p: z.number().min(0).max(1), ...GeneratorCommon }),
  z.strictObject({ kind: z.literal('watts-strogatz'), nodes: Count, k: z.number().int().positive(), beta: z.number().min(0).max(1), ...GeneratorCommon }),
  z.strictObject({ kind: z.literal('barabasi-albert'), nodes: Count, m: z.number().int().positive(), ...GeneratorCommon }),
  /** Nodes without links (for a region underlay). */
  z.strictObject({ kind: z.literal('empty'), nodes: Count, name: GeneratorCommon.name }),
  /** New nodes, each linked to `links` distinct nodes drawn (seeded) from the already declared nodes `to` selects. */
  z.strictObject({
    kind: z.literal('attach'),
    nodes: Count,
    to: Selector,
    links: z.number().int().positive().default(1),
    name: GeneratorCommon.name,
    class: GeneratorCommon.class,
    link: GeneratorCommon.link,
    router: GeneratorCommon.router,
  }),
]);
export type GeneratorEntryValue = z.output<typeof GeneratorEntry>;

const NodeEntry = z.preprocess((value) => (typeof value === 'string' ? { name: value } : value), z.strictObject({ name: Name, router: z.boolean().optional() }));


const EngineEntry = z.strictObject({
  on: Selector,
  kind: z.string().min(1),
  /** Engine name on each node (defaults to the kind). */
  name: Name.optional(),
  params: z.record(z.string(), z.unknown()).optional(),
  /** Path (relative to the scenario file) of a module exporting the factory named by `kind`. */
  module: z.string().min(1).optional(),
  /** Keep this engine's state across a crash and restart of its node. */
  persistent: z.boolean().optional(),
});

const Pair = z.tuple([Name, Name]);
/** Nodes chosen when the event happens: those whose engine `engine` reports (its `inspect()`) every value of `state`. */
const Where = z.strictObject({ where: z.strictObject({ engine: Name, state: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])) }) });
const EngineRef = z.string().regex(/^[A-Za-z0-9_.:-]+(\/[A-Za-z0-9_.:-]+)?$/, 'expected "node" or "node/engine"');
const EventEntry = z.union([
  z.strictObject({ at: Duration, crash: z.union([Name, Where]) }),
  /** `*`: every crashed node. */
  z.strictObject({ at: Duration, restart: z.union([Name, z.literal('*')]) }),
  /** Freezes a node with its state kept (a paused process) until `resume` (`*`: every paused node). */
  z.strictObject({ at: Duration, pause: z.union([Name, Where]) }),
  z.strictObject({ at: Duration, resume: z.union([Name, z.literal('*')]) }),
  /** The durable store (`ctx.disk`) of an engine (every engine of the node when absent) loses its last `count` writes. */
  z.strictObject({ at: Duration, 'lose-writes': z.strictObject({ node: Name, engine: Name.optional(), count: z.number().int().min(1).max(1000) }) }),
  /** The value written last to an engine's durable store has its bits flipped. */
  z.strictObject({ at: Duration, 'corrupt-write': z.strictObject({ node: Name, engine: Name.optional() }) }),
  /** Groups as a list, or named (`{ siteA: [a1, a2], siteB: [b1] }`); nodes in no group form one more. */
  z.strictObject({ at: Duration, partition: z.union([z.array(z.array(Name).min(1)).min(1), z.record(Name, z.array(Name).min(1))]), oneWay: z.boolean().optional() }),
  z.strictObject({ at: Duration, heal: z.literal(true) }),
  z.strictObject({ at: Duration, 'link-down': Pair }),
  z.strictObject({ at: Duration, 'link-up': Pair }),
  z.strictObject({ at: Duration, 'set-link': LinkFields.extend({ between: Pair }) }),
  z.strictObject({ at: Duration, send: z.strictObject({ from: EngineRef, to: EngineRef, size: Size.default(100) }) }),
  z.strictObject({ at: Duration, publish: z.strictObject({ from: EngineRef, topic: z.string().min(1), size: Size.default(100) }) }),
  z.strictObject({ at: Duration, subscribe: z.strictObject({ engine: EngineRef, topic: z.string().min(1) }) }),
  z.strictObject({ at: Duration, unsubscribe: z.strictObject({ engine: EngineRef, topic: z.string().min(1) }) }),
  z.strictObject({ at: Duration, 'clock-skew': z.strictObject({ node: Name, by: z.union([z.number(), z.string()]) }) }),
  /** The node's clock runs `rate` times as fast (timers too) until the next drift event (rate 1 ends it). */
  z.strictObject({ at: Duration, 'clock-drift': z.strictObject({ node: Name, rate: z.number().min(0.01).max(100) }) }),
  /** The node's clock jumps forward by `by` and back every `every`, for `for`. */
  z.strictObject({ at: Duration, 'clock-strobe': z.strictObject({ node: Name, by: Duration, every: Duration.refine((ms) => ms > 0, 'expected a duration above 0'), for: Duration }) }),
]);
export type EventEntryValue = z.output<typeof EventEntry>;

const SizeSpec = z.union([
  Size.transform((bytes) => ({ dist: 'fixed' as const, bytes })),
  z.strictObject({ dist: z.literal('uniform'), min: Size, max: Size }).transform((s) => ({ dist: s.dist, minBytes: s.min, maxBytes: s.max })),
  z.strictObject({ dist: z.literal('exponential'), mean: Size }).transform((s) => ({ dist: s.dist, meanBytes: s.mean })),
]);
const Rate = z
  .union([z.number().positive(), z.string()])
  .meta({ description: 'messages per second per source node, like "10/s", "5/min" or 10' })
  .transform((value, ctx) => {
    const match = typeof value === 'number' ? [String(value), String(value), 's'] : /^\s*([0-9]*\.?[0-9]+)\s*\/\s*(s|min|h)\s*$/.exec(value);
    const perSecond = match === null ? NaN : Number(match[1]) / (match[2] === 'min' ? 60 : match[2] === 'h' ? 3600 : 1);
    if (perSecond > 0 && Number.isFinite(perSecond)) return perSecond;
    ctx.addIssue({ code: 'custom', message: `expected a rate like "10/s" or "5/min", got ${excerpt(value)}`, params: { code: 'scenario/bad-unit' } });
    return z.NEVER;
  });

const WorkloadEntry = z.strictObject({
  name: Name,
  /** Nodes that send. */
  from: Selector,
  /** Unicast: `neighbors`, `known` (the peers each source's configuration knows), `random` (any other node; only known ones can be dialled) or node names. */
  to: z.union([z.enum(['neighbors', 'known', 'random']), z.array(Name).min(1)]).optional(),
  /** Publish to this topic instead of unicast. */
  topic: z.string().min(1).optional(),
  rate: Rate,
  /** Messages per source node (default: until the run ends). */
  count: z.number().int().positive().optional(),
  size: SizeSpec.default({ dist: 'fixed', bytes: 100 }),
  start: Duration.default(0),
  expiry: Duration.optional(),
});
export type WorkloadEntryValue = z.output<typeof WorkloadEntry>;

const Percent = Probability;
const ExpectEntry = z.strictObject({
  /** Share of messages delivered, per workload or topic (≥). */
  delivered: z
    .array(z.union([z.strictObject({ workload: Name, atLeast: Percent }), z.strictObject({ topic: z.string().min(1), atLeast: Percent })]))
    .optional(),
  /** Send → deliver latency percentiles (≤) of a workload's messages, or of all messages. */
  latency: z
    .array(z.strictObject({ workload: Name.optional(), p50: Duration.optional(), p90: Duration.optional(), p99: Duration.optional(), max: Duration.optional() }))
    .optional(),
  noVerifyFailures: z.boolean().optional(),
  noPartitionCrossing: z.boolean().optional(),
  /** Counts of trace events matching every given field. */
  events: z
    .array(
      z.strictObject({
        kind: z.string().min(1),
        reason: z.string().optional(),
        node: z.string().optional(),
        engine: z.string().optional(),
        atLeast: z.number().int().nonnegative().optional(),
        atMost: z.number().int().nonnegative().optional(),
      }),
    )
    .optional(),
  /** A function `(events, header) => true | string[]` exported by a module (path relative to the file). */
  check: z.strictObject({ module: z.string().min(1), function: z.string().min(1) }).optional(),
});
export type ExpectValue = z.output<typeof ExpectEntry>;

// Overlay: who knows whom (`knows:`) and how nodes connect (`connections:`); see docs/overlay.md.

/** The peers a node knows: `neighbors`, a selector (`all`, names, globs, `{ sample: k }`), or `{ random: k }` drawn per node. */
const KnownPeers = z.union([
  z.literal('neighbors'),
  z.strictObject({ random: z.number().int().positive(), from: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional() }),
  Selector,
]);
const KnowsEntry = z.strictObject({
  /** The nodes this entry configures. */
  on: Selector,
  /** Whose signed adverts they start with (entries for the same node add up). */
  peers: KnownPeers,
});
export type KnowsEntryValue = z.output<typeof KnowsEntry>;

const PositiveDuration = Duration.refine((ms) => ms > 0, 'expected a duration above 0');
const ConnectionsEntry = z.strictObject({
  /** A dial not completed by then fails (`dial/timeout`). */
  connectTimeout: PositiveDuration.optional(),
  /** A crashed or cut-off peer is detected this long after it went silent. */
  idleTimeout: PositiveDuration.optional(),
  /** An ephemeral connection idle for this long is closed. */
  ephemeralIdle: PositiveDuration.optional(),
  /** Frames waiting for a connection, per peer. */
  queueFrames: z.number().int().positive().optional(),
  queueSize: Size.refine((bytes) => bytes > 0, 'expected a size above 0').optional(),
  /** How long a frame without an expiry may wait for a connection. */
  queueWait: PositiveDuration.optional(),
  backoffMin: PositiveDuration.optional(),
  backoffMax: PositiveDuration.optional(),
  /** Which peers every node dials at boot and keeps (re-dialled after any loss). */
  permanent: z.enum(['neighbors', 'known', 'none']).optional(),
});
export type ConnectionsEntryValue = z.output<typeof ConnectionsEntry>;

// Underlay: routers, access links and the region model (see docs/underlay.md).

/** Per-host access links; later entries override earlier ones field by field. */
const AccessEntry = z.strictObject({
  on: Selector,
  upload: Bandwidth.optional(),
  download: Bandwidth.optional(),
  queueMax: Size.optional(),
});
export type AccessEntryValue = z.output<typeof AccessEntry>;

/** Settings of region pairs: everything a link has but latency (from `rtt`) and bandwidth (at access links). */
const RegionLinkFields = z.strictObject({
  jitter: Jitter.optional(),
  loss: Probability.optional(),
  duplicate: Probability.optional(),
  frameSizeMax: Size.optional(),
});
export type RegionLinkFieldsValue = z.output<typeof RegionLinkFields>;

const RegionAssignment = z.union([
  /** These hosts are in `region`. */
  z.strictObject({ on: Selector, region: Name }),
  /** Each host not yet assigned (of those `on` selects) draws its region with these weights. */
  z.strictObject({ on: Selector.optional(), weights: z.record(Name, z.number().positive()) }),
]);

const RegionsEntry = z.strictObject({
  /** Round trips between regions (each pair once; the diagonal is within a region), or a built-in matrix name. */
  rtt: z.union([z.string().min(1), z.record(Name, z.record(Name, Duration))]),
  /** Which host is in which region: the first entry that selects a host decides. */
  assign: z.array(RegionAssignment).min(1),
  /** Settings of every region pair. */
  link: RegionLinkFields.optional(),
  /** Settings within a region (over `link`). */
  intra: RegionLinkFields.optional(),
  /** Settings of given pairs (both directions, over `link`). */
  pairs: z.array(RegionLinkFields.extend({ between: z.tuple([Name, Name]) })).optional(),
});
export type RegionsEntryValue = z.output<typeof RegionsEntry>;

export const ScenarioSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  seed: z.number().int().nonnegative().max(2 ** 32).default(1),
  duration: Duration.optional(),
  /** Same as duration (the run stops at this virtual time). */
  until: Duration.optional(),
  /** Frame timing chosen instead of drawn (written by the kit's exhaustive exploration to replay what it found). */
  schedule: z
    .strictObject({
      /** Option i < delays.length: the frame arrives after delays[i]; delays.length: dropped; delays.length + 1: its receiver crashes. */
      delays: z.array(Duration).min(1).max(16),
      /** One option per frame, in the order frames are carried; later frames take option 0. */
      choices: z.array(z.number().int().nonnegative()).max(100_000).default([]),
      /** A receiver crashed by a choice restarts this long after (default: stays down). */
      restartAfter: Duration.optional(),
    })
    .optional(),
  /** How often a live `ctx.buggify` site fires in the simulator (off when absent). */
  buggify: Probability.optional(),
  /** `sim-keyed` trades public-key signatures for keyed tags in very large simulations. */
  crypto: z.enum(['ed25519', 'sim-keyed']).default('ed25519'),
  defaults: z.strictObject({ link: LinkFields.optional(), node: z.strictObject({ clockSkew: Duration.optional() }).optional() }).optional(),
  linkClasses: z.record(Name, LinkFields).optional(),
  topology: z.strictObject({
    nodes: z.array(NodeEntry).optional(),
    /** Routers: nodes of the link graph that run no engines and only forward frames. */
    routers: z.array(Name).optional(),
    links: z.array(LinkEntry).optional(),
    generate: z.array(GeneratorEntry).optional(),
    access: z.array(AccessEntry).optional(),
    /** A region underlay instead of links. */
    regions: RegionsEntry.optional(),
  }),
  engines: z.array(EngineEntry).default([]),
  knows: z.array(KnowsEntry).optional(),
  connections: ConnectionsEntry.optional(),
  workloads: z.array(WorkloadEntry).default([]),
  events: z.array(EventEntry).default([]),
  expect: ExpectEntry.optional(),
});

export type ScenarioDocument = z.output<typeof ScenarioSchema>;

/** JSON Schema of the scenario file (input side: what people write). */
export function scenarioJsonSchema(): unknown {
  return z.toJSONSchema(ScenarioSchema, { io: 'input', unrepresentable: 'any' });
}
