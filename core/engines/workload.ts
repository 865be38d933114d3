// `workload`: a message generator — unicast to peers' sinks or publish to a topic, at a rate, with
// a count and a size distribution. Scenario `workloads:` entries become one of these per source node.
import { z } from 'zod';
import { NetmachineError } from '../assert.js';
import type { Engine, EngineAddress, EngineContext, EngineEnv, EngineFactory, EngineInput } from '../engine.js';
import type { Id } from '../ids.js';
import type { Rng } from '../ports.js';
import { engineSpec, firings, parseParams } from './params.js';

const SizeDistribution = z.union([
  z.strictObject({ dist: z.literal('fixed'), bytes: z.number().int().nonnegative() }),
  z.strictObject({ dist: z.literal('uniform'), minBytes: z.number().int().nonnegative(), maxBytes: z.number().int().nonnegative() }),
  z.strictObject({ dist: z.literal('exponential'), meanBytes: z.number().nonnegative() }),
]);
export type SizeDistributionValue = z.output<typeof SizeDistribution>;

const WorkloadParams = z.strictObject({
  mode: z.enum(['unicast', 'publish']),
  /** Unicast: `neighbors` (a random neighbour per message), `known` (a random peer this node's configuration knows), `random` (any other node), or node names. */
  targets: z.union([z.enum(['neighbors', 'known', 'random']), z.array(z.string()).min(1)]).default('neighbors'),
  /** Every node name (for `random`). */
  nodes: z.array(z.string()).default([]),
  engine: z.string().default('sink'),
  topic: z.string().optional(),
  intervalMs: z.number().positive(),
  /** Messages from this node; 0 = until the run ends. */
  count: z.number().int().nonnegative().default(0),
  startMs: z.number().nonnegative().default(0),
  size: SizeDistribution.default({ dist: 'fixed', bytes: 100 }),
  /** Absolute `expiry` of each message, relative to its send time (ms). */
  expiryMs: z.number().positive().optional(),
});

/** What validate checks of a `workload` engine (scenario workloads): messages sent over the run. */
export const WORKLOAD_SPEC = engineSpec(WorkloadParams, {
  load: (options, run) => 2 * firings(options.intervalMs, Math.max(0, run.durationMs - options.startMs), options.count),
});

export function sampleSize(size: SizeDistributionValue, rng: Rng): number {
  switch (size.dist) {
    case 'fixed':
      return size.bytes;
    case 'uniform':
      return size.minBytes + rng.int(Math.max(1, size.maxBytes - size.minBytes + 1));
    case 'exponential':
      return Math.round(-Math.log(1 - rng.next()) * size.meanBytes);
  }
}

export const createWorkloadEngine: EngineFactory = (params, env) => {
  const options = parseParams('workload', WorkloadParams, params);
  const pool = options.mode === 'publish' ? [] : targetNodes(options.targets, options.nodes, env); // publishers need no unicast targets
  const engine = new WorkloadEngine(options, env, pool, options.topic === undefined ? undefined : env.topic(options.topic));
  // Checked now, resolved again per message: keeping k addresses per node costs more than the lookups.
  // `known` targets: the env can tell at once that they all run the engine (10⁵ workloads check theirs at boot).
  const isChecked = options.targets === 'known' && env.known !== undefined && env.knownRun?.(options.engine) === true;
  if (!isChecked) for (const node of pool) engine.check(node);
  if (options.mode === 'unicast' && pool.length === 0 && options.targets !== 'neighbors' && options.targets !== 'known') throw new NetmachineError('engine/bad-params', 'engine "workload": no target nodes');
  if (options.mode === 'publish' && options.topic === undefined) throw new NetmachineError('engine/bad-params', 'engine "workload" params.topic: required for publish workloads');
  return engine;
};

/**
 * One source node's generator. A class, not a literal with closures: a large simulation runs one
 * per node, and a method on the prototype costs nothing per instance (a `handle` closure and a
 * resolver closure with their contexts cost ≈ 230 bytes each time).
 */
class WorkloadEngine implements Engine {
  private sent = 0;

  constructor(
    private readonly options: z.output<typeof WorkloadParams>,
    private readonly env: EngineEnv,
    private readonly pool: ReadonlyArray<string>,
    private readonly topic: Id | undefined,
  ) {}

  /** A target node's `options.engine`. */
  resolve(node: string): EngineAddress {
    const env = this.env;
    const resolved = env.resolveEngine !== undefined ? env.resolveEngine(node, this.options.engine) : env.resolve(`${node}/${this.options.engine}`);
    if (!resolved.ok) throw new NetmachineError('engine/bad-params', `engine "workload" params.targets: ${resolved.error}`);
    return resolved.value;
  }

  /** Throws the located error `resolve` would if `node` has no `options.engine` (without resolving it when the env can tell). */
  check(node: string): void {
    if (this.env.hasEngine?.(node, this.options.engine) !== true) this.resolve(node);
  }

  handle(input: EngineInput, ctx: EngineContext): void {
    const options = this.options;
    if (input.kind === 'start') {
      if (options.mode === 'publish' || this.pool.length > 0) ctx.setTimer(options.startMs + ctx.rng.next() * options.intervalMs, 'workload');
      return;
    }
    if (input.kind !== 'timer') return;
    this.sent++;
    const body = new Uint8Array(sampleSize(options.size, ctx.rng));
    const sendOptions = options.expiryMs === undefined ? {} : { expiryMs: options.expiryMs };
    if (this.topic !== undefined) ctx.publish(this.topic, body, sendOptions);
    else {
      const target = this.resolve(this.pool[ctx.rng.int(this.pool.length)]!);
      ctx.send({ kind: 'engine', engine: target.engine, node: target.node }, body, sendOptions);
    }
    if (options.count === 0 || this.sent < options.count) ctx.setTimer(options.intervalMs, 'workload');
  }
}

/** The nodes a unicast workload on `env`'s node may pick from. */
function targetNodes(targets: 'neighbors' | 'known' | 'random' | ReadonlyArray<string>, nodes: ReadonlyArray<string>, env: EngineEnv): ReadonlyArray<string> {
  switch (targets) {
    case 'neighbors':
      return env.neighbors;
    case 'known':
      return env.known ?? env.neighbors;
    case 'random':
      return nodes.filter((node) => node !== env.nodeName);
    default:
      return targets;
  }
}
