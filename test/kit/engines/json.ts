// Helpers the test engines share: Maelstrom-style JSON bodies, replies, peers by engine name.
import { fromUtf8, jsonBody, type EngineAddress, type EngineContext, type EngineEnv, type EngineInput } from '../../../kit/index.js';

export type Body = Record<string, unknown> & { readonly type: string };
export type MessageInput = Extract<EngineInput, { kind: 'message' }>;

/** The JSON body of a message, or undefined. */
export function bodyOf(input: MessageInput): Body | undefined {
  try {
    const body = JSON.parse(fromUtf8(input.message.body)) as unknown;
    return typeof body === 'object' && body !== null && typeof (body as Body).type === 'string' ? (body as Body) : undefined;
  } catch {
    return undefined;
  }
}

/** The sender of a message as an address. */
export const senderOf = (input: MessageInput): EngineAddress => ({ engine: input.message.src, node: input.sourceNode });

export function sendJson(ctx: EngineContext, to: EngineAddress, body: Body): void {
  ctx.send({ kind: 'engine', engine: to.engine, node: to.node }, jsonBody(body));
}

/** Answers request `request` (Maelstrom's `in_reply_to`) at `client`. */
export function answer(ctx: EngineContext, client: EngineAddress, request: Body, reply: Body): void {
  sendJson(ctx, client, { ...reply, in_reply_to: request['msg_id'] });
}

/** The engine called `name` on each of `nodes`. */
export function addresses(env: EngineEnv, nodes: ReadonlyArray<string>, name: string): EngineAddress[] {
  return nodes.map((node) => {
    const resolved = env.resolve(`${node}/${name}`);
    if (!resolved.ok) throw new Error(resolved.error);
    return resolved.value;
  });
}

/** Every other node of the plan. */
export const othersOf = (env: EngineEnv): string[] => (env.nodeNames ?? []).filter((node) => node !== env.nodeName);
