// `storage`: a content-addressed block store (SPEC §4.5, §5.5, I13, I14, Q21). BlockId = BLAKE3 of
// the content (`ctx.hash`). Local engines send it `put` (stored on `replication` chosen neighbours,
// each answering with a receipt signed by its storage engine), `get` (local) and `lookup` (local
// first, then the holders named by known receipts, then a random walk with a hop limit whose answer
// returns along the walk's path). Blocks expire; `minTrust` restricts who may be served. With
// `domain`, replicas and walks use the Topology's live view of that domain instead of the static
// link neighbours.
import { z } from 'zod';
import { fromHex, fromUtf8, toHex, utf8 } from '../bytes.js';
import type { EngineContext, EngineFactory } from '../engine.js';
import type { Id } from '../ids.js';
import { jsonBody } from '../node.js';
import { PUBSUB_QUERY_PROTOCOL } from '../pubsub-wire.js';
import { OverlayPeers } from './overlay-peers.js';
import { engineSpec, firings, parseParams } from './params.js';

export const STORAGE_PROTOCOL = 'netmachine.storage/1.0';

const StorageParams = z.strictObject({
  peerEngine: z.string().min(1).default('storage'),
  blocksMax: z.number().int().positive().default(10_000),
  /** How long to wait for one holder or one walk before trying the next (ms). */
  requestTimeoutMs: z.number().positive().default(300),
  walkHopsMax: z.number().int().nonnegative().default(16),
  gcIntervalMs: z.number().positive().default(1000),
  /** The local PubSub engine, asked for topic parents in topic searches. */
  pubsubEngine: z.string().min(1).default('pubsub'),
  /** Place replicas and walk over this domain's Topology view instead of the static link neighbours. */
  domain: z.string().min(1).optional(),
});

/** A storage receipt (Q21): `engine` on `node` promises to keep `id` until `expiry`; signed by `engine`. */
export interface StorageReceipt {
  readonly id: string;
  readonly node: Id;
  readonly engine: Id;
  readonly expiry: number;
  readonly sig: string;
}

/** Requests and answers, local and between storage engines (JSON bodies; content in hex). */
export type StorageMessage =
  | { op: 'put'; content: string; replication: number; expiryMs?: number; minTrust?: number }
  | { op: 'put-result'; id: string; receipts: StorageReceipt[] }
  | { op: 'get'; id: string }
  /** `domain` confines the random walk to the domain's member nodes (S24). */
  | { op: 'lookup'; id: string; random?: boolean; topic?: Id; domain?: Id }
  | { op: 'block'; id: string; content: string | null }
  | { op: 'store'; req: number; id: string; content: string; expiry: number; minTrust: number }
  | { op: 'stored'; req: number; receipt: StorageReceipt | null }
  | { op: 'fetch'; req: number; id: string }
  | { op: 'walk'; req: number; id: string; ttl: number; path: Id[]; members?: Id[] }
  /** BlockSearchTopic: climbs the topic's tree towards the publisher, one parent per hop. */
  | { op: 'climb'; req: number; id: string; topic: Id; ttl: number; path: Id[] }
  | { op: 'found'; req: number; id: string; content: string | null; path: Id[] };

interface Block {
  readonly content: Uint8Array;
  readonly expiry: number;
  readonly minTrust: number;
}

interface Requester {
  readonly engine: Id;
  readonly node: Id;
  readonly replyTo: number;
}

/** A lookup in progress: the holders still to ask, then the walk. */
interface Search {
  readonly id: string;
  readonly requester: Requester;
  readonly holders: Array<{ engine: Id; node: Id }>;
  readonly isRandom: boolean;
  readonly topic: Id | undefined;
  /** Member nodes of the domain the walk is confined to (from its verified advert). */
  readonly members: ReadonlyArray<Id> | undefined;
  stage: number;
}

export function receiptBytes(receipt: Omit<StorageReceipt, 'sig'>): Uint8Array {
  return utf8(`netmachine/StorageReceipt/1\0${receipt.id}\0${receipt.node}\0${receipt.engine}\0${receipt.expiry}`);
}

/** What validate checks of a `storage` engine: its garbage-collection timer. */
export const STORAGE_SPEC = engineSpec(StorageParams, { load: (options, run) => firings(options.gcIntervalMs, run.durationMs) });

export const createStorageEngine: EngineFactory = (params, env) => {
  const options = parseParams('storage', StorageParams, params);
  const overlay = new OverlayPeers(env, options.peerEngine, options.domain, 'storage');
  const peers = overlay.peers;
  const blocks = new Map<string, Block>();
  const holders = new Map<string, Array<{ engine: Id; node: Id }>>();
  const puts = new Map<number, { requester: Requester; id: string; waiting: number; receipts: StorageReceipt[] }>();
  const searches = new Map<number, Search>();
  let nextRequest = 1;
  const pubsub = env.resolve(`${env.nodeName}/${options.pubsubEngine}`);
  /** Parent queries in flight (query message id → the climb to continue). */
  const climbs = new Map<number, { from: { engine: Id; node: Id } | undefined; message: Extract<StorageMessage, { op: 'climb' }> }>();

  /** Asks the local PubSub engine for the topic's parent; the climb continues when it answers. */
  function climb(ctx: EngineContext, from: { engine: Id; node: Id } | undefined, message: Extract<StorageMessage, { op: 'climb' }>): void {
    if (!pubsub.ok) return climbFailed(ctx, from, message);
    const query = ctx.send({ kind: 'engine', ...pubsub.value }, jsonBody({ topic: message.topic }), { protocol: PUBSUB_QUERY_PROTOCOL });
    climbs.set(query, { from, message });
  }

  function climbFailed(ctx: EngineContext, from: { engine: Id; node: Id } | undefined, message: Extract<StorageMessage, { op: 'climb' }>): void {
    if (from !== undefined) send(ctx, from, { op: 'found', req: message.req, id: message.id, content: null, path: message.path.slice(0, -1) });
  }

  const send = (ctx: EngineContext, to: { engine: Id; node: Id }, message: StorageMessage): void =>
    void ctx.send({ kind: 'engine', engine: to.engine, node: to.node }, jsonBody(message), { protocol: STORAGE_PROTOCOL });
  const answer = (ctx: EngineContext, requester: Requester, message: StorageMessage): void =>
    void ctx.send({ kind: 'engine', engine: requester.engine, node: requester.node }, jsonBody(message), { protocol: STORAGE_PROTOCOL, replyTo: requester.replyTo });
  const peer = (node: Id): { engine: Id; node: Id } | undefined => (peers.has(node) ? { engine: peers.get(node)!, node } : undefined);

  /** I14 and min_trust: what may be served to `node`. */
  function servable(ctx: EngineContext, id: string, node: Id): Block | undefined {
    const block = blocks.get(id);
    if (block === undefined || block.expiry <= ctx.now()) return undefined;
    const trust = node === ctx.node ? 255 : (ctx.lookupNode(node)?.trust ?? 128);
    return trust >= block.minTrust ? block : undefined;
  }

  function put(ctx: EngineContext, requester: Requester, message: Extract<StorageMessage, { op: 'put' }>): void {
    const content = fromHex(message.content);
    const id = toHex(ctx.hash(content));
    const expiry = ctx.now() + (message.expiryMs ?? 3_600_000);
    // Chosen peers: a seeded shuffle of the neighbours we do not distrust (trust 0 = banned).
    const candidates = [...peers.keys()].filter((node) => (ctx.lookupNode(node)?.trust ?? 128) > 0);
    for (let i = candidates.length - 1; i > 0; i--) {
      const j = ctx.rng.int(i + 1);
      [candidates[i], candidates[j]] = [candidates[j]!, candidates[i]!];
    }
    const chosen = candidates.slice(0, Math.max(0, message.replication));
    const req = nextRequest++;
    puts.set(req, { requester, id, waiting: chosen.length, receipts: [] });
    for (const node of chosen) send(ctx, peer(node)!, { op: 'store', req, id, content: message.content, expiry, minTrust: message.minTrust ?? 0 });
    if (chosen.length === 0) finishPut(ctx, req);
    else ctx.setTimer(options.requestTimeoutMs * 3, `put:${req}`);
  }

  function finishPut(ctx: EngineContext, req: number): void {
    const pending = puts.get(req);
    if (pending === undefined) return;
    puts.delete(req);
    holders.set(pending.id, pending.receipts.map((receipt) => ({ engine: receipt.engine, node: receipt.node })));
    answer(ctx, pending.requester, { op: 'put-result', id: pending.id, receipts: pending.receipts });
  }

  /** Next step of a lookup: the next known holder, else one random walk, else not found. */
  function advance(ctx: EngineContext, req: number): void {
    const search = searches.get(req);
    if (search === undefined) return;
    const stage = search.stage++;
    const holder = search.holders[stage];
    if (holder !== undefined) {
      send(ctx, holder, { op: 'fetch', req, id: search.id });
      ctx.setTimer(options.requestTimeoutMs, `search:${req}:${stage}`);
      return;
    }
    if (stage === search.holders.length && search.topic !== undefined) {
      climb(ctx, undefined, { op: 'climb', req, id: search.id, topic: search.topic, ttl: options.walkHopsMax, path: [ctx.node] });
      ctx.setTimer(options.requestTimeoutMs * (options.walkHopsMax + 2), `search:${req}:${stage}`);
      return;
    }
    const walkStage = search.holders.length + (search.topic === undefined ? 0 : 1);
    const first = stage === walkStage && search.isRandom ? randomPeer(ctx, [], search.members) : undefined;
    if (first !== undefined) {
      send(ctx, peer(first)!, { op: 'walk', req, id: search.id, ttl: options.walkHopsMax, path: [ctx.node], ...(search.members !== undefined && { members: [...search.members] }) });
      ctx.setTimer(options.requestTimeoutMs * (options.walkHopsMax + 2), `search:${req}:${stage}`);
      return;
    }
    searches.delete(req);
    answer(ctx, search.requester, { op: 'block', id: search.id, content: null });
  }

  function found(ctx: EngineContext, req: number, id: string, content: string | null): void {
    const search = searches.get(req);
    if (search === undefined || content === null) return;
    if (toHex(ctx.hash(fromHex(content))) !== id) return; // I13: a block whose hash differs is discarded
    searches.delete(req);
    answer(ctx, search.requester, { op: 'block', id, content });
  }

  function randomPeer(ctx: EngineContext, path: ReadonlyArray<Id>, members: ReadonlyArray<Id> | undefined): Id | undefined {
    // A walk confined to a domain only steps to its member nodes (S24).
    const all = [...peers.keys()].filter((node) => members === undefined || members.includes(node));
    const fresh = all.filter((node) => !path.includes(node));
    const pool = fresh.length > 0 ? fresh : all;
    return pool.length === 0 ? undefined : pool[ctx.rng.int(pool.length)];
  }

  function onPeer(ctx: EngineContext, from: { engine: Id; node: Id }, message: StorageMessage): void {
    switch (message.op) {
      case 'store': {
        const content = fromHex(message.content);
        const isValid = toHex(ctx.hash(content)) === message.id && (blocks.size < options.blocksMax || blocks.has(message.id));
        if (!isValid) return send(ctx, from, { op: 'stored', req: message.req, receipt: null }); // I13: mismatching id refused
        blocks.set(message.id, { content, expiry: message.expiry, minTrust: message.minTrust });
        const unsigned = { id: message.id, node: ctx.node, engine: ctx.self, expiry: message.expiry };
        return send(ctx, from, { op: 'stored', req: message.req, receipt: { ...unsigned, sig: toHex(ctx.sign(receiptBytes(unsigned))) } });
      }
      case 'stored': {
        const pending = puts.get(message.req);
        if (pending === undefined) return;
        const receipt = message.receipt;
        if (receipt !== null && receipt.id === pending.id && receipt.node === from.node && ctx.verify(receipt.engine, receiptBytes(receipt), fromHex(receipt.sig))) pending.receipts.push(receipt);
        if (--pending.waiting === 0) finishPut(ctx, message.req);
        return;
      }
      case 'fetch': {
        const block = servable(ctx, message.id, from.node);
        return send(ctx, from, { op: 'found', req: message.req, id: message.id, content: block === undefined ? null : toHex(block.content), path: [from.node] });
      }
      case 'walk': {
        const path = [...message.path, ctx.node];
        const block = servable(ctx, message.id, message.path[0]!);
        const next = block === undefined && message.ttl > 0 ? randomPeer(ctx, path, message.members) : undefined;
        if (next !== undefined) return send(ctx, peer(next)!, { ...message, ttl: message.ttl - 1, path });
        return send(ctx, from, { op: 'found', req: message.req, id: message.id, content: block === undefined ? null : toHex(block.content), path: message.path });
      }
      case 'climb': {
        const path = [...message.path, ctx.node];
        const block = servable(ctx, message.id, message.path[0]!);
        if (block !== undefined) return send(ctx, from, { op: 'found', req: message.req, id: message.id, content: toHex(block.content), path: message.path });
        if (message.ttl === 0) return send(ctx, from, { op: 'found', req: message.req, id: message.id, content: null, path: message.path });
        return climb(ctx, from, { ...message, ttl: message.ttl - 1, path });
      }
      case 'found': {
        if (message.path.length <= 1) return found(ctx, message.req, message.id, message.content);
        const back = message.path.slice(0, -1);
        const previous = peer(back[back.length - 1]!);
        if (previous !== undefined) send(ctx, previous, { ...message, path: back });
        return;
      }
      default:
        return;
    }
  }

  function onLocal(ctx: EngineContext, requester: Requester, message: StorageMessage): void {
    switch (message.op) {
      case 'put':
        return put(ctx, requester, message);
      case 'get': {
        const block = servable(ctx, message.id, ctx.node);
        return answer(ctx, requester, { op: 'block', id: message.id, content: block === undefined ? null : toHex(block.content) });
      }
      case 'lookup': {
        // S24: local first; the network only when asked (known holders always, the walk if `random`).
        const block = servable(ctx, message.id, ctx.node);
        if (block !== undefined) return answer(ctx, requester, { op: 'block', id: message.id, content: toHex(block.content) });
        const req = nextRequest++;
        // An unknown domain has no known members: the walk then has nowhere to go.
        const members = message.domain === undefined ? undefined : (ctx.domains.advert(message.domain)?.nodes ?? []);
        searches.set(req, { id: message.id, requester, holders: (holders.get(message.id) ?? []).slice(), isRandom: message.random === true, topic: message.topic, members, stage: 0 });
        return advance(ctx, req);
      }
      default:
        return;
    }
  }

  function onParent(ctx: EngineContext, query: number, body: Uint8Array): void {
    const pending = climbs.get(query);
    if (pending === undefined) return;
    climbs.delete(query);
    const { parent } = JSON.parse(fromUtf8(body)) as { parent: Id | null };
    const next = parent === null ? undefined : peer(parent);
    if (next === undefined) return climbFailed(ctx, pending.from, pending.message);
    send(ctx, next, pending.message);
  }

  return {
    handle(input, ctx) {
      switch (input.kind) {
        case 'start':
          overlay.start(ctx);
          ctx.setTimer(options.gcIntervalMs, 'gc');
          return;
        case 'timer': {
          if (input.tag === 'gc') {
            for (const [id, block] of blocks) if (block.expiry <= ctx.now()) blocks.delete(id); // I14
            ctx.setTimer(options.gcIntervalMs, 'gc');
          } else if (input.tag.startsWith('put:')) finishPut(ctx, Number(input.tag.slice(4)));
          else if (input.tag.startsWith('search:')) {
            const [, req, stage] = input.tag.split(':');
            const search = searches.get(Number(req));
            if (search !== undefined && search.stage === Number(stage) + 1) advance(ctx, Number(req));
          }
          return;
        }
        case 'notice':
          overlay.apply(input.notice); // the view changed: later puts and walks use the new peers
          return;
        case 'message': {
          if (input.message.protocol === PUBSUB_QUERY_PROTOCOL && input.message.replyTo !== undefined) return onParent(ctx, input.message.replyTo, input.message.body);
          if (input.message.protocol !== STORAGE_PROTOCOL) return;
          let message: StorageMessage;
          try {
            message = JSON.parse(fromUtf8(input.message.body)) as StorageMessage;
          } catch {
            return;
          }
          const from = { engine: input.message.src, node: input.sourceNode };
          if (input.sourceNode === ctx.node) return onLocal(ctx, { ...from, replyTo: input.message.id }, message);
          if (peers.get(input.sourceNode) === input.message.src) onPeer(ctx, from, message);
          return;
        }
      }
    },
  };
};
