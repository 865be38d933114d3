// `relay` lets its node forward sealed RelayMessages (S23), for every source/destination or only
// the listed nodes; `relay-route` tells its node's identity store to reach node `to` through `via`.
import { z } from 'zod';
import { NetmachineError } from '../assert.js';
import type { EngineEnv, EngineFactory } from '../engine.js';
import type { Id } from '../ids.js';
import { parseParams } from './params.js';

function nodeIds(kind: string, env: EngineEnv, names: ReadonlyArray<string> | undefined): Id[] | undefined {
  return names?.map((name) => {
    const id = env.nodeId?.(name);
    if (id === undefined) throw new NetmachineError('engine/bad-params', `engine "${kind}": no node "${name}"`);
    return id;
  });
}

const RelayParams = z.strictObject({ from: z.array(z.string()).optional(), to: z.array(z.string()).optional() });
const RouteParams = z.strictObject({ to: z.string(), via: z.string() });

export const createRelayEngine: EngineFactory = (params, env) => {
  const options = parseParams('relay', RelayParams, params);
  const from = nodeIds('relay', env, options.from);
  const to = nodeIds('relay', env, options.to);
  return {
    handle(input, ctx) {
      if (input.kind === 'start') ctx.offerRelay({ ...(from !== undefined && { from }), ...(to !== undefined && { to }) });
    },
  };
};

export const createRelayRouteEngine: EngineFactory = (params, env) => {
  const options = parseParams('relay-route', RouteParams, params);
  const [to, via] = nodeIds('relay-route', env, [options.to, options.via])!;
  return {
    handle(input, ctx) {
      if (input.kind === 'start') ctx.updateNode(to!, { via: via! });
    },
  };
};
