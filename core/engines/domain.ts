// `domain`: the Domain engine (SPEC §4.6, §5.6). One per node and domain, in one of three roles:
// - the owner (`owner:`) holds the domain key, the only engine that does: it signs the DomainAdvert
//   (the members serving external requests) and the membership policy (open, an allow-list of
//   nodes, or invitations it signs and sends to the invitees); it is the first member;
// - a member (`join: true`) sends a JoinRequest, signed by its own key, to its contacts in turn; a
//   member that receives one checks it against the owner's policy itself and answers with a signed
//   JoinResponse (accepted, with the epoch from which the membership holds, the policy and the
//   advert; or refused, with a typed reason); members hand the advert out and may leave. A
//   contact's answer is awaited `joinTimeoutMs` from the moment the connection to it is up (a
//   handshake on a loaded machine can take seconds: that is the Transport's time, not the
//   contact's), the next contact is asked when the dial fails, and an acceptance that comes late
//   still counts while the node is not a member yet;
// - a client (neither) only fetches the advert from its contacts and makes external requests.
// Every role relays the external requests of local engines (ExtRequest → DomainRequest → a serving
// member → ExtResponse), see domain-requests.ts.
import { z } from 'zod';
import { decodeAdvert, encodeAdvert, signAdvert, verifyAdvert, type DomainAdvert } from '../adverts.js';
import { NetmachineError } from '../assert.js';
import {
  admits,
  decodeDomainMessage,
  DOMAIN_PROTOCOL,
  encodeDomainMessage,
  encodeDomainPolicy,
  openDomainPolicy,
  openInvitation,
  openJoinRequest,
  openJoinResponse,
  signDomainPolicy,
  signInvitation,
  signJoinRequest,
  signJoinResponse,
  type DomainMessage,
  type DomainPolicy,
  type MembershipPolicy,
} from '../domain-wire.js';
import type { EngineAddress, EngineContext, EngineEnv, EngineFactory, EngineInput, Notice } from '../engine.js';
import type { Id } from '../ids.js';
import type { KeyPair } from '../ports.js';
import { ATTEMPTS_MAX, DomainRequests } from './domain-requests.js';
import { engineSpec, parseParams, type EngineNeed } from './params.js';

const Names = z.array(z.string().min(1));
const DomainParams = z.strictObject({
  domain: z.string().min(1),
  /** This node owns the domain: it holds the key and signs the advert, the policy and invitations. */
  owner: z
    .strictObject({
      policy: z.enum(['open', 'allow-list', 'invitation']).default('open'),
      /** Nodes the allow-list admits (the owner's node always). */
      allow: Names.default([]),
      /** Nodes the owner sends an invitation to. */
      invite: Names.default([]),
      /** Members that serve external requests (listed in the DomainAdvert). */
      serving: Names.default([]),
      invitationTtlMs: z.number().positive().default(24 * 3600 * 1000),
    })
    .optional(),
  /** Join the domain through the contacts. */
  join: z.boolean().default(false),
  /** Nodes whose Domain engines this one asks: to join, or for the advert. */
  contacts: Names.default([]),
  /** Name of the Domain engines on the other nodes. */
  peerEngine: z.string().min(1).default('domain'),
  /** Local engine that answers external requests when this node serves them. */
  service: z.string().min(1).optional(),
  /** The first JoinRequest leaves after a random delay below this (ms), so a crowd does not join at once. */
  joinDelayMs: z.number().nonnegative().default(0),
  /** A contact that has not answered this long after the connection to it was up is given up for the next (ms; the wait doubles per round of contacts). */
  joinTimeoutMs: z.number().positive().default(2000),
  /** Leave the domain at this time (ms). */
  leaveAtMs: z.number().nonnegative().optional(),
  /** External requests: one attempt's timeout (ms) and the attempts per request. */
  requestTimeoutMs: z.number().positive().default(500),
  attemptsMax: z.number().int().positive().max(ATTEMPTS_MAX).default(3),
  /** Measure the RTT to the serving members once the advert is known (anycast then prefers the closest). */
  probe: z.boolean().default(true),
});
type Options = z.output<typeof DomainParams>;

const nodesNeeded = (names: ReadonlyArray<string>, param: ReadonlyArray<PropertyKey>, engine?: string): EngineNeed[] =>
  names.map((node, index) => ({ where: 'node', node, ...(engine !== undefined && { engine }), param: [...param, index] }));

/** What validate checks of a `domain` engine: the nodes it names are declared, contacts and invitees run `peerEngine`, `service` runs on its node. */
export const DOMAIN_SPEC = engineSpec(DomainParams, {
  needs: (options) => [
    ...nodesNeeded(options.contacts, ['contacts'], options.peerEngine),
    ...(options.owner === undefined
      ? []
      : [...nodesNeeded(options.owner.serving, ['owner', 'serving']), ...nodesNeeded(options.owner.allow, ['owner', 'allow']), ...nodesNeeded(options.owner.invite, ['owner', 'invite'], options.peerEngine)]),
    ...(options.service === undefined ? [] : [{ where: 'local' as const, engine: options.service, param: ['service'] }]),
  ],
  // Join attempts (one per contact and retry round) and advert requests, each a message and a timer.
  load: (options, run) => 4 * (options.contacts.length + 1) * Math.ceil(Math.log2(2 + run.durationMs / options.joinTimeoutMs)) + 2 * (options.owner?.serving.length ?? 0),
});

/** Longest wait between two join or advert attempts (ms). */
const RETRY_MS_MAX = 30_000;
/** Advert requests a member keeps while it has no advert to answer them with. */
const ADVERT_WANTED_MAX = 64;

type MessageInput = Extract<EngineInput, { kind: 'message' }>;

/** The Domain engines of the named nodes this node's configuration knows. */
function resolveEngines(env: EngineEnv, names: ReadonlyArray<string>, engine: string, field: string): EngineAddress[] {
  return names.map((name) => {
    const resolved = env.resolve(`${name}/${engine}`);
    if (!resolved.ok) throw new NetmachineError('engine/bad-params', `engine "domain" params.${field}: ${resolved.error}`);
    return resolved.value;
  });
}

function nodeIds(env: EngineEnv, names: ReadonlyArray<string>, field: string): Id[] {
  return names.map((name) => {
    const id = env.nodeId?.(name);
    if (id === undefined) throw new NetmachineError('engine/bad-params', `engine "domain" params.${field}: no node "${name}" known here`);
    return id;
  });
}

function domainId(env: EngineEnv, options: Options): Id {
  if (options.owner !== undefined) {
    if (env.domainKey === undefined) throw new NetmachineError('engine/unsupported', 'engine "domain" with owner: needs the domain key, which this backend does not hand out');
    return env.domainKey(options.domain).id;
  }
  if (env.domain === undefined) throw new NetmachineError('engine/unsupported', 'engine "domain": this backend names no domains');
  return env.domain(options.domain);
}

/** What only the owner does: sign the advert, the policy and the invitations. */
interface Owner {
  readonly key: KeyPair;
  readonly serving: ReadonlyArray<Id>;
  readonly policy: MembershipPolicy;
  readonly invitees: ReadonlyArray<EngineAddress>;
  readonly servingEngines: ReadonlyArray<EngineAddress>;
}

export const createDomainEngine: EngineFactory = (params, env) => {
  const options = parseParams('domain', DomainParams, params);
  const domain = domainId(env, options);
  const owner: Owner | undefined =
    options.owner === undefined
      ? undefined
      : {
          key: env.domainKey!(options.domain),
          serving: nodeIds(env, options.owner.serving, 'owner.serving'),
          policy: options.owner.policy === 'allow-list' ? { kind: 'allow-list', allow: [...new Set([env.nodeId?.(env.nodeName) ?? '', ...nodeIds(env, options.owner.allow, 'owner.allow')])].filter((id) => id !== '') } : { kind: options.owner.policy },
          invitees: resolveEngines(env, options.owner.invite, options.peerEngine, 'owner.invite'),
          servingEngines: resolveEngines(env, options.owner.serving.filter((name) => name !== env.nodeName), options.peerEngine, 'owner.serving'),
        };
  const contacts = resolveEngines(env, options.contacts, options.peerEngine, 'contacts');
  // Domain engines of the known nodes, by node id, to probe the serving members the advert names.
  const knownEngines = new Map<Id, EngineAddress>();
  for (const name of env.known ?? env.neighbors) {
    const resolved = env.resolve(`${name}/${options.peerEngine}`);
    if (resolved.ok) knownEngines.set(resolved.value.node, resolved.value);
  }
  let service: Id | undefined;
  let requests: DomainRequests | undefined;
  let credential: Uint8Array | undefined;
  /**
   * Join state: which contact is asked (a count: the contact is this modulo their number), when the
   * request was sent, how long to wait for an answer, whether one is awaited, and when the
   * connection to the contact was up (undefined while the Transport still dials it).
   */
  let joining: { contact: number; sentMs: number; retryMs: number; isWaiting: boolean; connectedMs: number | undefined } | undefined;
  /** Connection notices are asked for (once, when a join request had to wait for a dial). */
  let isWatching = false;
  let advertRetryMs = 250;
  /** Engines that asked for the advert before this node had it (answered when it comes). */
  const advertWanted = new Map<Id, EngineAddress>();
  /** Serving members probed and not yet answered (undefined: no probe sent yet). */
  let probing: Set<Id> | undefined;

  const send = (ctx: EngineContext, to: EngineAddress, message: DomainMessage): void => void ctx.send({ kind: 'engine', ...to }, encodeDomainMessage(message), { protocol: DOMAIN_PROTOCOL });

  function start(ctx: EngineContext): void {
    const resolved = options.service === undefined ? undefined : env.resolve(`${env.nodeName}/${options.service}`);
    if (resolved !== undefined && !resolved.ok) throw new NetmachineError('engine/bad-params', `engine "domain" params.service: ${resolved.error}`);
    service = resolved?.value.engine;
    requests = new DomainRequests(domain, { attemptsMax: options.attemptsMax, timeoutMs: options.requestTimeoutMs, service });
    if (owner !== undefined) return startOwner(ctx, owner);
    if (options.join) {
      joining = { contact: 0, sentMs: 0, retryMs: options.joinTimeoutMs, isWaiting: false, connectedMs: undefined };
      ctx.setTimer(options.joinDelayMs * ctx.rng.next(), 'join');
    } else if (contacts.length > 0) {
      ctx.setTimer(0, 'advert');
    }
    if (options.leaveAtMs !== undefined) ctx.setTimer(options.leaveAtMs, 'leave');
  }

  function startOwner(ctx: EngineContext, own: Owner): void {
    const sign = (bytes: Uint8Array): Uint8Array => ctx.signAs(own.key, bytes);
    const policy = openDomainPolicy(ctx.verify, signDomainPolicy(sign, { domain, version: 1, created: Math.max(0, Math.floor(ctx.now())), policy: own.policy }))!;
    const advert = signAdvert({ scheme: 'engine', keyPair: () => own.key, sign: (key, bytes) => ctx.signAs(key, bytes), verify: ctx.verify, hash: ctx.hash }, own.key, { kind: 'domain', id: domain, version: 1, created: Math.max(0, Math.floor(ctx.now())), nodes: own.serving });
    ctx.offerAdvert(advert);
    ctx.domains.setMembership(domain, { epoch: policy.version, policy });
    onAdvertKnown(ctx, advert);
    const advertBytes = encodeAdvert(advert);
    for (const member of own.servingEngines) send(ctx, member, { kind: 'advert', advert: advertBytes });
    const expiry = Math.floor(ctx.now() + options.owner!.invitationTtlMs);
    for (const invitee of own.invitees) send(ctx, invitee, { kind: 'invitation', invitation: signInvitation(sign, { domain, invitee: invitee.node, expiry }) });
    if (options.leaveAtMs !== undefined) ctx.setTimer(options.leaveAtMs, 'leave');
  }

  /** A verified advert of this domain: serve it when listed, probe its members once. */
  function onAdvertKnown(ctx: EngineContext, advert: DomainAdvert): void {
    if (service !== undefined && advert.nodes.includes(ctx.node)) ctx.domains.serve(domain);
    const advertBytes = encodeAdvert(advert);
    for (const wanting of advertWanted.values()) send(ctx, wanting, { kind: 'advert', advert: advertBytes });
    advertWanted.clear();
    if (!options.probe || probing !== undefined) return requests!.ready(ctx);
    probing = new Set();
    for (const node of advert.nodes) {
      const engine = knownEngines.get(node);
      if (engine === undefined || node === ctx.node) continue;
      probing.add(node);
      send(ctx, engine, { kind: 'probe', domain, n: Math.floor(ctx.now() * 1000) });
    }
    // Requests wait for the probes' answers, or one request timeout at most.
    if (probing.size === 0) requests!.ready(ctx);
    else ctx.setTimer(options.requestTimeoutMs, 'probed');
  }

  function sendJoin(ctx: EngineContext): void {
    if (joining === undefined || ctx.domains.membership(domain) !== undefined) return;
    const contact = contacts[joining.contact % contacts.length];
    if (contact === undefined) return ctx.log('domain join: no contact configured');
    joining.sentMs = ctx.now();
    joining.isWaiting = true;
    // The answer's wait counts from the connection: when the contact is not connected yet, the
    // request waits in the Transport's queue while it dials, and the connection notice says when
    // the wait begins (the timer below then only checks and re-arms).
    joining.connectedMs = ctx.connections.isConnected(contact.node) ? ctx.now() : undefined;
    if (joining.connectedMs === undefined && !isWatching) {
      isWatching = true;
      ctx.connections.watch();
    }
    const request = signJoinRequest(ctx.sign, { requestor: ctx.self, node: ctx.node, domain, ...(credential !== undefined && { auth: credential }) });
    send(ctx, contact, { kind: 'join-request', request });
    ctx.setTimer(joining.retryMs, `join-timeout:${joining.contact}`);
  }

  /** The contact asked now, while an answer is awaited. */
  const askedContact = (): EngineAddress | undefined => (joining?.isWaiting === true ? contacts[joining.contact % contacts.length] : undefined);

  /** A join request's timer: the contact had `retryMs` from its connection to answer; re-armed for what is left of that, or while the dial is still under way. */
  function onJoinTimeout(ctx: EngineContext, contact: number): void {
    if (joining === undefined || !joining.isWaiting || joining.contact !== contact) return;
    const nowMs = ctx.now();
    // A dial that never ends is the Transport's bug; still, the wait ends RETRY_MS_MAX after the request at the latest.
    const leftMs = joining.connectedMs !== undefined ? joining.connectedMs + joining.retryMs - nowMs : nowMs - joining.sentMs < RETRY_MS_MAX ? joining.retryMs : 0;
    if (leftMs > 0) return void ctx.setTimer(leftMs, `join-timeout:${contact}`);
    nextContact(ctx);
  }

  function onConnectionNotice(ctx: EngineContext, notice: Notice): void {
    const contact = askedContact();
    if (joining === undefined || contact === undefined || joining.connectedMs !== undefined) return;
    if (notice.kind === 'node-connected' && notice.node === contact.node) joining.connectedMs = ctx.now();
    // The contact cannot be reached now: ask the next one (the Transport still re-dials it while the request waits, and its late acceptance still counts).
    else if (notice.kind === 'node-connect-failed' && notice.node === contact.node) nextContact(ctx);
  }

  /** The next contact, after a wait that doubles up to RETRY_MS_MAX. */
  function nextContact(ctx: EngineContext): void {
    if (joining === undefined) return;
    joining.isWaiting = false;
    joining.contact++;
    joining.retryMs = Math.min(RETRY_MS_MAX, joining.retryMs * 2);
    ctx.setTimer(joining.contact % Math.max(1, contacts.length) === 0 ? joining.retryMs : 0, 'join');
  }

  function onJoinRequest(ctx: EngineContext, input: MessageInput, bytes: Uint8Array): void {
    const request = openJoinRequest(ctx.verify, bytes);
    const membership = ctx.domains.membership(domain);
    const isGenuine = request !== undefined && request.requestor === input.message.src && request.node === input.sourceNode && request.domain === domain;
    const result = !isGenuine ? 'domain/bad-request' : membership === undefined ? 'domain/not-member' : admits(ctx.verify, membership.policy, request.node, request.auth, ctx.now());
    const response = signJoinResponse(ctx.sign, { approver: ctx.self, node: ctx.node, requestor: input.message.src, domain, result, ...(result === 'accepted' && { epoch: membership!.policy.version }) });
    const advert = ctx.domains.advert(domain);
    const reply: DomainMessage =
      result === 'accepted' ? { kind: 'join-response', response, policy: encodeDomainPolicy(membership!.policy), ...(advert !== undefined && { advert: encodeAdvert(advert) }) } : { kind: 'join-response', response };
    if (result === 'accepted') ctx.domains.learnMember(domain, input.sourceNode);
    ctx.log(result === 'accepted' ? 'domain join approved' : 'domain join refused', { reason: result });
    ctx.reply(input, encodeDomainMessage(reply), { protocol: DOMAIN_PROTOCOL });
  }

  function onJoinResponse(ctx: EngineContext, input: MessageInput, message: Extract<DomainMessage, { kind: 'join-response' }>): void {
    const response = openJoinResponse(ctx.verify, message.response);
    if (response === undefined || response.approver !== input.message.src || response.node !== input.sourceNode || response.requestor !== ctx.self || response.domain !== domain) return ctx.log('domain join response invalid');
    // An acceptance counts whenever it comes while the node is still joining (it may answer a
    // request whose wait had ended); a refusal only from the contact asked now.
    if (joining === undefined || ctx.domains.membership(domain) !== undefined) return;
    if (response.result !== 'accepted') {
      if (askedContact()?.node !== input.sourceNode) return;
      ctx.log('domain join refused', { reason: response.result });
      // A contact that is not a member yet cannot judge: ask the next one. Any other refusal is the policy's answer.
      if (response.result === 'domain/not-member') return nextContact(ctx);
      // The invitation came while the request without it was on its way: ask again with it.
      if (response.result === 'domain/no-invitation' && credential !== undefined) return sendJoin(ctx);
      joining = undefined;
      return;
    }
    const policy = message.policy === undefined ? undefined : openDomainPolicy(ctx.verify, message.policy);
    if (policy === undefined || policy.domain !== domain) return ctx.log('domain join response without a valid policy');
    if (message.advert !== undefined) acceptAdvert(ctx, message.advert);
    const latencyMs = ctx.now() - joining.sentMs;
    joining = undefined;
    ctx.domains.learnMember(domain, input.sourceNode);
    ctx.domains.setMembership(domain, { epoch: response.epoch ?? policy.version, approver: input.sourceNode, policy: policy as DomainPolicy, ...(credential !== undefined && { credential }) });
    ctx.log('domain joined', { epoch: response.epoch ?? policy.version, latencyMs });
  }

  function acceptAdvert(ctx: EngineContext, bytes: Uint8Array): void {
    const decoded = decodeAdvert(bytes);
    if (!decoded.ok || decoded.value.kind !== 'domain' || decoded.value.id !== domain || !verifyAdvert(ctx.verify, decoded.value)) return ctx.log('domain advert invalid');
    const known = ctx.domains.advert(domain);
    if (known !== undefined && known.version >= decoded.value.version) return;
    ctx.offerAdvert(decoded.value);
    onAdvertKnown(ctx, decoded.value);
  }

  function leave(ctx: EngineContext): void {
    const membership = ctx.domains.membership(domain);
    if (membership === undefined) return;
    ctx.domains.setMembership(domain, undefined);
    joining = undefined;
    const approver = membership.approver === undefined ? undefined : [...knownEngines.values(), ...contacts].find((engine) => engine.node === membership.approver);
    if (approver !== undefined) send(ctx, approver, { kind: 'leave', domain });
    ctx.log('domain left');
  }

  function onPeer(ctx: EngineContext, input: MessageInput, message: DomainMessage): void {
    switch (message.kind) {
      case 'join-request':
        return onJoinRequest(ctx, input, message.request);
      case 'join-response':
        return onJoinResponse(ctx, input, message);
      case 'leave':
        if (message.domain === domain) ctx.domains.forgetMember(domain, input.sourceNode);
        return;
      case 'advert-request': {
        const advert = ctx.domains.advert(domain);
        if (message.domain !== domain) return;
        if (advert !== undefined) ctx.reply(input, encodeDomainMessage({ kind: 'advert', advert: encodeAdvert(advert) }), { protocol: DOMAIN_PROTOCOL });
        else if (advertWanted.size < ADVERT_WANTED_MAX) advertWanted.set(input.message.src, { engine: input.message.src, node: input.sourceNode });
        return;
      }
      case 'advert':
        return acceptAdvert(ctx, message.advert);
      case 'invitation': {
        const invitation = openInvitation(ctx.verify, message.invitation);
        if (invitation === undefined || invitation.domain !== domain || invitation.invitee !== ctx.node) return ctx.log('domain invitation invalid');
        credential = message.invitation;
        ctx.log('domain invitation received');
        // A refusal for want of an invitation, or a join still waiting for its first attempt: try now.
        if (options.join && ctx.domains.membership(domain) === undefined && (joining === undefined || !joining.isWaiting)) {
          joining = { contact: 0, sentMs: 0, retryMs: options.joinTimeoutMs, isWaiting: false, connectedMs: undefined };
          sendJoin(ctx);
        }
        return;
      }
      case 'probe':
        if (message.domain === domain) ctx.reply(input, encodeDomainMessage({ kind: 'probe-reply', domain, n: message.n }), { protocol: DOMAIN_PROTOCOL });
        return;
      case 'probe-reply':
        if (message.domain !== domain || probing?.has(input.sourceNode) !== true) return;
        ctx.recordRtt(input.sourceNode, ctx.now() - message.n / 1000);
        probing?.delete(input.sourceNode);
        if (probing?.size === 0) ctx.setTimer(0, 'probed'); // after the RTT is recorded
        return;
      case 'request':
        return requests!.onRequest(ctx, input, message);
      case 'response':
        return requests!.onResponse(ctx, input.sourceNode, message);
      case 'ext-request':
      case 'ext-response':
        return; // local only
    }
  }

  function onTimer(ctx: EngineContext, tag: string): void {
    if (requests!.onTimer(ctx, tag)) return;
    if (tag === 'join') return sendJoin(ctx);
    if (tag === 'probed') return requests!.ready(ctx);
    if (tag === 'leave') return leave(ctx);
    if (tag.startsWith('join-timeout:')) return onJoinTimeout(ctx, Number(tag.slice('join-timeout:'.length)));
    if (tag === 'advert' && ctx.domains.advert(domain) === undefined) {
      for (const contact of contacts) send(ctx, contact, { kind: 'advert-request', domain });
      advertRetryMs = Math.min(RETRY_MS_MAX, advertRetryMs * 2);
      ctx.setTimer(advertRetryMs, 'advert');
    }
  }

  return {
    handle(input, ctx) {
      switch (input.kind) {
        case 'start':
          return start(ctx);
        case 'timer':
          return onTimer(ctx, input.tag);
        case 'notice':
          return onConnectionNotice(ctx, input.notice);
        case 'message': {
          if (input.message.protocol !== DOMAIN_PROTOCOL) {
            requests!.onServiceReply(ctx, input);
            return;
          }
          const decoded = decodeDomainMessage(input.message.body);
          if (!decoded.ok) return ctx.log('domain message malformed', { reason: decoded.error.code });
          if (decoded.value.kind === 'ext-request') {
            if (input.sourceNode === ctx.node) requests!.request(ctx, input, decoded.value);
            return;
          }
          return onPeer(ctx, input, decoded.value);
        }
      }
    },
  };
};
