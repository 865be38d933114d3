// `ping`: sends a ping to each target on a timer and logs the round-trip time of each echo.
import { z } from 'zod';
import { fromUtf8 } from '../bytes.js';
import { NetmachineError } from '../assert.js';
import type { Engine, EngineAddress, EngineFactory } from '../engine.js';
import { jsonBody } from '../node.js';
import { engineSpec, firings, parseParams } from './params.js';

export const PING_PROTOCOL = 'netmachine.ping/1.0';

const PingParams = z.strictObject({
  /** `neighbors`, or `node/engine` references (a bare node name means `node/<engine>`). */
  targets: z.union([z.literal('neighbors'), z.array(z.string()).min(1)]).default('neighbors'),
  /** Engine name used for bare node names and for `neighbors`. */
  engine: z.string().default('echo'),
  intervalMs: z.number().positive().default(1000),
  /** Pings per target; 0 = until the run ends. */
  count: z.number().int().nonnegative().default(0),
  sizeBytes: z.number().int().nonnegative().max(1 << 20).default(0),
});

/** What validate checks of a `ping` engine: its targets run their engines; pings × targets. */
export const PING_SPEC = engineSpec(PingParams, {
  needs: (options) =>
    options.targets === 'neighbors'
      ? [{ where: 'neighbors', engine: options.engine, param: ['engine'] }]
      : options.targets.map((reference, index) => {
          const [node, engine] = reference.includes('/') ? reference.split('/', 2) as [string, string] : [reference, options.engine];
          return { where: 'node' as const, node, engine, param: ['targets', index] };
        }),
  load: (options, run) => firings(options.intervalMs, run.durationMs, options.count) * (1 + (options.targets === 'neighbors' ? run.degree : options.targets.length)),
});

export const createPingEngine: EngineFactory = (params, env) => {
  const options = parseParams('ping', PingParams, params);
  const references = options.targets === 'neighbors' ? env.neighbors.slice() : options.targets;
  const targets: EngineAddress[] = references.map((reference) => {
    const resolved = env.resolve(reference.includes('/') ? reference : `${reference}/${options.engine}`);
    if (!resolved.ok) throw new NetmachineError('engine/bad-params', `engine "ping" params.targets: ${resolved.error}`);
    return resolved.value;
  });
  const padding = 'x'.repeat(options.sizeBytes);
  let round = 0;
  const engine: Engine = {
    handle(input, ctx) {
      switch (input.kind) {
        case 'start':
          // A random phase keeps a thousand pingers from firing in lockstep.
          if (targets.length > 0) ctx.setTimer(ctx.rng.next() * options.intervalMs, 'ping');
          return;
        case 'timer':
          round++;
          for (const target of targets) {
            ctx.send({ kind: 'engine', engine: target.engine, node: target.node }, jsonBody({ n: round, sentAt: ctx.now(), padding }), { protocol: PING_PROTOCOL });
          }
          if (options.count === 0 || round < options.count) ctx.setTimer(options.intervalMs, 'ping');
          return;
        case 'message': {
          if (input.message.replyTo === undefined) return;
          const reply = JSON.parse(fromUtf8(input.message.body)) as { sentAt?: unknown };
          if (typeof reply.sentAt !== 'number') return;
          ctx.log('rtt', { rttMs: ctx.now() - reply.sentAt });
          return;
        }
        case 'notice':
          return;
      }
    },
  };
  return engine;
};
