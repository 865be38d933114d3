// `relay` lets its node forward sealed RelayMessages (S23), for every source/destination or only
// the listed nodes; `relay-route` tells its node's identity store to reach node `to` through `via`.
import { z } from 'zod';
import { NetmachineError } from '../assert.js';
import type { EngineEnv, EngineFactory } from '../engine.js';
import type { Id } from '../ids.js';
import { engineSpec, parseParams } from './params.js';

function nodeIds(kind: string, env: EngineEnv, names: ReadonlyArray<string> | undefined): Id[] | undefined {
  return names?.map((name) => {
    const id = env.nodeId?.(name);
    if (id === undefined) throw new NetmachineError('engine/bad-params', `engine "${kind}": no node "${name}"`);
    return id;
  });
}

const RelayParams = z.strictObject({ from: z.array(z.string()).optional(), to: z.array(z.string()).optional() });
const RouteParams = z.strictObject({ to: z.string(), via: z.string() });

const nodesNeeded = (names: ReadonlyArray<string> | undefined, param: string) => (names ?? []).map((node, index) => ({ where: 'node' as const, node, param: [param, index] }));

/** What validate checks of a `relay` engine: the nodes it names are declared. */
export const RELAY_SPEC = engineSpec(RelayParams, { needs: (options) => [...nodesNeeded(options.from, 'from'), ...nodesNeeded(options.to, 'to')] });

/** What validate checks of a `relay-route` engine: both nodes are declared. */
export const RELAY_ROUTE_SPEC = engineSpec(RouteParams, {
  needs: (options) => [
    { where: 'node', node: options.to, param: ['to'] },
    { where: 'node', node: options.via, param: ['via'] },
  ],
});

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
