// An example user engine: rumour flooding. The origin starts a rumour; every engine that hears it
// for the first time logs it and forwards it to its neighbours' gossip engines.
import type { EngineAddress, EngineFactory } from '../../../core/index.js';

export const gossip: EngineFactory = (params, env) => {
  const isOrigin = params['origin'] === true;
  const neighbours: EngineAddress[] = env.neighbors.map((node) => {
    const resolved = env.resolve(`${node}/gossip`);
    if (!resolved.ok) throw new Error(resolved.error);
    return resolved.value;
  });
  let hasHeard = false;
  const spread = (ctx: Parameters<ReturnType<EngineFactory>['handle']>[1], rumour: Uint8Array): void => {
    for (const peer of neighbours) ctx.send({ kind: 'engine', engine: peer.engine, node: peer.node }, rumour, { protocol: 'example.gossip/1.0' });
  };
  return {
    handle(input, ctx) {
      if (input.kind === 'start' && isOrigin) ctx.setTimer(100, 'start');
      if (input.kind === 'timer') spread(ctx, new TextEncoder().encode('the rumour'));
      if (input.kind === 'message' && !hasHeard) {
        hasHeard = true;
        ctx.log('heard', { hops: 1 });
        spread(ctx, input.message.body);
      }
    },
  };
};
