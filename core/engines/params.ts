import { z } from 'zod';
import { NetmachineError } from '../assert.js';

/** Parses engine parameters with `schema`; bad parameters raise `engine/bad-params` naming the field. */
export function parseParams<T>(kind: string, schema: z.ZodType<T>, params: unknown): T {
  const result = schema.safeParse(params ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.length === 0 ? '(params)' : issue.path.join('.');
  throw new NetmachineError('engine/bad-params', `engine "${kind}" params.${field}: ${issue.message}`, { field });
}
