// A grow-only counter for the `g-counter` client workload: each node adds locally and sends the
// increment to every other node, retrying until acknowledged; receivers de-duplicate increments by
// (origin, sequence number). Planted bug (unless `isFixed`): the sequence number is not kept across
// a restart — it starts again at 0, so after a restart the peers take the node's new increments
// for ones they already applied and drop them.
import type { EngineFactory } from '../../../kit/index.js';
import { addresses, answer, bodyOf, othersOf, senderOf, sendJson } from './json.js';

const RETRY_MS = 100;

export const counter: EngineFactory = (params, env) => {
  const isFixed = params['isFixed'] === true;
  const others = othersOf(env);
  const peers = addresses(env, others, String(params['name'] ?? 'counter'));
  let total = 0;
  let seq = 0;
  const applied = new Map<string, Set<number>>(); // origin → sequence numbers applied
  const outbox = new Map<number, { delta: number; waiting: Set<number> }>(); // seq → peers yet to acknowledge
  const sendIncrement = (ctx: Parameters<ReturnType<EngineFactory>['handle']>[1], number: number, delta: number, peer: number): void => sendJson(ctx, peers[peer]!, { type: 'inc', origin: env.nodeName, seq: number, delta });
  return {
    handle(input, ctx) {
      if (input.kind === 'start') {
        if (!isFixed) seq = 0; // the bug: a volatile counter re-initialised at every boot
        ctx.setTimer(RETRY_MS, 'retry');
        return;
      }
      if (input.kind === 'timer') {
        for (const [number, entry] of outbox) for (const peer of entry.waiting) sendIncrement(ctx, number, entry.delta, peer);
        ctx.setTimer(RETRY_MS, 'retry');
        return;
      }
      if (input.kind !== 'message') return;
      const body = bodyOf(input);
      if (body === undefined) return;
      switch (body.type) {
        case 'add': {
          const delta = Number(body['delta']);
          total += delta;
          seq++;
          outbox.set(seq, { delta, waiting: new Set(peers.map((_, i) => i)) });
          for (let peer = 0; peer < peers.length; peer++) sendIncrement(ctx, seq, delta, peer);
          return answer(ctx, senderOf(input), body, { type: 'add_ok' });
        }
        case 'inc': {
          const origin = String(body['origin']);
          const seen = applied.get(origin) ?? new Set<number>();
          applied.set(origin, seen);
          if (!seen.has(Number(body['seq']))) {
            seen.add(Number(body['seq']));
            total += Number(body['delta']);
          }
          return sendJson(ctx, senderOf(input), { type: 'inc_ok', seq: body['seq'], from: env.nodeName });
        }
        case 'inc_ok':
          return void outbox.get(Number(body['seq']))?.waiting.delete(others.indexOf(String(body['from'])));
        case 'read':
          return answer(ctx, senderOf(input), body, { type: 'read_ok', value: total });
        default:
          return;
      }
    },
  };
};
