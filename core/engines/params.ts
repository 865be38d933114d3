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

/** Another engine or node an engine resolves when it starts; its start fails when it is missing. */
export type EngineNeed =
  /** An engine named `engine` on the same node. */
  | { readonly where: 'local'; readonly engine: string; readonly param: ReadonlyArray<PropertyKey> }
  /** An engine named `engine` on every link neighbour. */
  | { readonly where: 'neighbors'; readonly engine: string; readonly param: ReadonlyArray<PropertyKey> }
  /** A declared node, and the engine named `engine` on it when given. */
  | { readonly where: 'node'; readonly node: string; readonly engine?: string; readonly param: ReadonlyArray<PropertyKey> };

/** The run an engine instance is placed in, for estimates. */
export interface EngineRun {
  readonly durationMs: number;
  /** Link neighbours of the engine's node. */
  readonly degree: number;
}

/**
 * What a scenario loader can check about a built-in engine without running it: its params schema,
 * the engines it needs, and a bound on the work its timers schedule (for size limits).
 */
export interface EngineSpec {
  readonly params: z.ZodType<unknown>;
  /** Engines and nodes the engine resolves at start (params already parsed). */
  needs?(params: unknown): ReadonlyArray<EngineNeed>;
  /** Timer firings plus messages one instance schedules over the run (an upper bound). */
  load?(params: unknown, run: EngineRun): number;
}

/** The hooks of an engine spec, typed by its parsed params. */
export interface EngineHooks<T> {
  needs?(params: T): ReadonlyArray<EngineNeed>;
  load?(params: T, run: EngineRun): number;
}

/** An engine spec from its params schema and hooks (the hooks receive parsed params). */
export function engineSpec<T>(params: z.ZodType<T>, hooks: EngineHooks<T> = {}): EngineSpec {
  return { params, ...hooks } as unknown as EngineSpec;
}

/** Timer firings of an engine that fires every `intervalMs` over `durationMs`, at most `count` times (0 = no bound). */
export function firings(intervalMs: number, durationMs: number, count = 0): number {
  const periodic = Math.ceil(durationMs / intervalMs) + 1;
  return count > 0 ? Math.min(count, periodic) : periodic;
}
