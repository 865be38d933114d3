import { z } from 'zod';
import { NetmachineError } from '../assert.js';
import type { EngineEnv } from '../engine.js';
import type { Id } from '../ids.js';

/** Neighbour node id → the id of its engine called `engineName`, in the stable neighbour order. */
export function neighborEngines(env: EngineEnv, engineName: string): Map<Id, Id> {
  const peers = new Map<Id, Id>();
  for (const neighbor of env.neighbors) {
    const resolved = env.resolve(`${neighbor}/${engineName}`);
    if (resolved.ok) peers.set(resolved.value.node, resolved.value.engine);
  }
  return peers;
}

/** Parses engine parameters with `schema`; bad parameters raise `engine/bad-params` naming the field. */
export function parseParams<T>(kind: string, schema: z.ZodType<T>, params: unknown): T {
  const result = schema.safeParse(params ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.length === 0 ? '(params)' : issue.path.join('.');
  throw new NetmachineError('engine/bad-params', `engine "${kind}" params.${field}: ${issue.message}`, { field });
}
