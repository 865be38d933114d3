// Domains (basic) and anycast. `domain-member` offers the configured DomainAdvert (signed by the
// domain key, listing `members`), serves the domain and answers every request with its body.
// `anycast-client` probes each member's RTT, then sends requests to the domain: the Router picks one
// member (lowest RTT among those not suspected); a request unanswered within `timeoutMs` counts a
// failure of that member, which suspects it for a while, and is re-sent to the next choice. A reply
// that arrives after its timeout counts as a success of its member, so one late reply does not
// demote a member for good.
import { z } from 'zod';
import { signAdvert, type DomainAdvert } from '../adverts.js';
import { NetmachineError } from '../assert.js';
import type { EngineContext, EngineEnv, EngineFactory } from '../engine.js';
import type { Id } from '../ids.js';
import type { KeyPair } from '../ports.js';
import { jsonBody } from '../node.js';
import { engineSpec, firings, parseParams } from './params.js';
import { fromUtf8 } from '../bytes.js';

export const ANYCAST_PROTOCOL = 'netmachine.anycast/1.0';

const DomainParams = { domain: z.string().min(1), members: z.array(z.string()).min(1) };

/** The domain's key, claimed when the engine is built (a deployer hands it only to the engines that claim it). */
function claimDomainKey(env: EngineEnv, kind: string, domain: string): KeyPair {
  if (env.domainKey === undefined || env.nodeId === undefined) throw new NetmachineError('engine/unsupported', `engine "${kind}" needs configured domain keys`);
  return env.domainKey(domain);
}

function offerDomainAdvert(ctx: EngineContext, env: EngineEnv, key: KeyPair, kind: string, members: ReadonlyArray<string>): Id {
  const nodes = members.map((name) => {
    const id = env.nodeId!(name);
    if (id === undefined) throw new NetmachineError('engine/bad-params', `engine "${kind}" params.members: no node "${name}"`);
    return id;
  });
  ctx.offerAdvert(signDomainAdvert(ctx, key, nodes));
  return key.id;
}

/** The DomainAdvert (version 1) listing `nodes`, signed by the domain key an engine holds from configuration. */
export function signDomainAdvert(ctx: EngineContext, key: KeyPair, nodes: ReadonlyArray<Id>): DomainAdvert {
  return signAdvert({ scheme: 'engine', keyPair: () => key, sign: ctx.signAs, verify: ctx.verify, hash: ctx.hash }, key, { kind: 'domain', id: key.id, version: 1, created: 0, nodes });
}

const MemberParams = z.strictObject(DomainParams);

const membersNeeded = (members: ReadonlyArray<string>, engine?: string) => members.map((node, index) => ({ where: 'node' as const, node, ...(engine !== undefined && { engine }), param: ['members', index] }));

/** What validate checks of a `domain-member` engine: its members are declared nodes. */
export const DOMAIN_MEMBER_SPEC = engineSpec(MemberParams, { needs: (options) => membersNeeded(options.members) });

export const createDomainMemberEngine: EngineFactory = (params, env) => {
  const options = parseParams('domain-member', MemberParams, params);
  const key = claimDomainKey(env, 'domain-member', options.domain);
  return {
    handle(input, ctx) {
      if (input.kind === 'start') ctx.serveDomain(offerDomainAdvert(ctx, env, key, 'domain-member', options.members));
      if (input.kind === 'message' && input.message.protocol === ANYCAST_PROTOCOL && input.message.replyTo === undefined) ctx.reply(input, input.message.body, { protocol: ANYCAST_PROTOCOL });
    },
  };
};

const ClientParams = z.strictObject({
  ...DomainParams,
  /** Engine name of the members' server (probed directly for RTT). */
  serverEngine: z.string().min(1).default('domain-member'),
  startMs: z.number().nonnegative().default(200),
  intervalMs: z.number().positive().default(100),
  count: z.number().int().positive().default(20),
  timeoutMs: z.number().positive().default(200),
});

/** What validate checks of an `anycast-client` engine: every member runs its server engine. */
export const ANYCAST_CLIENT_SPEC = engineSpec(ClientParams, {
  needs: (options) => membersNeeded(options.members, options.serverEngine),
  load: (options, run) => 3 * firings(options.intervalMs, run.durationMs, options.count) + options.members.length,
});

export const createAnycastClientEngine: EngineFactory = (params, env) => {
  const options = parseParams('anycast-client', ClientParams, params);
  const key = claimDomainKey(env, 'anycast-client', options.domain);
  const servers = options.members.map((member) => {
    const resolved = env.resolve(`${member}/${options.serverEngine}`);
    if (!resolved.ok) throw new NetmachineError('engine/bad-params', `engine "anycast-client" params.members: ${resolved.error}`);
    return resolved.value;
  });
  let domain: Id | undefined;
  let sent = 0;
  /** Request number → (member the Router chose, send time); probes use negative numbers. */
  const outstanding = new Map<number, { member: Id; sentAt: number }>();
  /** Requests that timed out: a late reply still proves its member alive (a success, not a second answer). */
  const late = new Map<number, { member: Id; sentAt: number }>();
  const request = (ctx: EngineContext, n: number): void => {
    const member = ctx.anycastMember(domain!);
    if (member === undefined) return ctx.log('no domain member left');
    outstanding.set(n, { member, sentAt: ctx.now() });
    ctx.send({ kind: 'domain', domain: domain! }, jsonBody({ n }), { protocol: ANYCAST_PROTOCOL });
    ctx.setTimer(options.timeoutMs, `timeout:${n}`);
  };
  return {
    handle(input, ctx) {
      switch (input.kind) {
        case 'start':
          domain = offerDomainAdvert(ctx, env, key, 'anycast-client', options.members);
          servers.forEach((server, index) => {
            outstanding.set(-(index + 1), { member: server.node, sentAt: ctx.now() });
            ctx.send({ kind: 'engine', ...server }, jsonBody({ n: -(index + 1) }), { protocol: ANYCAST_PROTOCOL });
          });
          ctx.setTimer(options.startMs, 'next');
          return;
        case 'timer': {
          if (input.tag === 'next') {
            request(ctx, ++sent);
            if (sent < options.count) ctx.setTimer(options.intervalMs, 'next');
            return;
          }
          const n = Number(input.tag.slice('timeout:'.length));
          const pending = outstanding.get(n);
          if (pending === undefined) return;
          outstanding.delete(n);
          late.set(n, pending);
          ctx.recordFailure(pending.member); // falls back: the next choice avoids this member for a while
          return request(ctx, n);
        }
        case 'message': {
          if (input.message.protocol !== ANYCAST_PROTOCOL || input.message.replyTo === undefined) return;
          const { n } = JSON.parse(fromUtf8(input.message.body)) as { n: number };
          const overdue = late.get(n);
          if (overdue !== undefined && overdue.member === input.sourceNode) {
            late.delete(n);
            ctx.recordRtt(input.sourceNode, ctx.now() - overdue.sentAt);
          }
          const pending = outstanding.get(n);
          if (pending === undefined || pending.member !== input.sourceNode) return;
          outstanding.delete(n);
          ctx.recordRtt(input.sourceNode, ctx.now() - pending.sentAt);
          if (n > 0) ctx.log('anycast reply', { n, rttMs: ctx.now() - pending.sentAt });
          return;
        }
        case 'notice':
          return;
      }
    },
  };
};
