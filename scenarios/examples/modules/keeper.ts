// An example user engine: keeps `keep` permanent connections to peers this node's configuration
// knows (`env.known`), and replaces one that closes or cannot be made with another known peer,
// in a seeded random order. Overlay protocols (HyParView's active view) start from this loop.
import type { EngineContext, EngineFactory, Id } from '../../../core/index.js';

export const keeper: EngineFactory = (params, env) => {
  const keep = typeof params['keep'] === 'number' ? params['keep'] : 2;
  const known: Id[] = (env.known ?? []).map((name) => env.nodeId!(name)!);
  const chosen = new Set<Id>();
  const failed = new Set<Id>();
  const refill = (ctx: EngineContext): void => {
    let candidates = known.filter((node) => !chosen.has(node) && !failed.has(node));
    if (candidates.length === 0) failed.clear(); // everyone failed once: try them all again
    candidates = known.filter((node) => !chosen.has(node) && !failed.has(node));
    while (chosen.size < keep && candidates.length > 0) {
      const [node] = candidates.splice(ctx.rng.int(candidates.length), 1);
      chosen.add(node!);
      ctx.connections.connect(node!, { isPermanent: true });
    }
  };
  return {
    handle(input, ctx) {
      if (input.kind === 'start') {
        ctx.connections.watch();
        refill(ctx);
      }
      if (input.kind !== 'notice') return;
      const notice = input.notice;
      if (notice.kind === 'node-connected' && chosen.has(notice.node)) ctx.log('kept', { peers: ctx.connections.list().length });
      if ((notice.kind === 'node-disconnected' || notice.kind === 'node-connect-failed') && chosen.has(notice.node)) {
        ctx.connections.disconnect(notice.node); // stop re-dialling it
        chosen.delete(notice.node);
        failed.add(notice.node);
        ctx.log('lost', { reason: notice.reason });
        refill(ctx);
      }
    },
  };
};
