// Broadcast by gossip for the `broadcast` client workload: a node sends each new message once to
// its link neighbours, and repairs gaps by sending everything it has (anti-entropy). Planted bug
// (unless `isFixed`): the repair runs only when a neighbour (re)connects, so a message lost on a
// link that stays connected (a lossy spell) leaves a gap that is never repaired.
import type { EngineAddress, EngineContext, EngineFactory } from '../../../kit/index.js';
import { addresses, answer, bodyOf, senderOf, sendJson } from './json.js';

const SYNC_MS = 100;

export const gossip: EngineFactory = (params, env) => {
  const isFixed = params['isFixed'] === true;
  const neighbours = addresses(env, env.neighbors, String(params['name'] ?? 'gossip'));
  const seen = new Set<number>();
  const spread = (ctx: EngineContext, messages: ReadonlyArray<number>, except?: EngineAddress): void => {
    for (const neighbour of neighbours) if (neighbour.node !== except?.node) sendJson(ctx, neighbour, { type: 'gossip', messages });
  };
  return {
    handle(input, ctx) {
      if (input.kind === 'start') {
        if (isFixed) ctx.setTimer(SYNC_MS, 'sync');
        else ctx.connections.watch(); // the bug: repair only when a neighbour connects
        return;
      }
      if (input.kind === 'timer') {
        if (seen.size > 0) spread(ctx, [...seen]);
        return void ctx.setTimer(SYNC_MS, 'sync');
      }
      if (input.kind === 'notice') {
        if (input.notice.kind !== 'node-connected') return;
        const neighbour = neighbours.find((candidate) => candidate.node === (input.notice as { node: string }).node);
        if (neighbour !== undefined && seen.size > 0) sendJson(ctx, neighbour, { type: 'gossip', messages: [...seen] });
        return;
      }
      const body = bodyOf(input);
      if (body === undefined) return;
      switch (body.type) {
        case 'broadcast': {
          const message = Number(body['message']);
          if (!seen.has(message)) {
            seen.add(message);
            spread(ctx, [message]);
          }
          return answer(ctx, senderOf(input), body, { type: 'broadcast_ok' });
        }
        case 'gossip': {
          const fresh = (body['messages'] as number[]).filter((message) => !seen.has(message));
          for (const message of fresh) seen.add(message);
          if (fresh.length > 0) spread(ctx, fresh, senderOf(input));
          return;
        }
        case 'read':
          return answer(ctx, senderOf(input), body, { type: 'read_ok', messages: [...seen] });
        default:
          return;
      }
    },
  };
};
