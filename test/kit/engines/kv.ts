// A key-value server for the `lin-kv` client workload. `mode: leader` (correct): every node forwards
// requests to the leader's engine, which applies them in one order and answers the client.
// `mode: local` (not linearizable): each node applies requests to its own copy and replicates writes
// to the others afterwards, so a read elsewhere can miss a write that already completed.
import type { EngineAddress, EngineFactory } from '../../../kit/index.js';
import { addresses, answer, bodyOf, othersOf, senderOf, sendJson, type Body } from './json.js';

export const kv: EngineFactory = (params, env) => {
  const isLeaderMode = params['mode'] !== 'local';
  const leaderNode = String(params['leader'] ?? 'n1');
  const name = String(params['name'] ?? 'kv'); // this engine's name on every node
  const [leader] = addresses(env, [leaderNode], name);
  const peers = addresses(env, othersOf(env), name);
  const values = new Map<string, unknown>();
  const apply = (request: Body): Body => {
    const key = String(request['key']);
    const current = values.has(key) ? values.get(key) : null;
    switch (request.type) {
      case 'read':
        return { type: 'read_ok', value: current };
      case 'write':
        values.set(key, request['value']);
        return { type: 'write_ok' };
      case 'cas':
        if (current !== request['from']) return { type: 'error', code: 22 };
        values.set(key, request['to']);
        return { type: 'cas_ok' };
      default:
        return { type: 'error', code: 10 };
    }
  };
  return {
    handle(input, ctx) {
      if (input.kind !== 'message') return;
      const body = bodyOf(input);
      if (body === undefined) return;
      if (body.type === 'replicate') return void values.set(String(body['key']), body['value']);
      const isForwarded = body.type === 'forward';
      const request = isForwarded ? (body['request'] as Body) : body;
      const client = isForwarded ? (body['client'] as EngineAddress) : senderOf(input);
      if (isLeaderMode && env.nodeName !== leaderNode) return void sendJson(ctx, leader!, { type: 'forward', client, request });
      const reply = apply(request);
      answer(ctx, client, request, reply);
      if (!isLeaderMode && reply.type !== 'error' && request.type !== 'read') for (const peer of peers) sendJson(ctx, peer, { type: 'replicate', key: request['key'], value: values.get(String(request['key'])) });
    },
  };
};
