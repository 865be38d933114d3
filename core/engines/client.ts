// `client`: drives a user engine with operations and records a history (Jepsen's model). Each of
// its processes has one operation open at a time: it traces `invoke`, sends a JSON request to its
// server engine, and traces `ok` / `fail` on the reply or `info` when the reply does not come in
// time. The wire is Maelstrom's: `{ type, msg_id, … }` answered by `{ type: "<type>_ok", in_reply_to, … }`
// or `{ type: "error", in_reply_to, code }`.
import { z } from 'zod';
import { fromUtf8 } from '../bytes.js';
import { NetmachineError } from '../assert.js';
import type { EngineAddress, EngineContext, EngineFactory, LogData } from '../engine.js';
import { jsonBody } from '../node.js';
import { parseParams } from './params.js';

/** The `log` text of history events. */
export const HISTORY_TEXT = 'history';

/** Maelstrom's definite error codes: the operation certainly did not happen (`fail`); other codes give `info`. */
export const DEFINITE_ERROR_CODES: ReadonlySet<number> = new Set([10, 11, 12, 14, 20, 21, 22, 30]);

const ClientParams = z.strictObject({
  /** `lin-kv`: read / write / cas on keys; `broadcast`: broadcast / read; `g-counter`: add / read. */
  workload: z.enum(['lin-kv', 'broadcast', 'g-counter']),
  /** The name of the server engine on the target nodes. */
  engine: z.string().min(1),
  /** Nodes whose server engine the processes talk to (process i → node i mod n); default: every node. */
  nodes: z.array(z.string().min(1)).min(1).optional(),
  /** Talk to the server on this client's own node (instead of `nodes`). */
  local: z.boolean().default(false),
  /** Concurrent processes of this client. */
  processes: z.number().int().positive().max(1000).default(1),
  /** Operations per process (0: until `stopMs`). */
  count: z.number().int().nonnegative().default(0),
  /** Think time between a completion and the next invocation (ms, uniform up to this). */
  intervalMs: z.number().positive().default(50),
  /** An operation without a reply after this long ends `info` (ms). */
  timeoutMs: z.number().positive().default(1000),
  startMs: z.number().nonnegative().default(0),
  /** No new operations after this time (ms, default: never). */
  stopMs: z.number().nonnegative().optional(),
  /** When each process makes one final read (ms; for `broadcast` and `g-counter`, after the quiet phase begins). */
  finalReadMs: z.number().nonnegative().optional(),
  /** `lin-kv`: keys `k0…`; values 0…valuesMax-1. */
  keys: z.number().int().positive().max(10_000).default(3),
  valuesMax: z.number().int().positive().default(5),
});
type ClientOptions = z.output<typeof ClientParams>;

interface Process {
  /** `node:i`, or `node.session:i` after a restart (a restarted client's open operations stay open: info). */
  name: string;
  readonly server: EngineAddress;
  done: number;
  open?: { readonly msgId: number; readonly f: string; readonly key?: string; readonly timer: number; readonly isFinal: boolean };
  /** The final read is due and not yet made. */
  isFinalDue: boolean;
}

export const createClientEngine: EngineFactory = (params, env) => {
  const options = parseParams('client', ClientParams, params);
  const nodes = options.local ? [env.nodeName] : (options.nodes ?? env.nodeNames ?? [env.nodeName]);
  const servers = nodes.map((node) => {
    const resolved = env.resolve(`${node}/${options.engine}`);
    if (!resolved.ok) throw new NetmachineError('engine/bad-params', `engine "client" params.nodes: ${resolved.error}`);
    return resolved.value;
  });
  // Values broadcast by this client are unique across the scenario: the node's position in the plan
  // and the process number lead.
  const ordinal = Math.max(0, (env.nodeNames ?? [env.nodeName]).indexOf(env.nodeName));
  const processes: Process[] = Array.from({ length: options.processes }, (_, i) => ({ name: `${env.nodeName}:${i}`, server: servers[i % servers.length]!, done: 0, isFinalDue: false }));
  let nextMsgId = 1;
  let session = 1;
  const record = (ctx: EngineContext, process: Process, type: string, f: string, key: string | undefined, value: unknown, isFinal = false): void => {
    const data: Record<string, string | number | boolean> = { process: process.name, type, f };
    if (key !== undefined) data['key'] = key;
    if (value !== undefined) data['value'] = JSON.stringify(value);
    if (isFinal) data['final'] = true;
    ctx.log(HISTORY_TEXT, data as LogData);
  };
  const invoke = (ctx: EngineContext, process: Process, isFinal: boolean): void => {
    const request: { type: string } & Record<string, unknown> = isFinal ? { type: 'read' } : nextRequest(options, ctx, ((ordinal * 64 + (session % 64)) * 1000 + processes.indexOf(process)) * 10_000 + process.done);
    const msgId = nextMsgId++;
    const { type, ...rest } = request;
    const key = typeof rest['key'] === 'string' ? rest['key'] : undefined;
    record(ctx, process, 'invoke', type, key, inputOf(type, rest), isFinal);
    ctx.send({ kind: 'engine', engine: process.server.engine, node: process.server.node }, jsonBody({ ...request, msg_id: msgId }));
    process.open = { msgId, f: type, ...(key !== undefined && { key }), timer: ctx.setTimer(options.timeoutMs, `timeout:${msgId}`), isFinal };
  };
  const complete = (ctx: EngineContext, process: Process, type: 'ok' | 'fail' | 'info', value: unknown): void => {
    const open = process.open!;
    process.open = undefined;
    if (type !== 'info') ctx.cancelTimer(open.timer);
    record(ctx, process, type, open.f, open.key, value, open.isFinal);
    if (open.isFinal) return;
    process.done++;
    if (process.isFinalDue) invokeFinal(ctx, process);
    else schedule(ctx, process);
  };
  const invokeFinal = (ctx: EngineContext, process: Process): void => {
    process.isFinalDue = false;
    invoke(ctx, process, true);
  };
  const schedule = (ctx: EngineContext, process: Process): void => {
    const at = ctx.now() + ctx.rng.next() * options.intervalMs;
    const isStopped = (options.count > 0 && process.done >= options.count) || (options.stopMs !== undefined && at >= options.stopMs);
    if (!isStopped) ctx.setTimer(Math.max(0, at - ctx.now()), `next:${processes.indexOf(process)}`);
  };
  return {
    handle(input, ctx) {
      switch (input.kind) {
        case 'start':
          session = ctx.session;
          for (const [i, process] of processes.entries()) {
            if (ctx.session > 1) process.name = `${env.nodeName}.${ctx.session}:${i}`;
            ctx.setTimer(Math.max(0, options.startMs - ctx.now()) + ctx.rng.next() * options.intervalMs, `next:${processes.indexOf(process)}`);
            if (options.finalReadMs !== undefined) ctx.setTimer(Math.max(0, options.finalReadMs - ctx.now()), `final:${processes.indexOf(process)}`);
          }
          return;
        case 'timer': {
          const [what, number] = input.tag.split(':') as [string, string];
          if (what === 'timeout') {
            const process = processes.find((candidate) => candidate.open?.msgId === Number(number));
            if (process !== undefined) complete(ctx, process, 'info', undefined);
            return;
          }
          const process = processes[Number(number)]!;
          if (what === 'final') process.isFinalDue = true;
          if (process.open !== undefined) return; // it goes after the open operation completes
          if (process.isFinalDue) invokeFinal(ctx, process);
          else if (options.stopMs === undefined || ctx.now() < options.stopMs) invoke(ctx, process, false);
          return;
        }
        case 'message': {
          const reply = parseReply(input.message.body);
          if (reply === undefined) return;
          const process = processes.find((candidate) => candidate.open?.msgId === reply.inReplyTo);
          if (process === undefined) return; // late: the operation already ended info
          if (reply.type === 'error') complete(ctx, process, DEFINITE_ERROR_CODES.has(reply.code) ? 'fail' : 'info', undefined);
          else complete(ctx, process, 'ok', outputOf(process.open!.f, reply.body));
          return;
        }
        default:
          return;
      }
    },
  };
};

function nextRequest(options: ClientOptions, ctx: EngineContext, unique: number): { type: string } & Record<string, unknown> {
  const draw = ctx.rng.next();
  switch (options.workload) {
    case 'lin-kv': {
      const key = `k${ctx.rng.int(options.keys)}`;
      if (draw < 0.5) return { type: 'read', key };
      if (draw < 0.8) return { type: 'write', key, value: ctx.rng.int(options.valuesMax) };
      return { type: 'cas', key, from: ctx.rng.int(options.valuesMax), to: ctx.rng.int(options.valuesMax) };
    }
    case 'broadcast':
      return draw < 0.7 ? { type: 'broadcast', message: unique } : { type: 'read' };
    case 'g-counter':
      return draw < 0.7 ? { type: 'add', delta: 1 + ctx.rng.int(5) } : { type: 'read' };
  }
}

function inputOf(type: string, request: Record<string, unknown>): unknown {
  switch (type) {
    case 'write':
      return request['value'];
    case 'cas':
      return [request['from'], request['to']];
    case 'broadcast':
      return request['message'];
    case 'add':
      return request['delta'];
    default:
      return undefined;
  }
}

function outputOf(f: string, body: Record<string, unknown>): unknown {
  if (f === 'read') return body['value'] ?? body['messages'] ?? null;
  if (f === 'cas') return true;
  return undefined;
}

function parseReply(bytes: Uint8Array): { type: string; inReplyTo: number; code: number; body: Record<string, unknown> } | undefined {
  try {
    const body = JSON.parse(fromUtf8(bytes)) as unknown;
    if (typeof body !== 'object' || body === null) return undefined;
    const record = body as Record<string, unknown>;
    if (typeof record['type'] !== 'string' || typeof record['in_reply_to'] !== 'number') return undefined;
    return { type: record['type'], inReplyTo: record['in_reply_to'], code: typeof record['code'] === 'number' ? record['code'] : -1, body: record };
  } catch {
    return undefined;
  }
}
