// `ext-client`: makes external requests to a domain through its node's Domain engine (SPEC §4.6,
// §5.6): every `intervalMs` it sends an ExtRequest to the local `domain` engine, which anycasts it
// to a serving member (the closest one not suspected of failing) and answers with an ExtResponse:
// `ok` with the member's answer, or a typed failure. Each result is logged (`ext result`).
import { z } from 'zod';
import { NetmachineError } from '../assert.js';
import { decodeDomainMessage, DOMAIN_PROTOCOL, encodeDomainMessage } from '../domain-wire.js';
import type { EngineAddress, EngineFactory } from '../engine.js';
import { engineSpec, firings, parseParams } from './params.js';

const ExtClientParams = z.strictObject({
  /** Name of the local Domain engine of the domain to ask. */
  domainEngine: z.string().min(1).default('domain'),
  /** Protocol of the request body (what the members' service answers). */
  protocol: z.string().min(1).default('netmachine.echo/1.0'),
  startMs: z.number().nonnegative().default(200),
  intervalMs: z.number().positive().default(100),
  count: z.number().int().positive().default(20),
  sizeBytes: z.number().int().nonnegative().max(1 << 20).default(8),
  /** One attempt's timeout (ms); 0 = the Domain engine's own. */
  timeoutMs: z.number().nonnegative().default(0),
});

/** What validate checks of an `ext-client` engine: its node runs the Domain engine it asks. */
export const EXT_CLIENT_SPEC = engineSpec(ExtClientParams, {
  needs: (options) => [{ where: 'local', engine: options.domainEngine, param: ['domainEngine'] }],
  load: (options, run) => 2 * firings(options.intervalMs, run.durationMs, options.count),
});

export const createExtClientEngine: EngineFactory = (params, env) => {
  const options = parseParams('ext-client', ExtClientParams, params);
  const resolved = env.resolve(`${env.nodeName}/${options.domainEngine}`);
  if (!resolved.ok) throw new NetmachineError('engine/bad-params', `engine "ext-client" params.domainEngine: ${resolved.error}`);
  const domainEngine: EngineAddress = resolved.value;
  let sent = 0;
  return {
    handle(input, ctx) {
      switch (input.kind) {
        case 'start':
          ctx.setTimer(options.startMs, 'next');
          return;
        case 'timer': {
          sent++;
          const request = encodeDomainMessage({ kind: 'ext-request', protocol: options.protocol, body: new Uint8Array(options.sizeBytes).fill(sent % 256), timeoutMs: options.timeoutMs });
          ctx.send({ kind: 'engine', ...domainEngine }, request, { protocol: DOMAIN_PROTOCOL });
          if (sent < options.count) ctx.setTimer(options.intervalMs, 'next');
          return;
        }
        case 'message': {
          if (input.message.protocol !== DOMAIN_PROTOCOL || input.message.src !== domainEngine.engine || input.message.replyTo === undefined) return;
          const decoded = decodeDomainMessage(input.message.body);
          if (!decoded.ok || decoded.value.kind !== 'ext-response') return;
          const response = decoded.value;
          ctx.log('ext result', { result: response.result, latencyMs: response.latencyMs, ...(response.member !== undefined && { member: response.member.slice(0, 12) }) });
          return;
        }
        case 'notice':
          return;
      }
    },
  };
};
