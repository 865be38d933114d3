// `echo`: answers every message with the same body.
import { z } from 'zod';
import type { Engine, EngineContext, EngineFactory, EngineInput } from '../engine.js';
import { parseParams } from './params.js';

export const ECHO_PROTOCOL = 'netmachine.echo/1.0';

const NO_PARAMS = z.strictObject({});

/** Echo keeps no state: every node shares this one instance. */
const ECHO: Engine = Object.freeze({
  handle(input: EngineInput, ctx: EngineContext) {
    if (input.kind === 'message' && input.message.replyTo === undefined) ctx.reply(input, input.message.body, { protocol: ECHO_PROTOCOL });
  },
});

export const createEchoEngine: EngineFactory = (params) => {
  parseParams('echo', NO_PARAMS, params);
  return ECHO;
};
