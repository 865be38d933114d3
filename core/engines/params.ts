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

/**
 * Parsed parameters by params object and schema: a scenario hands the same params object to the
 * engine on every node it selects, and a large simulation builds 10⁵ such engines. The parsed
 * result is frozen, so instances that share it cannot change it for each other.
 */
const PARSED = new WeakMap<object, { readonly schema: z.ZodType; readonly data: unknown }>();

/** Parses engine parameters with `schema`; bad parameters raise `engine/bad-params` naming the field. */
export function parseParams<T>(kind: string, schema: z.ZodType<T>, params: unknown): T {
  const cached = typeof params === 'object' && params !== null ? PARSED.get(params) : undefined;
  if (cached?.schema === schema) return cached.data as T;
  const result = schema.safeParse(params ?? {});
  if (result.success) {
    const data = deepFreeze(result.data);
    if (typeof params === 'object' && params !== null) PARSED.set(params, { schema, data });
    return data;
  }
  const issue = result.error.issues[0]!;
  const field = issue.path.length === 0 ? '(params)' : issue.path.join('.');
  throw new NetmachineError('engine/bad-params', `engine "${kind}" params.${field}: ${issue.message}`, { field });
}

function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value) || ArrayBuffer.isView(value)) return value;
  for (const entry of Object.values(value)) deepFreeze(entry);
  return Object.freeze(value);
}
