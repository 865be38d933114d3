// The scenario file schema (zod). Units are parsed here, so a bad value is reported at its field.
// `netmachine schema` exports it as JSON Schema for editors.
import { z } from 'zod';
import type { Result } from '../core/index.js';
import { parseBandwidth, parseDuration, parseProbability, parseSize } from './units.js';

function unit(parse: (value: unknown) => Result<number, string>, example: string) {
  return z
    .union([z.number(), z.string()])
    .meta({ description: `a number or a string with a unit, like ${example}` })
    .transform((value, ctx) => {
      const parsed = parse(value);
      if (parsed.ok) return parsed.value;
      ctx.addIssue({ code: 'custom', message: parsed.error });
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

const NodeEntry = z.preprocess((value) => (typeof value === 'string' ? { name: value } : value), z.strictObject({ name: Name }));

/** Which nodes: `all`, a name, a glob (`edge-*`), a list, or `{ sample: k }` drawn with the seed. */
export const Selector = z.union([
  z.string().min(1),
  z.array(z.string().min(1)).min(1),
  z.strictObject({ sample: z.number().int().positive(), from: z.union([z.string(), z.array(z.string())]).optional() }),
]);
export type SelectorValue = z.output<typeof Selector>;

const EngineEntry = z.strictObject({
  on: Selector,
  kind: z.string().min(1),
  /** Engine name on each node (defaults to the kind). */
  name: Name.optional(),
  params: z.record(z.string(), z.unknown()).optional(),
  /** Path (relative to the scenario file) of a module exporting the factory named by `kind`. */
  module: z.string().min(1).optional(),
});

const Pair = z.tuple([Name, Name]);
const EventEntry = z.union([
  z.strictObject({ at: Duration, crash: Name }),
  z.strictObject({ at: Duration, restart: Name }),
  z.strictObject({ at: Duration, partition: z.array(z.array(Name).min(1)).min(1), oneWay: z.boolean().optional() }),
  z.strictObject({ at: Duration, heal: z.literal(true) }),
  z.strictObject({ at: Duration, 'link-down': Pair }),
  z.strictObject({ at: Duration, 'link-up': Pair }),
  z.strictObject({ at: Duration, 'set-link': LinkFields.extend({ between: Pair }) }),
]);

export const ScenarioSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  seed: z.number().int().nonnegative().max(2 ** 32).default(1),
  duration: Duration.default(30_000),
  /** `sim-keyed` trades public-key signatures for keyed tags in very large simulations. */
  crypto: z.enum(['ed25519', 'sim-keyed']).default('ed25519'),
  defaults: z.strictObject({ link: LinkFields.optional() }).optional(),
  linkClasses: z.record(Name, LinkFields).optional(),
  topology: z.strictObject({
    nodes: z.array(NodeEntry).optional(),
    links: z.array(LinkEntry).optional(),
  }),
  engines: z.array(EngineEntry).default([]),
  events: z.array(EventEntry).default([]),
});

export type ScenarioDocument = z.output<typeof ScenarioSchema>;

/** JSON Schema of the scenario file (input side: what people write). */
export function scenarioJsonSchema(): unknown {
  return z.toJSONSchema(ScenarioSchema, { io: 'input', unrepresentable: 'any' });
}
