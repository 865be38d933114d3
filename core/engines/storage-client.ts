// `storage-client`: a workload for the `storage` engine on its node. At `putAtMs` it puts `blocks`
// random blocks with `replication`; at `lookupAtMs` it looks each one up. It logs only successes
// ("stored" with every receipt, "retrieved" with the right content), so a scenario can count them.
import { z } from 'zod';
import { fromUtf8, toHex } from '../bytes.js';
import type { EngineFactory } from '../engine.js';
import { jsonBody } from '../node.js';
import { NetmachineError } from '../assert.js';
import { engineSpec, parseParams } from './params.js';
import { STORAGE_PROTOCOL, type StorageMessage } from './storage.js';

const ClientParams = z.strictObject({
  storageEngine: z.string().min(1).default('storage'),
  blocks: z.number().int().positive().default(5),
  sizeBytes: z.number().int().positive().max(1 << 16).default(256),
  replication: z.number().int().nonnegative().default(2),
  putAtMs: z.number().nonnegative().default(100),
  lookupAtMs: z.number().nonnegative().default(2000),
  random: z.boolean().default(true),
  expiryMs: z.number().positive().optional(),
});

/** What validate checks of a `storage-client` engine: a `storage` engine on its own node. */
export const STORAGE_CLIENT_SPEC = engineSpec(ClientParams, {
  needs: (options) => [{ where: 'local', engine: options.storageEngine, param: ['storageEngine'] }],
  load: (options) => 4 * options.blocks * (1 + options.replication),
});

export const createStorageClientEngine: EngineFactory = (params, env) => {
  const options = parseParams('storage-client', ClientParams, params);
  const storage = env.resolve(`${env.nodeName}/${options.storageEngine}`);
  if (!storage.ok) throw new NetmachineError('engine/missing-engine', `engine "storage-client" params.storageEngine: ${storage.error} (the client talks to a storage engine on its own node)`);
  const contents = new Map<string, string>();
  return {
    handle(input, ctx) {
      const ask = (message: StorageMessage): void => void ctx.send({ kind: 'engine', ...storage.value }, jsonBody(message), { protocol: STORAGE_PROTOCOL });
      if (input.kind === 'start') {
        ctx.setTimer(options.putAtMs, 'put');
        ctx.setTimer(options.lookupAtMs, 'lookup');
        return;
      }
      if (input.kind === 'timer' && input.tag === 'put') {
        for (let i = 0; i < options.blocks; i++) {
          const content = new Uint8Array(options.sizeBytes);
          for (let j = 0; j < content.length; j++) content[j] = ctx.rng.int(256);
          contents.set(toHex(ctx.hash(content)), toHex(content));
          ask({ op: 'put', content: toHex(content), replication: options.replication, ...(options.expiryMs !== undefined && { expiryMs: options.expiryMs }) });
        }
      }
      if (input.kind === 'timer' && input.tag === 'lookup') for (const id of contents.keys()) ask({ op: 'lookup', id, random: options.random });
      if (input.kind !== 'message' || input.message.protocol !== STORAGE_PROTOCOL) return;
      const answer = JSON.parse(fromUtf8(input.message.body)) as StorageMessage;
      if (answer.op === 'put-result' && answer.receipts.length === options.replication) ctx.log('stored', { receipts: answer.receipts.length });
      if (answer.op === 'block' && answer.content !== null && contents.get(answer.id) === answer.content) ctx.log('retrieved');
    },
  };
};
