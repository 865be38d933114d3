// `echo`: answers every message with the same body.
import { z } from 'zod';
import type { Engine, EngineContext, EngineFactory, EngineInput } from '../engine.js';
import { engineSpec, parseParams } from './params.js';

export const ECHO_PROTOCOL = 'netmachine.echo/1.0';

const NO_PARAMS = z.strictObject({});

/** Echo keeps no state: every node shares this one instance. */
const ECHO: Engine = Object.freeze({
  handle(input: EngineInput, ctx: EngineContext) {
    if (input.kind === 'message' && input.message.replyTo === undefined) ctx.reply(input, input.message.body, { protocol: ECHO_PROTOCOL });
  },
});

/** What validate checks of an `echo` engine. */
export const ECHO_SPEC = engineSpec(NO_PARAMS);

export const createEchoEngine: EngineFactory = (params) => {
  parseParams('echo', NO_PARAMS, params);
  return ECHO;
};
