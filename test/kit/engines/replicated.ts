// A leader-replicated counter for the `g-counter` client workload: followers forward adds to the
// leader, which sends PREPARE to every follower (retried until each acknowledges), then applies the
// add, answers the client and sends COMMIT; followers count committed adds. Planted bug (unless
// `isFixed`): COMMIT is sent once and never retried, so a follower that misses it never counts the add.
import type { EngineAddress, EngineContext, EngineFactory } from '../../../kit/index.js';
import { addresses, answer, bodyOf, othersOf, senderOf, sendJson, type Body } from './json.js';

const RETRY_MS = 100;

export const replicated: EngineFactory = (params, env) => {
  const isFixed = params['isFixed'] === true;
  const leaderNode = String(params['leader'] ?? 'n1');
  const name = String(params['name'] ?? 'replicated');
  const isLeader = env.nodeName === leaderNode;
  const [leader] = addresses(env, [leaderNode], name);
  const followerNames = othersOf(env);
  const followers = isLeader ? addresses(env, followerNames, name) : [];
  let total = 0;
  let nextIndex = 0;
  // Leader: entries being prepared or committed; followers: prepared and committed entries.
  const entries = new Map<number, { delta: number; client: EngineAddress; request: Body; prepared: Set<number>; committed: Set<number>; isCommitted: boolean }>();
  const prepared = new Map<number, number>();
  const committed = new Set<number>();
  const resend = (ctx: EngineContext): void => {
    for (const [index, entry] of entries) {
      followers.forEach((follower, i) => {
        if (!entry.prepared.has(i)) sendJson(ctx, follower, { type: 'prepare', index, delta: entry.delta });
        else if (isFixed && entry.isCommitted && !entry.committed.has(i)) sendJson(ctx, follower, { type: 'commit', index });
      });
    }
  };
  return {
    handle(input, ctx) {
      if (input.kind === 'start') return void ctx.setTimer(RETRY_MS, 'retry');
      if (input.kind === 'timer') {
        resend(ctx);
        return void ctx.setTimer(RETRY_MS, 'retry');
      }
      if (input.kind !== 'message') return;
      const body = bodyOf(input);
      if (body === undefined) return;
      const from = followerNames.indexOf(String(body['from']));
      switch (body.type) {
        case 'add':
        case 'forward': {
          const request = body.type === 'forward' ? (body['request'] as Body) : body;
          const client = body.type === 'forward' ? (body['client'] as EngineAddress) : senderOf(input);
          if (!isLeader) return sendJson(ctx, leader!, { type: 'forward', client, request });
          const index = ++nextIndex;
          entries.set(index, { delta: Number(request['delta']), client, request, prepared: new Set(), committed: new Set(), isCommitted: false });
          for (const follower of followers) sendJson(ctx, follower, { type: 'prepare', index, delta: Number(request['delta']) });
          return;
        }
        case 'prepare':
          prepared.set(Number(body['index']), Number(body['delta']));
          return sendJson(ctx, senderOf(input), { type: 'prepared', index: body['index'], from: env.nodeName });
        case 'prepared': {
          const entry = entries.get(Number(body['index']));
          if (entry === undefined || entry.isCommitted) return;
          entry.prepared.add(from);
          if (entry.prepared.size < followers.length) return;
          entry.isCommitted = true;
          total += entry.delta;
          answer(ctx, entry.client, entry.request, { type: 'add_ok' });
          for (const follower of followers) sendJson(ctx, follower, { type: 'commit', index: body['index'] }); // the bug: sent once
          return;
        }
        case 'commit': {
          const index = Number(body['index']);
          if (!committed.has(index) && prepared.has(index)) {
            committed.add(index);
            total += prepared.get(index)!;
          }
          return sendJson(ctx, senderOf(input), { type: 'committed', index, from: env.nodeName });
        }
        case 'committed':
          return void entries.get(Number(body['index']))?.committed.add(from);
        case 'read':
          return answer(ctx, senderOf(input), body, { type: 'read_ok', value: total });
        default:
          return;
      }
    },
  };
};
