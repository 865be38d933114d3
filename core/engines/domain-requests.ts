// External requests of a Domain engine (SPEC §4.6, §4.7, §5.6). On the requesting node: a local
// engine's ExtRequest becomes a DomainRequest sent to the domain (the Router's anycast picks one
// serving member); no answer within the timeout counts a failure of that member (suspected for a
// while) and the request goes to the next choice, up to `attemptsMax`; the answer, or the typed
// failure, returns to the requesting engine as an ExtResponse. An answer that arrives late still
// counts as a success of its member. On a serving member: the request goes to the local service
// engine and its reply back along the reversed path as a DomainResponse.
import type { EngineContext, EngineInput } from '../engine.js';
import type { Id } from '../ids.js';
import { DOMAIN_PROTOCOL, encodeDomainMessage, type DomainMessage, type ExtResult } from '../domain-wire.js';

/** Requests a node keeps in flight per Domain engine, on either side (STYLE rule 13). */
export const REQUESTS_IN_FLIGHT_MAX = 4096;
/** Attempts one external request may make (a late answer is keyed by request and attempt). */
export const ATTEMPTS_MAX = 16;

type MessageInput = Extract<EngineInput, { kind: 'message' }>;

export interface RequestOptions {
  readonly attemptsMax: number;
  /** Default timeout of one attempt, ms (an ExtRequest may give its own). */
  readonly timeoutMs: number;
  /** The local engine answering requests on a serving member. */
  readonly service: Id | undefined;
}

interface Pending {
  readonly requester: { readonly engine: Id; readonly node: Id; readonly replyTo: number };
  readonly protocol: string;
  readonly body: Uint8Array;
  readonly timeoutMs: number;
  readonly startedMs: number;
  attempt: number;
  member: Id;
  sentMs: number;
}

/** A request handed to the local service, waiting for its reply. */
interface Serving {
  readonly req: number;
  readonly origin: { readonly engine: Id; readonly node: Id };
  readonly path: ReadonlyArray<Id>;
  readonly protocol: string;
  readonly untilMs: number;
}

export class DomainRequests {
  private nextRequest = 1;
  private readonly pending = new Map<number, Pending>();
  /** Attempts that timed out: a late answer still proves its member alive. */
  private readonly late = new Map<number, { readonly member: Id; readonly sentMs: number }>();
  /** Forwarded to the local service: message id → where the answer goes. */
  private readonly serving = new Map<number, Serving>();
  private isGcArmed = false;
  /** Requests wait until the Domain engine knows the advert (and the members' RTTs it probes). */
  private isReady = false;

  constructor(
    private readonly domain: Id,
    private readonly options: RequestOptions,
  ) {}

  /** A local engine's ExtRequest. */
  request(ctx: EngineContext, input: MessageInput, message: Extract<DomainMessage, { kind: 'ext-request' }>): void {
    const requester = { engine: input.message.src, node: input.sourceNode, replyTo: input.message.id };
    if (this.pending.size >= REQUESTS_IN_FLIGHT_MAX) return answer(ctx, requester, { kind: 'ext-response', result: 'domain/bad-request', latencyMs: 0, body: new Uint8Array(0) });
    const req = this.nextRequest++;
    const pending: Pending = { requester, protocol: message.protocol, body: message.body, timeoutMs: message.timeoutMs > 0 ? message.timeoutMs : this.options.timeoutMs, startedMs: ctx.now(), attempt: 0, member: '', sentMs: 0 };
    this.pending.set(req, pending);
    // Without the advert yet (it is being fetched, its members probed), the request waits one timeout.
    if (!this.isReady) ctx.setTimer(pending.timeoutMs, `ext:${req}:0`);
    else this.attempt(ctx, req, pending);
  }

  /** The advert is known and its members probed: requests that waited go out. */
  ready(ctx: EngineContext): void {
    if (this.isReady) return;
    this.isReady = true;
    for (const [req, pending] of this.pending) if (pending.attempt === 0) this.attempt(ctx, req, pending);
  }

  private attempt(ctx: EngineContext, req: number, pending: Pending): void {
    const member = ctx.domains.anycastMember(this.domain);
    if (member === undefined) return this.finish(ctx, req, 'domain/no-member', undefined, new Uint8Array(0));
    pending.attempt++;
    pending.member = member;
    pending.sentMs = ctx.now();
    const request: DomainMessage = { kind: 'request', req, src: pending.requester.engine, domain: this.domain, path: [ctx.node], protocol: pending.protocol, body: pending.body };
    ctx.send({ kind: 'domain', domain: this.domain }, encodeDomainMessage(request), { protocol: DOMAIN_PROTOCOL });
    ctx.setTimer(pending.timeoutMs, `ext:${req}:${pending.attempt}`);
  }

  /** Timer `ext:<req>:<attempt>`: true when it was one of ours. */
  onTimer(ctx: EngineContext, tag: string): boolean {
    if (tag === 'served:gc') {
      const nowMs = ctx.now();
      for (const [id, entry] of this.serving) if (entry.untilMs <= nowMs) this.serving.delete(id); // the service never answered
      this.isGcArmed = false;
      this.armGc(ctx);
      return true;
    }
    if (tag.startsWith('ext-retry:')) {
      const [, reqText, attemptText] = tag.split(':');
      const pending = this.pending.get(Number(reqText));
      if (pending !== undefined && pending.attempt === Number(attemptText)) this.attempt(ctx, Number(reqText), pending);
      return true;
    }
    if (!tag.startsWith('ext:')) return false;
    const [, reqText, attemptText] = tag.split(':');
    const req = Number(reqText);
    const pending = this.pending.get(req);
    if (pending === undefined || pending.attempt !== Number(attemptText)) return true;
    if (pending.attempt === 0) {
      if (ctx.domains.advert(this.domain) === undefined) this.finish(ctx, req, 'domain/unknown', undefined, new Uint8Array(0));
      else this.attempt(ctx, req, pending); // the probes are late: go with what is measured
      return true;
    }
    ctx.recordFailure(pending.member);
    if (this.late.size >= REQUESTS_IN_FLIGHT_MAX) this.late.delete(this.late.keys().next().value!);
    this.late.set(req * (ATTEMPTS_MAX + 1) + pending.attempt, { member: pending.member, sentMs: pending.sentMs });
    if (pending.attempt >= this.options.attemptsMax) this.finish(ctx, req, 'domain/timeout', undefined, new Uint8Array(0));
    // The next attempt waits for the failure to be recorded (after this handler), so the choice avoids the member.
    else ctx.setTimer(0, `ext-retry:${req}:${pending.attempt}`);
    return true;
  }

  /** A DomainResponse from a member. */
  onResponse(ctx: EngineContext, from: Id, message: Extract<DomainMessage, { kind: 'response' }>): void {
    const pending = this.pending.get(message.req);
    if (pending !== undefined && pending.member === from) {
      ctx.recordRtt(from, ctx.now() - pending.sentMs);
      return this.finish(ctx, message.req, message.result, from, message.body);
    }
    for (let attempt = 1; attempt <= this.options.attemptsMax; attempt++) {
      const key = message.req * (ATTEMPTS_MAX + 1) + attempt;
      const late = this.late.get(key);
      if (late === undefined || late.member !== from) continue;
      this.late.delete(key);
      ctx.recordRtt(from, ctx.now() - late.sentMs); // a success after all: the member is alive
      return;
    }
  }

  private finish(ctx: EngineContext, req: number, result: ExtResult, member: Id | undefined, body: Uint8Array): void {
    const pending = this.pending.get(req)!;
    this.pending.delete(req);
    const response: DomainMessage = { kind: 'ext-response', result, latencyMs: ctx.now() - pending.startedMs, body, ...(member !== undefined && { member }) };
    answer(ctx, pending.requester, response);
    ctx.log('ext request done', { result, attempts: pending.attempt, latencyMs: ctx.now() - pending.startedMs });
  }

  /** A DomainRequest reaching this serving member (the Router delivered an anycast to it). */
  onRequest(ctx: EngineContext, input: MessageInput, message: Extract<DomainMessage, { kind: 'request' }>): void {
    const origin = { engine: input.message.src, node: input.sourceNode };
    const service = this.options.service;
    if (service === undefined || message.domain !== this.domain || this.serving.size >= REQUESTS_IN_FLIGHT_MAX) {
      const result: ExtResult = service === undefined || message.domain !== this.domain ? 'domain/no-service' : 'domain/bad-request';
      return respond(ctx, origin, { kind: 'response', req: message.req, domain: message.domain, dst: message.src, path: message.path.slice().reverse(), result, protocol: message.protocol, body: new Uint8Array(0) });
    }
    const id = ctx.send({ kind: 'engine', engine: service, node: ctx.node }, message.body, { protocol: message.protocol });
    this.serving.set(id, { req: message.req, origin, path: [...message.path, ctx.node], protocol: message.protocol, untilMs: ctx.now() + this.options.timeoutMs * this.options.attemptsMax });
    this.armGc(ctx);
  }

  private armGc(ctx: EngineContext): void {
    if (this.isGcArmed || this.serving.size === 0) return;
    this.isGcArmed = true;
    ctx.setTimer(this.options.timeoutMs * this.options.attemptsMax, 'served:gc');
  }

  /** The local service's reply to a forwarded request: true when it was one. */
  onServiceReply(ctx: EngineContext, input: MessageInput): boolean {
    const replyTo = input.message.replyTo;
    const entry = replyTo === undefined || input.sourceNode !== ctx.node || input.message.src !== this.options.service ? undefined : this.serving.get(replyTo);
    if (entry === undefined) return false;
    this.serving.delete(replyTo!);
    respond(ctx, entry.origin, { kind: 'response', req: entry.req, domain: this.domain, dst: entry.origin.engine, path: entry.path.slice().reverse(), result: 'ok', protocol: entry.protocol, body: input.message.body });
    return true;
  }
}

function answer(ctx: EngineContext, requester: { readonly engine: Id; readonly node: Id; readonly replyTo: number }, message: DomainMessage): void {
  ctx.send({ kind: 'engine', engine: requester.engine, node: requester.node }, encodeDomainMessage(message), { protocol: DOMAIN_PROTOCOL, replyTo: requester.replyTo });
}

function respond(ctx: EngineContext, origin: { readonly engine: Id; readonly node: Id }, message: DomainMessage): void {
  ctx.send({ kind: 'engine', engine: origin.engine, node: origin.node }, encodeDomainMessage(message), { protocol: DOMAIN_PROTOCOL });
}
